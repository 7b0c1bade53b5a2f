import test_utils  # pylint: disable=unused-import

import math
import tracemalloc

from absl.testing import parameterized
import numpy as np
from scipy.spatial import distance
import tensorflow as tf

from tfwgan import data
from tfwgan import evaluation
from tfwgan.evaluation import neighbours


def brute_force(real, generated, k):
  """P, R, D, C straight from the definitions, on the full float64 distance matrices."""
  real, generated = np.float64(real), np.float64(generated)

  def radii(points):   # k-th nearest *other* point: the (k+1)-th smallest of the row
    return np.sort(distance.cdist(points, points), axis=1)[:, k]

  real_radii, generated_radii = radii(real), radii(generated)
  cross = distance.cdist(real, generated)                      # [real, generated]
  inside_real_balls = cross < real_radii[:, None]
  return {"precision": np.mean(inside_real_balls.any(axis=0)),
          "recall": np.mean((cross < generated_radii[None, :]).any(axis=1)),
          "density": inside_real_balls.sum() / (k * len(generated)),
          "coverage": np.mean(cross.min(axis=1) < real_radii)}


def eight_gaussians(count, seed):
  return data.sample_toy("8gaussians", count, [seed, 0]).numpy()


def mode_of(points):
  return np.round(np.arctan2(points[:, 1], points[:, 0]) / (math.pi / 4)).astype(int) % 8


