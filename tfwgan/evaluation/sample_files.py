"""Samples made elsewhere (another library's, an earlier export's), read for scoring: a
folder of image files or an .npz array, as the training data is read (`tfwgan.data`)."""

import hashlib

import numpy as np
import tensorflow as tf

from tfwgan import data


def load(path, *, image_size, channels):
  """float32 samples in [−1, 1]: the images under folder `path` (any depth, sorted by
  path, each resized and center-cropped to `image_size` with `channels`), or the array of
  .npz file `path` (uint8 pixels scaled from [0, 255]; floats already in [−1, 1])."""
  try:
    if tf.io.gfile.isdir(path):
      images = data.image_folder(path, image_size=image_size, channels=channels)
      return np.concatenate(list(images.batch(256).as_numpy_iterator())).astype(np.float32)
    return data.npz_array_values(path)
  except ValueError as error:   # data's messages name --data_dir; here it is --samples
    message = str(error)
    if message.startswith("data_dir="):
      message = "samples=" + message[len("data_dir="):]
    raise ValueError(message) from error


def sha256(samples):
  """SHA-256 of the samples as scored (float32, in order): which samples, exactly."""
  array = np.ascontiguousarray(samples, np.float32)
  return hashlib.sha256(str(array.shape).encode() + array.tobytes()).hexdigest()
