import test_utils  # pylint: disable=unused-import

from absl.testing import parameterized
import numpy as np
import tensorflow as tf

from tfwgan import evaluation
from tfwgan.evaluation import swd
from tfwgan.evaluation import tfgan_compat


def smooth_images(count, size, channels, seed, scale=4):
  """Random images with structure at every pyramid level: upsampled noise plus fine noise."""
  rng = np.random.default_rng(seed)
  coarse = rng.normal(size=(count, size // scale, size // scale, channels))
  images = np.repeat(np.repeat(coarse, scale, axis=1), scale, axis=2)
  return np.tanh(images + 0.3 * rng.normal(size=images.shape)).astype(np.float32)


def seeded(function, seed=3):
  np.random.seed(seed)       # TF-GAN draws its patches with NumPy's global generator
  tf.random.set_seed(seed)   # and its projections with TensorFlow's
  return function()


class SlicedWassersteinTest(tf.test.TestCase, parameterized.TestCase):

  def test_is_tfgan_bit_for_bit(self):
    real, generated = smooth_images(48, 32, 3, seed=0), smooth_images(48, 32, 3, seed=1, scale=2)
    ours = seeded(lambda: evaluation.sliced_wasserstein_distance(
        real_images=real, generated_images=generated))
    theirs = seeded(lambda: tfgan_compat.sliced_wasserstein().sliced_wasserstein_distance(
        tf.constant(real), tf.constant(generated)))
    self.assertEqual(list(ours), [32, 16])
    self.assertEqual([(level.real_to_real, level.real_to_generated) for level in ours.values()],
                     [(float(a), float(b)) for a, b in theirs])

  def test_grayscale_is_tfgan_on_three_equal_channels(self):
    real, generated = smooth_images(40, 16, 1, seed=2), smooth_images(40, 16, 1, seed=3)
    ours = seeded(lambda: evaluation.sliced_wasserstein_distance(
        real_images=real, generated_images=generated))
    theirs = seeded(lambda: tfgan_compat.sliced_wasserstein().sliced_wasserstein_distance(
        tf.constant(np.repeat(real, 3, axis=3)), tf.constant(np.repeat(generated, 3, axis=3))))
    self.assertEqual([(level.real_to_real, level.real_to_generated) for level in ours.values()],
                     [(float(a), float(b)) for a, b in theirs])

  def test_same_distribution_sits_at_the_floor_another_is_far(self):
    real = smooth_images(256, 32, 3, seed=4)
    same = smooth_images(256, 32, 3, seed=5)
    other = smooth_images(256, 32, 3, seed=6, scale=8)       # coarser structure
    close = seeded(lambda: evaluation.sliced_wasserstein_distance(real_images=real,
                                                                  generated_images=same))
    far = seeded(lambda: evaluation.sliced_wasserstein_distance(real_images=real,
                                                                generated_images=other))
    for resolution in (32, 16):
      floor = close[resolution].real_to_real
      self.assertLess(close[resolution].real_to_generated, 2 * floor)
      self.assertGreater(far[resolution].real_to_generated,
                         1.8 * close[resolution].real_to_generated)

  def test_the_arguments_are_not_interchangeable(self):
    real, generated = smooth_images(32, 16, 3, seed=7), smooth_images(32, 16, 3, seed=8, scale=1)
    forward = seeded(lambda: evaluation.sliced_wasserstein_distance(
        real_images=real, generated_images=generated))
    backward = seeded(lambda: evaluation.sliced_wasserstein_distance(
        real_images=generated, generated_images=real))
    self.assertNotEqual(forward[16].real_to_real, backward[16].real_to_real)

  @parameterized.parameters((64, [64, 32, 16]), (32, [32, 16]), (28, [28]), (16, [16]),
                            (8, [8]))
  def test_levels_are_those_tfgan_scores(self, size, expected):
    self.assertEqual(swd.level_resolutions(size), expected)
    if size >= 16:   # TF-GAN's own count of levels
      self.assertLen(expected, int(np.log2(size)) - 4 + 1)

  @parameterized.named_parameters(
      ("not_square", np.zeros((4, 16, 8, 3)), np.zeros((4, 16, 8, 3)),
       r"real_images: need square images \[N, H, H, 1 or 3\]; got shape \(4, 16, 8, 3\)"),
      ("two_channels", np.zeros((4, 16, 16, 3)), np.zeros((4, 16, 16, 2)),
       r"generated_images: need square images"),
      ("sizes_differ", np.zeros((4, 16, 16, 3)), np.zeros((4, 32, 32, 3)),
       r"real_images, generated_images: image shapes differ"),
      ("one_image", np.zeros((1, 16, 16, 3)), np.zeros((4, 16, 16, 3)),
       r"real_images: need at least 2 images"))
  def test_bad_images_are_a_clear_error(self, real, generated, message):
    with self.assertRaisesRegex(ValueError, message):
      evaluation.sliced_wasserstein_distance(real_images=real, generated_images=generated)


if __name__ == "__main__":
  tf.test.main()
