"""A real set's feature statistics (μ, Σ) as a file, in the common .npz layout of FID
implementations (TTUR's `fid.py` and pytorch-fid write and read arrays `mu` and `sigma`),
so scores can be taken against published statistics, and published from here."""

import hashlib
import json

import numpy as np

from tfwgan import files
from tfwgan.evaluation import metrics as metrics_lib


def save(path, statistics, *, protocol=None):
  """Writes `mu`, `sigma` (float64) and `count`, with `protocol` (how the features were
  taken: data, count, classifier and its hash, resize) as a JSON string, atomically."""
  extra = {} if protocol is None else {"protocol": np.asarray(json.dumps(protocol,
                                                                         sort_keys=True))}
  files.save_npz_atomically(path, mu=statistics.mean, sigma=statistics.covariance,
                            count=np.asarray(statistics.count), **extra)


def load(path):
  """(`metrics.Statistics`, the file's record: path, SHA-256, count or None, protocol or
  None). A file without `mu` [d] and `sigma` [d, d] is a one-line ValueError."""
  if not files.gfile.exists(path) or files.gfile.isdir(path):
    raise ValueError(f"reference_statistics={path!r}: no such .npz file.")
  arrays = files.load_npz(path)
  mean, covariance = arrays.get("mu"), arrays.get("sigma")
  if (mean is None or covariance is None or mean.ndim != 1
      or covariance.shape != (len(mean), len(mean))):
    found = {name: list(array.shape) for name, array in arrays.items()}
    raise ValueError(f"reference_statistics={path!r}: needs arrays mu [d] and sigma [d, d] "
                     f"(TTUR/pytorch-fid's layout); it holds {found}.")
  count = int(arrays["count"]) if "count" in arrays else None
  # Without a count (published files have none), any count > 1 gives back μ and Σ exactly.
  statistics = metrics_lib.Statistics.from_arrays(mean, covariance, count or 2)
  with files.gfile.GFile(path, "rb") as handle:
    digest = hashlib.sha256(handle.read()).hexdigest()
  protocol = json.loads(str(arrays["protocol"])) if "protocol" in arrays else None
  return statistics, {"path": path, "sha256": digest, "count": count, "protocol": protocol}
