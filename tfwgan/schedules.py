"""Learning-rate schedules keyed on outer iterations, not `optimizer.iterations`.

The critic's optimizer takes `critic_steps` updates per outer iteration and the
generator's ℓ, so a schedule on optimizer steps would decay each network at its own
pace. WGAN-GP's reference code decays every learning rate linearly to 0 over the
generator iterations (gan_cifar_resnet.py: `lr * (1 − iteration / ITERS)`).
"""

import keras
import tensorflow as tf

from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of
from tfwgan.validation import positive_number

LR_DECAYS = ("none", "linear")


class LinearDecayByOuterIteration(keras.optimizers.schedules.LearningRateSchedule):
  """initial · max(0, 1 − k / total_steps) at outer iteration k (read from `counter`)."""

  def __init__(self, initial_learning_rate, total_steps, counter):
    self.initial_learning_rate = positive_number("learning_rate", initial_learning_rate)
    self.total_steps = integer_at_least("train_steps", total_steps)
    self.counter = counter

  def __call__(self, step):
    del step  # the optimizer's own count: not the outer iteration
    done = tf.cast(self.counter, tf.float32) / float(self.total_steps)
    return self.initial_learning_rate * tf.maximum(0.0, 1.0 - done)

  def get_config(self):
    return {"initial_learning_rate": self.initial_learning_rate,
            "total_steps": self.total_steps}


def learning_rate(kind, initial_learning_rate, *, total_steps, counter):
  """`initial_learning_rate` ('none') or its linear decay to 0 over `total_steps` outer
  iterations ('linear')."""
  one_of("lr_decay", kind, LR_DECAYS)
  if kind == "none":
    return initial_learning_rate
  return LinearDecayByOuterIteration(initial_learning_rate, total_steps, counter)
