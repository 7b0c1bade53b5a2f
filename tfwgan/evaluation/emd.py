"""Exact earth mover's distance between equal-size point sets (Kuhn–Munkres assignment)."""

import numpy as np
from scipy import optimize
from scipy.spatial import distance


def emd(samples_a, samples_b):
  """W1 between the empirical measures of two equal-size sets: min over matchings of mean ‖a−b‖.

  Exact: the optimal plan between uniform measures of equal size is a permutation
  (Birkhoff), found by the Hungarian method (scipy `linear_sum_assignment`).
  """
  a = np.asarray(samples_a, dtype=np.float64).reshape(len(samples_a), -1)
  b = np.asarray(samples_b, dtype=np.float64).reshape(len(samples_b), -1)
  if a.shape != b.shape:
    raise ValueError(f"samples_a, samples_b: need the same number of samples and dimension; "
                     f"got {a.shape} and {b.shape}.")
  cost = distance.cdist(a, b)
  rows, cols = optimize.linear_sum_assignment(cost)
  return float(cost[rows, cols].mean())
