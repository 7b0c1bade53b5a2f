"""Differences between runs over seeds: mean ± std and Welch's t-test (the reports)."""

import numpy as np


def mean_std(values, digits=1):
  """'mean ± std' over seeds (std with ddof 1; '—' for fewer than 2 values)."""
  values = np.asarray(values, float)
  spread = f"{np.std(values, ddof=1):.{digits}f}" if len(values) > 1 else "—"
  return f"{np.mean(values):.{digits}f} ± {spread}"


def welch(a, b):
  """(mean(a) − mean(b), Welch's two-sided p) over seeds; p is nan below 2 values a side."""
  from scipy import stats  # pylint: disable=g-import-not-at-top
  a, b = np.asarray(a, float), np.asarray(b, float)
  if len(a) < 2 or len(b) < 2:
    return float(np.mean(a) - np.mean(b)), float("nan")
  return float(np.mean(a) - np.mean(b)), float(stats.ttest_ind(a, b, equal_var=False).pvalue)
