import test_utils

import keras
import numpy as np
from PIL import Image
import tensorflow as tf

from tfwgan.evaluation import classifiers
from tfwgan.evaluation import resize


class ResizeTest(tf.test.TestCase):

  def test_clean_is_pils_bicubic_resize_of_float_channels(self):
    # clean-fid's 'clean' mode: each channel in [0, 255] as a float PIL image, then its
    # Inception scaling (x − 128)/128.
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (3, 12, 12, 3)).astype(np.float32)
    got = resize.resize(images, 29, "clean").numpy() * 128.0 + 128.0
    for image, resized in zip(images, got):
      pixels = (image + 1.0) * 127.5
      for channel in range(3):
        reference = np.asarray(Image.fromarray(pixels[:, :, channel].astype(np.float32),
                                               mode="F").resize((29, 29), Image.BICUBIC))
        self.assertAllClose(resized[:, :, channel], reference.clip(0, 255), atol=1e-3)
    # On a smooth image (no overshoot to clip between PIL's passes) PIL's own 8-bit RGB
    # path, which rounds its output, agrees within one level.
    ramp = np.linspace(-1, 1, 12, dtype=np.float32)
    smooth = np.stack(np.broadcast_arrays(ramp[:, None], ramp[None, :], 0.5 * ramp[:, None]
                                          * ramp[None, :]), axis=-1)[None]
    levels = np.rint((smooth[0] + 1) * 127.5).astype(np.uint8)   # an 8-bit image
    eight_bit = np.asarray(Image.fromarray(levels, mode="RGB").resize((29, 29), Image.BICUBIC))
    got = resize.resize(levels[None] / 127.5 - 1.0, 29, "clean").numpy()[0] * 128.0 + 128.0
    self.assertAllClose(got, eight_bit.astype(np.float32), atol=1.0)
    grey = resize.resize(images[..., :1], 7, "clean")   # downsampling, one channel
    self.assertEqual(tuple(grey.shape), (3, 7, 7, 1))

  def test_clean_antialiases_where_bilinear_aliases(self):
    # A one-pixel checkerboard averages to mid-grey (0 in [−1, 1]). Downsampled to 15 × 15,
    # PIL's bicubic filter spans the pattern and returns about 0; TF's bilinear without
    # antialiasing interpolates between neighbouring pixels and keeps most of the pattern.
    board = np.indices((64, 64)).sum(axis=0) % 2 * 2.0 - 1.0
    images = np.tile(board[None, :, :, None], (1, 1, 1, 3)).astype(np.float32)
    clean = resize.resize(images, 15, "clean").numpy()
    bilinear = resize.resize(images, 15, "bilinear").numpy()
    self.assertLess(np.abs(clean).max(), 0.05)
    self.assertGreater(np.abs(bilinear).max(), 0.5)
    self.assertAllClose(bilinear, tf.image.resize(images, [15, 15], method="bilinear"))

  def test_only_inception_resizes(self):
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(name="features"),
                              keras.layers.Dense(3, name="logits")])
    with self.assertRaisesRegex(ValueError, r"^resize='clean': only Inception and DINOv2 resize"):
      classifiers.load(model, resize="clean")
    with self.assertRaisesRegex(ValueError, r"^resize='lanczos': allowed values are"):
      classifiers.load("inception", resize="lanczos")


if __name__ == "__main__":
  tf.test.main()
