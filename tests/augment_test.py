import test_utils

import numpy as np
from absl.testing import parameterized
import tensorflow as tf

from tfwgan import augment
from tfwgan import noise


class ConstantDraws:
  """A stream whose every uniform draw is `value` (for analytic expectations)."""

  def __init__(self, *values):
    self.values = list(values)

  def uniform(self, shape, dtype=tf.float32):
    return tf.fill(shape, tf.constant(self.values.pop(0), dtype))


class ConstantDrawsPerSample:
  """A stream whose k-th uniform draw holds `values[k]`, one per sample; records shapes."""

  def __init__(self, *values):
    self.values = list(values)
    self.shapes = []

  def uniform(self, shape, dtype=tf.float32):
    shape = tuple(int(n) for n in shape)
    self.shapes.append(shape)
    return tf.reshape(tf.constant(self.values.pop(0), dtype), shape)


def _images(batch=2, size=8, channels=3, seed=0):
  return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (batch, size, size, channels)),
                     tf.float32)


class ColorTest(tf.test.TestCase):

  def test_brightness_saturation_contrast_in_the_official_order_and_ranges(self):
    x = _images()
    # Draws 0.75, 0.25, 0.5: brightness +0.25, saturation ×0.5, contrast ×1.0.
    got = augment.color(x, ConstantDraws(0.75, 0.25, 0.5))
    bright = x + 0.25
    channel_mean = tf.reduce_mean(bright, axis=3, keepdims=True)
    want = (bright - channel_mean) * 0.5 + channel_mean
    self.assertAllClose(got, want, atol=1e-6)
    # Draws 0, 1 → saturation ×2, contrast ×1.5 around the image mean; brightness −0.5.
    got = augment.color(x, ConstantDraws(0.0, 1.0, 1.0))
    bright = x - 0.5
    channel_mean = tf.reduce_mean(bright, axis=3, keepdims=True)
    saturated = (bright - channel_mean) * 2.0 + channel_mean
    image_mean = tf.reduce_mean(saturated, axis=[1, 2, 3], keepdims=True)
    self.assertAllClose(got, (saturated - image_mean) * 1.5 + image_mean, atol=1e-5)


class TranslationTest(tf.test.TestCase):

  def test_a_shift_moves_pixels_and_fills_zeros(self):
    x = _images(batch=1, size=8, channels=1)
    # s = round(8/8) = 1; a draw u maps to floor(3u) − 1: 0.9 → +1 (rows), 0.0 → −1 (columns).
    got = augment.translation(x, ConstantDraws(0.9, 0.0))[0, :, :, 0].numpy()
    want = np.zeros((8, 8), np.float32)
    want[:7, 1:] = x[0, 1:, :7, 0].numpy()   # out[i, j] = x[i + 1, j − 1]
    self.assertAllClose(got, want)

  def test_shifts_are_uniform_on_minus_s_to_s_per_sample(self):
    x = tf.ones([3000, 16, 16, 1])   # s = round(16/8) = 2: shifts in {−2, …, 2}
    source = tf.random.Generator.from_seed(0)
    moved = augment.translation(x, source)
    empty_rows = 16 - tf.reduce_sum(tf.reduce_max(moved[..., 0], axis=2), axis=1).numpy()
    counts = np.bincount(empty_rows.astype(int), minlength=3)
    # |shift| = 0, 1, 2 with probabilities 1/5, 2/5, 2/5.
    self.assertAllClose(counts / 3000, [0.2, 0.4, 0.4], atol=0.04)
    self.assertEqual(counts.sum(), 3000)


class CutoutTest(tf.test.TestCase):

  def test_a_square_of_half_the_side_is_zeroed_at_the_drawn_place(self):
    x = tf.ones([1, 8, 8, 1])
    # c = 4; o = floor(u × 9) (8 + 1 − 4 mod 2 = 9 positions), first row o − 2.
    got = augment.cutout(x, ConstantDraws(0.5, 0.0))[0, :, :, 0].numpy()
    want = np.ones((8, 8), np.float32)
    want[2:6, 0:2] = 0.0   # rows 4 − 2 … 5; columns −2 … 1, cut at the border
    self.assertAllClose(got, want)

  def test_fraction_cut_matches_the_official_ranges(self):
    x = tf.ones([4000, 8, 8, 1])
    cut = 1.0 - tf.reduce_mean(augment.cutout(x, tf.random.Generator.from_seed(1))).numpy()
    # Per axis the window [o − 2, o + 2) ∩ [0, 8) with o uniform on 0…8 covers on average
    # (2 + 3 + 4·5 + 3 + 2)/9 = 30/9 rows; both axes independent: (30/72)² of the pixels.
    self.assertAllClose(cut, (30 / 72) ** 2, atol=0.01)


