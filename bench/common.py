"""Side-by-side benchmarks: interleaved repeats, medians, peak RSS, and shared inputs."""

import multiprocessing
import os
import resource
import statistics
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def interleaved_medians(candidates, *, repeats, warmup=2):
  """Median seconds per call of each callable, their runs interleaved so load hits all alike.

  `candidates`: name → zero-argument callable that blocks until its work is done.
  """
  for fn in candidates.values():
    for _ in range(warmup):
      fn()
  times = {name: [] for name in candidates}
  for _ in range(repeats):
    for name, fn in candidates.items():
      start = time.perf_counter()
      fn()
      times[name].append(time.perf_counter() - start)
  return {name: statistics.median(values) for name, values in times.items()}


def peak_rss_mib():
  """Peak resident memory of this process so far, in MiB (Linux ru_maxrss is in KiB)."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RememberingCall:
  """A callable (e.g. a Worker) that also keeps the value of its last call, so a timed
  repeat can be checked against a reference afterwards."""

  def __init__(self, function):
    self.function, self.value = function, None

  def __call__(self):
    self.value = self.function()


class Worker:
  """A zero-argument callable built by `factory(*args)` in its own (spawned) process.

  Calling it runs one repeat there and blocks until it is done, so workers can be
  interleaved like in-process callables, while each keeps its own peak RSS and
  its own framework state (TensorFlow and PyTorch never share a process).
  """

  def __init__(self, factory, *args, daemon=True):
    """`daemon=False` lets the worker start processes of its own (joblib's, for sklearn
    with n_jobs > 1: a daemon's sklearn falls back to one job)."""
    context = multiprocessing.get_context("spawn")
    self._connection, child = context.Pipe()
    self._process = context.Process(target=_serve, args=(child, factory, args), daemon=daemon)
    self._process.start()
    status, detail = self._connection.recv()
    if status != "ready":
      self.close()
      raise RuntimeError(f"{factory.__name__}{args} failed in its worker:\n{detail}")

  def __call__(self):
    self._connection.send("run")
    return self._connection.recv()

  def peak_rss_mib(self):
    self._connection.send("rss")
    return self._connection.recv()

  def close(self):
    if self._process.is_alive():
      self._connection.send("stop")
      self._process.join(timeout=60)


def _serve(connection, factory, args):
  try:
    run = factory(*args)
  except Exception:  # pylint: disable=broad-except  (reported to the parent)
    connection.send(("error", traceback.format_exc()))
    return
  connection.send(("ready", None))
  while True:
    command = connection.recv()
    if command == "run":
      connection.send(run())
    elif command == "rss":
      connection.send(peak_rss_mib())
    else:
      return


def inception_like_features(samples, dimension):
  """Two [samples, dimension] float32 sets like Inception pool_3 activations (non-negative,
  correlated: ReLU of a random linear map of Gaussians), the second shifted; the same in
  every process."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(0)
  mixing = rng.normal(size=(dimension, dimension)) / np.sqrt(dimension)
  sets = []
  for shift in (0.0, 0.3):
    gaussians = rng.normal(loc=shift, size=(samples, dimension)).astype(np.float32)
    sets.append(np.maximum(gaussians @ mixing.astype(np.float32), 0.0))
  return sets
