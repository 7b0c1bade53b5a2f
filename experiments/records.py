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
