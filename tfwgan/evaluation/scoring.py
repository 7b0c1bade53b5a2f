"""Generator-level evaluation against a real dataset, streamed in batches.

Images: FID, KID, IS, precision/recall, density/coverage (on the classifier's features) and,
when asked, the sliced Wasserstein distance (on the images). Images never pile up unless
SWD needs them: each batch is classified and dropped; only features (KID, the k-NN
metrics), logits (IS) and running mean/covariance (FID) are kept. Real-data outputs are
computed once per (dataset, classifier, size) and cached to disk.

2-D points: the exact EMD and precision/recall, density/coverage on the raw points.
"""


from absl import logging
import numpy as np
import tensorflow as tf

from tfwgan import files
from tfwgan import sampling
from tfwgan.evaluation import classifiers
from tfwgan.evaluation import metrics as metrics_lib
from tfwgan.evaluation import neighbours
from tfwgan.evaluation import swd
from tfwgan.evaluation.emd import emd
from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of

# Metric groups, as the launchers' --metrics/--eval_metrics flags name them.
IMAGE_METRICS = ("fid", "kid", "inception_score", "precision_recall", "density_coverage",
                 "swd")
POINT_METRICS = ("emd", "precision_recall", "density_coverage")
# Image metrics on the pixels themselves: they need no classifier (offline machines, data
# no classifier fits).
PIXEL_METRICS = ("swd",)
DEFAULT_IMAGE_METRICS = ("fid", "kid", "inception_score", "precision_recall",
                         "density_coverage")
DEFAULT_POINT_METRICS = POINT_METRICS
PRECISION_RECALL_K = 3   # Kynkäänniemi et al. 2019
CLASS_LATENTS = 1 << 30   # where class_batches' latent seeds start
DENSITY_COVERAGE_K = 5   # Naeem et al. 2020


def resolve_metrics(requested, *, points, name="metrics", logits=True):
  """The metric groups to compute: `requested` (None: the defaults) checked against those
  the data allows (`points`: 2-D samples) and the classifier gives (`logits`: False for a
  feature extractor such as DINOv2, which has no Inception score). Raises ValueError
  naming `name`."""
  allowed = POINT_METRICS if points else IMAGE_METRICS
  if requested is None:
    defaults = DEFAULT_POINT_METRICS if points else DEFAULT_IMAGE_METRICS
    return defaults if logits else tuple(m for m in defaults if m != "inception_score")
  requested = tuple(requested)
  if not logits and not points and "inception_score" in requested:
    raise ValueError(f"{name}: 'inception_score' needs a classifier's class logits; this "
                     "classifier (DINOv2) gives features only; leave it out.")
  kind = "2-D samples" if points else "images"
  for metric in requested:
    if metric not in allowed:
      raise ValueError(f"{name}: {metric!r} is not a metric for {kind}; allowed values are "
                       f"{list(allowed)}.")
  if not requested:
    raise ValueError(f"{name}: empty; allowed values are {list(allowed)}.")
  return tuple(dict.fromkeys(requested))


def needs_classifier(metrics):
  """Whether image `metrics` need a classifier's features (all but `PIXEL_METRICS`)."""
  return any(metric not in PIXEL_METRICS for metric in metrics)


def check_sample_count(metrics, num_samples, *, name="num_samples"):
  """Raises ValueError naming `name` when `num_samples` is too few for the k-NN metrics
  (each set needs more than k samples) or SWD (2) among `metrics`."""
  needs = {"precision_recall": PRECISION_RECALL_K + 1, "density_coverage": DENSITY_COVERAGE_K + 1,
           "swd": 2}
  needing = {metric: needs[metric] for metric in metrics if metric in needs}
  if needing and num_samples < max(needing.values()):
    raise ValueError(f"{name}={num_samples}: too few for the metrics {list(needing)}, which "
                     f"need at least {max(needing.values())} samples.")