class DiffAugmentTest(tf.test.TestCase, parameterized.TestCase):

  def test_flip_mirrors_each_sample_with_its_own_draw(self):
    x = _images(batch=3)
    drawn = []
    class Recording:
      def uniform(self, shape, dtype=tf.float32):
        drawn.append(tuple(int(n) for n in shape))
        return tf.reshape(tf.constant([0.2, 0.7, 0.4], dtype), shape)
    got = augment.flip(x, Recording())
    self.assertEqual(drawn, [(3, 1, 1, 1)])   # one draw per sample, not per pixel
    self.assertAllEqual(got[0], x[0, :, ::-1])
    self.assertAllEqual(got[1], x[1])
    self.assertAllEqual(got[2], x[2, :, ::-1])
    flipped = augment.flip(tf.tile(x[:1], [2000, 1, 1, 1]), tf.random.Generator.from_seed(0))
    share = float(tf.reduce_mean(tf.cast(tf.reduce_all(
        tf.equal(flipped, x[:1, :, ::-1]), axis=[1, 2, 3]), tf.float32)))
    self.assertBetween(share, 0.45, 0.55)
    self.assertEqual(augment.DiffAugment("flip,translation").policies, ("translation", "flip"))

  def test_rotate90_turns_each_sample_by_its_own_quarter_turns(self):
    x = _images(batch=4, channels=1)
    # k = floor(4u): 0.1 → 0, 0.3 → 1, 0.6 → 2, 0.9 → 3 counter-clockwise quarter turns.
    got = augment.rotate90(x, ConstantDrawsPerSample([0.1, 0.3, 0.6, 0.9]))
    for index, turns in enumerate(range(4)):
      self.assertAllEqual(got[index, :, :, 0], np.rot90(x[index, :, :, 0].numpy(), turns))
    with self.assertRaisesRegex(ValueError, "rotate90 needs square images"):
      augment.DiffAugment("rotate90").check_sample_shape((4, 6, 1))

  def test_probability_gates_each_op_per_sample_after_its_own_draws(self):
    # ADA: op i on sample b where its gate u_b < p; the gate is drawn after the op's draws.
    x = _images(batch=3)
    draws = ConstantDrawsPerSample([0.2, 0.2, 0.2], [0.1, 0.5, 0.3])   # flip all; gates
    got = augment.DiffAugment("flip", probability=0.4)(x, draws)
    self.assertEqual(draws.shapes, [(3, 1, 1, 1)] * 2)   # per sample, not per pixel
    self.assertAllEqual(got[0], x[0, :, ::-1])   # 0.1 < 0.4
    self.assertAllEqual(got[1], x[1])            # 0.5 ≥ 0.4: not applied
    self.assertAllEqual(got[2], x[2, :, ::-1])
    never = augment.DiffAugment("color,translation,cutout,flip,rotate90", probability=0.0)
    self.assertAllEqual(never(x, tf.random.Generator.from_seed(0)), x)
    for bad in (1.5, -0.1, "0.5"):
      with self.assertRaisesRegex(ValueError, "augment_p=.*probability in \\[0, 1\\]"):
        augment.DiffAugment("flip", probability=bad)

  def test_every_draw_is_one_value_per_sample(self):
    # A per-pixel draw (PyTorch-GAN#5's per-pixel ε, here a per-pixel shift or gate) would
    # show as a draw of the image's shape.
    x = _images(batch=5)
    for policy in augment.POLICIES:
      for probability in (None, 0.5):
        draws = ConstantDrawsPerSample(*[[0.5] * 5] * 6)
        augment.DiffAugment(policy, probability=probability)(x, draws)
        self.assertTrue(draws.shapes)
        self.assertEqual(set(draws.shapes), {(5, 1, 1, 1)}, (policy, probability))

  def test_off_is_none(self):
    for off in (None, "", augment.DiffAugment("")):
      self.assertIsNone(augment.get(off))

  @parameterized.parameters("color,cutout,nope", "color,color", "translate")
  def test_bad_policies_are_refused(self, policy):
    with self.assertRaisesRegex(ValueError, r"augment=.*subset of \['color', 'translation', "
                                            r"'cutout', 'flip', 'rotate90'\]"):
      augment.DiffAugment(policy)

  def test_points_are_refused(self):
    with self.assertRaisesRegex(ValueError, "augment='color': DiffAugment transforms images"):
      augment.DiffAugment("color").check_sample_shape((2,))

  def test_policies_apply_in_a_fixed_order_whatever_the_string(self):
    self.assertEqual(augment.DiffAugment("cutout,color").policies, ("color", "cutout"))

  def test_gradient_flows_to_every_pixel_that_survives(self):
    # T is differentiable in the image: ∂ΣT(x)/∂x is 1 where a pixel lands inside the
    # image and is not cut out (translation and cutout), so the generator learns through T.
    x = _images(batch=4, channels=1)
    transform = augment.DiffAugment("translation,cutout")
    with tf.GradientTape() as tape:
      tape.watch(x)
      total = tf.reduce_sum(transform(x, tf.random.Generator.from_seed(2)))
    gradient = tape.gradient(total, x).numpy()
    self.assertSetEqual(set(np.unique(gradient)), {0.0, 1.0})
    self.assertGreater(gradient.mean(), 0.3)

  def test_two_replicas_draw_what_one_device_draws(self):
    test_utils.configure_logical_cpus()
    x = _images(batch=4)
    transform = augment.DiffAugment()
    one = noise.ReplicaNoise(3)
    one.start_step(5)
    expected = transform(x, one)
    strategy = test_utils.mirrored_strategy()

    def run(images):
      source = noise.ReplicaNoise(3)
      source.start_step(5)
      return transform(images, source)

    with strategy.scope():
      shards = strategy.experimental_distribute_values_from_function(
          lambda context: x[2 * context.replica_id_in_sync_group:
                            2 * context.replica_id_in_sync_group + 2])
      got = strategy.experimental_local_results(strategy.run(run, args=(shards,)))
    self.assertAllClose(tf.concat(got, axis=0), expected, atol=1e-6)


if __name__ == "__main__":
  tf.test.main()
