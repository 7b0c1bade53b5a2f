"""Generator-level evaluation: FID, KID and IS against a real dataset, streamed in batches.

Images never pile up: each batch is classified and dropped; only activations (for
KID), logits (for IS) and running mean/covariance (for FID) are kept. Real-data
outputs are computed once per (dataset, classifier, size) and cached to disk.
"""


import numpy as np
import tensorflow as tf

from tfwgan import files
from tfwgan.evaluation import metrics
from tfwgan.evaluation.emd import emd
from tfwgan.validation import integer_at_least


class ClassifierOutputs:
  """Features, logits and feature statistics of a set of images."""

  def __init__(self, features, logits, statistics):
    self.features, self.logits, self.statistics = features, logits, statistics

  @classmethod
  def collect(cls, image_batches, classifier, num_samples):
    """Runs `classifier` over batches until `num_samples` images were seen."""
    features, logits, statistics, seen = [], [], metrics.Statistics(), 0
    for images in image_batches:
      images = images[:num_samples - seen]
      batch_features, batch_logits = (np.asarray(t, np.float32) for t in classifier(images))
      batch_features = batch_features.reshape(len(batch_features), -1)
      features.append(batch_features)
      logits.append(batch_logits.reshape(len(batch_logits), -1))
      statistics.update(batch_features)
      seen += len(batch_features)
      if seen >= num_samples:
        break
    if seen < num_samples:
      raise ValueError(f"num_samples={num_samples}: the data ran out after {seen} samples.")
    return cls(np.concatenate(features), np.concatenate(logits), statistics)

  def save(self, path):
    """Writes an .npz atomically (temporary file, then rename)."""
    files.save_npz_atomically(path, features=self.features, logits=self.logits,
                              mean=self.statistics.mean,
                              covariance=self.statistics.covariance,
                              count=self.statistics.count)

  @classmethod
  def load(cls, path):
    data = files.load_npz(path)
    statistics = metrics.Statistics.from_arrays(data["mean"], data["covariance"], data["count"])
    return cls(data["features"], data["logits"], statistics)


def real_outputs(real_images, classifier, *, num_samples, cache_path=None):
  """Classifier outputs of `num_samples` real images, from `cache_path` when it holds them."""
  if cache_path and files.gfile.exists(cache_path):
    cached = ClassifierOutputs.load(cache_path)
    if cached.statistics.count != num_samples:
      raise ValueError(f"cache_path={cache_path!r}: holds {cached.statistics.count} samples, "
                       f"not num_samples={num_samples}; delete it or use another path.")
    return cached
  outputs = ClassifierOutputs.collect(real_images, classifier, num_samples)
  if cache_path:
    outputs.save(cache_path)
  return outputs


def generated_batches(generate, latent_dim, *, num_samples, batch_size, seed=0):
  """Batches of generated samples from fixed latents (stateless: comparable across calls)."""
  for start in range(0, num_samples, batch_size):
    count = min(batch_size, num_samples - start)
    z = tf.random.stateless_normal([count, latent_dim], seed=[seed, start])
    yield np.asarray(generate(z))


def _sampler(generator, latent_dim):
  """(z → samples, latent_dim) for a tfwgan GAN, an export, a Keras generator or a callable."""
  if hasattr(generator, "generate") and hasattr(generator, "latent_dim"):   # ExportedGenerator
    return generator.generate, generator.latent_dim
  if hasattr(generator, "generator") and hasattr(generator, "latent_dim"):  # tfwgan.GAN
    return (lambda z: generator.generator(z, training=False)), generator.latent_dim
  if latent_dim is None and hasattr(generator, "inputs"):                   # Keras model
    latent_dim = int(generator.inputs[0].shape[-1])
  if latent_dim is None:
    raise ValueError("latent_dim: required when the generator is a plain callable.")
  if hasattr(generator, "inputs"):
    return (lambda z: generator(z, training=False)), latent_dim
  return generator, latent_dim


def evaluate(generator, real_dataset, *, classifier=None, num_samples=10000, batch_size=100,
             cache_path=None, seed=0, latent_dim=None):
  """FID, KID and Inception score of a generator; exact EMD for flat (2-D toy) samples.

  Args:
    generator: a `tfwgan.GAN`, a `tfwgan.export.ExportedGenerator`, a Keras generator
      or a callable z → samples (then with `latent_dim`).
    real_dataset: an iterable of real batches (e.g. a batched tf.data.Dataset).
    classifier: images → (features, logits); see `tfwgan.evaluation.classifiers`.
      Not needed for flat samples, which get the exact EMD instead.
  """
  integer_at_least("num_samples", num_samples)
  integer_at_least("batch_size", batch_size)
  generate, latent_dim = _sampler(generator, latent_dim)
  real_images = (real_dataset.as_numpy_iterator() if isinstance(real_dataset, tf.data.Dataset)
                 else real_dataset)
  fake = generated_batches(generate, latent_dim, num_samples=num_samples,
                           batch_size=batch_size, seed=seed)
  first = next(iter(fake))
  if first.ndim == 2:
    generated = np.concatenate([first, *fake])[:num_samples]
    real = np.concatenate([np.asarray(b) for b in _take(real_images, num_samples)])
    return {"emd": emd(generated, real[:num_samples])}
  if classifier is None:
    raise ValueError("classifier: required for image samples (e.g. 'inception' or the "
                     "path of a classifier export).")
  real = real_outputs(real_images, classifier, num_samples=num_samples, cache_path=cache_path)
  return score(ClassifierOutputs.collect(_chain(first, fake), classifier, num_samples), real)


def score(fake, real):
  """FID, KID and IS of generated classifier outputs against real ones."""
  return {"fid": metrics.fid_from_statistics(fake.statistics, real.statistics),
          "kid": metrics.kid_from_activations(fake.features, real.features),
          "inception_score": metrics.inception_score_from_logits(fake.logits)}


def _chain(first, rest):
  yield first
  yield from rest


def _take(batches, num_samples):
  seen = 0
  for batch in batches:
    yield batch
    seen += len(batch)
    if seen >= num_samples:
      return


def write_json(results, path):
  files.write_json_atomically(path, results)
