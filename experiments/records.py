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
