"""How a generator's batch norm runs when it samples (for evaluation, image grids, export).

- "moving" (default): Keras inference mode, the moving averages kept during training.
- "batch": every sampled batch is normalised with its own statistics. The WGAN-GP
  authors' code samples this way (their generators call batch norm in training mode
  when sampling). Run with `stateless_call`, so the moving statistics never move.
- "standing": the moving statistics are recomputed before sampling, as the average of
  the batch statistics of `standing_batches` generated batches ("standing statistics":
  StudioGAN's and compare_gan's option), on a copy of the generator; then inference
  mode. The live generator is not touched.

A network without batch norm samples the same in every mode (dropout aside: "batch"
runs it in training mode).
"""

import keras
import numpy as np
import tensorflow as tf

from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of

BATCH_NORM_MODES = ("moving", "batch", "standing")
STANDING_BATCHES = 100
STANDING_BATCH_SIZE = 64


def _batch_norm_layers(model):
  return [layer for layer in model._flatten_layers()  # pylint: disable=protected-access
          if isinstance(layer, keras.layers.BatchNormalization)]


def is_conditional(generator):
  """Whether `generator` takes [z, labels] (a Keras model with two inputs)."""
  return isinstance(generator, keras.Model) and len(generator.inputs) == 2


def inputs(z, labels=None):
  """The generator's inputs: z, or [z, labels] (int32) for a conditional generator."""
  return z if labels is None else [z, tf.cast(labels, tf.int32)]


def uniform_labels(count, num_classes, seed):
  """`count` labels uniform over the classes, drawn statelessly from `seed`."""
  return tf.random.stateless_uniform([count], seed=[seed, 1], maxval=num_classes,
                                     dtype=tf.int32)


def checked_labels(labels, num_samples, num_classes):
  """`labels` (one class, or one per sample) as [num_samples] int32, each in 0 … classes − 1."""
  labels = tf.broadcast_to(tf.cast(labels, tf.int32), [num_samples])
  if not bool(tf.reduce_all((labels >= 0) & (labels < num_classes))):
    raise ValueError(f"labels: classes are 0 … {num_classes - 1}.")
  return labels


def standing_statistics_copy(generator, *, latent_dim, batches=STANDING_BATCHES,
                             batch_size=STANDING_BATCH_SIZE, seed=0, num_classes=None):
  """A copy of `generator` whose batch-norm moving statistics are the means of the batch
  means and batch variances over `batches` generated batches of `batch_size` (latents
  drawn statelessly from `seed`; a conditional generator's labels uniform over its
  `num_classes`), every batch norm in training mode meanwhile."""
  if is_conditional(generator) and not num_classes:
    raise ValueError("num_classes: needed to draw the labels of a conditional generator's "
                     "standing statistics.")
  integer_at_least("batches", batches)
  integer_at_least("batch_size", batch_size, 2)
  copy = keras.models.clone_model(generator)
  copy.build(generator.input_shape)
  copy.set_weights(generator.get_weights())
  norms = _batch_norm_layers(copy)
  if not norms:
    return copy
  statistics = [variable for norm in norms
                for variable in (norm.moving_mean, norm.moving_variance)]
  positions = {id(variable): index for index, variable in enumerate(copy.non_trainable_variables)}
  totals = [np.zeros(variable.shape, np.float64) for variable in statistics]
  momenta = [norm.momentum for norm in norms]
  try:
    for norm in norms:
      norm.momentum = 0.0   # the "moving" update then writes exactly the batch statistic
    for index in range(batches):
      z = tf.random.stateless_normal([batch_size, latent_dim], seed=[seed, 7919 + index])
      labels = (uniform_labels(batch_size, num_classes, seed + 7919 + index)
                if is_conditional(generator) else None)
      _, updated = copy.stateless_call(copy.trainable_variables, copy.non_trainable_variables,
                                       inputs(z, labels), training=True)
      for total, variable in zip(totals, statistics):
        total += np.asarray(updated[positions[id(variable)]], np.float64)
  finally:
    for norm, momentum in zip(norms, momenta):
      norm.momentum = momentum
  for total, variable in zip(totals, statistics):
    variable.assign((total / batches).astype(variable.dtype))
  return copy


class Sampler:
  """z → samples of a Keras `generator` with batch norm in mode `batch_norm`.

  `model` is what runs (the generator, or its standing-statistics copy); the standing
  statistics are computed once, at construction, from the generator's current weights.
  """

  def __init__(self, generator, batch_norm="moving", *, latent_dim=None,
               standing_batches=STANDING_BATCHES, standing_batch_size=STANDING_BATCH_SIZE,
               seed=0, num_classes=None):
    self.batch_norm = one_of("batch_norm", batch_norm, BATCH_NORM_MODES)
    if batch_norm != "moving" and not isinstance(generator, keras.Model):
      raise ValueError(f"batch_norm={batch_norm!r}: needs a Keras generator, not "
                       f"{type(generator).__name__}.")
    if batch_norm == "standing":
      latent_dim = latent_dim or int(generator.inputs[0].shape[-1])
      generator = standing_statistics_copy(generator, latent_dim=latent_dim,
                                           batches=standing_batches,
                                           batch_size=standing_batch_size, seed=seed,
                                           num_classes=num_classes)
    self.model = generator

  def __call__(self, z, labels=None):
    """Samples for latents `z` (and, for a conditional generator, their `labels`)."""
    given = inputs(z, labels)
    if self.batch_norm == "batch":
      samples, _ = self.model.stateless_call(self.model.trainable_variables,
                                             self.model.non_trainable_variables, given,
                                             training=True)
      return samples
    if isinstance(self.model, keras.Model):
      return self.model(given, training=False)
    return self.model(given)   # a plain callable z → samples
