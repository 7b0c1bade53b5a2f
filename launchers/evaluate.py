r"""Scores of an exported generator against real data.

Images: FID, KID, Inception score, precision/recall, density/coverage and, when asked, the
sliced Wasserstein distance. 2-D data: exact EMD, precision/recall, density/coverage on the
raw points.

  python launchers/evaluate.py --export_dir=saved_models/toy_wgan_lp_rwp
  python launchers/evaluate.py --export_dir=saved_models/my_mnist_run \
      --classifier=saved_models/mnist_classifier --num_samples=5000 \
      --metrics=fid,precision_recall,density_coverage,swd

The data, classifier and their settings default to the run's own, read from the export's
metadata.json: an export alone is enough. Prints the results and writes them as JSON
(--output_json; default a new file in <run logdir>/evaluations/ or
<tmp>/tfwgan/evaluations/<run name>/: never inside the export or the repository, never over
an earlier result).
"""

import json
import os
import sys

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags

flags.DEFINE_string("export_dir", "saved_models/toy_wgan_lp_rwp", "A tfwgan generator export.")
flags.DEFINE_string("samples", None, "Score samples made elsewhere instead of an export: a "
                    "folder of image files or an .npz array (uint8 pixels, or floats in "
                    "[−1, 1]), against --dataset (required) with the same protocol; images "
                    "are read at the real data's size and channels.")
# Unset, the data and classifier flags take the run's own settings from the export's
# metadata.json (its `config`), so an export alone is enough to evaluate it.
flags.DEFINE_string("dataset", None, "Real data (default: the export's own dataset).")
flags.DEFINE_string("data_dir", None, "tfds data_dir, image folder or .npz file (default: "
                    "the run's, when --dataset is the run's).")
flags.DEFINE_bool("download", False, "Let tfds download the data.")
flags.DEFINE_integer("image_size", None, "Image size for --dataset=folder (default: the run's).")
flags.DEFINE_integer("channels", None, "Channels for --dataset=folder (default: the run's, "
                     "else 3).")
flags.DEFINE_string("classifier", None, "'inception', 'dinov2', a local Inception module, or a "
                    "classifier export such as saved_models/mnist_classifier (default: the "
                    "run's, else 'inception').")
flags.DEFINE_string("inception_path", None, "Local copy of TF-GAN's Inception module (offline "
                    "machines; the README's 'Offline machines' says how to make one); "
                    "default: the run's, else the TF-Hub handle.")
flags.DEFINE_string("dinov2_path", None, "Local keras-hub DINOV2Backbone preset directory for "
                    "--classifier=dinov2 (offline machines); default: the run's, else "
                    "keras-hub's dinov2_large.")
flags.DEFINE_string("feature_layer", None, "Classifier layer (Keras) or output (SavedModel) "
                    "whose activations FID/KID use (default: the run's, else 'features').")
flags.DEFINE_string("logits_layer", "logits", "Classifier layer/output holding the logits.")
flags.DEFINE_integer("num_samples", None, "Generated and real samples compared (default: "
                     "the run's final-evaluation count from the export's metadata, else "
                     "10000); at most the real set's distinct samples.", lower_bound=2)
flags.DEFINE_enum("resize", None, ("bilinear", "clean"), "How Inception resizes the samples "
                  "to 299×299: bilinear, or clean (clean-fid's PIL bicubic on float images); "
                  "default: the run's --eval_resize, else bilinear. Part of the protocol.")
flags.DEFINE_integer("batch_size", 100, "Images per classifier call.", lower_bound=1)
flags.DEFINE_string("cache_path", None, "Cache file for the real data's classifier outputs "
                    "(default: the run's own cache, which its training and final evaluation "
                    "wrote, when the data, classifier, feature layer and resize are the run's).")
flags.DEFINE_string("reference_statistics", None, "An .npz of the real set's feature mean and "
                    "covariance (arrays mu and sigma, TTUR/pytorch-fid's layout, e.g. published "
                    "statistics, or --write_statistics'): FID against them instead of reading "
                    "the real data (so --metrics=fid, and inception_score); they must come from "
                    "the same classifier and feature layer.")
