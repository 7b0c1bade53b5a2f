import sys

import test_utils  # pylint: disable=unused-import

import numpy as np
from scipy import linalg
import tensorflow as tf

from tfwgan.evaluation import metrics
from tfwgan.evaluation import tfgan_compat


def scipy_fid(a, b):
  """Independent reference: Heusel et al.'s formula with numpy/scipy (unbiased covariances)."""
  mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
  cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
  root = linalg.sqrtm(cov_a @ cov_b).real
  return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


class MetricsTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    rng = np.random.default_rng(0)
    self.a = rng.normal(size=(1500, 24))
    mixing = np.eye(24) + 0.3 * rng.normal(size=(24, 24))
    self.b = rng.normal(loc=0.4, size=(1500, 24)) @ mixing

  def test_fid_of_identical_sets_is_zero(self):
    self.assertAllClose(metrics.fid_from_activations(self.a, self.a), 0.0, atol=1e-4)

  def test_fid_matches_scipy_reference(self):
    reference = scipy_fid(self.a.astype(np.float32).astype(np.float64),
                          self.b.astype(np.float32).astype(np.float64))
    self.assertGreater(reference, 1.0)
    self.assertAllClose(metrics.fid_from_activations(self.a, self.b), reference, rtol=1e-4)

  def test_fid_matches_tfgans_function(self):
    tfgan = tfgan_compat.classifier_metrics().frechet_classifier_distance_from_activations(
        tf.constant(self.a, tf.float64), tf.constant(self.b, tf.float64))
    self.assertAllClose(metrics.fid_from_activations(self.a, self.b), float(tfgan), rtol=1e-9)

  def test_frechet_distance_of_commuting_covariances_is_analytic(self):
    # Diagonal Σa, Σb: tr √(Σa Σb) = Σ √(a_i b_i), so FID = ‖Δμ‖² + Σ (√a_i − √b_i)².
    a, b = np.array([4.0, 1.0, 0.25, 0.0]), np.array([1.0, 9.0, 0.25, 2.0])
    mean_a, mean_b = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 1.0, 0.0, 3.0])
    expected = 5.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    rotation = linalg.qr(np.random.default_rng(2).normal(size=(4, 4)))[0]
    self.assertAllClose(metrics.frechet_distance(mean_a, np.diag(a), mean_b, np.diag(b)),
                        expected, rtol=1e-12)
    # The distance is invariant under a common rotation of both Gaussians.
    self.assertAllClose(metrics.frechet_distance(
        rotation @ mean_a, rotation @ np.diag(a) @ rotation.T,
        rotation @ mean_b, rotation @ np.diag(b) @ rotation.T), expected, rtol=1e-9)

  def test_streamed_statistics_give_the_same_fid(self):
    streamed = [metrics.Statistics(), metrics.Statistics()]
    for start in range(0, 1500, 400):
      streamed[0].update(self.a[start:start + 400])
      streamed[1].update(self.b[start:start + 400])
    self.assertAllClose(streamed[0].covariance, np.cov(self.a, rowvar=False))
    self.assertAllClose(metrics.fid_from_statistics(*streamed),
                        scipy_fid(self.a, self.b), rtol=1e-4)
    again = metrics.Statistics.from_arrays(streamed[0].mean, streamed[0].covariance, 1500)
    self.assertAllClose(again.covariance, streamed[0].covariance)

  def test_kid_is_unbiased_on_same_distribution_draws(self):
    rng = np.random.default_rng(1)
    same = [metrics.kid_from_activations(rng.normal(size=(200, 8)), rng.normal(size=(200, 8)))
            for _ in range(30)]
    self.assertLess(abs(np.mean(same)), 3 * np.std(same) / np.sqrt(len(same)))
    self.assertLess(min(same), 0.0)   # unbiased: single estimates fall on both sides of 0
    shifted = metrics.kid_from_activations(rng.normal(size=(200, 8)),
                                           rng.normal(loc=1.0, size=(200, 8)))
    self.assertGreater(shifted, 10 * np.std(same))

  def test_kid_over_subsets_matches_a_numpy_reference(self):
    # torch-fidelity's protocol written with NumPy (float64): per subset, indices of a then
    # of b without replacement, the unbiased MMD² of k(x, y) = (x·y/d + 1)³; mean and the
    # population std over the subsets.
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(90, 6)), rng.normal(loc=0.3, size=(70, 6))

    def mmd2(x, y):
      k = lambda p, q: (p @ q.T / x.shape[1] + 1.0) ** 3
      m = len(x)
      off = lambda kernel: kernel.sum() - np.trace(kernel)
      return (off(k(x, x)) + off(k(y, y))) / (m * (m - 1)) - 2.0 * k(x, y).sum() / m ** 2

    draws = np.random.RandomState(11)   # torch-fidelity's generator
    values = []
    for _ in range(7):
      pick_a = a[draws.choice(90, 25, replace=False)]
      values.append(mmd2(pick_a, b[draws.choice(70, 25, replace=False)]))
    got = metrics.kid_over_subsets(a, b, subsets=7, subset_size=25, seed=11)
    self.assertAllClose([got.mean, got.std], [np.mean(values), np.std(values)], rtol=1e-4)
    self.assertEqual((got.subsets, got.subset_size), (7, 25))
    self.assertGreater(got.std, 0.0)
    # Sets smaller than the subset: subsets of the smaller set's size; one when that is all.
    self.assertEqual(metrics.kid_plan(500, 500), (1, 500))
    self.assertEqual(metrics.kid_plan(10_000, 10_000), (100, 1000))
    self.assertEqual(metrics.kid_plan(800, 600, subset_size=700), (100, 600))
    self.assertEqual(metrics.kid_plan(1000, 50_000), (100, 1000))   # the larger set varies
    whole = metrics.kid_over_subsets(a[:40], b[:40])
    self.assertEqual((whole.subsets, whole.subset_size, whole.std), (1, 40, None))
    self.assertAllClose(whole.mean, mmd2(a[:40], b[:40]), rtol=1e-4)
    # One subset of all samples is TF-GAN's unbiased estimate (one block).
    self.assertAllClose(whole.mean, metrics.kid_from_activations(a[:40], b[:40]), rtol=1e-4)

  def test_inception_score_of_evenly_spread_one_hot_logits_is_k(self):
    for k in (1, 4, 10):
      logits = 200.0 * np.tile(np.eye(k), (10, 1)) - 100.0
      score = metrics.inception_score_from_logits(logits)
      self.assertAllClose(score.mean, float(k), rtol=1e-4)   # every split holds each class
      self.assertAllClose(score.std, 0.0, atol=1e-3 * k)

  def test_inception_score_over_splits_matches_a_numpy_reference(self):
    # Soft, uneven predictions: exp(E_x KL(p(y|x) ‖ p(y))) differs here from exp(H(p(y)))
    # (which also gives k on one-hot logits), and from exp(E_x H(p(y|x))). The class
    # bias drifts along the sample order, so the splits (consecutive, in order) differ.
    rng = np.random.default_rng(3)
    logits = (rng.normal(scale=2.0, size=(305, 6)) + np.arange(6) * 0.3
              + np.outer(np.linspace(-2, 2, 305), np.arange(6) - 2.5))

    def reference(part):
      p_y_x = np.exp(part - part.max(1, keepdims=True))
      p_y_x /= p_y_x.sum(1, keepdims=True)
      p_y = p_y_x.mean(0)
      return np.exp(np.mean(np.sum(p_y_x * (np.log(p_y_x) - np.log(p_y)), axis=1)))

    for splits in (1, 5, 10):
      size = 305 // splits                     # equal splits; the 5 (10 splits) left over
      per_split = [reference(logits[i * size:(i + 1) * size]) for i in range(splits)]
      score = metrics.inception_score_from_logits(logits.astype(np.float32), splits=splits)
      self.assertAllClose(score.mean, np.mean(per_split), rtol=1e-4)
      self.assertAllClose(score.std, np.std(per_split), rtol=1e-3, atol=1e-6)
      self.assertEqual((score.splits, score.samples_per_split), (splits, size))
    ten = metrics.inception_score_from_logits(logits.astype(np.float32))
    whole = metrics.inception_score_from_logits(logits.astype(np.float32), splits=1)
    self.assertGreater(ten.std, 0.05)
    self.assertGreater(abs(ten.mean - whole.mean), 0.05)  # splits change the number
    p_y = np.exp(logits - logits.max(1, keepdims=True))
    p_y = (p_y / p_y.sum(1, keepdims=True)).mean(0)
    self.assertGreater(abs(whole.mean - np.exp(-np.sum(p_y * np.log(p_y)))), 0.5)
    with self.assertRaisesRegex(ValueError, r"splits=400: more splits than the 305 samples"):
      metrics.inception_score_from_logits(logits, splits=400)

  def test_compat_imports_eval_modules_without_the_package_init(self):
    module = tfgan_compat.classifier_metrics()
    self.assertTrue(module.__file__.endswith("tensorflow_gan/python/eval/classifier_metrics.py"))
    self.assertTrue(getattr(sys.modules["tensorflow_gan"], "_tfwgan_stub", False))

  def test_compat_fails_clearly_when_the_layout_changes(self):
    required = tfgan_compat.REQUIRED
    try:
      tfgan_compat.REQUIRED = {**required, "classifier_metrics":
                               required["classifier_metrics"] + ("frechet_distance_v2",)}
      with self.assertRaisesRegex(tfgan_compat.TFGANLayoutError, r"lacks \['frechet_distance_v2'\]"):
        tfgan_compat.classifier_metrics()
    finally:
      tfgan_compat.REQUIRED = required


if __name__ == "__main__":
  tf.test.main()
