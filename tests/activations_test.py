import test_utils  # pylint: disable=unused-import

import keras
import numpy as np
import tensorflow as tf

from tfwgan import activations
from tfwgan import penalties


def _critic(activation_layer):
  """A small conv critic; the same weights whatever the activation layer."""
  keras.utils.set_random_seed(4)
  return keras.Sequential([
      keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, strides=2, padding="same"),
      activation_layer(), keras.layers.Conv2D(8, 3, strides=2, padding="same"),
      activation_layer(), keras.layers.Flatten(), keras.layers.Dense(1)])


def _stock():
  return keras.layers.LeakyReLU(0.2)


def _output_gradient():
  return activations.LeakyReLU(0.2)


def _penalty_weight_gradients(critic, real, fake, rng):
  """The penalty and its gradients w.r.t. the weights (None, where it is exactly 0, as 0)."""
  with tf.GradientTape() as tape:
    value = penalties.gradient_penalty(critic, real, fake, rng=rng)
  gradients = tape.gradient(value, critic.trainable_variables)
  return value, [tf.zeros_like(v) if g is None else g
                 for g, v in zip(gradients, critic.trainable_variables)]


class LeakyReLUTest(tf.test.TestCase):

  def test_values_and_gradient_equal_keras(self):
    x = tf.constant([-3.0, -0.5, 0.0, 0.25, 2.0])
    with tf.GradientTape(persistent=True) as tape:
      tape.watch(x)
      ours, theirs = activations.leaky_relu(x, 0.2), keras.layers.LeakyReLU(0.2)(x)
    self.assertAllEqual(ours, theirs)
    self.assertAllClose(tape.gradient(ours, x), [0.2, 0.2, 0.2, 1.0, 1.0])
    self.assertAllEqual(tape.gradient(ours, x), tape.gradient(theirs, x))

  def test_gradient_penalty_and_its_weight_gradients_equal_keras(self):
    rng = np.random.default_rng(0)
    real = tf.constant(rng.normal(size=(6, 8, 8, 2)), tf.float32)
    fake = tf.constant(rng.normal(size=(6, 8, 8, 2)), tf.float32)
    value, gradients = _penalty_weight_gradients(_critic(_output_gradient), real, fake,
                                                 tf.random.Generator.from_seed(0))
    expected_value, expected = _penalty_weight_gradients(_critic(_stock), real, fake,
                                                         tf.random.Generator.from_seed(0))
    self.assertAllClose(value, expected_value, rtol=1e-6)
    for ours, theirs in zip(gradients, expected):
      self.assertAllClose(ours, theirs, rtol=1e-5, atol=1e-7)

  def test_double_backprop_skips_the_forward_pass_at_the_penalty_points(self):
    """Stock LeakyReLU sends zeros back through the interpolates' forward convolutions."""
    real = tf.zeros([4, 8, 8, 2])
    rng = tf.random.Generator.from_seed(0)

    def conv_gradient_ops(critic):
      step = tf.function(lambda: _penalty_weight_gradients(critic, real, real + 1.0, rng),
                         autograph=False)
      types = [op.type for op in step.get_concrete_function().graph.get_operations()]
      return np.array([types.count("Conv2DBackpropInput"), types.count("Conv2DBackpropFilter")])

    # Stock: per conv layer one more input and one more filter gradient (of zeros).
    extra = conv_gradient_ops(_critic(_stock)) - conv_gradient_ops(_critic(_output_gradient))
    self.assertAllEqual(extra, [2, 2])

  def test_serializes_and_clones(self):
    critic = _critic(_output_gradient)
    clone = keras.models.clone_model(critic)
    self.assertIsInstance(clone.layers[1], activations.LeakyReLU)
    restored = keras.layers.deserialize(keras.layers.serialize(critic.layers[1]))
    self.assertIsInstance(restored, activations.LeakyReLU)
    self.assertEqual(restored.negative_slope, 0.2)

  def test_rejects_slopes_whose_sign_hides_the_input_sign(self):
    for slope in (-0.1, 1.0):
      with self.assertRaisesRegex(ValueError, r"negative_slope=.*\[0, 1\)"):
        activations.LeakyReLU(slope)


if __name__ == "__main__":
  tf.test.main()
