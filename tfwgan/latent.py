"""Latent-space walks (RWP paper, App. F): bilinear interpolation between four latent points."""

import numpy as np


def bilinear_walk(corners, steps):
  """[4, d] corner latents (top-left, top-right, bottom-left, bottom-right) → [steps², d].

  Row-major grid whose corners are the given latents and whose rows and columns
  interpolate linearly between them.
  """
  corners = np.asarray(corners, dtype=np.float32)
  if corners.ndim != 2 or corners.shape[0] != 4:
    raise ValueError(f"corners: need shape [4, latent_dim], got {corners.shape}.")
  if steps < 2:
    raise ValueError(f"steps={steps!r}: must be an integer >= 2.")
  t = np.linspace(0.0, 1.0, steps, dtype=np.float32)
  rows, cols = np.meshgrid(t, t, indexing="ij")
  rows, cols = rows.reshape(-1, 1), cols.reshape(-1, 1)
  top_left, top_right, bottom_left, bottom_right = corners
  return ((1 - rows) * ((1 - cols) * top_left + cols * top_right)
          + rows * ((1 - cols) * bottom_left + cols * bottom_right))