class PrecisionRecallDensityCoverageTest(tf.test.TestCase, parameterized.TestCase):

  def test_identical_sets(self):
    points = np.random.default_rng(0).normal(size=(400, 6))
    pr = evaluation.precision_recall(real_features=points, generated_features=points)
    dc = evaluation.density_coverage(real_features=points, generated_features=points)
    self.assertEqual(tuple(pr), (1.0, 1.0))
    self.assertEqual(dc.coverage, 1.0)
    # Each real ball holds its centre and its k − 1 nearer neighbours (strict <): k of
    # the kM memberships, exactly 1 up to float round-off at the ball's edge.
    self.assertAllClose(dc.density, 1.0, atol=2 / (5 * 400))

  def test_far_apart_sets(self):
    rng = np.random.default_rng(1)
    real, generated = rng.normal(size=(300, 4)), rng.normal(100.0, 1.0, size=(300, 4))
    scores = neighbours.neighbour_scores(real_features=real, generated_features=generated)
    self.assertEqual(scores, {"precision": 0.0, "recall": 0.0, "density": 0.0,
                              "coverage": 0.0})

  def test_dropping_half_of_eight_modes(self):
    real = eight_gaussians(2000, seed=1)
    candidates = eight_gaussians(8000, seed=2)
    every_mode = candidates[:2000]                           # a perfect generator
    generated = candidates[mode_of(candidates) < 4][:2000]   # modes 0–3 only
    self.assertEqual(set(mode_of(generated)), {0, 1, 2, 3})
    pr = evaluation.precision_recall(real_features=real, generated_features=generated)
    dc = evaluation.density_coverage(real_features=real, generated_features=generated)
    # A perfect generator scores just under 1 with 2,000 samples (k-NN balls miss the
    # edges of each mode); dropping modes keeps precision there and halves recall and
    # coverage: only the real samples of the kept modes (≈ 0.5) can be reached.
    perfect = neighbours.neighbour_scores(real_features=real, generated_features=every_mode)
    kept = np.mean(mode_of(real) < 4)
    self.assertGreater(perfect["precision"], 0.95)
    self.assertAllClose(pr.precision, perfect["precision"], atol=0.01)
    self.assertAllClose(pr.recall, kept * perfect["recall"], atol=0.02)
    self.assertAllClose(dc.coverage, kept * perfect["coverage"], atol=0.02)
    self.assertAllClose(dc.density, perfect["density"], atol=0.05)
    self.assertAllClose([pr.recall, dc.coverage], [0.5, 0.5], atol=0.05)

  def test_swapping_the_sets_swaps_precision_and_recall(self):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(300, 5)), rng.normal(0.3, 1.5, size=(250, 5))
    ab = evaluation.precision_recall(real_features=a, generated_features=b)
    ba = evaluation.precision_recall(real_features=b, generated_features=a)
    self.assertNotEqual(ab.precision, ab.recall)
    self.assertEqual((ab.precision, ab.recall), (ba.recall, ba.precision))

  @parameterized.parameters((1, 1024), (3, 1024), (5, 64), (5, 7), (3, 1))
  def test_equals_a_brute_force_reference(self, k, block_rows):
    rng = np.random.default_rng(k)
    real = rng.normal(size=(230, 12)).astype(np.float32)
    real[200:] = real[:30]                          # duplicates: neighbours at distance 0
    generated = (rng.normal(size=(170, 12)) * 1.2 + 0.2).astype(np.float32)
    scores = neighbours.neighbour_scores(real_features=real, generated_features=generated,
                                         precision_recall_k=k, density_coverage_k=k,
                                         block_rows=block_rows)
    expected = brute_force(real, generated, k)
    self.assertAllEqual(sorted(scores), sorted(expected))
    for name, value in expected.items():
      self.assertAllClose(scores[name], value, rtol=0, atol=1e-12, msg=name)
    self.assertTrue(0 < expected["precision"] < 1 and 0 < expected["recall"] < 1)

  def test_the_two_ks_are_independent(self):
    rng = np.random.default_rng(4)
    real, generated = rng.normal(size=(200, 3)), rng.normal(0.5, 1.0, size=(150, 3))
    scores = neighbours.neighbour_scores(real_features=real, generated_features=generated,
                                         precision_recall_k=2, density_coverage_k=7)
    pr, dc = brute_force(real, generated, 2), brute_force(real, generated, 7)
    self.assertAllClose([scores["precision"], scores["recall"]],
                        [pr["precision"], pr["recall"]], rtol=0, atol=1e-12)
    self.assertAllClose([scores["density"], scores["coverage"]],
                        [dc["density"], dc["coverage"]], rtol=0, atol=1e-12)

  def test_features_of_any_shape_are_flattened(self):
    rng = np.random.default_rng(5)
    real, generated = rng.normal(size=(80, 2, 3)), rng.normal(size=(90, 2, 3))
    self.assertEqual(
        evaluation.precision_recall(real_features=real, generated_features=generated),
        evaluation.precision_recall(real_features=real.reshape(80, 6),
                                    generated_features=generated.reshape(90, 6)))

  def test_memory_is_bounded_by_the_block_not_the_sets(self):
    rng = np.random.default_rng(6)
    real = rng.normal(size=(3000, 8)).astype(np.float32)
    generated = rng.normal(size=(3000, 8)).astype(np.float32)
    tracemalloc.start()
    try:
      neighbours.neighbour_scores(real_features=real, generated_features=generated,
                                  block_rows=128)
      _, peak = tracemalloc.get_traced_memory()
    finally:
      tracemalloc.stop()
    full_matrix = 3000 * 3000 * 4
    self.assertLess(peak, full_matrix / 4)

  @parameterized.named_parameters(
      ("dimensions", dict(real_features=np.zeros((10, 3)), generated_features=np.zeros((10, 4))),
       r"real_features, generated_features: feature sizes differ \(3 and 4\)"),
      ("too_few", dict(real_features=np.zeros((3, 2)), generated_features=np.zeros((10, 2))),
       r"precision_recall_k=3: each set needs more than k samples; got 3 real"),
      ("k_zero", dict(real_features=np.zeros((10, 2)), generated_features=np.zeros((10, 2)),
                      precision_recall_k=0), r"precision_recall_k=0: must be an integer >= 1"),
      ("nan", dict(real_features=np.full((10, 2), np.nan), generated_features=np.zeros((10, 2))),
       r"real_features: contains NaN or Inf"),
      ("flat", dict(real_features=np.zeros(10), generated_features=np.zeros((10, 2))),
       r"real_features: need an array \[samples, features...\]"),
      ("none", dict(real_features=np.zeros((10, 2)), generated_features=np.zeros((10, 2)),
                    precision_recall_k=None, density_coverage_k=None),
       r"at least one must be given"))
  def test_bad_input_is_a_clear_error(self, arguments, message):
    with self.assertRaisesRegex(ValueError, message):
      neighbours.neighbour_scores(**arguments)

  def test_sets_are_keyword_arguments(self):
    positional = (np.zeros((10, 2)), np.zeros((10, 2)))
    with self.assertRaises(TypeError):
      evaluation.precision_recall(*positional)  # pylint: disable=missing-kwoa
    with self.assertRaises(TypeError):
      evaluation.density_coverage(*positional)  # pylint: disable=missing-kwoa
    with self.assertRaises(TypeError):
      evaluation.sliced_wasserstein_distance(*positional)  # pylint: disable=missing-kwoa


if __name__ == "__main__":
  tf.test.main()