flags.DEFINE_string("write_statistics", None, "Also write the real set's feature mean and "
                    "covariance as an .npz (mu, sigma, count and the protocol) for "
                    "--reference_statistics.")
flags.DEFINE_string("output_json", None, "Where the results are written (default: "
                    "<the run's logdir>/evaluations/ when the export is in its logdir, else "
                    "<tmp>/tfwgan/evaluations/<run name>/; a new file for every evaluation).")
flags.DEFINE_list("metrics", None, "What to compute. Images: fid, kid, inception_score, "
                  "precision_recall, density_coverage, swd (default: all but swd). 2-D data: "
                  "emd, precision_recall, density_coverage (default: all).")
flags.DEFINE_integer("seed", 0, "Seed of the latents and of the real toy samples.", lower_bound=0)
flags.DEFINE_enum("eval_split", None, ("train", "test"), "tfds split of the real samples "
                  "(default: the run's, from the export's metadata; else train).")
flags.DEFINE_enum("batch_norm", None, ("moving", "batch", "standing"), "How the generator's "
                  "batch norm samples (default: the export's own mode).")
flags.DEFINE_integer("inception_score_splits", 10, "Splits of the Inception score.",
                     lower_bound=1)
flags.DEFINE_bool("noise_floor", False, "Also score two disjoint real sets of --num_samples "
                  "each against each other (what a perfect generator scores), next to the "
                  "generator's scores.")
FLAGS = flags.FLAGS
DEFAULT_NUM_SAMPLES = 10_000
REFERENCE_METRICS = {"fid", "inception_score"}   # what μ, Σ (and the samples alone) give


def run_settings(generator):
  """The evaluation's data and classifier settings: each flag that is set, else the run's
  own (the export's metadata.json), else the launcher's default. The run's data path,
  image size and channels apply only to the run's own dataset, its feature layer and
  Inception path only to its own classifier."""
  run = generator.metadata.get("config") or {}
  dataset = FLAGS.dataset or generator.metadata.get("dataset")
  same_data = dataset == run.get("dataset", generator.metadata.get("dataset"))

  def pick(name, default, *, data_field=False):
    if FLAGS[name].value is not None:
      return FLAGS[name].value
    if data_field and not same_data:
      return default
    value = run.get(name)
    return default if value is None else value

  classifier = pick("classifier", "inception")
  runs_classifier = classifier == run.get("classifier", "inception")

  def pick_for_classifier(name, default):   # the run's, only for the run's own classifier
    if FLAGS[name].value is not None or not runs_classifier:
      return default if FLAGS[name].value is None else FLAGS[name].value
    return pick(name, default)

  return dict(dataset=dataset, data_dir=pick("data_dir", None, data_field=True),
              num_samples=FLAGS.num_samples or run.get("final_eval_samples") or
              DEFAULT_NUM_SAMPLES,
              resize=FLAGS.resize or (run.get("eval_resize", "bilinear") if runs_classifier
                                      else "bilinear"),
              image_size=pick("image_size", None, data_field=True),
              channels=pick("channels", 3, data_field=True),
              split=FLAGS.eval_split or (run.get("eval_split", "train") if same_data
                                         else "train"),
              classifier=classifier,
              inception_path=pick_for_classifier("inception_path", None),
              dinov2_path=pick_for_classifier("dinov2_path", None),
              feature_layer=pick_for_classifier("feature_layer", "features"))


def check_data(settings, sample_shape):
  """One-line ValueErrors for data that is missing or does not match the samples."""
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  if settings["dataset"] not in data.DATASETS:
    raise ValueError(f"dataset={settings['dataset']!r}: allowed values are "
                     f"{list(data.DATASETS)}.")
  config_lib.RunConfig(dataset=settings["dataset"], data_dir=settings["data_dir"],
                       image_size=settings["image_size"], channels=settings["channels"],
                       eval_split=settings["split"]).check_data_source()
  real_shape = tuple(data.sample_shape(settings["dataset"], data_dir=settings["data_dir"],
                                       image_size=settings["image_size"],
                                       channels=settings["channels"]))
  if sample_shape is not None and real_shape != tuple(sample_shape):
    raise ValueError(f"dataset={settings['dataset']!r}: its samples have shape {real_shape}, "
                     f"the export's {tuple(sample_shape)}; pass the run's data (--data_dir, "
                     "--image_size, --channels) or leave them to the export's metadata.json.")


