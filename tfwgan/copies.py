"""Copies of a network's variables that every replica holds alike (RWP's anchor, the EMA)."""

import keras
import tensorflow as tf


def replica_synced_copies(variables, prefix):
  """Non-trainable copies of `variables`, one value each, held alike on every replica.

  `tf.identity` copies the value: `variable.value` would hand Keras the live tf.Variable
  itself. `only_first_replica`: every replica assigns the same value in its step.
  """
  return [keras.Variable(tf.identity(variable), trainable=False, dtype=variable.dtype,
                         aggregation="only_first_replica", name=f"{prefix}_{index}")
          for index, variable in enumerate(variables)]
