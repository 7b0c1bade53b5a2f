"""Improved precision/recall and density/coverage: k-nearest-neighbour balls around samples.

Kynkäänniemi et al. 2019 (precision/recall, k = 3) and Naeem et al. 2020 (density/coverage,
k = 5). The k-NN radius of a sample is the distance to its k-th nearest other sample of the
same set (duplicates count as neighbours at distance 0). Comparisons are strict (`<`), as in
the `prdc` reference package of Naeem et al.:

- precision: the fraction of generated samples inside some real sample's ball;
- recall: the fraction of real samples inside some generated sample's ball;
- density: (1 / kM) Σ_j #{real balls containing generated sample j};
- coverage: the fraction of real balls that contain some generated sample.

All four come from one chunked pass of squared distances (‖a‖² + ‖b‖² − 2a·b, one BLAS
matrix product per block, in float32 after centring on the real mean) plus one pass within
each set for the radii (blocks on and above the diagonal only). Memory is bounded by the
block size, never N × M. A distance within float32 round-off of a radius (an exact tie:
a generated sample that copies the real sample on a ball's edge) is decided by that
round-off, as in `prdc` (whose distances are float32 too).
"""

import collections

import numpy as np

PrecisionRecall = collections.namedtuple("PrecisionRecall", ["precision", "recall"])
DensityCoverage = collections.namedtuple("DensityCoverage", ["density", "coverage"])
_BLOCK_ROWS = 1024


def precision_recall(*, real_features, generated_features, k=3):
  """(precision, recall) of generated samples against real ones (Kynkäänniemi et al. 2019)."""
  scores = neighbour_scores(real_features=real_features, generated_features=generated_features,
                            precision_recall_k=k, density_coverage_k=None)
  return PrecisionRecall(scores["precision"], scores["recall"])


def density_coverage(*, real_features, generated_features, k=5):
  """(density, coverage) of generated samples against real ones (Naeem et al. 2020)."""
  scores = neighbour_scores(real_features=real_features, generated_features=generated_features,
                            precision_recall_k=None, density_coverage_k=k)
  return DensityCoverage(scores["density"], scores["coverage"])


def neighbour_scores(*, real_features, generated_features, precision_recall_k=3,
                     density_coverage_k=5, block_rows=_BLOCK_ROWS):
  """Precision and recall (k = precision_recall_k) and density and coverage
  (k = density_coverage_k) from one pass over real × generated distances; a k of None
  skips that pair. Returns a dict of the computed scores (floats)."""
  real, generated = _feature_matrices(real_features, generated_features)
  ks = [k for k in (precision_recall_k, density_coverage_k) if k is not None]
  if not ks:
    raise ValueError("precision_recall_k, density_coverage_k: at least one must be given.")
  for name, k in (("precision_recall_k", precision_recall_k),
                  ("density_coverage_k", density_coverage_k)):
    if k is not None and (not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1):
      raise ValueError(f"{name}={k!r}: must be an integer >= 1.")
    if k is not None and min(len(real), len(generated)) <= k:
      raise ValueError(f"{name}={k}: each set needs more than k samples; got "
                       f"{len(real)} real and {len(generated)} generated.")
  center = real.mean(axis=0, dtype=np.float64).astype(np.float32)
  real, generated = real - center, generated - center
  real_radii = _squared_kth_neighbour_distances(real, ks, block_rows)
  generated_radii = (_squared_kth_neighbour_distances(generated, [precision_recall_k],
                                                      block_rows)
                     if precision_recall_k is not None else None)
  counts = _cross_counts(real, generated, real_radii, generated_radii, precision_recall_k,
                         density_coverage_k, block_rows)
  scores = {}
  if precision_recall_k is not None:
    scores["precision"] = float(np.mean(counts["in_real_ball_pr"] > 0))
    scores["recall"] = float(np.mean(counts["recall"]))
  if density_coverage_k is not None:
    scores["density"] = float(np.sum(counts["in_real_ball_dc"])
                              / (density_coverage_k * len(generated)))
    scores["coverage"] = float(np.mean(counts["coverage"]))
  return scores