def main(argv):
  if len(argv) > 1:
    sys.exit(f"evaluate.py: error: unexpected arguments {argv[1:]}")
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import export  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import classifiers, domain_classifier, scoring  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import metrics as metrics_lib  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import reference_statistics  # pylint: disable=g-import-not-at-top
  try:
    if FLAGS.samples and FLAGS["export_dir"].present:
      raise ValueError(f"samples={FLAGS.samples!r}: scores these samples instead of an "
                       "export; leave --export_dir out.")
    if FLAGS.samples and not FLAGS.dataset:
      raise ValueError(f"dataset: required with --samples (the real data the samples are "
                       f"scored against), one of {list(data.DATASETS)}.")
    generator = (SamplesMadeElsewhere() if FLAGS.samples else
                 export.ExportedGenerator(FLAGS.export_dir))
    settings = run_settings(generator)
    dataset, split = settings["dataset"], settings["split"]
    sample_shape = generator.metadata.get("sample_shape")
    check_data(settings, sample_shape)
    if FLAGS.samples:
      generator.load(settings)
      sample_shape = generator.metadata["sample_shape"]
      if not FLAGS.num_samples:   # all of them, or as many as the distinct real ones
        settings["num_samples"] = min(len(generator.samples), data.sample_count(
            dataset, data_dir=settings["data_dir"], split=split) or len(generator.samples))
    toy = dataset in data.TOY_DATASETS
    reference = None
    if FLAGS.reference_statistics:
      if toy or FLAGS.write_statistics or FLAGS.noise_floor:
        raise ValueError(f"reference_statistics={FLAGS.reference_statistics!r}: replaces "
                         "the real images of an image set; not with 2-D data, "
                         "--write_statistics or --noise_floor.")
      reference = reference_statistics.load(FLAGS.reference_statistics)
    metrics = scoring.resolve_metrics(FLAGS.metrics or (["fid"] if reference else None),
                                      points=toy, logits=settings["classifier"] != "dinov2")
    if reference and not set(metrics) <= REFERENCE_METRICS:
      raise ValueError(f"metrics={metrics}: with --reference_statistics (μ and Σ only) "
                       f"allowed are {sorted(REFERENCE_METRICS)}.")
    num_samples = settings["num_samples"]
    scoring.check_sample_count(metrics, num_samples)
    available = data.sample_count(dataset, data_dir=settings["data_dir"], split=split)
    if not toy and not reference and available is not None and available < num_samples:
      raise ValueError(f"num_samples={num_samples}: more than the {available} distinct real "
                       f"samples ({dataset}, {data.real_set_name(dataset, split)}; they would "
                       f"repeat); pass --num_samples={available} or fewer.")
    if FLAGS.noise_floor and available is not None and available < 2 * num_samples:
      raise ValueError(f"num_samples={num_samples}: --noise_floor needs two disjoint "
                       f"real sets, {2 * num_samples} samples; {dataset} has "
                       f"{available}.")
    pixels = not toy and not scoring.needs_classifier(metrics)   # SWD: no classifier
    classifier = (None if toy else classifiers.pixels_only if pixels else
                  classifiers.load_checked(
        settings["classifier"], feature_layer=settings["feature_layer"],
        logits_layer=FLAGS.logits_layer, inception_path=settings["inception_path"],
        dinov2_path=settings["dinov2_path"],
        sample_shape=sample_shape, resize=settings["resize"]))
    labelled = bool(generator.num_classes)   # a conditional export: per-class scores
    if labelled and not toy and not pixels and not reference and (
        num_samples // generator.num_classes < metrics_lib.MIN_CLASS_SAMPLES):
      raise ValueError(f"num_samples={num_samples}: intra-class FID scores num_samples // "
                       f"{generator.num_classes} classes = "
                       f"{num_samples // generator.num_classes} generated samples per class; "
                       f"it needs at least {metrics_lib.MIN_CLASS_SAMPLES} "
                       f"(--num_samples={metrics_lib.MIN_CLASS_SAMPLES * generator.num_classes}"
                       " or more).")
    real_batches = lambda count: data.evaluation_batches(
        dataset, num_samples=count, batch_size=FLAGS.batch_size, seed=FLAGS.seed,
        data_dir=settings["data_dir"], download=FLAGS.download,
        image_size=settings["image_size"], channels=settings["channels"], split=split,
        labels=labelled)
    real = (scoring.ClassifierOutputs(None, None, reference[0]) if reference else
            real_batches(num_samples))   # opens the data: unprepared tfds data fails here
    output = FLAGS.output_json or default_output(generator, num_samples)
    from tfwgan import files  # pylint: disable=g-import-not-at-top
    files.check_writable(os.path.dirname(files.absolute(output)), name="output_json")
    for name in ("cache_path", "write_statistics"):
      if FLAGS[name].value:
        files.check_writable(os.path.dirname(files.absolute(FLAGS[name].value)), name=name)
  except ValueError as error:
    sys.exit(f"evaluate.py: error: --{error}")
  if labelled and not reference:
    real = scoring.LabelledBatches(real)
  cache_path = FLAGS.cache_path or (None if toy or pixels or reference else
                                    run_cache_path(generator, settings, num_samples))
  if FLAGS.write_statistics:   # the real outputs once, for the scores and the file
    real = scoring.real_outputs(real, classifier, num_samples=num_samples,
                                cache_path=cache_path, keep_images="swd" in metrics)
  try:
    if FLAGS.samples:
      results = scoring.evaluate_samples(
          generator.samples, real, classifier=classifier, num_samples=num_samples,
          batch_size=FLAGS.batch_size, cache_path=cache_path, metrics=metrics,
          inception_score_splits=FLAGS.inception_score_splits)
    else:
      results = scoring.evaluate(generator, real, classifier=classifier,
                                 num_samples=num_samples, batch_size=FLAGS.batch_size,
                                 cache_path=cache_path, seed=FLAGS.seed, metrics=metrics,
                                 batch_norm=FLAGS.batch_norm,
                                 inception_score_splits=FLAGS.inception_score_splits)
  except ValueError as error:   # a class with too few samples, statistics that do not fit
    if not str(error).startswith(("intra-class FID", "real statistics")):
      raise
    sys.exit(f"evaluate.py: error: {error}"
             + (f" (--reference_statistics={FLAGS.reference_statistics})" if reference else ""))
  if FLAGS.noise_floor:
    floor = scoring.noise_floor(real_batches(2 * num_samples), classifier=classifier,
                                num_samples=num_samples, metrics=metrics)
    results.update({f"noise_floor/{name}": value for name, value in floor.items()})
  config = generator.metadata.get("config", {})
  results["protocol"] = scoring.protocol(
      num_samples=num_samples, real_split=data.real_set_name(dataset, split),
      classifier=None if toy or pixels else settings["classifier"],
      classifier_sha256=None if toy or pixels else classifiers.weights_sha256(
          settings["classifier"], inception_path=settings["inception_path"],
          dinov2_path=settings["dinov2_path"]),
      generator=("samples" if FLAGS.samples else "unknown" if not config else
                 "ema" if config.get("ema_decay") is not None else "live"),
      real_available=available,
      batch_norm=FLAGS.batch_norm or generator.batch_norm,
      inception_score_splits=FLAGS.inception_score_splits, metrics=metrics, seed=FLAGS.seed,
      resize=None if toy or pixels else settings["resize"],
      classifier_training=None if toy or pixels else domain_classifier.stamp(
          settings["classifier"]), num_classes=generator.num_classes,
      feature_extractor=classifiers.feature_extractor(settings["classifier"],
                                                      dinov2_path=settings["dinov2_path"]))
  if reference:   # the real set is the statistics file's
    record = {key: value for key, value in reference[1].items() if key != "protocol"}
    results["protocol"].update(reference_statistics={**record, "path": os.path.abspath(
        record["path"])}, real_samples=record["count"], real_distinct_samples=record["count"],
                               real_split="reference statistics")
  if FLAGS.write_statistics:
    reference_statistics.save(FLAGS.write_statistics, real.statistics, protocol={
        **{key: results["protocol"][key] for key in (
            "real_samples", "real_split", "classifier", "classifier_sha256", "resize")},
        "dataset": dataset, "data_dir": settings["data_dir"],
        "feature_layer": settings["feature_layer"]})
    results["statistics_written"] = os.path.abspath(FLAGS.write_statistics)
  if FLAGS.samples:   # which samples, exactly: their path and the hash of what was scored
    results["protocol"].update(samples=os.path.abspath(FLAGS.samples),
                               samples_sha256=generator.sha256(num_samples))
    results.update(samples=os.path.abspath(FLAGS.samples), dataset=dataset)
  else:
    results.update(export_dir=os.path.abspath(FLAGS.export_dir), dataset=dataset)
  scoring.write_json(results, output)
  print(json.dumps(results, indent=2, sort_keys=True))
  print(f"wrote {output}")


# The settings that make the real outputs; where all are the run's, its cache is reused.
CACHE_SETTINGS = ("dataset", "data_dir", "image_size", "channels", "classifier",
                  "inception_path", "dinov2_path", "feature_layer")


def run_cache_path(generator, settings, num_samples):
  """The run's own file of real classifier outputs at `num_samples` (the one its training
  and final evaluation use: `training.real_outputs_cache_name`) when this evaluation takes
  them as the run did; None otherwise, or when the export records no usable config."""
  import dataclasses  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  run = generator.metadata.get("config") or {}
  mine = {**{name: settings[name] for name in CACHE_SETTINGS}, "eval_split": settings["split"],
          "eval_resize": settings["resize"]}
  if not run or any(run.get(name) != value for name, value in mine.items()):
    return None
  fields = {field.name for field in dataclasses.fields(config_lib.RunConfig)}
  try:
    config = config_lib.RunConfig(**{name: tuple(value) if isinstance(value, list) else value
                                     for name, value in run.items() if name in fields})
  except (TypeError, ValueError):   # an older export's config: no shared cache
    return None
  return os.path.join(config.resolved_eval_cache_dir,
                      training.real_outputs_cache_name(config, num_samples))


class SamplesMadeElsewhere:
  """--samples in the place of an export: no metadata (the flags give the data and the
  classifier), the samples read at the real data's shape by `load`."""

  def __init__(self):
    self.metadata, self.num_classes, self.batch_norm, self.samples = {}, None, None, None

  def load(self, settings):
    from tfwgan import data  # pylint: disable=g-import-not-at-top
    from tfwgan.evaluation import sample_files  # pylint: disable=g-import-not-at-top
    shape = tuple(data.sample_shape(settings["dataset"], data_dir=settings["data_dir"],
                                    image_size=settings["image_size"],
                                    channels=settings["channels"]))
    self.samples = sample_files.load(FLAGS.samples, image_size=shape[0],
                                     channels=shape[-1] if len(shape) == 3 else None)
    if tuple(self.samples.shape[1:]) != shape:
      raise ValueError(f"samples={FLAGS.samples!r}: of shape {tuple(self.samples.shape[1:])}, "
                       f"the real data's {shape}.")
    self.metadata = {"sample_shape": list(shape)}

  def sha256(self, count):
    from tfwgan.evaluation import sample_files  # pylint: disable=g-import-not-at-top
    return sample_files.sha256(self.samples[:count])


def default_output(generator, num_samples):
  """A new JSON file per evaluation, in the run's own results directory."""
  from tfwgan import export, files  # pylint: disable=g-import-not-at-top
  step = generator.metadata.get("step")
  source = FLAGS.samples or FLAGS.export_dir
  stem = (os.path.basename(os.path.normpath(source))
          + ("" if step is None else f"-step{step}") + f"-{num_samples}samples")
  directory = export.results_directory(source, "evaluations", generator.metadata)
  return files.unused_names(directory, [stem], ".json")[0]


if __name__ == "__main__":
  app.run(main)
