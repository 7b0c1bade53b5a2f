"""Resizing samples to a classifier's input size: part of the evaluation protocol.

- 'bilinear': `tf.image.resize(..., method="bilinear")` on the images in [−1, 1] (what
  tfwgan always did, as TF-GAN's Inception wrapper; no antialiasing).
- 'clean': clean-fid's default (Parmar, Zhang, Zhu 2022, "On Aliased Resizing and Surprising
  Subtleties in GAN Evaluation"; `cleanfid/resize.py`, `make_resizer("PIL", False,
  "bicubic", ...)`): each channel as a float32 PIL image in [0, 255] (mode 'F'), resized
  with PIL's bicubic filter (antialiased when downsampling), clipped to [0, 255], then
  scaled to Inception's input as clean-fid does, (x − 128)/128. Nothing is quantised:
  clean-fid resizes a generator's float output as it is, and tfwgan's real images, read
  from 8-bit files or arrays, sit on the 8-bit levels already.
"""

import numpy as np
from PIL import Image
import tensorflow as tf

RESIZES = ("bilinear", "clean")


def check(resize):
  if resize not in RESIZES:
    raise ValueError(f"resize={resize!r}: allowed values are {list(RESIZES)}.")
  return resize


def _clean_pixels(images, size):
  """NumPy images [n, h, w, c] in [−1, 1] → clean-fid's resize to size × size, in [0, 255]."""
  pixels = np.clip((np.asarray(images, np.float32) + 1.0) * 127.5, 0, 255)
  resized = np.empty((len(pixels), size, size, pixels.shape[-1]), np.float32)
  for index, image in enumerate(pixels):
    for channel in range(pixels.shape[-1]):
      plane = Image.fromarray(image[:, :, channel].astype(np.float32), mode="F")
      resized[index, :, :, channel] = np.asarray(
          plane.resize((size, size), resample=Image.BICUBIC)).clip(0, 255)
  return resized


def resize(images, size, mode):
  """`images` [n, h, w, c] in [−1, 1] resized to size × size by `mode`, as Inception takes
  them: 'bilinear' in [−1, 1], 'clean' scaled as clean-fid scales, (x − 128)/128."""
  if check(mode) == "bilinear":
    return tf.image.resize(tf.convert_to_tensor(images, tf.float32), [size, size],
                           method="bilinear")
  return (pixels(images, size, mode) - 128.0) / 128.0


def pixels(images, size, mode):
  """`images` [n, h, w, c] in [−1, 1] resized to size × size by `mode`, in [0, 255] (a
  float32 tensor; for feature extractors that normalise pixels their own way)."""
  check(mode)
  images = tf.convert_to_tensor(images, tf.float32)
  if mode == "bilinear":
    return (tf.image.resize(images, [size, size], method="bilinear") + 1.0) * 127.5
  resized = tf.numpy_function(lambda x: _clean_pixels(x, size), [images], tf.float32)
  return tf.ensure_shape(resized, [None, size, size, images.shape[-1]])
