import test_utils  # pylint: disable=unused-import

import keras
from absl.testing import parameterized
import numpy as np
import tensorflow as tf

from tfwgan import networks


class NetworksTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.named_parameters(("mnist", (28, 28, 1)), ("cifar", (32, 32, 3)),
                                  ("celeba", (64, 64, 3)))
  def test_dcgan_shapes_and_range(self, image_shape):
    generator = networks.dcgan_generator(16, image_shape, base_filters=8)
    images = generator(tf.random.normal([3, 16]) * 10.0, training=False)
    self.assertEqual(tuple(images.shape), (3,) + image_shape)
    self.assertLessEqual(float(tf.reduce_max(tf.abs(images))), 1.0)  # tanh output
    for normalization in networks.CRITIC_NORMALIZATIONS:
      critic = networks.dcgan_critic(image_shape, base_filters=8, normalization=normalization)
      self.assertEqual(tuple(critic(images).shape), (3, 1))

  def test_critic_without_batch_norm_by_default(self):
    critic = networks.dcgan_critic((32, 32, 3), base_filters=8)
    self.assertFalse(any(isinstance(layer, keras.layers.BatchNormalization)
                         for layer in critic.layers))

  def test_wgan_lp_toy_mlp_is_three_hidden_layers_of_512(self):
    generator = networks.mlp_generator(2, 2)
    dense = [layer for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    self.assertEqual([layer.units for layer in dense], [512, 512, 512, 2])
    self.assertLen([l for l in generator.layers if isinstance(l, keras.layers.LeakyReLU)], 3)
    self.assertEqual(tuple(networks.mlp_critic(2)(tf.zeros([4, 2])).shape), (4, 1))

  def test_potential_is_one_hidden_layer_with_layer_norm(self):
    potential = networks.potential_mlp((8, 8, 1), hidden_units=32)
    dense = [layer for layer in potential.layers if isinstance(layer, keras.layers.Dense)]
    self.assertEqual([layer.units for layer in dense], [32, 1])
    self.assertTrue(any(isinstance(l, keras.layers.LayerNormalization) for l in potential.layers))
    self.assertEqual(tuple(potential(tf.zeros([5, 8, 8, 1])).shape), (5, 1))

  def test_unsupported_shapes(self):
    with self.assertRaisesRegex(ValueError, r"image_shape=\(48, 48, 3\).*\(28, 32, 64\)"):
      networks.dcgan_generator(10, (48, 48, 3))
    with self.assertRaisesRegex(ValueError, r"normalization='spectral'.*'none', 'layer', 'batch'"):
      networks.dcgan_critic((32, 32, 3), normalization="spectral")


def _conv(kernel, inputs, outputs):
  return kernel * kernel * inputs * outputs + outputs     # weights + biases


def _resnet_generator_parameters(latent, size, channels, d):
  """Counted from the layer description (batch norm: γ, β and the two moving statistics)."""
  widths = [d] * 4 if size <= 32 else [8 * d, 8 * d, 4 * d, 2 * d, d]
  count = latent * 16 * widths[0] + 16 * widths[0]                     # dense → 4×4×C
  for inputs, outputs in zip(widths, widths[1:]):                      # upsampling blocks
    count += 4 * inputs + _conv(3, inputs, outputs) + 4 * outputs + _conv(3, outputs, outputs)
    count += _conv(1, inputs, outputs)                                 # 1×1 shortcut
  return count + 4 * d + _conv(3, d, channels)                         # BN → ReLU → conv


def _resnet_critic_parameters(size, channels, d):
  if size <= 32:                     # 28×28: the same network on padded images
    count = _conv(3, channels, d) + _conv(3, d, d) + _conv(1, channels, d)   # optimised block
    count += 2 * _conv(3, d, d) + _conv(1, d, d)                              # down block
    count += 2 * (2 * _conv(3, d, d))                                         # plain blocks
    return count + d + 1                                                      # dense
  count = _conv(3, channels, d)                                               # stem
  for inputs, outputs in ((d, 2 * d), (2 * d, 4 * d), (4 * d, 8 * d), (8 * d, 8 * d)):
    count += 2 * inputs + _conv(3, inputs, inputs) + 2 * inputs + _conv(3, inputs, outputs)
    count += _conv(1, inputs, outputs)                                        # shortcut
  return count + 16 * 8 * d + 1                                               # dense


class ResNetTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.named_parameters(("cifar", 32, 3, 128), ("narrow_gray", 32, 1, 8),
                                  ("mnist_padded", 28, 1, 8),
                                  ("celeba", 64, 3, 64), ("narrow_64", 64, 3, 4))
  def test_shapes_and_parameter_counts_follow_the_layer_description(self, size, channels, d):
    generator = networks.resnet_generator(128, (size, size, channels), width=d)
    critic = networks.resnet_critic((size, size, channels), width=d)
    images = generator(tf.random.normal([2, 128]), training=False)
    self.assertEqual(tuple(images.shape), (2, size, size, channels))
    self.assertLessEqual(float(tf.reduce_max(tf.abs(images))), 1.0)
    self.assertEqual(tuple(critic(images).shape), (2, 1))
    self.assertEqual(generator.count_params(),
                     _resnet_generator_parameters(128, size, channels, d))
    self.assertEqual(critic.count_params(), _resnet_critic_parameters(size, channels, d))

  @parameterized.named_parameters(("28", 28), ("32", 32), ("64", 64))
  def test_critic_scores_each_sample_on_its_own(self, size):
    # A gradient penalty needs per-sample gradients: a sample's score must not depend on
    # the other samples of the batch (no batch norm anywhere in the critic).
    critic = networks.resnet_critic((size, size, 3), width=4)
    images = tf.random.uniform([4, size, size, 3], -1, 1, seed=1)
    alone = critic(images[:1], training=True)
    together = critic(images, training=True)[:1]
    self.assertAllClose(alone, together, atol=1e-5)
    with tf.GradientTape() as tape:
      tape.watch(images)
      score = critic(images, training=True)[0, 0]
    self.assertAllEqual(tf.reduce_sum(tf.abs(tape.gradient(score, images)[1:])), 0.0)
    self.assertFalse(any(isinstance(layer, keras.layers.BatchNormalization)
                         for layer in critic.layers))

  def test_authors_initialisation_and_normalisation_epsilon(self):
    # tflib's he_init: uniform with std √(4/(fan_in + fan_out)) on the residual branches'
    # 3×3 convolutions (fan = channels × 9); Glorot's std √(2/(…)) on the shortcuts.
    keras.utils.set_random_seed(0)
    width = 48
    generator = networks.resnet_generator(8, (32, 32, 3), width=width)
    critic = networks.resnet_critic((32, 32, 3), width=width)
    residual = [layer for model in (generator, critic) for layer in model.layers
                if layer.name.endswith(("_conv1", "_conv2")) and layer.name != "block0_conv1"]
    self.assertLen(residual, 2 * 3 + 2 * 3 + 1)
    for layer in residual:
      self.assertAllClose(np.std(layer.kernel.numpy()), np.sqrt(4.0 / (2 * 9 * width)),
                          rtol=0.03, msg=layer.name)
    first = critic.get_layer("block0_conv1")                 # fan_in 3 × 9, fan_out width × 9
    self.assertAllClose(np.std(first.kernel.numpy()), np.sqrt(4.0 / (9 * 3 + 9 * width)),
                        rtol=0.05)
    shortcut = critic.get_layer("block1_shortcut_conv")      # 1×1, Glorot
    self.assertAllClose(np.std(shortcut.kernel.numpy()), np.sqrt(2.0 / (2 * width)), rtol=0.05)
    glorot = networks.resnet_generator(8, (32, 32, 3), width=width, init="glorot")
    self.assertAllClose(np.std(glorot.get_layer("block1_conv2").kernel.numpy()),
                        np.sqrt(2.0 / (2 * 9 * width)), rtol=0.03)
    norms = [layer for model in (generator, networks.resnet_critic((64, 64, 3), width=2))
             for layer in model.layers if "norm" in layer.name]
    self.assertNotEmpty(norms)
    self.assertEqual({layer.epsilon for layer in norms}, {1e-5})
    keras_default = networks.resnet_generator(8, (32, 32, 3), width=2, norm_epsilon=1e-3)
    self.assertEqual(keras_default.get_layer("head_norm").epsilon, 1e-3)
    with self.assertRaisesRegex(ValueError, r"init='he': allowed values are"):
      networks.resnet_generator(8, (32, 32, 3), width=2, init="he")

  def test_unsupported_shapes(self):
    with self.assertRaisesRegex(ValueError, r"image_shape=\(48, 48, 3\).*\(28, 32, 64\)"):
      networks.resnet_generator(10, (48, 48, 3))


if __name__ == "__main__":
  tf.test.main()
