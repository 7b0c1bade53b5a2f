"""Reduction of per-example terms: the one place where "mean over the batch" is decided."""

import tensorflow as tf

REDUCTIONS = ("mean", "none")


def check_reduction(reduction):
  if reduction not in REDUCTIONS:
    raise ValueError(f"reduction={reduction!r}: allowed values are {REDUCTIONS}.")


def reduce_per_example(values, reduction):
  """Returns `values` as they are ('none') or their batch mean ('mean')."""
  check_reduction(reduction)
  return tf.reduce_mean(values) if reduction == "mean" else values


def global_batch_mean(values):
  """Mean over the *global* batch (sum over replicas gives the true mean gradient).

  Keras optimizers sum gradients over replicas under tf.distribute, so every
  term a network is trained on is reduced with this, never `tf.reduce_mean`.
  """
  return tf.nn.compute_average_loss(values)
