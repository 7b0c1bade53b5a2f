"""Random draws that do not depend on how the batch is spread over replicas.

Each draw is made for the *global* batch from a stateless seed keyed by (seed, outer
iteration, draw number), and every replica keeps its own slice. So N replicas draw
what one device would, replicas draw different values, and a resumed run redraws
exactly what the interrupted one would have (the key is checkpointed state).

An XLA-compiled step draws from XLA's own generator: for the same key it gives other
values than TF's kernels (measured on CPU, even with alg="philox"), with the same
distributions. So runs are bit-comparable only at the same `jit_compile`.
"""

import contextlib
import threading

import tensorflow as tf

# Folded into a step's key to derive one sub-stream per critic step; draw numbers of the
# step's own stream count up from 1 and never reach it.
_SUBSTREAM_TAG = 2**31 - 1


def _replica_slice(values, per_replica_rows):
  context = tf.distribute.get_replica_context()
  if context is None or context.num_replicas_in_sync == 1:
    return values
  start = tf.cast(context.replica_id_in_sync_group, tf.int32) * per_replica_rows
  return values[start:start + per_replica_rows]


class ReplicaNoise:
  """Stateless, replica-sliced normal/uniform draws with a tf.random.Generator-like API.

  Call `start_step(step)` at the start of each traced train step; draws are then
  numbered in program order, which is fixed by the trace. The numbering is kept
  per thread: MirroredStrategy traces each replica in its own thread, interleaved
  at every cross-replica sync, and each replica must count its own draws.
  """

  def __init__(self, seed):
    self.seed = int(seed)
    self._state = threading.local()

  def start_step(self, step):
    base = tf.constant([self.seed, 0x7F4A7C15], tf.int64)
    self._state.key = tf.random.experimental.stateless_fold_in(base, tf.cast(step, tf.int64))
    self._state.draws = 0

  @contextlib.contextmanager
  def substream(self, index):
    """Draws inside are keyed by (step, `index`) and numbered from 1 again.

    `index` may be a tensor (a `tf.while_loop` counter): an unrolled loop and a
    `while_loop` whose body draws in `substream(i)` then draw the same values.
    The step's own numbering resumes unchanged afterwards.
    """
    if getattr(self._state, "key", None) is None:
      raise RuntimeError("ReplicaNoise.start_step(step) must run before drawing.")
    saved = self._state.key, self._state.draws
    tagged = tf.random.experimental.stateless_fold_in(saved[0], _SUBSTREAM_TAG)
    self._state.key = tf.random.experimental.stateless_fold_in(tagged, tf.cast(index, tf.int64))
    self._state.draws = 0
    try:
      yield self
    finally:
      self._state.key, self._state.draws = saved

  def replay(self):
    """A copy whose next draws equal this source's next draws (in this thread)."""
    copy = ReplicaNoise(self.seed)
    copy._state.key, copy._state.draws = self._state.key, self._state.draws  # pylint: disable=protected-access
    return copy

  def _next_key(self):
    if getattr(self._state, "key", None) is None:
      raise RuntimeError("ReplicaNoise.start_step(step) must run before drawing.")
    self._state.draws += 1
    return tf.random.experimental.stateless_fold_in(self._state.key, self._state.draws)

  def _draw(self, sampler, shape, dtype):
    shape = tf.cast(tf.convert_to_tensor(shape), tf.int32)
    context = tf.distribute.get_replica_context()
    replicas = 1 if context is None else context.num_replicas_in_sync
    global_shape = tf.concat([shape[:1] * replicas, shape[1:]], axis=0)
    return _replica_slice(sampler(global_shape, seed=self._next_key(), dtype=dtype), shape[0])

  def normal(self, shape, dtype=tf.float32):
    return self._draw(tf.random.stateless_normal, shape, dtype)

  def uniform(self, shape, dtype=tf.float32):
    return self._draw(tf.random.stateless_uniform, shape, dtype)
