import test_utils  # pylint: disable=unused-import

import keras
from absl.testing import parameterized
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


if __name__ == "__main__":
  tf.test.main()
