import os

import test_utils

import keras
import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import data
from tfwgan import evaluation
from tfwgan import files
from tfwgan.evaluation import neighbours
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


def eight_gaussian_batches(seed, count=600, batch=200):
  for start in range(0, count, batch):
    yield data.sample_toy("8gaussians", batch, [seed, start]).numpy()


def image_batches(loc, count=400, batch=50, seed=0):
  rng = np.random.default_rng(seed)
  for _ in range(count // batch):
    yield np.tanh(rng.normal(loc=loc, size=(batch, 8, 8, 1))).astype(np.float32)


class ConditionalScoresTest(tf.test.TestCase):
  """A class-conditional generator: its samples scored with their labels."""

  @staticmethod
  def _class_images(labels, shift=0.0, seed=0):
    """Class c: images at brightness (c − 1)/2 + noise (the stand-in classifier's logits
    are 5 × (mean, std, max): 3 'classes')."""
    noise = np.random.default_rng(seed).normal(scale=0.05, size=(len(labels), 8, 8, 1))
    return ((np.asarray(labels)[:, None, None, None] - 1.0) / 2.0 + shift + noise).astype(
        np.float32)

  def _real(self, count=300):
    labels = np.arange(count) % 3
    return scoring.LabelledBatches([(self._class_images(labels, seed=5), labels)])

  def test_class_accuracy_counts_the_classifiers_argmax_against_the_labels(self):
    logits = np.array([[3.0, 0.0, 1.0], [0.0, 2.0, 1.0], [0.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    self.assertAllClose(evaluation.metrics.class_accuracy(logits, [0, 1, 2, 0]), 0.75)

  def test_intra_class_fid_scores_every_class_at_equal_counts_or_names_the_class(self):
    rng = np.random.default_rng(0)
    real = rng.normal(size=(600, 2))
    labels = np.arange(600) % 2
    generated = real.copy()
    generated[labels == 1] += [3.0, 0.0]   # class 1 moved by 3 along one axis: FID 9
    self.assertAllClose(evaluation.metrics.intra_class_fid(generated, labels, real, labels, 2),
                        [0.0, 9.0], atol=1e-6)
    # A class without generated samples is an error naming it, never a silent drop.
    with self.assertRaisesRegex(ValueError, r"class 'b' has 300 real and 0 generated"):
      evaluation.metrics.intra_class_fid(generated[labels == 0], labels[labels == 0], real,
                                         labels, 2, class_names=["a", "b"])
    # A third class drawn for 50 generated samples but with 3 real ones: named.
    real_labels = labels.copy()
    real_labels[:3] = 2
    with self.assertRaisesRegex(ValueError, r"^intra-class FID: class 2 has 3 real and 200 "
                                            r"generated samples; every class needs at least 50"):
      evaluation.metrics.intra_class_fid(generated, np.arange(600) % 3, real, real_labels, 3)
    with self.assertRaisesRegex(ValueError, r"generated samples per class differ \(\[301, 299\]\)"):
      evaluation.metrics.intra_class_fid(generated, np.append(labels[:-1], 0), real, labels, 2)

  @staticmethod
  def _brightness_classifier(images):
    """Features as the stand-in's; logits: how close each image's mean is to class c's
    brightness (c − 1)/2, so the argmax is the class an image was drawn for."""
    features, _ = stand_in_classifier()(images)
    centres = (np.arange(3) - 1.0) / 2.0
    return features, -np.square(features[:, :1] - centres[None, :])

  def test_a_conditional_generator_gets_class_scores_with_uniform_labels(self):
    seen = []

    def generate(z, labels):   # class-faithful: scores well per class
      seen.append(np.asarray(labels))
      return self._class_images(np.asarray(labels), seed=len(seen))

    exported = lambda: None
    exported.generate, exported.latent_dim, exported.num_classes = generate, 2, 3
    exported.sampler = lambda batch_norm, seed=0: generate
    faithful = scoring.evaluate(exported, self._real(), classifier=self._brightness_classifier,
                                num_samples=300, batch_size=100, metrics=["fid"])
    drawn = np.concatenate(seen)
    self.assertAllClose(np.bincount(drawn, minlength=3) / len(drawn), [1 / 3] * 3, atol=0.08)
    exported.sampler = lambda batch_norm, seed=0: (
        lambda z, labels: self._class_images((np.asarray(labels) + 1) % 3))   # wrong class
    confused = scoring.evaluate(exported, self._real(), classifier=self._brightness_classifier,
                                num_samples=300, batch_size=100, metrics=["fid"])
    self.assertEqual((faithful["class_accuracy"], confused["class_accuracy"]), (1.0, 0.0))
    # A classifier with other classes than the data's (Inception's 1,008): no accuracy.
    imagenet = lambda images: (stand_in_classifier()(images)[0], np.zeros((len(images), 1008)))
    other = scoring.evaluate(exported, self._real(), classifier=imagenet,
                             num_samples=300, batch_size=100, metrics=["fid"])
    self.assertNotIn("class_accuracy", other)
    # The marginal is the same (every class equally often), so FID barely tells them
    # apart; the class scores do.
    self.assertLess(faithful["intra_class_fid"], 0.1 * confused["intra_class_fid"])
    self.assertAllClose(abs(faithful["fid"] - confused["fid"]), 0.0, atol=0.05)
    per_class = [faithful[f"intra_class_fid/{label}"] for label in range(3)]
    self.assertAllClose([faithful["intra_class_fid"], faithful["intra_class_fid_std"]],
                        [np.mean(per_class), np.std(per_class)])
    self.assertEqual(set(faithful), {"fid", "class_accuracy", "intra_class_fid",
                                     "intra_class_fid_std", *[f"intra_class_fid/{label}"
                                                               for label in range(3)]})
    # The reference protocol's per-class pass: 100 samples of each class, class by class,
    # after the uniform draw (class accuracy's).
    self.assertAllEqual(np.concatenate(seen[-3:]), np.repeat(np.arange(3), 100))
    # Too few per class: evaluate.py's one-line error naming the class; training skips it.
    with self.assertRaisesRegex(ValueError, r"^intra-class FID: class 0 has 34 real and 33 generated samples"):
      scoring.evaluate(exported, self._real(), classifier=self._brightness_classifier,
                       num_samples=100, batch_size=100, metrics=["fid"])
    with self.assertLogs(level="WARNING") as logged:
      skipped = scoring.evaluate(exported, self._real(), classifier=self._brightness_classifier,
                                 num_samples=100, batch_size=100, metrics=["fid"],
                                 too_few_per_class="skip")
    self.assertEqual(set(skipped), {"fid", "class_accuracy"})
    self.assertLen(logged.output, 1)

  def test_real_labels_are_cached_with_the_outputs(self):
    cache = os.path.join(self.create_tempdir().full_path, "real.npz")
    scoring.real_outputs(self._real(), stand_in_classifier(), num_samples=300, cache_path=cache)
    self.assertAllEqual(scoring.ClassifierOutputs.load(cache).labels, np.arange(300) % 3)
    unlabelled = os.path.join(self.create_tempdir().full_path, "plain.npz")
    scoring.real_outputs(image_batches(0.0), stand_in_classifier(), num_samples=300,
                         cache_path=unlabelled)
    again = scoring.real_outputs(self._real(), stand_in_classifier(), num_samples=300,
                                 cache_path=unlabelled)   # a cache without labels: rebuilt
    self.assertAllEqual(again.labels, np.arange(300) % 3)


class ScoringTest(tf.test.TestCase):

  def test_generator_matching_the_data_scores_better_than_a_shifted_one(self):
    close = lambda z: tf.tanh(tf.random.stateless_normal([len(z), 8, 8, 1], seed=[1, 2]))
    far = lambda z: tf.tanh(tf.random.stateless_normal([len(z), 8, 8, 1], seed=[1, 2]) + 1.0)
    results = {name: scoring.evaluate(fn, image_batches(0.0), classifier=stand_in_classifier(),
                                      num_samples=400, batch_size=50, latent_dim=4)
               for name, fn in (("close", close), ("far", far))}
    self.assertLess(results["close"]["fid"], 0.1 * results["far"]["fid"])
    self.assertLess(results["close"]["kid"], results["far"]["kid"])
    self.assertEqual(set(results["close"]), {"fid", "kid", "inception_score",
                                             "inception_score_std", "precision",
                                             "recall", "density", "coverage"})
    self.assertGreater(results["close"]["precision"], results["far"]["precision"])
    self.assertGreater(results["close"]["coverage"], results["far"]["coverage"])

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
                               num_samples=100, batch_size=30, latent_dim=2, metrics=["emd"])
    self.assertEqual(results, {"emd": 5.0})

  def test_flat_samples_get_precision_recall_density_coverage_on_the_raw_points(self):
    # Generated points from modes 0–3 of the 8 Gaussians: the library's scores of the
    # points, whatever batches they came in.
    real = eight_gaussian_batches(seed=1)
    generate = lambda z: tf.abs(data.sample_toy("8gaussians", len(z),
                                                 tf.cast(z[0, :2] * 1e6, tf.int64)))
    results = scoring.evaluate(generate, real, num_samples=600, batch_size=200, latent_dim=2)
    generated = np.concatenate(list(scoring.generated_batches(generate, 2, num_samples=600,
                                                               batch_size=200)))
    expected = neighbours.neighbour_scores(
        real_features=np.concatenate(list(eight_gaussian_batches(seed=1))),
        generated_features=generated, precision_recall_k=3, density_coverage_k=5)
    self.assertEqual({k: v for k, v in results.items() if k != "emd"}, expected)
    self.assertGreater(results["precision"], 0.9)
    self.assertLess(results["recall"], 0.5)                 # 3 of 8 modes: x, y ≥ 0
    self.assertAllClose(results["emd"], evaluation.emd(generated, np.concatenate(
        list(eight_gaussian_batches(seed=1)))))

  def test_metrics_choose_what_is_computed(self):
    generate = lambda z: tf.tanh(tf.random.stateless_normal([len(z), 8, 8, 1], seed=[1, 2]))
    calls = []
    cache = os.path.join(self.create_tempdir().full_path, "real.npz")
    evaluate = lambda metrics: scoring.evaluate(
        generate, image_batches(0.0), classifier=stand_in_classifier(calls), num_samples=200,
        batch_size=50, latent_dim=4, cache_path=cache, metrics=metrics)
    self.assertEqual(set(evaluate(["kid"])), {"kid"})
    self.assertEqual(sum(calls), 400)
    calls.clear()
    results = evaluate(["swd", "fid"])       # SWD needs the real images: the cache is rebuilt
    self.assertEqual(set(results), {"fid", "swd/8"})
    self.assertEqual(sum(calls), 400)
    self.assertEqual(files.load_npz(cache)["images"].shape, (200, 8, 8, 1))
    calls.clear()
    again = evaluate(["swd"])                # now it holds them
    self.assertEqual(sum(calls), 200)
    self.assertGreater(again["swd/8"], 0.0)
    # Pixel metrics need no classifier (offline machines): the same SWD without one (its
    # projections are random: both runs from one global seed).
    keras.utils.set_random_seed(5)
    with_classifier = evaluate(["swd"])
    keras.utils.set_random_seed(5)
    pixels = scoring.evaluate(generate, image_batches(0.0), num_samples=200, batch_size=50,
                              latent_dim=4, metrics=["swd"])
    self.assertAllClose(pixels, with_classifier)
    with self.assertRaisesRegex(ValueError, r"classifier: required .* except for pixel "
                                r"metrics \['swd'\]"):
      scoring.evaluate(generate, image_batches(0.0), num_samples=200, batch_size=50,
                       latent_dim=4, metrics=["swd", "fid"])

  def test_score_keeps_real_and_generated_apart(self):
    rng = np.random.default_rng(7)
    outputs = lambda features: scoring.ClassifierOutputs(
        features, features[:, :3], tfwgan.evaluation.Statistics().update(features))
    real, generated = rng.normal(size=(200, 4)), rng.normal(0.3, 1.6, size=(150, 4))
    results = scoring.score(generated=outputs(generated), real=outputs(real),
                            metrics=["precision_recall", "density_coverage"])
    expected = neighbours.neighbour_scores(real_features=real, generated_features=generated)
    self.assertEqual(results, expected)
    self.assertLess(results["precision"] + 0.2, results["recall"])   # wider generated set

  def test_metric_names_are_checked(self):
    for metrics, points, message in (
        (["swd"], True, r"metrics: 'swd' is not a metric for 2-D samples; allowed values are "
                        r"\['emd', 'precision_recall', 'density_coverage'\]"),
        (["emd"], False, r"metrics: 'emd' is not a metric for images"),
        (["fid", "precision"], False, r"'precision' is not a metric for images"),
        ([], False, r"metrics: empty")):
      with self.assertRaisesRegex(ValueError, message):
        scoring.resolve_metrics(metrics, points=points)
    with self.assertRaisesRegex(ValueError, r"num_samples=3: too few for the metrics "
                                r"\['precision_recall'\], which need at least 4 samples"):
      scoring.evaluate(lambda z: z, [np.zeros((3, 2))], num_samples=3, latent_dim=2,
                       metrics=["emd", "precision_recall"])
    scoring.check_sample_count(["fid", "emd"], 2)
    self.assertEqual(scoring.resolve_metrics(None, points=True), scoring.POINT_METRICS)
    self.assertNotIn("swd", scoring.resolve_metrics(None, points=False))
    self.assertEqual(scoring.resolve_metrics(["swd", "fid", "swd"], points=False),
                     ("swd", "fid"))

  def test_accepts_a_gan_and_a_keras_generator_and_a_dataset(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2)
    real = tf.data.Dataset.from_tensor_slices(np.zeros((60, 2), np.float32)).batch(20)
    by_gan = scoring.evaluate(gan, real, num_samples=60, batch_size=25)
    by_keras = scoring.evaluate(generator, real, num_samples=60, batch_size=25)
    self.assertAllClose(by_gan["emd"], by_keras["emd"])
    with self.assertRaisesRegex(ValueError, r"latent_dim: required"):
      scoring.evaluate(lambda z: z, real, num_samples=10)

  def test_a_gan_with_an_ema_is_scored_by_its_ema_and_the_live_generator_as_live(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2, generator_ema=tfwgan.ema.GeneratorEMA(0.99))
    for variable in generator.trainable_variables:   # the live weights move off the EMA's
      variable.assign(variable + 0.5)
    real = [data.sample_toy("8gaussians", 200, [0, 1]).numpy()]
    results = scoring.evaluate(gan, real, num_samples=200, batch_size=50)
    by_ema = scoring.evaluate(gan.sampling_generator(), real, num_samples=200, batch_size=50)
    by_live = scoring.evaluate(generator, real, num_samples=200, batch_size=50)
    self.assertEqual({k: v for k, v in results.items() if not k.endswith("_live")}, by_ema)
    self.assertEqual({k[:-len("_live")]: v for k, v in results.items() if k.endswith("_live")},
                     by_live)
    self.assertNotAlmostEqual(by_ema["emd"], by_live["emd"], places=3)

  def test_images_of_a_gan_with_an_ema_get_live_scores_too(self):
    generator = tfwgan.networks.dcgan_generator(2, (28, 28, 1), base_filters=2)
    critic = tfwgan.networks.dcgan_critic((28, 28, 1), base_filters=2)
    gan = tfwgan.WGANGP(generator, critic, 2, generator_ema=tfwgan.ema.GeneratorEMA(0.9))
    for variable in generator.trainable_variables:
      variable.assign(variable * 3.0)
    real = [np.tanh(np.random.default_rng(0).normal(size=(40, 28, 28, 1))).astype(np.float32)]
    results = scoring.evaluate(gan, real, classifier=stand_in_classifier(), num_samples=40,
                               batch_size=20, metrics=["fid"], batch_norm="batch")
    self.assertEqual(set(results), {"fid", "fid_live"})
    live = scoring.evaluate(lambda z: generator(z, training=True), real,
                            classifier=stand_in_classifier(), num_samples=40, batch_size=20,
                            metrics=["fid"], latent_dim=2)
    self.assertAllClose(results["fid_live"], live["fid"], rtol=1e-5)   # batch statistics
    self.assertNotAlmostEqual(results["fid"], results["fid_live"], places=2)

  def test_noise_floor_scores_two_disjoint_real_sets(self):
    points = data.sample_toy("8gaussians", 700, [3, 0]).numpy()
    batches = [points[start:start + 64] for start in range(0, 700, 64)]
    floor = scoring.noise_floor(iter(batches), num_samples=300)
    self.assertEqual(floor, scoring.score_points(generated=points[:300],
                                                 real=points[300:600],
                                                 metrics=scoring.POINT_METRICS))
    self.assertGreater(floor["emd"], 0.05)             # two draws of one distribution differ
    images = np.concatenate(list(image_batches(0.0, count=400, batch=50)))
    floor = scoring.noise_floor([images[:250], images[250:]], classifier=stand_in_classifier(),
                                num_samples=200)
    classify = stand_in_classifier()
    first, second = (scoring.ClassifierOutputs.collect([part], classify, 200)
                     for part in (images[:200], images[200:400]))
    self.assertEqual(floor, scoring.score(generated=first, real=second, metrics=(
        "fid", "kid", "precision_recall", "density_coverage")))
    with self.assertRaisesRegex(ValueError, r"num_samples=300: the noise floor needs two "
                                r"disjoint real sets, 600 samples; the data has 400"):
      scoring.noise_floor([images], classifier=classify, num_samples=300)

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"classifier: required for image samples"):
      scoring.evaluate(lambda z: tf.zeros([len(z), 8, 8, 1]), image_batches(0.0),
                       num_samples=10, latent_dim=2)
    with self.assertRaisesRegex(ValueError, r"num_samples=500: the data ran out after 400"):
      scoring.evaluate(lambda z: tf.zeros([len(z), 8, 8, 1]), image_batches(0.0),
                       classifier=stand_in_classifier(), num_samples=500, latent_dim=2)


if __name__ == "__main__":
  tf.test.main()
