r"""Scores of an exported generator against real data.

Images: FID, KID, Inception score, precision/recall, density/coverage and, when asked, the
sliced Wasserstein distance. 2-D data: exact EMD, precision/recall, density/coverage on the
raw points.

  python launchers/evaluate.py --export_dir=saved_models/toy_wgan_lp_rwp
  python launchers/evaluate.py --export_dir=saved_models/my_mnist_run \
      --classifier=saved_models/mnist_classifier --num_samples=5000 \
      --metrics=fid,precision_recall,density_coverage,swd

Prints the results and writes them as JSON (--output_json, default
<tmp>/tfwgan/evaluations/<export name>.json: never inside the export or the repository).
"""

import json
import os
import sys
import tempfile

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags

flags.DEFINE_string("export_dir", "saved_models/toy_wgan_lp_rwp", "A tfwgan generator export.")
flags.DEFINE_string("dataset", None, "Real data (default: the export's own dataset).")
flags.DEFINE_string("data_dir", None, "tfds data_dir, image folder or .npz file.")
flags.DEFINE_bool("download", False, "Let tfds download the data.")
flags.DEFINE_integer("image_size", None, "Image size for --dataset=folder.")
flags.DEFINE_integer("channels", 3, "Channels for --dataset=folder.")
flags.DEFINE_string("classifier", "inception", "'inception', a local Inception module, or a "
                    "classifier export (saved_models/mnist_classifier).")
flags.DEFINE_string("inception_path", None, "Local copy of TF-GAN's Inception module (offline "
                    "machines); default: the TF-Hub handle.")
flags.DEFINE_string("feature_layer", "features", "Classifier layer (Keras) or output (SavedModel) "
                    "whose activations FID/KID use.")
flags.DEFINE_string("logits_layer", "logits", "Classifier layer/output holding the logits.")
flags.DEFINE_integer("num_samples", 10000, "Generated and real samples compared.", lower_bound=2)
flags.DEFINE_integer("batch_size", 100, "Images per classifier call.", lower_bound=1)
flags.DEFINE_string("cache_path", None, "Cache file for the real data's classifier outputs.")
flags.DEFINE_string("output_json", None, "Where the results are written.")
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


def main(argv):
  if len(argv) > 1:
    sys.exit(f"evaluate.py: error: unexpected arguments {argv[1:]}")
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import export  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import classifiers, scoring  # pylint: disable=g-import-not-at-top
  try:
    generator = export.ExportedGenerator(FLAGS.export_dir)
    dataset = FLAGS.dataset or generator.metadata.get("dataset")
    if dataset not in data.DATASETS:
      raise ValueError(f"dataset={dataset!r}: allowed values are {list(data.DATASETS)}.")
    split = FLAGS.eval_split or generator.metadata.get("config", {}).get("eval_split", "train")
    if split != "train" and dataset not in data.TFDS_DATASETS:
      raise ValueError(f"eval_split={split!r}: only tfds datasets have splits.")
    toy = dataset in data.TOY_DATASETS
    metrics = scoring.resolve_metrics(FLAGS.metrics, points=toy)
    scoring.check_sample_count(metrics, FLAGS.num_samples)
    available = data.sample_count(dataset, data_dir=FLAGS.data_dir, split=split)
    if FLAGS.noise_floor and available is not None and available < 2 * FLAGS.num_samples:
      raise ValueError(f"num_samples={FLAGS.num_samples}: --noise_floor needs two disjoint "
                       f"real sets, {2 * FLAGS.num_samples} samples; {dataset} has "
                       f"{available}.")
    classifier = (None if dataset in data.TOY_DATASETS
                  else classifiers.load(FLAGS.classifier, feature_layer=FLAGS.feature_layer,
                                        logits_layer=FLAGS.logits_layer,
                                        inception_path=FLAGS.inception_path))
  except ValueError as error:
    sys.exit(f"evaluate.py: error: --{error}")
  real_batches = lambda count: data.evaluation_batches(
      dataset, num_samples=count, batch_size=FLAGS.batch_size, seed=FLAGS.seed,
      data_dir=FLAGS.data_dir, download=FLAGS.download, image_size=FLAGS.image_size,
      channels=FLAGS.channels, split=split)
  results = scoring.evaluate(generator, real_batches(FLAGS.num_samples),
                              classifier=classifier, num_samples=FLAGS.num_samples,
                              batch_size=FLAGS.batch_size, cache_path=FLAGS.cache_path,
                              seed=FLAGS.seed, metrics=metrics, batch_norm=FLAGS.batch_norm,
                              inception_score_splits=FLAGS.inception_score_splits)
  if FLAGS.noise_floor:
    floor = scoring.noise_floor(real_batches(2 * FLAGS.num_samples), classifier=classifier,
                                num_samples=FLAGS.num_samples, metrics=metrics)
    results.update({f"noise_floor/{name}": value for name, value in floor.items()})
  config = generator.metadata.get("config", {})
  results["protocol"] = scoring.protocol(
      num_samples=FLAGS.num_samples, real_split=data.real_set_name(dataset, split),
      classifier=None if toy else FLAGS.classifier,
      classifier_sha256=None if toy else classifiers.weights_sha256(
          FLAGS.classifier, inception_path=FLAGS.inception_path),
      generator=("unknown" if not config else
                 "ema" if config.get("ema_decay") is not None else "live"),
      real_available=available,
      batch_norm=FLAGS.batch_norm or generator.batch_norm,
      inception_score_splits=FLAGS.inception_score_splits, metrics=metrics, seed=FLAGS.seed)
  results.update(export_dir=os.path.abspath(FLAGS.export_dir), dataset=dataset)
  output = FLAGS.output_json or os.path.join(
      tempfile.gettempdir(), "tfwgan", "evaluations",
      os.path.basename(os.path.normpath(FLAGS.export_dir)) + ".json")
  scoring.write_json(results, output)
  print(json.dumps(results, indent=2, sort_keys=True))
  print(f"wrote {output}")


if __name__ == "__main__":
  app.run(main)