class ClassifierOutputs:
  """Features, logits and feature statistics of a set of images (and the images, for SWD;
  the images' class labels, for a conditional generator's class scores)."""

  def __init__(self, features, logits, statistics, images=None, labels=None):
    self.features, self.logits, self.statistics = features, logits, statistics
    self.images, self.labels = images, labels

  @classmethod
  def collect(cls, image_batches, classifier, num_samples, *, keep_images=False):
    """Runs `classifier` over batches (of images, or (images, labels)) until `num_samples`
    images were seen."""
    features, logits, statistics, seen, kept = [], [], metrics_lib.Statistics(), 0, []
    labels = []
    for batch in image_batches:
      images = _samples(batch)[:num_samples - seen]
      if isinstance(batch, tuple):
        labels.append(np.asarray(batch[1])[:len(images)])
      if keep_images:
        kept.append(np.asarray(images, np.float32))
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
    return cls(np.concatenate(features), np.concatenate(logits), statistics,
               np.concatenate(kept) if keep_images else None,
               np.concatenate(labels) if labels else None)

  def save(self, path):
    """Writes an .npz atomically (temporary file, then rename)."""
    extra = {name: value for name, value in (("images", self.images), ("labels", self.labels))
             if value is not None}
    files.save_npz_atomically(path, features=self.features, logits=self.logits,
                              mean=self.statistics.mean,
                              covariance=self.statistics.covariance,
                              count=self.statistics.count, **extra)

  @classmethod
  def load(cls, path):
    data = files.load_npz(path)
    statistics = metrics_lib.Statistics.from_arrays(data["mean"], data["covariance"],
                                                           data["count"])
    return cls(data["features"], data["logits"], statistics, data.get("images"),
               data.get("labels"))


def real_outputs(real_images, classifier, *, num_samples, cache_path=None, keep_images=False):
  """Classifier outputs of `num_samples` real images, from `cache_path` when it holds them
  (with the images too when `keep_images`; a cache without them is rebuilt)."""
  if cache_path and files.gfile.exists(cache_path):
    cached = ClassifierOutputs.load(cache_path)
    if cached.statistics.count != num_samples:
      raise ValueError(f"cache_path={cache_path!r}: holds {cached.statistics.count} samples, "
                       f"not num_samples={num_samples}; delete it or use another path.")
    labelled = isinstance(real_images, LabelledBatches)
    if ((cached.images is not None or not keep_images)
        and (cached.labels is not None or not labelled)):
      return cached
  outputs = ClassifierOutputs.collect(real_images, classifier, num_samples,
                                      keep_images=keep_images)
  if cache_path:
    outputs.save(cache_path)
  return outputs


class LabelledBatches:
  """An iterable of (images, labels) batches: real data whose per-class scores are wanted."""

  def __init__(self, batches):
    self.batches = batches

  def __iter__(self):
    return iter(self.batches)


def generated_batches(generate, latent_dim, *, num_samples, batch_size, seed=0,
                      num_classes=None):
  """Batches of generated samples from fixed latents (stateless: comparable across calls);
  a conditional generator (`num_classes`) gets labels uniform over the classes, as the
  WGAN-GP authors' conditional Inception score draws them, and its batches are
  (samples, labels)."""
  for start in range(0, num_samples, batch_size):
    count = min(batch_size, num_samples - start)
    z = tf.random.stateless_normal([count, latent_dim], seed=[seed, start])
    if num_classes:
      labels = sampling.uniform_labels(count, num_classes, seed * 1_000_003 + start)
      yield np.asarray(generate(z, labels)), labels.numpy()
    else:
      yield np.asarray(generate(z))


def class_batches(generate, latent_dim, *, per_class, num_classes, batch_size, seed=0):
  """(samples, labels) batches of a conditional generator, `per_class` samples of every
  class in turn (intra-class FID's reference protocol), from fixed latents other than
  `generated_batches`' ones."""
  for label in range(num_classes):
    for start in range(0, per_class, batch_size):
      count = min(batch_size, per_class - start)
      z = tf.random.stateless_normal([count, latent_dim],
                                     seed=[seed, CLASS_LATENTS + label * per_class + start])
      labels = tf.fill([count], label)
      yield np.asarray(generate(z, labels)), labels.numpy()


def class_outputs(generate, latent_dim, classifier, *, num_samples, num_classes, batch_size,
                  seed=0):
  """`ClassifierOutputs` of `class_batches` at num_samples // num_classes per class."""
  per_class = num_samples // num_classes
  return ClassifierOutputs.collect(
      class_batches(generate, latent_dim, per_class=per_class, num_classes=num_classes,
                    batch_size=batch_size, seed=seed), classifier, per_class * num_classes)


