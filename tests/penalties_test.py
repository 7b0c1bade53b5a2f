import test_utils

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf
from scipy import stats

from tfwgan import penalties


def _batch(seed, n=64, dim=3):
  rng = np.random.default_rng(seed)
  return (rng.normal(size=(n, dim)).astype(np.float32),
          rng.normal(loc=2.0, size=(n, dim)).astype(np.float32))


def _quadratic_critic():
  """f(x) = ½‖x‖² on 2-D points: ∇f(x) = x, so the penalty at x is (‖x‖ − 1)²."""
  return keras.Sequential([keras.Input((2,)), keras.layers.Lambda(
      lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=1, keepdims=True))])


class _RecordingDraws:
  """A random stream that records (kind, shape) of every draw."""

  def __init__(self):
    self.shapes = []
    self._source = tf.random.Generator.from_seed(0)

  def uniform(self, shape, dtype=tf.float32):
    self.shapes.append(("uniform", tuple(int(n) for n in shape)))
    return self._source.uniform(shape, dtype=dtype)

  def normal(self, shape, dtype=tf.float32):
    self.shapes.append(("normal", tuple(int(n) for n in shape)))
    return self._source.normal(shape, dtype=dtype)


class AnalyticPenaltyTest(tf.test.TestCase, parameterized.TestCase):
  """f(x) = w·x has ∇f = w at every point, whatever the sampling."""

  @parameterized.named_parameters(
      ("norm_2", [2.0, 0.0, 0.0], 1.0, 1.0),
      ("norm_2_oblique", [1.2, -1.6, 0.0], 1.0, 1.0),
      ("norm_half", [0.0, 0.3, 0.4], 0.25, 0.0))
  def test_linear_critic(self, weights, expected_gp, expected_lp):
    critic = test_utils.linear_critic(weights)
    real, fake = _batch(0)
    rng = tf.random.Generator.from_seed(1)
    self.assertAllClose(penalties.gradient_penalty(critic, real, fake, rng=rng), expected_gp)
    self.assertAllClose(penalties.dragan_penalty(critic, real, rng=rng), expected_gp)
    for sampling in penalties.LP_SAMPLINGS:
      self.assertAllClose(penalties.lipschitz_penalty(critic, real, fake, sampling=sampling,
                                                      rng=rng), expected_lp)

  def test_quadratic_critic_penalty_at_known_points(self):
    # f(x) = ½‖x‖² has ∇f(x) = x: the penalty at x is (‖x‖ − 1)².
    critic = _quadratic_critic()
    points = tf.constant([[3.0, 4.0], [0.3, 0.4], [0.0, 2.0]])
    self.assertAllClose(penalties.penalty_at(critic, points, reduction="none"),
                        [16.0, 0.25, 1.0])
    self.assertAllClose(penalties.penalty_at(critic, points, one_sided=True, reduction="none"),
                        [16.0, 0.0, 1.0])

  def test_gradient_penalty_is_taken_at_the_interpolates(self):
    # f(x) = ½‖x‖², real (2, 0), fake 0: x̂ = (2ε, 0), so the penalty is (2ε − 1)² with the
    # same ε the interpolation draws (at the real points it would be 1, at the fake ones 1).
    critic = _quadratic_critic()
    real = tf.tile([[2.0, 0.0]], [256, 1])
    fake = tf.zeros([256, 2])
    value = penalties.gradient_penalty(critic, real, fake, rng=tf.random.Generator.from_seed(4),
                                       reduction="none")
    epsilon = tf.random.Generator.from_seed(4).uniform([256, 1])
    self.assertAllClose(value, tf.square(2.0 * epsilon[:, 0] - 1.0), atol=1e-5)
    self.assertAllClose(tf.reduce_mean(value), 1.0 / 3.0, atol=0.05)  # E(2ε − 1)², ε ~ U[0, 1]

  def test_epsilon_keeps_gradient_finite_at_zero_critic_gradient(self):
    critic = test_utils.linear_critic([0.0, 0.0, 0.0])
    real, fake = _batch(1)
    with tf.GradientTape() as tape:
      value = penalties.gradient_penalty(critic, real, fake,
                                         rng=tf.random.Generator.from_seed(0))
    gradients = tape.gradient(value, critic.trainable_variables)
    # ‖∇f‖ = √ε = 1e-6 instead of 0, so the penalty is (1 − 1e-6)², not 1.
    self.assertAllClose(value, (1.0 - 1e-6) ** 2, rtol=1e-7)
    self.assertTrue(all(np.all(np.isfinite(g.numpy())) for g in gradients))


