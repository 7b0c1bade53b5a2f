"""LeakyReLU for networks differentiated twice (gradient penalties, SBE's ½‖∇Φ‖²).

TensorFlow's second derivative of LeakyReLU returns zeros for the layer's input and
back-propagates them through the whole forward pass at the penalty points: a pass of
convolutions/matmuls on zeros in every gradient-penalty step. The derivative is
piecewise constant, so nothing needs to flow there. Here the gradient is taken from
the *output* (for slope α ≥ 0, y > 0 exactly where x > 0), which leaves no path from
the second derivative back into the forward activations, and leaves the BiasAdd
before the activation with one consumer, so Grappler can fuse it into the conv/matmul.
Values and gradients equal Keras' LeakyReLU.
"""

import keras
import tensorflow as tf


def leaky_relu(features, negative_slope=0.2):
  """max(x, αx) (Maas et al. 2013), with the gradient α + (1 − α)·[y > 0] read off the output."""
  slope = float(negative_slope)

  @tf.custom_gradient
  def forward(x):
    y = tf.nn.leaky_relu(x, alpha=slope)

    def gradient(upstream):
      return tf.where(y > 0, upstream, upstream * tf.cast(slope, upstream.dtype))
    return y, gradient

  return forward(features)


@keras.saving.register_keras_serializable(package="tfwgan")
class LeakyReLU(keras.layers.LeakyReLU):
  """Keras' LeakyReLU with `leaky_relu`'s gradient: cheaper double backprop, same values."""

  def __init__(self, negative_slope=0.2, **kwargs):
    if not 0.0 <= negative_slope < 1.0:
      raise ValueError(f"negative_slope={negative_slope!r}: must be in [0, 1) (the gradient "
                       "is read off the output's sign).")
    super().__init__(negative_slope=negative_slope, **kwargs)

  def call(self, inputs):
    return leaky_relu(inputs, self.negative_slope)
