import json
import os

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan.evaluation import metrics
from tfwgan.evaluation import reference_statistics
from tfwgan.evaluation import scoring


class ReferenceStatisticsTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    rng = np.random.default_rng(0)
    self.real = rng.normal(size=(400, 5))
    self.generated = rng.normal(loc=0.3, size=(400, 5))
    self.root = self.create_tempdir().full_path

  def test_written_statistics_give_back_mu_sigma_count_and_the_fid(self):
    statistics = metrics.Statistics().update(self.real)
    path = os.path.join(self.root, "real.npz")
    reference_statistics.save(path, statistics, protocol={"classifier": "c", "real_samples": 400})
    with np.load(path) as arrays:   # the common layout, readable without tfwgan
      self.assertAllClose(arrays["mu"], self.real.mean(axis=0))
      self.assertAllClose(arrays["sigma"], np.cov(self.real, rowvar=False))
    loaded, record = reference_statistics.load(path)
    self.assertEqual((record["count"], record["protocol"]),
                     (400, {"classifier": "c", "real_samples": 400}))
    self.assertLen(record["sha256"], 64)
    self.assertAllClose(metrics.fid_from_statistics(metrics.Statistics().update(self.generated),
                                                    loaded),
                        metrics.fid_from_activations(self.generated, self.real), rtol=1e-10)

  def test_published_statistics_without_a_count_read_back_exactly(self):
    path = os.path.join(self.root, "published.npz")
    mu, sigma = self.real.mean(axis=0), np.cov(self.real, rowvar=False)
    np.savez(path, mu=mu, sigma=sigma)   # TTUR's / pytorch-fid's files hold just these
    loaded, record = reference_statistics.load(path)
    self.assertIsNone(record["count"])
    self.assertAllClose(loaded.mean, mu, rtol=1e-12)
    self.assertAllClose(loaded.covariance, sigma, rtol=1e-12)

  def test_a_file_without_mu_and_sigma_is_one_line(self):
    path = os.path.join(self.root, "other.npz")
    np.savez(path, mean=np.zeros(3), cov=np.eye(3))
    with self.assertRaisesRegex(ValueError, r"^reference_statistics='.*other.npz': needs arrays "
                                            r"mu \[d\] and sigma \[d, d\].*it holds "
                                            r"\{'mean': \[3\], 'cov': \[3, 3\]\}\.$"):
      reference_statistics.load(path)
    with self.assertRaisesRegex(ValueError, r"no such \.npz file"):
      reference_statistics.load(os.path.join(self.root, "missing.npz"))

  def test_statistics_of_another_feature_layer_are_refused(self):
    generated = scoring.ClassifierOutputs(self.generated, None,
                                          metrics.Statistics().update(self.generated))
    real = scoring.ClassifierOutputs(None, None, metrics.Statistics().update(self.real[:, :3]))
    with self.assertRaisesRegex(ValueError, r"^real statistics: of 3 features, but the "
                                            r"classifier gives the samples 5"):
      scoring.score(generated=generated, real=real, metrics=["fid"])


if __name__ == "__main__":
  tf.test.main()