class R1R2Test(tf.test.TestCase):
  """Mescheder et al. 2018, eq. 9 and 10: ½‖∇D‖² at the real (R1) or generated (R2)
  samples; γ is the model's penalty_weight."""

  def test_half_the_squared_gradient_norm_at_the_real_or_the_generated_samples(self):
    critic = _quadratic_critic()   # ∇f(x) = x: ½‖∇f(x)‖² = ½‖x‖², no epsilon
    real = tf.constant([[3.0, 4.0], [0.0, 0.0]])
    fake = tf.constant([[1.0, 0.0], [0.0, 2.0]])
    self.assertAllClose(penalties.r1_penalty(critic, real, reduction="none"), [12.5, 0.0])
    self.assertAllClose(penalties.r2_penalty(critic, fake, reduction="none"), [0.5, 2.0])
    rng = tf.random.Generator.from_seed(0)
    self.assertAllClose(penalties.R1Penalty().per_example(critic, real, fake, rng), [12.5, 0.0])
    self.assertAllClose(penalties.R2Penalty().per_example(critic, real, fake, rng), [0.5, 2.0])
    linear = test_utils.linear_critic([1.2, -1.6, 0.0])     # ‖w‖² = 4 everywhere
    self.assertAllClose(penalties.r1_penalty(linear, _batch(0)[0]), 2.0)


class SamplingTest(tf.test.TestCase):

  def test_interpolation_epsilon_is_uniform_per_sample(self):
    real = np.zeros((4000, 3), np.float32)
    fake = np.ones((4000, 3), np.float32)
    points = penalties.interpolates(real, fake, rng=tf.random.Generator.from_seed(3)).numpy()
    # x̂ = εx + (1−ε)x̃ with x = 0, x̃ = 1: every coordinate of a sample is its 1 − ε.
    self.assertAllClose(points.min(axis=1), points.max(axis=1))
    epsilon = 1.0 - points[:, 0]
    self.assertGreaterEqual(epsilon.min(), 0.0)
    self.assertLessEqual(epsilon.max(), 1.0)
    self.assertGreater(stats.kstest(epsilon, "uniform").pvalue, 1e-3)

  def test_dragan_perturbation_scale_follows_batch_std(self):
    real, _ = _batch(2, n=256)
    offsets = []
    for scale_of_data in (1.0, 10.0):
      x = real * scale_of_data
      points = penalties.dragan_points(x, rng=tf.random.Generator.from_seed(5)).numpy()
      offsets.append(points - x)
      bound = 0.5 * np.std(x)
      self.assertGreaterEqual(offsets[-1].min(), 0.0)
      self.assertLessEqual(offsets[-1].max(), bound * (1 + 1e-5))
      self.assertGreater(offsets[-1].max(), 0.5 * bound)
    self.assertAllClose(offsets[1], 10.0 * offsets[0], rtol=1e-4, atol=1e-5)

  def test_every_draw_has_the_papers_shape(self):
    # Per sample where the paper draws per sample (WGAN-GP Alg. 1's ε, DRAGAN's α), per
    # entry where it draws per entry (WGAN-LP App. D.4's perturbations, DRAGAN's δ): a
    # per-pixel ε (PyTorch-GAN#5) or a per-sample perturbation shows here.
    batch, image = 5, (4, 4, 1)
    full, per_sample = (batch,) + image, (batch, 1, 1, 1)
    expected = {
        ("gp", ()): [("uniform", per_sample)],
        ("lp", ("interpolate",)): [("uniform", per_sample)],
        ("lp", ("perturb_real",)): [("normal", full)],
        ("lp", ("perturb_both",)): [("normal", full), ("normal", full)],
        ("dragan", ()): [("uniform", full), ("uniform", per_sample)],
        ("w2", ()): [("uniform", per_sample)],
        ("r1", ()): [], ("r2", ()): []}
    critic = keras.Sequential([keras.Input(image), keras.layers.Flatten(),
                               keras.layers.Dense(1)])
    real = tf.random.stateless_uniform(full, [0, 1], -1, 1)
    fake = tf.random.stateless_uniform(full, [0, 2], -1, 1)
    for (name, args), draws in expected.items():
      recording = _RecordingDraws()
      values = penalties.get(name if not args else {"name": name, "sampling": args[0]}
                             ).per_example(critic, real, fake, recording)
      self.assertEqual(recording.shapes, draws, name + str(args))
      self.assertEqual(tuple(values.shape), (batch,))   # one penalty value per sample
    # Flat points: the per-sample draws are [batch, 1].
    recording = _RecordingDraws()
    penalties.get("gp").per_example(test_utils.linear_critic([1.0, 0.0]),
                                    tf.zeros([3, 2]), tf.ones([3, 2]), recording)
    self.assertEqual(recording.shapes, [("uniform", (3, 1))])

  def test_perturb_both_averages_real_and_fake_penalties(self):
    critic = _quadratic_critic()
    real = tf.constant([[3.0, 0.0]])
    fake = tf.constant([[0.0, 0.0]])
    value = penalties.lipschitz_penalty(critic, real, fake, sampling="perturb_both",
                                        perturbation_std=1e-6,
                                        rng=tf.random.Generator.from_seed(0))
    # One-sided at ‖x‖ = 3 gives 4, at ‖x‖ ≈ 0 gives 0: their mean is 2.
    self.assertAllClose(value, 2.0, atol=1e-4)


