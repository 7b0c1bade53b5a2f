import hashlib
import os
from unittest import mock

import test_utils  # pylint: disable=unused-import

import keras
import numpy as np
import tensorflow as tf

from tfwgan.evaluation import classifiers
from tfwgan.evaluation import scoring

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

class StandInInception(tf.Module):
  """A module with Inception's interface: 299×299×3 in [−1, 1] → pool_3 [n, 1, 1, 4], logits."""

  @tf.function(input_signature=[tf.TensorSpec([None, 299, 299, 3], tf.float32)])
  def __call__(self, images):
    pooled = tf.reduce_mean(images, axis=[1, 2])                          # [n, 3]
    features = tf.concat([pooled, tf.reduce_max(images, axis=[1, 2, 3])[:, None]], axis=1)
    return {"pool_3": tf.reshape(features, [-1, 1, 1, 4]), "logits": features[:, :3] * 10.0}


class ClassifiersTest(tf.test.TestCase):

  def test_weights_sha256_of_a_file_and_of_a_directory(self):
    root = self.create_tempdir().full_path
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.save(os.path.join(root, "c.keras"))
    with open(os.path.join(root, "c.keras"), "rb") as handle:
      self.assertEqual(classifiers.weights_sha256(os.path.join(root, "c.keras")),
                       hashlib.sha256(handle.read()).hexdigest())
    directory = os.path.join(root, "module")
    tf.saved_model.save(StandInInception(), directory)
    first = classifiers.weights_sha256(directory)
    self.assertEqual(classifiers.weights_sha256("inception", inception_path=directory), first)
    self.assertEqual(classifiers.weights_sha256(directory), first)      # deterministic
    variables = os.path.join(directory, "variables")
    os.makedirs(variables, exist_ok=True)
    with open(os.path.join(variables, "extra"), "wb") as handle:       # any file counts
      handle.write(b"x")
    self.assertNotEqual(classifiers.weights_sha256(directory), first)
    self.assertIsNone(classifiers.weights_sha256(lambda images: images))

  def test_keras_classifier_with_named_feature_layer(self):
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(6, name="features"),
                              keras.layers.Dense(3, name="logits")])
    features, logits = classifiers.load(model)(np.ones((5, 4, 4, 1)))
    self.assertEqual((tuple(features.shape), tuple(logits.shape)), ((5, 6), (5, 3)))
    with self.assertRaisesRegex(ValueError, r"feature_layer='pool_3': not a layer"):
      classifiers.load(model, feature_layer="pool_3")

  def test_inception_from_a_local_path_resizes_and_flattens(self):
    path = os.path.join(self.create_tempdir().full_path, "inception")
    tf.saved_model.save(StandInInception(), path)
    classify = classifiers.load("inception", inception_path=path)
    grey = np.full((2, 28, 28, 1), 0.5, np.float32)        # grey digits become RGB at 299
    features, logits = classify(grey)
    self.assertEqual((tuple(features.shape), tuple(logits.shape)), ((2, 4), (2, 3)))
    self.assertAllClose(features, [[0.5, 0.5, 0.5, 0.5]] * 2, atol=1e-5)

  def test_the_input_shape_is_checked_against_the_samples(self):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(6, name="features"),
                              keras.layers.Dense(3, name="logits")])
    classify = classifiers.load(model)
    classifiers.check_fits(classify, (28, 28, 1))
    for shape in ((28, 28, 3), (32, 32, 1), (2,)):
      with self.assertRaisesRegex(ValueError, r"^classifier='mnist': takes samples of shape "
                                  r"28×28×1, but the generator makes samples of shape "
                                  + "×".join(map(str, shape)) + r"; --classifier=inception"):
        classifiers.check_fits(classify, shape, "mnist")
    shipped = os.path.join(ROOT, "saved_models", "mnist_classifier")
    self.assertEqual(classifiers.load(shipped).input_shape, (28, 28, 1))   # SavedModel
    with self.assertRaisesRegex(ValueError, r"takes samples of shape 28×28×1.*32×32×3"):
      classifiers.load_checked(shipped, sample_shape=(32, 32, 3))
    path = os.path.join(self.create_tempdir().full_path, "inception")
    tf.saved_model.save(StandInInception(), path)
    inception = classifiers.load("inception", inception_path=path)
    for shape in ((28, 28, 1), (64, 64, 3)):                   # any size, grey or colour
      classifiers.check_fits(inception, shape)
    with self.assertRaisesRegex(ValueError, r"takes images with 1 or 3 channels"):
      classifiers.check_fits(inception, (32, 32, 4))
    classifiers.check_fits(lambda images: images, (5,))        # unknown: not checked

  def test_an_unreachable_inception_is_one_line_naming_the_offline_ways(self):
    def offline(path, **options):
      del options
      raise OSError(f"<urlopen error [Errno 111] Connection refused> ({path})\ntraceback")
    with mock.patch.object(classifiers, "inception", offline):
      with self.assertRaises(ValueError) as error:
        classifiers.load_checked("inception")
      message = str(error.exception)
      self.assertLen(message.splitlines(), 1)
      self.assertIn("classifier='inception': TF-Hub's Inception", message)
      self.assertIn("Connection refused", message)
      self.assertIn("--inception_path=<a local copy>", message)
      self.assertIn("--classifier=saved_models/mnist_classifier", message)
      self.assertIn("--eval_metrics=swd (evaluate.py: --metrics=swd)", message)   # no classifier
      with self.assertRaisesRegex(ValueError, r"^inception_path='/x': cannot be loaded "
                                  r"\(<urlopen error"):
        classifiers.load_checked("inception", inception_path="/x")

  def test_dinov2_features_are_the_cls_token_of_imagenet_normalised_224_images(self):
    import keras_hub  # pylint: disable=g-import-not-at-top
    keras.utils.set_random_seed(0)
    backbone = keras_hub.models.DINOV2Backbone(   # tiny and random: built here, offline
        patch_size=14, num_layers=1, hidden_dim=8, num_heads=2, intermediate_dim=16,
        image_shape=(224, 224, 3), position_embedding_shape=(518, 518))
    path = os.path.join(self.create_tempdir().full_path, "dinov2")
    backbone.save_to_preset(path)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 3)).astype(np.float32)
    features, logits = classifiers.load("dinov2", dinov2_path=path)(images)
    unit = (tf.image.resize(images, [224, 224], method="bilinear") + 1.0) / 2.0
    tokens = backbone({"images": (unit - classifiers.IMAGENET_MEAN) / classifiers.IMAGENET_STD})
    self.assertEqual((tuple(features.shape), tuple(logits.shape)), ((3, 8), (3, 0)))
    self.assertAllClose(features, tokens[:, 0], atol=1e-5)          # the CLS token
    self.assertNotAllClose(features, tf.reduce_mean(tokens[:, 1:], axis=1), atol=1e-2)
    clean, _ = classifiers.load("dinov2", dinov2_path=path, resize="clean")(images)
    self.assertNotAllClose(clean, features, atol=1e-3)               # the resize is used
    grey, _ = classifiers.load("dinov2", dinov2_path=path)(images[..., :1])
    self.assertEqual(tuple(grey.shape), (3, 8))
    self.assertEqual(classifiers.weights_sha256("dinov2", dinov2_path=path),
                     classifiers.weights_sha256(path))
    with self.assertRaisesRegex(ValueError, r"inception_score' needs a classifier's class logits"):
      scoring.evaluate(lambda z: images[:len(z)], None, latent_dim=2, num_samples=3,
                       classifier=classifiers.load("dinov2", dinov2_path=path),
                       metrics=["inception_score"])

  def test_an_unreachable_dinov2_is_one_line_naming_the_offline_ways(self):
    def offline(preset, **options):
      del options
      raise ConnectionError(f"Failed to resolve 'api.kaggle.com' ({preset})\ntraceback")
    with mock.patch.object(classifiers, "dinov2", offline):
      with self.assertRaises(ValueError) as error:
        classifiers.load_checked("dinov2")
      message = str(error.exception)
      self.assertLen(message.splitlines(), 1)
      self.assertIn("classifier='dinov2': keras-hub's 'dinov2_large' (Kaggle) cannot be "
                    "loaded (Failed to resolve", message)
      self.assertIn("--dinov2_path=<a local preset directory>", message)
      self.assertIn("train_classifier.py", message)
      self.assertIn("--eval_metrics=swd (evaluate.py: --metrics=swd)", message)
      with self.assertRaisesRegex(ValueError, r"^dinov2_path='/x': cannot be loaded as a "
                                  r"keras-hub DINOV2Backbone preset \(Failed"):
        classifiers.load_checked("dinov2", dinov2_path="/x")

  def test_unknown_identifier(self):
    with self.assertRaisesRegex(ValueError, r"classifier='/nonexistent/model.h5'"):
      classifiers.load("/nonexistent/model.h5")


if __name__ == "__main__":
  tf.test.main()
