"""tf.data pipelines: the WGAN-GP/WGAN-LP 2-D toy sets, and batches for critic_steps."""

import math

import tensorflow as tf

TOY_DATASETS = ("8gaussians", "25gaussians", "swissroll")


def _check_positive_int(name, value):
  if isinstance(value, bool) or not isinstance(value, int) or value < 1:
    raise ValueError(f"{name}={value!r}: must be an integer >= 1.")


def sample_toy(name, num_samples, seed):
  """`num_samples` points of a toy set, in-graph and stateless (WGAN-GP's gan_toy.py recipe).

  8gaussians: 8 modes at radius 2, std 0.02, divided by 1.414.
  25gaussians: a 5×5 grid of spacing 2, std 0.05, divided by 2.828.
  swissroll: sklearn's swiss roll (noise 0.25), coordinates (x, z), divided by 7.5.
  """
  seeds = tf.random.split(tf.cast(seed, tf.int64), 3)
  if name == "8gaussians":
    angles = tf.range(8, dtype=tf.float32) * (math.pi / 4)
    centers = 2.0 * tf.stack([tf.cos(angles), tf.sin(angles)], axis=1)
    index = tf.random.stateless_uniform([num_samples], seeds[0], maxval=8, dtype=tf.int32)
    noise = 0.02 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (tf.gather(centers, index) + noise) / 1.414
  if name == "25gaussians":
    grid = tf.range(-2, 3, dtype=tf.float32) * 2.0
    centers = tf.reshape(tf.stack(tf.meshgrid(grid, grid), axis=-1), [25, 2])
    index = tf.random.stateless_uniform([num_samples], seeds[0], maxval=25, dtype=tf.int32)
    noise = 0.05 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (tf.gather(centers, index) + noise) / 2.828
  if name == "swissroll":
    t = 1.5 * math.pi * (1.0 + 2.0 * tf.random.stateless_uniform([num_samples], seeds[0]))
    roll = tf.stack([t * tf.cos(t), t * tf.sin(t)], axis=1)
    noise = 0.25 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (roll + noise) / 7.5
  raise ValueError(f"dataset={name!r}: allowed toy datasets are {TOY_DATASETS}.")


def toy_dataset(name, *, batch_size, critic_steps=1, seed=0):
  """An endless dataset of [critic_steps × batch_size, 2] toy batches, one per fit step."""
  if name not in TOY_DATASETS:
    raise ValueError(f"dataset={name!r}: allowed toy datasets are {TOY_DATASETS}.")
  _check_positive_int("batch_size", batch_size)
  _check_positive_int("critic_steps", critic_steps)
  step_size = batch_size * critic_steps
  seeds = tf.data.Dataset.random(seed=seed).batch(2)
  return seeds.map(lambda s: sample_toy(name, step_size, s),
                   num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def critic_batches(dataset, *, batch_size, critic_steps):
  """Batches an *unbatched* dataset of samples into critic_steps × batch_size per fit step.

  Each fit step then gives every critic update a fresh real batch (WGAN Alg. 1,
  WGAN-GP Alg. 1). `drop_remainder=True` keeps the shape static.
  """
  _check_positive_int("batch_size", batch_size)
  _check_positive_int("critic_steps", critic_steps)
  return dataset.batch(batch_size * critic_steps, drop_remainder=True).prefetch(
      tf.data.AUTOTUNE)
