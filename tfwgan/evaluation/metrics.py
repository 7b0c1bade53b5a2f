"""FID, KID and Inception score on classifier outputs, and streamed statistics.

Heusel et al. 2017 (FID, eq. 6), Bińkowski et al. 2018 (KID), Salimans et al. 2016 (IS).
KID and IS are TF-GAN's functions. FID uses the same formula with a faster trace root
(symmetric eigen-solves, `frechet_distance`); tests and `bench/fid.py` hold it to TF-GAN's
`frechet_classifier_distance_from_activations` and to scipy's `sqrtm`.
"""

import typing

import numpy as np
from scipy import linalg
import tensorflow as tf

from tfwgan.evaluation import tfgan_compat
from tfwgan.validation import integer_at_least


def _tensor(values):
  return tf.convert_to_tensor(np.asarray(values, np.float32))


def frechet_distance(mean_a, covariance_a, mean_b, covariance_b):
  """‖μa − μb‖² + tr Σa + tr Σb − 2 tr √(Σa Σb) (Heusel et al. 2017, eq. 6).

  tr √(Σa Σb) = Σ √λ(√Σa Σb √Σa): one symmetric eigendecomposition for √Σa, then only
  the eigenvalues of a symmetric PSD matrix, where TF-GAN takes two SVD square roots
  and scipy a general (Schur) `sqrtm`. Round-off below zero is clipped, in float64.
  """
  mean_a, mean_b = np.asarray(mean_a, np.float64), np.asarray(mean_b, np.float64)
  covariance_a = np.asarray(covariance_a, np.float64)
  covariance_b = np.asarray(covariance_b, np.float64)
  values, vectors = linalg.eigh(covariance_a)
  root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
  product = root_a @ covariance_b @ root_a
  trace_root = np.sum(np.sqrt(np.clip(linalg.eigvalsh(0.5 * (product + product.T)), 0.0, None)))
  return float(np.sum(np.square(mean_a - mean_b)) + np.trace(covariance_a)
               + np.trace(covariance_b) - 2.0 * trace_root)


def fid_from_activations(activations_a, activations_b):
  """Fréchet distance between Gaussians fitted to two activation sets (unbiased covariances)."""
  return fid_from_statistics(Statistics().update(activations_a),
                             Statistics().update(activations_b))


def kid_from_activations(activations_a, activations_b, *, max_block_size=1024):
  """Kernel Inception distance: unbiased MMD² with a cubic polynomial kernel (TF-GAN)."""
  metrics = tfgan_compat.classifier_metrics()
  with tfgan_compat.deprecations_silenced():
    return float(metrics.kernel_classifier_distance_from_activations(
        _tensor(activations_a), _tensor(activations_b), max_block_size=max_block_size))


KID_SUBSETS = 100        # torch-fidelity's kid_subsets
KID_SUBSET_SIZE = 1000   # torch-fidelity's kid_subset_size
KID_SEED = 2020          # torch-fidelity's kid seed (its rng_seed default)


class KernelDistance(typing.NamedTuple):
  mean: float
  std: float | None   # population std over the subsets (ddof 0, torch-fidelity's); None for 1
  subsets: int
  subset_size: int


def kid_plan(count_a, count_b, *, subsets=KID_SUBSETS, subset_size=KID_SUBSET_SIZE):
  """(subsets, subset size) for sets of `count_a` and `count_b` samples: `subset_size`
  samples per subset, fewer when a set is smaller (torch-fidelity refuses instead); one
  subset when that is every sample of both sets (all subsets would be the same sets)."""
  size = min(integer_at_least("kid_subset_size", subset_size, 2), count_a, count_b)
  return (integer_at_least("kid_subsets", subsets) if size < max(count_a, count_b) else 1), size


def _polynomial_mmd2(a, b):
  """Unbiased MMD² with k(x, y) = (x·y/d + 1)³ (Bińkowski et al. 2018, eq. 3 and their
  kernel; torch-fidelity's `mmd2`): the off-diagonal means of K_XX and K_YY minus twice
  the mean of K_XY. In float64 NumPy: MMD² is a small difference of large kernel sums,
  and float32 sums in TensorFlow's kernels gave results 4e-5 apart (relative) between a
  process under load and another on the same features."""
  a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
  size, dimension = a.shape
  kernel = lambda x, y: (x @ y.T / dimension + 1.0) ** 3
  off_diagonal = lambda k: k.sum() - np.trace(k)
  return ((off_diagonal(kernel(a, a)) + off_diagonal(kernel(b, b))) / (size * (size - 1.0))
          - 2.0 * kernel(a, b).sum() / (size * size))


