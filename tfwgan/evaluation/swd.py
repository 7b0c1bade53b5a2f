"""Sliced Wasserstein distance between image sets: TF-GAN's own function (Karras et al. 2018,
Progressive GAN, Sec. 5), reached through `tfgan_compat`.

A Laplacian pyramid from the image size down to 16 × 16; per level, 64 random 7 × 7 patches
per image, each normalised by its own mean and standard deviation, compared by the mean
absolute difference of sorted random 1-D projections (147 of them). The estimate is random
(patches drawn with NumPy's global generator, projections with TensorFlow's), as in TF-GAN:
seed both globally to repeat it. TF-GAN needs three channels: grayscale images are repeated
into three. Values are TF-GAN's (Progressive GAN's tables show them × 10³).
"""

import collections

import numpy as np
import tensorflow as tf

from tfwgan.evaluation import tfgan_compat

SlicedWasserstein = collections.namedtuple("SlicedWasserstein",
                                           ["real_to_generated", "real_to_real"])


def sliced_wasserstein_distance(*, real_images, generated_images, resolution_min=16,
                                patches_per_image=64, patch_size=7, random_sampling_count=1,
                                random_projection_dim=7 * 7 * 3):
  """{level resolution: SlicedWasserstein(real_to_generated, real_to_real)}, highest first.

  `real_to_real` compares two patch draws of the real images: the estimate's floor.
  Images: [N, H, H, 1 or 3], equal shapes for both sets.
  """
  real = _three_channel_images("real_images", real_images)
  generated = _three_channel_images("generated_images", generated_images)
  if real.shape[1:] != generated.shape[1:]:
    raise ValueError(f"real_images, generated_images: image shapes differ ({real.shape[1:]} "
                     f"and {generated.shape[1:]}).")
  with tfgan_compat.deprecations_silenced():
    levels = tfgan_compat.sliced_wasserstein().sliced_wasserstein_distance(
        tf.constant(real), tf.constant(generated), resolution_min=resolution_min,
        patches_per_image=patches_per_image, patch_size=patch_size,
        random_sampling_count=random_sampling_count,
        random_projection_dim=random_projection_dim)
  resolutions = level_resolutions(real.shape[1], resolution_min)
  if len(resolutions) != len(levels):
    raise tfgan_compat.TFGANLayoutError(f"TF-GAN's SWD returned {len(levels)} levels for "
                                        f"{resolutions}; tfwgan expects tensorflow-gan 2.1.0.")
  return {resolution: SlicedWasserstein(float(real_to_generated), float(real_to_real))
          for resolution, (real_to_real, real_to_generated) in zip(resolutions, levels)}


def level_resolutions(size, resolution_min=16):
  """Side lengths of the pyramid levels TF-GAN scores (each level halves, rounding up)."""
  count = int(np.log2(size)) - int(np.log2(min(resolution_min, size))) + 1
  resolutions = [int(size)]
  while len(resolutions) < count:
    resolutions.append(-(-resolutions[-1] // 2))
  return resolutions


def _three_channel_images(name, images):
  images = np.asarray(images, np.float32)
  if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[3] not in (1, 3):
    raise ValueError(f"{name}: need square images [N, H, H, 1 or 3]; got shape "
                     f"{images.shape}.")
  if len(images) < 2:
    raise ValueError(f"{name}: need at least 2 images; got {len(images)}.")
  return np.repeat(images, 3, axis=3) if images.shape[3] == 1 else images