def generators_to_score(model):
  """suffix → generator of a GAN (or a model-like object with `generator`): "" its sampling
  generator (the EMA one when it has one), and "_live" its live generator when there is
  an EMA (the suffix of the live scores)."""
  sampling_generator = getattr(model, "sampling_generator", None)
  networks = {"": sampling_generator() if sampling_generator else model.generator}
  if getattr(model, "generator_ema", None) is not None:
    networks["_live"] = model.generator
  return networks


def _samplers(generator, latent_dim, batch_norm, seed):
  """({name: z → samples}, latent_dim, num_classes) for a tfwgan GAN, an export, a Keras
  generator or a callable. A GAN gives its sampling generator (the EMA one when enabled)
  as "" and, with an EMA, its live generator as "_live" (the suffix of the live scores).
  num_classes: a conditional GAN's or export's, else None."""
  if hasattr(generator, "generate") and hasattr(generator, "latent_dim"):   # ExportedGenerator
    return ({"": generator.sampler(batch_norm, seed=seed)}, generator.latent_dim,
            generator.num_classes)
  if hasattr(generator, "sampling_generator") and hasattr(generator, "latent_dim"):  # tfwgan.GAN
    return ({suffix: sampling.Sampler(network, batch_norm or "moving",
                                      latent_dim=generator.latent_dim, seed=seed,
                                      num_classes=generator.num_classes)
             for suffix, network in generators_to_score(generator).items()},
            generator.latent_dim, generator.num_classes)
  if latent_dim is None and hasattr(generator, "inputs"):                   # Keras model
    latent_dim = int(generator.inputs[0].shape[-1])
  if latent_dim is None:
    raise ValueError("latent_dim: required when the generator is a plain callable.")
  return {"": sampling.Sampler(generator, batch_norm or "moving", latent_dim=latent_dim,
                               seed=seed)}, latent_dim, None


def evaluate(generator, real_dataset, *, classifier=None, num_samples=10000, batch_size=100,
             cache_path=None, seed=0, latent_dim=None, metrics=None, batch_norm=None,
             inception_score_splits=metrics_lib.INCEPTION_SCORE_SPLITS,
             too_few_per_class="raise"):
  """Scores of a generator against real data (see `IMAGE_METRICS`, `POINT_METRICS`).

  Args:
    generator: a `tfwgan.GAN` (its EMA generator when it has one; the live generator's
      scores then come as `<metric>_live`), a `tfwgan.export.ExportedGenerator`, a Keras
      generator or a callable z → samples (then with `latent_dim`).
    real_dataset: an iterable of real batches (e.g. a batched tf.data.Dataset), or the
      real images' `ClassifierOutputs` computed before (`real_outputs`).
    classifier: images → (features, logits); see `tfwgan.evaluation.classifiers`.
      Not needed for flat samples, which are compared as raw points.
    metrics: metric groups; None: `DEFAULT_IMAGE_METRICS` or
      `DEFAULT_POINT_METRICS` by the kind of samples.
    batch_norm: how the generator's batch norm samples (`tfwgan.sampling`): 'moving',
      'batch' or 'standing'; None: 'moving', or an export's own mode.
    inception_score_splits: the Inception score's splits (mean and std over them).
    too_few_per_class: a conditional generator's intra-class FID when a class has too few
      samples: 'raise' (a ValueError naming the class) or 'skip' (left out, one log line).
  """
  integer_at_least("num_samples", num_samples)
  integer_at_least("batch_size", batch_size)
  if batch_norm is not None:
    one_of("batch_norm", batch_norm, sampling.BATCH_NORM_MODES)
  samplers, latent_dim, num_classes = _samplers(generator, latent_dim, batch_norm, seed)
  real_images = (real_dataset.as_numpy_iterator() if isinstance(real_dataset, tf.data.Dataset)
                 else real_dataset)
  batches = lambda generate: generated_batches(generate, latent_dim, num_samples=num_samples,
                                               batch_size=batch_size, seed=seed,
                                               num_classes=num_classes)
  first = next(iter(batches(samplers[""])))
  first = first[0] if isinstance(first, tuple) else first
  chosen = resolve_metrics(metrics, points=first.ndim == 2,
                           logits=getattr(classifier, "has_logits", True))
  check_sample_count(chosen, num_samples)
  results = {}
  if first.ndim == 2:
    real = np.concatenate([_samples(b) for b in _take(real_images, num_samples)])
    for suffix, generate in samplers.items():
      generated = np.concatenate([_samples(batch) for batch in batches(generate)])[:num_samples]
      scores = score_points(generated=generated, real=real[:num_samples], metrics=chosen)
      results.update({f"{name}{suffix}": value for name, value in scores.items()})
    return results
  classifier, real = _classifier_and_real(classifier, real_dataset, real_images, chosen,
                                          num_samples=num_samples, cache_path=cache_path)
  keep_images = "swd" in chosen
  for suffix, generate in samplers.items():
    generated = ClassifierOutputs.collect(batches(generate), classifier, num_samples,
                                          keep_images=keep_images)
    per_class = (class_outputs(generate, latent_dim, classifier, num_samples=num_samples,
                               num_classes=num_classes, batch_size=batch_size, seed=seed)
                 if num_classes and real.labels is not None else None)
    scores = score(generated=generated, real=real, metrics=chosen, per_class=per_class,
                   inception_score_splits=inception_score_splits, num_classes=num_classes,
                   too_few_per_class=too_few_per_class,
                   class_names=getattr(generator, "class_names", None))
    results.update({f"{name}{suffix}": value for name, value in scores.items()})
  return results