def kid_over_subsets(activations_a, activations_b, *, subsets=KID_SUBSETS,
                     subset_size=KID_SUBSET_SIZE, seed=KID_SEED):
  """KID as torch-fidelity reports it (`metric_kid.py`): the mean and std over `subsets`
  random subsets of `subset_size` samples of each set, drawn without replacement, a's
  then b's indices per subset, from `np.random.RandomState(seed)` (its generator and
  default seed, so the same features give its subsets); sizes per `kid_plan`."""
  a, b = (np.asarray(values, np.float32) for values in (activations_a, activations_b))
  count, size = kid_plan(len(a), len(b), subsets=subsets, subset_size=subset_size)
  rng = np.random.RandomState(seed)   # pylint: disable=no-member  (torch-fidelity's draws)
  values = []
  for _ in range(count):
    pick_a = a[rng.choice(len(a), size, replace=False)]
    pick_b = b[rng.choice(len(b), size, replace=False)]
    values.append(float(_polynomial_mmd2(pick_a, pick_b)))
  return KernelDistance(float(np.mean(values)), float(np.std(values)) if count > 1 else None,
                        count, size)


INCEPTION_SCORE_SPLITS = 10   # Salimans et al. 2016, and every GAN table since


class InceptionScore(typing.NamedTuple):
  mean: float
  std: float      # population std over the splits (ddof 0), as Salimans et al.'s code
  splits: int
  samples_per_split: int


def inception_score_from_logits(logits, *, splits=INCEPTION_SCORE_SPLITS):
  """exp(E_x KL(p(y|x) ‖ p(y))) on each of `splits` equal-size splits, in the given order:
  mean and std over the splits (Salimans et al. 2016, §4). Each split's score is TF-GAN's
  `classifier_score_from_logits`, so p(y) is that split's marginal. N mod `splits`
  trailing samples are left out (equal splits); `splits=1` is the whole-set score."""
  logits = np.asarray(logits, np.float32)
  splits = integer_at_least("splits", splits)
  size = len(logits) // splits
  if size < 1:
    raise ValueError(f"splits={splits}: more splits than the {len(logits)} samples.")
  score = tfgan_compat.classifier_metrics().classifier_score_from_logits
  with tfgan_compat.deprecations_silenced():
    values = [float(score(_tensor(logits[index * size:(index + 1) * size])))
              for index in range(splits)]
  return InceptionScore(float(np.mean(values)), float(np.std(values)), splits, size)


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
  """FID from two `Statistics` (see `frechet_distance`)."""
  return frechet_distance(statistics_a.mean, statistics_a.covariance,
                          statistics_b.mean, statistics_b.covariance)


def class_accuracy(logits, labels):
  """Share of samples whose classifier argmax is their label: a conditional generator's
  samples judged by the evaluation classifier (its classes must be the data's)."""
  return float(np.mean(np.argmax(np.asarray(logits), axis=1) == np.asarray(labels)))


# Intra-class FID: the fewest real or generated samples a class is scored on. A floor
# against estimates from a handful of samples (2 in 2,048 dimensions were once accepted),
# not a guarantee: per-class FIDs at different counts are not comparable, so the counts are
# recorded. The reference (below) scores 5,000 generated samples per class.
MIN_CLASS_SAMPLES = 50


def intra_class_fid(generated_features, generated_labels, real_features, real_labels,
                    num_classes, *, min_samples=MIN_CLASS_SAMPLES, class_names=None):
  """Per-class FIDs [num_classes] by the reference protocol (Miyato & Koyama 2018, §4.1's
  intra-class FID; their `evaluations/calc_intra_FID.py`: the same number of generated
  samples for every class, each class against the statistics of all its real samples).

  Every class 0 … K−1 is scored; a ValueError naming the class (its name from
  `class_names`) when a class has fewer than `min_samples` real or generated samples, and
  when the classes' generated counts differ. Their mean is the intra-class FID."""
  generated_labels, real_labels = np.asarray(generated_labels), np.asarray(real_labels)
  generated_counts = np.bincount(generated_labels, minlength=num_classes)
  real_counts = np.bincount(real_labels, minlength=num_classes)
  if len(generated_counts) > num_classes or len(real_counts) > num_classes:
    raise ValueError(f"intra-class FID: labels must be below num_classes={num_classes}.")
  for label in range(num_classes):
    if min(real_counts[label], generated_counts[label]) < min_samples:
      name = class_names[label] if class_names else label
      raise ValueError(f"intra-class FID: class {name!r} has {real_counts[label]} real and "
                       f"{generated_counts[label]} generated samples; every class needs at "
                       f"least {min_samples} of each (score more samples, or leave the "
                       "intra-class FID out).")
  if len(set(generated_counts.tolist())) != 1:
    raise ValueError(f"intra-class FID: the generated samples per class differ "
                     f"({generated_counts.tolist()}); the reference protocol scores the same "
                     "number for every class.")
  return [fid_from_activations(generated_features[generated_labels == label],
                               real_features[real_labels == label])
          for label in range(num_classes)]
