"""Reduction of per-example terms: the one place where "mean over the batch" is decided."""

import tensorflow as tf

from tfwgan.validation import one_of

REDUCTIONS = ("mean", "none")


def reduce_per_example(values, reduction):
  """Returns `values` as they are ('none') or their batch mean ('mean')."""
  one_of("reduction", reduction, REDUCTIONS)
  return tf.reduce_mean(values) if reduction == "mean" else values


def cross_replica_sum(value):
  """Sum of `value` over the replicas in sync (the value itself on one device).

  Reduced in a merge_call, like the optimizers' gradients: MirroredStrategy traces
  replicas in interleaved threads, and a replica-context all_reduce there can give
  the replicas' collectives different orders (a shape-mismatch abort).
  """
  context = tf.distribute.get_replica_context()
  if context is None or context.num_replicas_in_sync == 1:
    return value

  def reduce(strategy, per_replica):
    return strategy.extended.reduce_to(tf.distribute.ReduceOp.SUM, per_replica,
                                       destinations=per_replica)
  return context.merge_call(reduce, args=(value,))


def cross_replica_mean(values):
  """Mean of all entries of `values` over the global batch (all replicas)."""
  values = tf.cast(values, tf.float32)
  total = cross_replica_sum(tf.stack([tf.reduce_sum(values), tf.cast(tf.size(values), tf.float32)]))
  return total[0] / total[1]


def global_batch_mean(values):
  """Mean over the *global* batch (sum over replicas gives the true mean gradient).

  Keras optimizers sum gradients over replicas under tf.distribute, so every
  term a network is trained on is reduced with this, never `tf.reduce_mean`.
  """
  return tf.nn.compute_average_loss(values)