def _classifier_and_real(classifier, real_dataset, real_images, metrics, *, num_samples,
                         cache_path):
  """(the classifier, pixels_only for pixel metrics; the real images' outputs)."""
  if classifier is None and not needs_classifier(metrics):
    classifier = classifiers.pixels_only
  if classifier is None:
    raise ValueError("classifier: required for image samples (e.g. 'inception' or the "
                     "path of a classifier export), except for pixel metrics "
                     f"{list(PIXEL_METRICS)}.")
  real = (real_dataset if isinstance(real_dataset, ClassifierOutputs) else
          real_outputs(real_images, classifier, num_samples=num_samples, cache_path=cache_path,
                       keep_images="swd" in metrics))
  return classifier, real


def evaluate_samples(samples, real_dataset, *, classifier=None, num_samples, batch_size=100,
                     cache_path=None, metrics=None,
                     inception_score_splits=metrics_lib.INCEPTION_SCORE_SPLITS):
  """Scores of samples made elsewhere (e.g. another library's), an array [n, …] in
  [−1, 1], against real data: the first `num_samples` of them, scored exactly as
  `evaluate` scores a generator's (same real outputs, classifier, metrics)."""
  integer_at_least("num_samples", num_samples)
  samples = np.asarray(samples, np.float32)
  if len(samples) < num_samples:
    raise ValueError(f"num_samples={num_samples}: more than the {len(samples)} samples given.")
  samples = samples[:num_samples]
  chosen = resolve_metrics(metrics, points=samples.ndim == 2,
                           logits=getattr(classifier, "has_logits", True))
  check_sample_count(chosen, num_samples)
  real_images = (real_dataset.as_numpy_iterator() if isinstance(real_dataset, tf.data.Dataset)
                 else real_dataset)
  if samples.ndim == 2:
    real = np.concatenate([_samples(b) for b in _take(real_images, num_samples)])
    return score_points(generated=samples, real=real[:num_samples], metrics=chosen)
  classifier, real = _classifier_and_real(classifier, real_dataset, real_images, chosen,
                                          num_samples=num_samples, cache_path=cache_path)
  generated = ClassifierOutputs.collect(_batched(samples, batch_size), classifier, num_samples,
                                        keep_images="swd" in chosen)
  return score(generated=generated, real=real, metrics=chosen,
               inception_score_splits=inception_score_splits)


