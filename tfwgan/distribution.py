"""tf.distribute strategies by name, who writes files under them, and what a lost task
looks like."""

import os
import re
import shutil
import tempfile

from absl import logging
import tensorflow as tf

from tfwgan.validation import one_of

STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")
SCRATCH_PREFIX = "tfwgan-worker-"   # + the task's process id: <tmp>/tfwgan-worker-<pid>-*


def _process_alive(pid):
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:   # another user's live process
    return True
  return True


def remove_stale_scratch_directories(directory=None):
  """Removes the scratch directories of non-chief tasks that were killed (SIGKILL leaves
  them, up to a checkpoint and an export each): those under `directory` (default: the
  temporary directory) whose process id is no longer running. Returns them."""
  directory = directory or tempfile.gettempdir()
  removed = []
  for name in sorted(os.listdir(directory)):
    pid = name[len(SCRATCH_PREFIX):].split("-")[0]
    path = os.path.join(directory, name)
    # Only this user's: a shared /tmp holds other users' (and their process ids may be
    # in another namespace); the temporary directory is the task's own.
    if (name.startswith(SCRATCH_PREFIX) and pid.isdigit() and not _process_alive(int(pid))
        and os.stat(path).st_uid == os.geteuid()):
      shutil.rmtree(path, ignore_errors=True)
      logging.info("Removed %s, the scratch directory of a task that was killed.", path)
      removed.append(name)
  return removed


def make_scratch_directory():
  """A fresh scratch directory for a non-chief task, named after its process id so that a
  later task can tell a killed one's (`remove_stale_scratch_directories`)."""
  return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")


def make_strategy(name, *, tpu=None, devices=None):
  """A tf.distribute strategy.

  default: the current (no-op) strategy. one_device: the first GPU, else the CPU.
  mirrored: `devices`, else all local GPUs, else every logical CPU device when the CPU
  was split into several (`split_cpu`). multi_worker: MultiWorkerMirroredStrategy
  from the TF_CONFIG environment variable. tpu: TPUStrategy on `tpu` (a name or
  grpc:// address; '' or 'local' for a TPU VM).
  """
  one_of("strategy", name, STRATEGIES)
  if name == "default":
    return tf.distribute.get_strategy()
  if name == "one_device":
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.OneDeviceStrategy((devices or [gpus[0].name if gpus else "/cpu:0"])[0])
  if name == "mirrored":
    if devices is None:
      gpus = [device.name for device in tf.config.list_logical_devices("GPU")]
      cpus = [device.name for device in tf.config.list_logical_devices("CPU")]
      devices = gpus or (cpus if len(cpus) > 1 else None)
    return tf.distribute.MirroredStrategy(devices)
  if name == "multi_worker":
    return tf.distribute.MultiWorkerMirroredStrategy()
  if tpu is None:
    raise ValueError("tpu: required with strategy='tpu' (a TPU name, grpc:// address, or "
                     "'local' on a TPU VM).")
  resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
  tf.config.experimental_connect_to_cluster(resolver)
  tf.tpu.experimental.initialize_tpu_system(resolver)
  return tf.distribute.TPUStrategy(resolver)


def split_cpu(count):
  """Splits the CPU into `count` logical devices (before TensorFlow starts its runtime), so
  --strategy=mirrored can be tried on a machine without accelerators."""
  if count < 2:
    return
  cpu = tf.config.list_physical_devices("CPU")[0]
  tf.config.set_logical_device_configuration(
      cpu, [tf.config.LogicalDeviceConfiguration()] * count)


def is_chief(strategy):
  """True where checkpoints, summaries and exports are written (one task per cluster)."""
  resolver = getattr(strategy, "cluster_resolver", None)
  if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
    return True
  task_type, task_id = resolver.task_type, resolver.task_id
  if task_type in (None, "chief"):
    return True
  has_chief = "chief" in resolver.cluster_spec().as_dict()
  return task_type == "worker" and task_id == 0 and not has_chief


def barrier(strategy):
  """Waits until every task of a MultiWorkerMirroredStrategy reaches this call (one
  all-reduce); returns at once under any other strategy or None, and when a peer is gone
  (the collective then fails, which is not this call's to report)."""
  if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
    return
  try:
    strategy.reduce(tf.distribute.ReduceOp.SUM, strategy.experimental_distribute_values_from_function(
        lambda context: tf.constant(1.0)), axis=None).numpy()
  except tf.errors.OpError:
    pass


def check_batch(batch_size, strategy, *, name="batch_size"):
  """A global batch must split evenly over the replicas."""
  replicas = strategy.num_replicas_in_sync
  if batch_size % replicas:
    raise ValueError(f"{name}={batch_size}: must be a multiple of the "
                     f"{replicas} replicas of the strategy.")


# A multi-worker collective fails on every surviving task when a peer dies: TensorFlow's
# coordination service misses the peer's heartbeats (its default heartbeat timeout is
# 10 s; measured: 7.7 s from SIGKILL to the survivor's error), or the peer's connection
# resets (the chief, which leads the service: 6.2 s).
_TASK = r"/job:\w+/replica:\d+/task:\d+"
_UNHEALTHY = re.compile(r"unhealthy \(stopped sending heartbeats\):\s*((?:" + _TASK + r"\s*)+)")
_REMOTE = re.compile(r"from remote target (" + _TASK + ")")
_LOST_TASK_ERRORS = (tf.errors.UnavailableError, tf.errors.AbortedError,
                     tf.errors.DeadlineExceededError, tf.errors.CancelledError,
                     tf.errors.InternalError)


def lost_tasks(error):
  """The cluster tasks whose loss `error` reports (a collective aborted because a peer
  stopped sending heartbeats or closed its connection), or [] for any other error (a
  peer not yet up at start-up, say, does not abort a collective)."""
  if not isinstance(error, _LOST_TASK_ERRORS):
    return []
  text = str(getattr(error, "message", error))
  if "Collective ops is aborted by" not in text:
    return []
  unhealthy = _UNHEALTHY.search(text)
  if unhealthy:
    return re.findall(_TASK, unhealthy.group(1))
  remote = _REMOTE.search(text)
  return [remote.group(1)] if remote else []
