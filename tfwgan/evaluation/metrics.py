"""FID, KID and Inception score on classifier outputs (TF-GAN's math), and streamed statistics.

Heusel et al. 2017 (FID, eq. 6), Bińkowski et al. 2018 (KID), Salimans et al. 2016 (IS).
"""

import numpy as np
import tensorflow as tf

from tfwgan.evaluation import tfgan_compat


def _tensor(values):
  return tf.convert_to_tensor(np.asarray(values, np.float32))


def fid_from_activations(activations_a, activations_b):
  """Fréchet distance between Gaussians fitted to two activation sets (TF-GAN)."""
  metrics = tfgan_compat.classifier_metrics()
  return float(metrics.frechet_classifier_distance_from_activations(
      _tensor(activations_a), _tensor(activations_b)))


def kid_from_activations(activations_a, activations_b, *, max_block_size=1024):
  """Kernel Inception distance: unbiased MMD² with a cubic polynomial kernel (TF-GAN)."""
  metrics = tfgan_compat.classifier_metrics()
  return float(metrics.kernel_classifier_distance_from_activations(
      _tensor(activations_a), _tensor(activations_b), max_block_size=max_block_size))


def inception_score_from_logits(logits):
  """exp(E_x KL(p(y|x) ‖ p(y))) (TF-GAN's classifier_score_from_logits)."""
  return float(tfgan_compat.classifier_metrics().classifier_score_from_logits(_tensor(logits)))


class Statistics:
  """Mean and covariance of activations, accumulated batch by batch in float64.

  The covariance is the unbiased one (N − 1), as in TF-GAN's FID, so statistics and
  activations give the same FID.
  """

  def __init__(self, dimension=None):
    self.count, self._sum, self._outer = 0, None, None
    if dimension is not None:
      self._sum, self._outer = np.zeros(dimension), np.zeros((dimension, dimension))

  def update(self, activations):
    activations = np.asarray(activations, np.float64).reshape(len(activations), -1)
    if self._sum is None:
      self._sum = np.zeros(activations.shape[1])
      self._outer = np.zeros((activations.shape[1],) * 2)
    self.count += len(activations)
    self._sum += activations.sum(axis=0)
    self._outer += activations.T @ activations
    return self

  @property
  def mean(self):
    return self._sum / self.count

  @property
  def covariance(self):
    return (self._outer - self.count * np.outer(self.mean, self.mean)) / (self.count - 1)

  @classmethod
  def from_arrays(cls, mean, covariance, count):
    statistics = cls()
    statistics.count = int(count)
    mean = np.asarray(mean, np.float64)
    statistics._sum = mean * count
    statistics._outer = np.asarray(covariance, np.float64) * (count - 1) + count * np.outer(mean,
                                                                                           mean)
    return statistics


def fid_from_statistics(statistics_a, statistics_b):
  """‖μa − μb‖² + tr Σa + tr Σb − 2 tr √(Σa Σb), the trace root by TF-GAN's trace_sqrt_product."""
  metrics = tfgan_compat.classifier_metrics()
  sqrt_trace = metrics.trace_sqrt_product(tf.constant(statistics_a.covariance),
                                          tf.constant(statistics_b.covariance))
  mean_term = np.sum(np.square(statistics_a.mean - statistics_b.mean))
  return float(mean_term + np.trace(statistics_a.covariance) + np.trace(statistics_b.covariance)
               - 2.0 * float(sqrt_trace))