def noise_floor(real_batches, *, classifier=None, num_samples, metrics=None,
                inception_score_splits=metrics_lib.INCEPTION_SCORE_SPLITS):
  """The scores of one real set against another, disjoint one, both of `num_samples`:
  what a perfect generator would score at this sample count. The first `num_samples`
  real samples play the generated set, the next `num_samples` the real one.
  `metrics`: as in `evaluate` (the Inception score and SWD are left out: they are not
  distances between the sets, or are random)."""
  integer_at_least("num_samples", num_samples)
  batches = list(_take((_samples(batch) for batch in real_batches), 2 * num_samples))
  samples = np.concatenate(batches) if batches else np.zeros([0])
  if len(samples) < 2 * num_samples:
    raise ValueError(f"num_samples={num_samples}: the noise floor needs two disjoint real "
                     f"sets, {2 * num_samples} samples; the data has {len(samples)}.")
  first, second = samples[:num_samples], samples[num_samples:2 * num_samples]
  points = samples.ndim == 2
  chosen = tuple(metric for metric in resolve_metrics(metrics, points=points)
                 if metric not in ("inception_score", "swd"))
  check_sample_count(chosen, num_samples)
  if points:
    return score_points(generated=first, real=second, metrics=chosen)
  if classifier is None:
    raise ValueError("classifier: required for image samples.")
  outputs = [ClassifierOutputs.collect(_batched(part, 100), classifier, num_samples)
             for part in (first, second)]
  return score(generated=outputs[0], real=outputs[1], metrics=chosen,
               inception_score_splits=inception_score_splits)


def _batched(array, size):
  for start in range(0, len(array), size):
    yield array[start:start + size]


def score(*, generated, real, metrics=DEFAULT_IMAGE_METRICS,
          inception_score_splits=metrics_lib.INCEPTION_SCORE_SPLITS, num_classes=None,
          per_class=None, too_few_per_class="raise", class_names=None):
  """The chosen image metrics of generated `ClassifierOutputs` against real ones.

  Keys: fid, kid (and kid_std, over `metrics.kid_plan`'s subsets), inception_score and
  inception_score_std (over `inception_score_splits`
  splits), precision, recall, density, coverage, swd/<resolution> (real to generated,
  per pyramid level); for a conditional generator's labelled samples (`num_classes`),
  class_accuracy and, from `per_class` (`class_outputs`), intra_class_fid
  (`class_scores`; `too_few_per_class` as there).
  """
  results = {}
  if "fid" in metrics:
    dimensions = (len(generated.statistics.mean), len(real.statistics.mean))
    if dimensions[0] != dimensions[1]:
      raise ValueError(f"real statistics: of {dimensions[1]} features, but the classifier "
                       f"gives the samples {dimensions[0]}; both must come from the same "
                       "classifier and feature layer.")
    results["fid"] = metrics_lib.fid_from_statistics(generated.statistics,
                                                            real.statistics)
  if "kid" in metrics:   # torch-fidelity's protocol: mean ± std over random subsets
    kid = metrics_lib.kid_over_subsets(generated.features, real.features)
    results["kid"] = kid.mean
    if kid.std is not None:
      results["kid_std"] = kid.std
  if "inception_score" in metrics:
    inception = metrics_lib.inception_score_from_logits(generated.logits,
                                                        splits=inception_score_splits)
    results["inception_score"], results["inception_score_std"] = inception.mean, inception.std
  results.update(_neighbour_results(real.features, generated.features, metrics))
  if "swd" in metrics:
    levels = swd.sliced_wasserstein_distance(real_images=real.images,
                                             generated_images=generated.images)
    results.update({f"swd/{resolution}": level.real_to_generated
                    for resolution, level in levels.items()})
  results.update(class_scores(generated, real, num_classes, per_class=per_class,
                              too_few=too_few_per_class, class_names=class_names))
  return results