def _feature_matrices(real_features, generated_features):
  matrices = []
  for name, values in (("real_features", real_features),
                       ("generated_features", generated_features)):
    values = np.asarray(values)
    if values.ndim < 2 or len(values) == 0:
      raise ValueError(f"{name}: need an array [samples, features...]; got shape "
                       f"{values.shape}.")
    values = values.reshape(len(values), -1).astype(np.float32, copy=False)
    if not np.all(np.isfinite(values)):
      raise ValueError(f"{name}: contains NaN or Inf.")
    matrices.append(values)
  if matrices[0].shape[1] != matrices[1].shape[1]:
    raise ValueError(f"real_features, generated_features: feature sizes differ "
                     f"({matrices[0].shape[1]} and {matrices[1].shape[1]}).")
  return matrices


def _squared_distances(a, a_norms, b, b_norms):
  block = a @ b.T
  block *= -2.0
  block += a_norms[:, None]
  block += b_norms[None, :]
  return np.maximum(block, 0.0, out=block)


def _squared_kth_neighbour_distances(x, ks, block_rows):
  """{k: squared distance of each row to its k-th nearest other row}, for every k in ks.

  Blocks on and above the diagonal only; each row keeps its max(ks) + 1 smallest squared
  distances so far (its own 0 included).
  """
  keep = max(ks) + 1
  norms = np.einsum("ij,ij->i", x, x)
  smallest = np.full((len(x), keep), np.inf, np.float32)
  for i in range(0, len(x), block_rows):
    rows = slice(i, i + block_rows)
    for j in range(i, len(x), block_rows):
      columns = slice(j, j + block_rows)
      block = _squared_distances(x[rows], norms[rows], x[columns], norms[columns])
      if i == j:
        np.fill_diagonal(block, 0.0)
      _merge_smallest(smallest[rows], block, keep)
      if i != j:
        _merge_smallest(smallest[columns], block.T, keep)
  smallest.sort(axis=1)
  return {k: smallest[:, k] for k in ks}


def _merge_smallest(smallest, block, keep):
  """Updates each row of `smallest` (in place) to the `keep` smallest of it and the block."""
  if block.shape[1] > keep:
    block = np.partition(block, keep - 1, axis=1)[:, :keep]
  both = np.concatenate([smallest, block], axis=1)
  smallest[:] = np.partition(both, keep - 1, axis=1)[:, :keep]


def _cross_counts(real, generated, real_radii, generated_radii, precision_recall_k,
                  density_coverage_k, block_rows):
  """Per-sample ball memberships from blocks of real rows × all generated samples."""
  real_norms = np.einsum("ij,ij->i", real, real)
  generated_norms = np.einsum("ij,ij->i", generated, generated)
  counts = {"in_real_ball_pr": np.zeros(len(generated), np.int64),
            "in_real_ball_dc": np.zeros(len(generated), np.int64),
            "recall": np.zeros(len(real), bool), "coverage": np.zeros(len(real), bool)}
  for i in range(0, len(real), block_rows):
    rows = slice(i, i + block_rows)
    block = _squared_distances(real[rows], real_norms[rows], generated, generated_norms)
    if precision_recall_k is not None:
      counts["in_real_ball_pr"] += np.any(block < real_radii[precision_recall_k][rows, None],
                                          axis=0)
      counts["recall"][rows] = np.any(block < generated_radii[precision_recall_k][None, :],
                                      axis=1)
    if density_coverage_k is not None:
      radii = real_radii[density_coverage_k][rows]
      counts["in_real_ball_dc"] += np.count_nonzero(block < radii[:, None], axis=0)
      counts["coverage"][rows] = block.min(axis=1) < radii
  return counts
