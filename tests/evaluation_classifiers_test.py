import hashlib
import os

import test_utils  # pylint: disable=unused-import

import keras
import numpy as np
import tensorflow as tf

from tfwgan.evaluation import classifiers


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

  def test_unknown_identifier(self):
    with self.assertRaisesRegex(ValueError, r"classifier='/nonexistent/model.h5'"):
      classifiers.load("/nonexistent/model.h5")


if __name__ == "__main__":
  tf.test.main()