def class_scores(generated, real, num_classes, *, per_class=None, too_few="raise",
                 class_names=None):
  """A conditional generator's class scores, where its samples carry labels:
  class_accuracy (the classifier's argmax against the labels; only where the classifier
  has exactly `num_classes` outputs, e.g. the shipped MNIST classifier on digits, not
  Inception's 1,008 ImageNet classes) and, with labelled real data and `per_class`
  outputs (the same count of every class), intra_class_fid: the mean of the per-class
  FIDs (`metrics.intra_class_fid`), their std over the classes (intra_class_fid_std) and
  each (intra_class_fid/<class>). A class with too few samples raises (`too_few`='raise',
  evaluate.py) or leaves these out with one logged line ('skip', training)."""
  if generated.labels is None or not num_classes:
    return {}
  results = {}
  if generated.logits.shape[1] == num_classes:
    results["class_accuracy"] = metrics_lib.class_accuracy(generated.logits, generated.labels)
  if real.labels is None or per_class is None:
    return results
  one_of("too_few", too_few, ("raise", "skip"))
  try:
    distances = metrics_lib.intra_class_fid(per_class.features, per_class.labels,
                                            real.features, real.labels, num_classes,
                                            class_names=class_names)
  except ValueError as error:
    if too_few == "raise":
      raise
    logging.warning("%s This evaluation leaves it out.", error)
    return results
  results["intra_class_fid"] = float(np.mean(distances))
  results["intra_class_fid_std"] = float(np.std(distances))
  results.update({f"intra_class_fid/{label}": value for label, value in enumerate(distances)})
  return results


def score_points(*, generated, real, metrics=DEFAULT_POINT_METRICS):
  """The chosen metrics of generated flat samples against real ones, on the raw points."""
  results = {"emd": emd(generated, real)} if "emd" in metrics else {}
  results.update(_neighbour_results(real, generated, metrics))
  return results


def _neighbour_results(real_features, generated_features, metrics):
  with_pr = "precision_recall" in metrics
  with_dc = "density_coverage" in metrics
  if not (with_pr or with_dc):
    return {}
  return neighbours.neighbour_scores(
      real_features=real_features, generated_features=generated_features,
      precision_recall_k=PRECISION_RECALL_K if with_pr else None,
      density_coverage_k=DENSITY_COVERAGE_K if with_dc else None)


def _samples(batch):
  """The samples of a batch of samples or of (samples, labels)."""
  return np.asarray(batch[0] if isinstance(batch, tuple) else batch)


def _take(batches, num_samples):
  seen = 0
  for batch in batches:
    yield batch
    seen += len(_samples(batch))
    if seen >= num_samples:
      return


def protocol(*, num_samples, real_split, classifier, classifier_sha256, generator, batch_norm,
             inception_score_splits, metrics, seed, real_available=None, resize=None,
             classifier_training=None, num_classes=None, feature_extractor=None):
  """How scores were taken, to record next to them: sample counts (and how many of the
  real ones are distinct, when the real set has only `real_available`: the pipeline
  repeats it), the real set, the classifier (None for raw points) and its weights'
  SHA-256, which generator ('ema', 'live' or 'unknown'), the batch-norm mode, the
  Inception score's splits, the metrics, the seed, the resize to the classifier's input
  (`tfwgan.evaluation.resize`; None for raw points), KID's subsets, and for a classifier
  made by train_classifier.py what it was trained on and its held-out accuracy
  (`domain_classifier.stamp`; None for Inception and other classifiers); for a
  conditional generator (`num_classes`), intra-class FID's generated samples per class and
  its floor (each class against every sample of its class in the real set); for a
  pretrained feature extractor (DINOv2), its backbone, preset, input and token."""
  distinct = num_samples if real_available is None else min(num_samples, real_available)
  extra = {}
  if "kid" in metrics:
    extra["kid_subsets"], extra["kid_subset_size"] = metrics_lib.kid_plan(num_samples, num_samples)
  if feature_extractor and classifier is not None:
    extra["feature_extractor"] = feature_extractor
  if num_classes and classifier is not None:
    extra["intra_class_generated_per_class"] = num_samples // num_classes
    extra["intra_class_min_samples"] = metrics_lib.MIN_CLASS_SAMPLES
  return {**extra, "generated_samples": num_samples, "real_samples": num_samples,
          "real_distinct_samples": distinct,
          "real_split": real_split, "classifier": classifier,
          "classifier_sha256": classifier_sha256 if classifier is not None else None,
          "generator": generator, "batch_norm": batch_norm,
          "inception_score_splits": inception_score_splits, "metrics": list(metrics),
          "seed": seed, "resize": resize if classifier is not None else None,
          "classifier_training": classifier_training if classifier is not None else None}


def write_json(results, path):
  files.write_json_atomically(path, results)
