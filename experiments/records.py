"""Run records of the experiment drivers: one JSON file per finished run."""

import json
import os

SIGNIFICANT_DIGITS = 6


def _rounded(value):
  if isinstance(value, float):
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
  if isinstance(value, dict):
    return {key: _rounded(item) for key, item in value.items()}
  if isinstance(value, (list, tuple)):
    return [_rounded(item) for item in value]
  return value


def write(path, record):
  """Writes `record` (floats to 6 significant digits) atomically: a file is a finished run."""
  with open(path + ".tmp", "w") as handle:
    json.dump(_rounded(record), handle)
  os.replace(path + ".tmp", path)


def shard(items, spec):
  """The items of shard `spec` = 'i/n': every n-th item from the i-th (0 <= i < n)."""
  parts = spec.split("/")
  if (len(parts) != 2 or not all(part.isdigit() for part in parts)
      or not int(parts[0]) < int(parts[1])):
    raise ValueError(f"--shard={spec!r}: must be 'i/n' with integers 0 <= i < n, e.g. '0/2'.")
  index, count = int(parts[0]), int(parts[1])
  return items[index::count]


def pending(runs_dir, names, seeds, label=lambda name: name):
  """(name, seed, record path) of every run not yet recorded, seeds outermost (an early
  stop covers every run once); a record is <label(name)>-seed<seed>.json."""
  return [(name, seed, path) for seed in seeds for name in names
          for path in [os.path.join(runs_dir, f"{label(name)}-seed{seed}.json")]
          if not os.path.exists(path)]


def threads(count):
  """TensorFlow intra- and inter-op threads: with one, shards run side by side."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(count)
  tf.config.threading.set_inter_op_parallelism_threads(count)


def train_all(pending, train_one):
  """Trains each pending (name, seed, path) with `train_one(name, seed)` and writes its record
  there as soon as it finishes, with one line per run."""
  import time  # pylint: disable=g-import-not-at-top
  for name, seed, path in pending:
    start = time.perf_counter()
    record = train_one(name, seed)
    write(path, record)
    print(f"{os.path.basename(path)}: {record['outer_iterations']} iterations, final FID "
          f"{record['evaluations'][-1]['fid']:.2f}, {time.perf_counter() - start:.0f} s wall",
          flush=True)