# The authors' edge classes (dukleryoni/WWGAN, wwgan_utils.buildL_diamond), written out
# as (row, column) steps: adjacent pixels, pixels two apart, both diagonals.
AUTHORS_DIAMOND_EDGES = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 1), (1, -1)]
GRID_EDGES = [(0, 1), (1, 0)]


def _edge_loop_w2(gradients, points, edges=GRID_EDGES):
  """‖g‖²_W2 by a plain loop over every edge (pixel, pixel + step) of every channel."""
  batch, height, width, channels = gradients.shape
  totals = np.zeros(batch)
  for b in range(batch):
    for c in range(channels):
      for i in range(height):
        for j in range(width):
          for di, dj in edges:
            if 0 <= i + di < height and 0 <= j + dj < width:
              theta = 1 + (points[b, i, j, c] + points[b, i + di, j + dj, c]) / 2
              totals[b] += theta * (gradients[b, i, j, c] - gradients[b, i + di, j + dj, c]) ** 2
  return totals


class Wasserstein2NormTest(tf.test.TestCase):

  def test_hand_built_2x2_image(self):
    # Pixels a b / c d; edges a–b, c–d (rows) and a–c, b–d (columns).
    x = np.array([0.2, -0.4, 0.6, 1.0], np.float32).reshape(1, 2, 2, 1)
    g = np.array([1.0, 3.0, -2.0, 0.5], np.float32).reshape(1, 2, 2, 1)
    (a, b, c, d), (ga, gb, gc, gd) = x.ravel(), g.ravel()
    by_hand = ((1 + (a + b) / 2) * (ga - gb) ** 2 + (1 + (c + d) / 2) * (gc - gd) ** 2
               + (1 + (a + c) / 2) * (ga - gc) ** 2 + (1 + (b + d) / 2) * (gb - gd) ** 2)
    self.assertAllClose(penalties.wasserstein2_squared_norm(g, x, graph="grid"), [by_hand])
    self.assertAllClose(penalties.wasserstein2_norm(g, x, gamma=0.0, graph="grid"),
                        [np.sqrt(by_hand)])
    self.assertAllClose(penalties.wasserstein2_norm(g, x, gamma=1.0, graph="grid"),
                        [np.sqrt(by_hand + np.sum(g ** 2))])
    # The diamond graph adds the diagonals a–d and b–c (no pixel is two apart here).
    diagonals = (1 + (a + d) / 2) * (ga - gd) ** 2 + (1 + (b + c) / 2) * (gb - gc) ** 2
    self.assertAllClose(penalties.wasserstein2_squared_norm(g, x), [by_hand + diagonals])

  def test_hand_built_3x3_image_against_known_critic_gradient(self):
    # f(x) = Σ w·x has ∇f = w; with x = 0 every θ is 1, so ‖w‖²_W2 is the sum of
    # squared differences of neighbours: rows (1−2)²+(2−3)² three times = 6, columns
    # (1−1)² ... = 0 → 6, and the two-sided penalty is (√6 − 1)².
    w = np.tile([1.0, 2.0, 3.0], 3).reshape(3, 3, 1).astype(np.float32)
    critic = keras.Sequential([keras.Input((3, 3, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    critic.layers[-1].kernel.assign(w.reshape(9, 1))
    points = tf.zeros([2, 3, 3, 1])
    norm = lambda grads, pts: penalties.wasserstein2_norm(grads, pts, gamma=0.0, graph="grid")
    self.assertAllClose(penalties.penalty_at(critic, points, norm=norm, reduction="none"),
                        [(np.sqrt(6.0) - 1) ** 2] * 2, rtol=1e-5)

  def test_constant_gradient_has_zero_w2_norm(self):
    points = np.random.default_rng(0).uniform(-1, 1, size=(3, 5, 4, 3)).astype(np.float32)
    gradients = np.broadcast_to(np.array([0.3, -2.0, 7.0], np.float32), points.shape)
    # Per channel: channels may differ, only neighbouring pixels of one channel are compared.
    self.assertAllClose(penalties.wasserstein2_squared_norm(gradients, points), [0.0] * 3)

  def test_equals_a_loop_over_the_edges_of_either_graph(self):
    rng = np.random.default_rng(1)
    points = rng.uniform(-1, 1, size=(2, 4, 5, 3)).astype(np.float32)
    gradients = rng.normal(size=(2, 4, 5, 3)).astype(np.float32)
    for graph, edges in (("grid", GRID_EDGES), ("diamond", AUTHORS_DIAMOND_EDGES)):
      self.assertAllClose(penalties.wasserstein2_squared_norm(gradients, points, graph=graph),
                          _edge_loop_w2(gradients, points, edges), rtol=1e-5)
    # Each edge class counts: without any one of them the sum is another number.
    full = _edge_loop_w2(gradients, points, AUTHORS_DIAMOND_EDGES)
    for left_out in AUTHORS_DIAMOND_EDGES:
      fewer = [edge for edge in AUTHORS_DIAMOND_EDGES if edge != left_out]
      self.assertGreater(np.min(np.abs(full - _edge_loop_w2(gradients, points, fewer))), 0.1)

  def test_penalty_sides_and_shape_error(self):
    critic = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False,
                                                  kernel_initializer="zeros")])
    real = tf.zeros([4, 2, 2, 1])
    rng = tf.random.Generator.from_seed(0)
    # ∇f = 0: the two-sided penalty is (√ε − 1)² ≈ 1, the one-sided one 0.
    self.assertAllClose(penalties.wasserstein2_gradient_penalty(critic, real, real, rng=rng), 1.0,
                        atol=1e-5)
    self.assertAllClose(penalties.wasserstein2_gradient_penalty(critic, real, real, rng=rng,
                                                                one_sided=True), 0.0)
    with self.assertRaisesRegex(ValueError, r"points: the W2 norm on the pixel grid needs images"):
      penalties.wasserstein2_squared_norm(tf.zeros([3, 2]), tf.zeros([3, 2]))


class WeightClippingTest(tf.test.TestCase):

  def test_clip_weights_bounds_every_weight(self):
    critic = test_utils.linear_critic([0.5, -0.2, 0.001])
    penalties.WeightClipping(0.01).after_critic_update(critic)
    self.assertAllClose(critic.trainable_variables[0].numpy().ravel(), [0.01, -0.01, 0.001])


class GetTest(tf.test.TestCase):

  def test_lookup(self):
    self.assertIsInstance(penalties.get(None), penalties.NoPenalty)
    self.assertIsInstance(penalties.get("gp"), penalties.GradientPenalty)
    lp = penalties.get({"name": "lp", "sampling": "perturb_real"})
    self.assertEqual(lp.get_config()["sampling"], "perturb_real")

  def test_errors_name_the_argument_and_allowed_values(self):
    self.assertEqual(penalties.get({"name": "w2", "gamma": 0.0}).get_config(),
                     {"name": "w2", "gamma": 0.0, "one_sided": False, "graph": "diamond"})
    with self.assertRaisesRegex(ValueError, r"graph='ring': allowed values are "
                                r"\['diamond', 'grid'\]"):
      penalties.Wasserstein2Penalty(graph="ring")
    with self.assertRaisesRegex(ValueError, r"penalty='r3'.*'clip'.*'dragan'.*'gp'.*'lp'.*"
                                r"'r1', 'r2', 'w2'"):
      penalties.get("r3")
    self.assertEqual(penalties.get({"name": "r1", "every": 16}).get_config(),
                     {"name": "r1", "every": 16})
    with self.assertRaisesRegex(ValueError, r"every=0: must be an integer >= 1"):
      penalties.R2Penalty(every=0)
    with self.assertRaisesRegex(ValueError, r"sampling='line'.*perturb_both"):
      penalties.LipschitzPenalty(sampling="line")
    with self.assertRaisesRegex(ValueError, r"clip_value=-0.1"):
      penalties.WeightClipping(-0.1)


if __name__ == "__main__":
  tf.test.main()
