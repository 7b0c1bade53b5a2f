import test_utils  # pylint: disable=unused-import

import keras
import numpy as np
import tensorflow as tf

from tfwgan import networks
from tfwgan import sampling


def _moved_dcgan(seed=0):
  """A tiny DCGAN-28 generator whose batch-norm moving statistics moved off their start."""
  keras.utils.set_random_seed(seed)
  generator = networks.dcgan_generator(4, (28, 28, 1), base_filters=4)
  for step in range(3):
    generator(tf.random.stateless_normal([16, 4], seed=[seed, step]), training=True)
  return generator


def _state(model):
  return [np.array(variable) for variable in model.non_trainable_variables]


class SamplerTest(tf.test.TestCase):

  def test_moving_is_inference_mode_and_batch_is_training_mode_without_side_effects(self):
    generator = _moved_dcgan()
    z = tf.random.stateless_normal([32, 4], seed=[1, 0])
    before = _state(generator)
    moving = sampling.Sampler(generator, "moving")(z)
    batch = sampling.Sampler(generator, "batch")(z)
    for old, new in zip(before, _state(generator)):
      self.assertAllEqual(old, new)     # sampling never moves the moving statistics
    self.assertAllEqual(moving, generator(z, training=False))
    self.assertAllClose(batch, generator(z, training=True), atol=1e-6)
    self.assertGreater(float(tf.reduce_max(tf.abs(batch - moving))), 0.1)

  def test_standing_statistics_are_the_mean_of_training_mode_batch_statistics(self):
    generator = _moved_dcgan()
    before = _state(generator)
    copy = sampling.standing_statistics_copy(generator, latent_dim=4, batches=3,
                                             batch_size=8, seed=5)
    for old, new in zip(before, _state(generator)):
      self.assertAllEqual(old, new)                      # the live generator is untouched
    # Reference: each batch-norm layer's input with every layer in training mode (a
    # probe model over the copy's own layers), its batch mean and variance per batch.
    norms = [layer for layer in generator.layers
             if isinstance(layer, keras.layers.BatchNormalization)]
    probe = keras.Model(generator.inputs, [norm.input for norm in norms])
    means, variances = [np.zeros(norm.moving_mean.shape) for norm in norms], [
        np.zeros(norm.moving_mean.shape) for norm in norms]
    for index in range(3):
      z = tf.random.stateless_normal([8, 4], seed=[5, 7919 + index])
      inputs, _ = probe.stateless_call(probe.trainable_variables,
                                       probe.non_trainable_variables, z, training=True)
      for layer, values in enumerate(inputs):
        values = np.asarray(values, np.float64)
        axes = tuple(range(values.ndim - 1))
        means[layer] += values.mean(axis=axes) / 3
        variances[layer] += values.var(axis=axes) / 3
    copied = [layer for layer in copy.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for layer, norm in enumerate(copied):
      self.assertAllClose(norm.moving_mean, means[layer], rtol=1e-4, atol=1e-5)
      self.assertAllClose(norm.moving_variance, variances[layer], rtol=1e-3, atol=1e-5)
      self.assertEqual(norm.momentum, norms[layer].momentum)       # restored after

  def test_standing_sampler_runs_the_copy_in_inference_mode(self):
    generator = _moved_dcgan()
    z = tf.random.stateless_normal([6, 4], seed=[2, 0])
    standing = sampling.Sampler(generator, "standing", standing_batches=2,
                                standing_batch_size=8, seed=1)
    copy = sampling.standing_statistics_copy(generator, latent_dim=4, batches=2,
                                             batch_size=8, seed=1)
    self.assertAllEqual(standing(z), copy(z, training=False))
    self.assertGreater(float(tf.reduce_max(tf.abs(standing(z) - generator(z, training=False)))),
                       0.01)

  def test_networks_without_batch_norm_sample_alike_in_every_mode(self):
    generator = networks.mlp_generator(2, 2, hidden_units=8)
    z = tf.random.stateless_normal([10, 2], seed=[0, 0])
    outputs = [sampling.Sampler(generator, mode)(z) for mode in sampling.BATCH_NORM_MODES]
    for output in outputs[1:]:
      self.assertAllEqual(output, outputs[0])

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"batch_norm='train': allowed values are "
                                r"\['moving', 'batch', 'standing'\]"):
      sampling.Sampler(networks.mlp_generator(2, 2), "train")
    with self.assertRaisesRegex(ValueError, r"batch_norm='batch': needs a Keras generator"):
      sampling.Sampler(lambda z: z, "batch")


if __name__ == "__main__":
  tf.test.main()
