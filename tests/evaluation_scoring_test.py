import os

import test_utils

import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan.evaluation import scoring


def stand_in_classifier(calls=None):
  """A tiny fixed 'classifier': features = 4 pooled image statistics, logits = 3 of them."""
  def classify(images):
    images = np.asarray(images, np.float32)
    if calls is not None:
      calls.append(len(images))
    flat = images.reshape(len(images), -1)
    features = np.stack([flat.mean(1), flat.std(1), flat.max(1), flat.min(1)], axis=1)
    return features, features[:, :3] * 5.0
  return classify


def image_batches(loc, count=400, batch=50, seed=0):
  rng = np.random.default_rng(seed)
  for _ in range(count // batch):
    yield np.tanh(rng.normal(loc=loc, size=(batch, 8, 8, 1))).astype(np.float32)


class ScoringTest(tf.test.TestCase):

  def test_generator_matching_the_data_scores_better_than_a_shifted_one(self):
    close = lambda z: tf.tanh(tf.random.stateless_normal([len(z), 8, 8, 1], seed=[1, 2]))
    far = lambda z: tf.tanh(tf.random.stateless_normal([len(z), 8, 8, 1], seed=[1, 2]) + 1.0)
    results = {name: scoring.evaluate(fn, image_batches(0.0), classifier=stand_in_classifier(),
                                      num_samples=400, batch_size=50, latent_dim=4)
               for name, fn in (("close", close), ("far", far))}
    self.assertLess(results["close"]["fid"], 0.1 * results["far"]["fid"])
    self.assertLess(results["close"]["kid"], results["far"]["kid"])
    self.assertEqual(set(results["close"]), {"fid", "kid", "inception_score"})

  def test_streams_in_batches_and_caches_real_outputs(self):
    calls = []
    cache = os.path.join(self.create_tempdir().full_path, "real.npz")
    generate = lambda z: tf.zeros([len(z), 8, 8, 1]) + tf.reshape(z[:, :1], [-1, 1, 1, 1])
    first = scoring.evaluate(generate, image_batches(0.0), classifier=stand_in_classifier(calls),
                             num_samples=300, batch_size=50, cache_path=cache, latent_dim=2)
    self.assertEqual(max(calls), 50)               # never more than one batch at a time
    self.assertEqual(sum(calls), 600)              # 300 real + 300 generated
    calls.clear()
    second = scoring.evaluate(generate, image_batches(5.0), classifier=stand_in_classifier(calls),
                              num_samples=300, batch_size=50, cache_path=cache, latent_dim=2)
    self.assertEqual(sum(calls), 300)              # real outputs came from the cache
    self.assertAllClose(first["fid"], second["fid"])
    with self.assertRaisesRegex(ValueError, r"cache_path=.*holds 300 samples, not num_samples=200"):
      scoring.evaluate(generate, image_batches(0.0), classifier=stand_in_classifier(),
                       num_samples=200, cache_path=cache, latent_dim=2)

  def test_flat_samples_get_the_exact_emd(self):
    real = [np.zeros((100, 2), np.float32)]
    results = scoring.evaluate(lambda z: tf.ones([len(z), 2]) * [3.0, 4.0], real,
                               num_samples=100, batch_size=30, latent_dim=2)
    self.assertEqual(results, {"emd": 5.0})

  def test_accepts_a_gan_and_a_keras_generator_and_a_dataset(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2)
    real = tf.data.Dataset.from_tensor_slices(np.zeros((60, 2), np.float32)).batch(20)
    by_gan = scoring.evaluate(gan, real, num_samples=60, batch_size=25)
    by_keras = scoring.evaluate(generator, real, num_samples=60, batch_size=25)
    self.assertAllClose(by_gan["emd"], by_keras["emd"])
    with self.assertRaisesRegex(ValueError, r"latent_dim: required"):
      scoring.evaluate(lambda z: z, real, num_samples=10)

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"classifier: required for image samples"):
      scoring.evaluate(lambda z: tf.zeros([len(z), 8, 8, 1]), image_batches(0.0),
                       num_samples=10, latent_dim=2)
    with self.assertRaisesRegex(ValueError, r"num_samples=500: the data ran out after 400"):
      scoring.evaluate(lambda z: tf.zeros([len(z), 8, 8, 1]), image_batches(0.0),
                       classifier=stand_in_classifier(), num_samples=500, latent_dim=2)


if __name__ == "__main__":
  tf.test.main()
