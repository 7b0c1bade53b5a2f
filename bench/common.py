"""Timing helpers for side-by-side benchmarks: interleaved repeats, medians, peak RSS."""

import os
import resource
import statistics
import time

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
