"""Reduction of per-example terms: the one place where "mean over the batch" is decided."""

import tensorflow as tf

from tfwgan.validation import one_of

REDUCTIONS = ("mean", "none")


def reduce_per_example(values, reduction):
  """Returns `values` as they are ('none') or their batch mean ('mean')."""
  one_of("reduction", reduction, REDUCTIONS)
  return tf.reduce_mean(values) if reduction == "mean" else values


def global_batch_mean(values):
  """Mean over the *global* batch (sum over replicas gives the true mean gradient).

  Keras optimizers sum gradients over replicas under tf.distribute, so every
  term a network is trained on is reduced with this, never `tf.reduce_mean`.
  """
  return tf.nn.compute_average_loss(values)
