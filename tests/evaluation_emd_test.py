import test_utils  # pylint: disable=unused-import

import numpy as np
from scipy import stats
import tensorflow as tf

from tfwgan import evaluation


class EmdTest(tf.test.TestCase):

  def test_identical_sets_have_zero_distance(self):
    points = np.random.default_rng(0).normal(size=(100, 2))
    self.assertEqual(evaluation.emd(points, points[::-1]), 0.0)

  def test_translation_costs_its_length(self):
    # Moving every point by t costs ‖t‖ per point, and no matching does better
    # (W1 ≥ ‖E a − E b‖ = ‖t‖ by Jensen).
    points = np.random.default_rng(1).normal(size=(200, 2))
    self.assertAllClose(evaluation.emd(points, points + [3.0, 4.0]), 5.0)

  def test_matches_scipy_in_one_dimension(self):
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=300), rng.exponential(size=300)
    self.assertAllClose(evaluation.emd(a[:, None], b[:, None]), stats.wasserstein_distance(a, b))

  def test_shape_mismatch(self):
    with self.assertRaisesRegex(ValueError, r"samples_a, samples_b: need the same number"):
      evaluation.emd(np.zeros((3, 2)), np.zeros((4, 2)))


if __name__ == "__main__":
  tf.test.main()
