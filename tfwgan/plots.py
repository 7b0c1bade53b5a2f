"""Pictures of a generator: image grids, the critic's level sets under 2-D samples (PNG/arrays)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
import numpy as np


def image_grid(images, *, columns):
  """[n, h, w, c] images in [−1, 1] → one uint8 [rows·h, columns·w, c] grid."""
  images = np.asarray(images)
  count, height, width, channels = images.shape
  rows = -(-count // columns)
  padded = np.full((rows * columns, height, width, channels), -1.0, images.dtype)  # black
  padded[:count] = images
  grid = padded.reshape(rows, columns, height, width, channels).transpose(0, 2, 1, 3, 4)
  grid = grid.reshape(rows * height, columns * width, channels)
  return np.clip(np.round((grid + 1.0) * 127.5), 0, 255).astype(np.uint8)


def figure_to_array(figure):
  """A matplotlib figure → uint8 RGB array (and closes the figure)."""
  buffer = io.BytesIO()
  figure.savefig(buffer, format="png", dpi=80)
  plt.close(figure)
  buffer.seek(0)
  return (plt.imread(buffer)[..., :3] * 255).astype(np.uint8)


def level_set_figure(critic_fn, real, generated, *, extent=3.0, resolution=100, title=""):
  """Contours of the critic over the plane with real and generated points (WGAN-LP Fig. 3)."""
  axis = np.linspace(-extent, extent, resolution, dtype=np.float32)
  grid_x, grid_y = np.meshgrid(axis, axis)
  points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
  values = np.asarray(critic_fn(points)).reshape(resolution, resolution)
  figure, ax = plt.subplots(figsize=(5, 5))
  contours = ax.contour(grid_x, grid_y, values, levels=20, cmap="viridis", linewidths=0.8)
  figure.colorbar(contours, ax=ax, shrink=0.8)
  ax.scatter(*np.asarray(real).T, s=3, c="tab:orange", label="real")
  ax.scatter(*np.asarray(generated).T, s=3, c="tab:green", label="generated")
  ax.set_xlim(-extent, extent)
  ax.set_ylim(-extent, extent)
  ax.set_aspect("equal")
  ax.legend(loc="upper right", markerscale=3)
  ax.set_title(title)
  return figure


def scatter_figure(points, *, path=None, extent=3.0, title=""):
  """Generated 2-D points, optionally with a latent-walk path drawn over them."""
  figure, ax = plt.subplots(figsize=(5, 5))
  ax.scatter(*np.asarray(points).T, s=3, c="tab:green")
  if path is not None:
    ax.plot(*np.asarray(path).T, "-o", c="tab:red", markersize=2, linewidth=1)
  ax.set_xlim(-extent, extent)
  ax.set_ylim(-extent, extent)
  ax.set_aspect("equal")
  ax.set_title(title)
  return figure


def save_png(array, path):
  """Writes a uint8 [h, w, c] array as PNG, to any tf.io.gfile path (gs:// too)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  array = np.asarray(array)
  encoded = io.BytesIO()
  plt.imsave(encoded, array[..., 0] if array.shape[-1] == 1 else array,
             cmap="gray" if array.shape[-1] == 1 else None, format="png")
  with tf.io.gfile.GFile(path, "wb") as handle:
    handle.write(encoded.getvalue())
