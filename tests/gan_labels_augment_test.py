"""The GAN's train step with labels (tfwgan.conditioning) and DiffAugment (tfwgan.augment):
each term recomputed by hand from the model's replayed draws."""

import test_utils

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
from tfwgan import conditioning
from tfwgan import networks
from tfwgan import noise

CLASSES = 3


def _table_generator(table):
  """g(z, y) = table[y] (+ 0·z): a conditional generator whose samples are known exactly."""
  z, labels = keras.Input((2,), name="z"), conditioning.label_input()
  rows = keras.layers.Embedding(len(table), len(table[0]), name="table")
  ignore_z = keras.layers.Dense(len(table[0]), use_bias=False, kernel_initializer="zeros")
  model = keras.Model([z, labels], keras.layers.Add()([rows(labels), ignore_z(z)]))
  rows.embeddings.assign(np.asarray(table, np.float32))
  return model


def _projection_critic(seed=0):
  keras.utils.set_random_seed(seed)
  base = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
  critic = conditioning.projection_critic(base, CLASSES)
  embedding = critic.get_layer("class_embedding")
  embedding.embeddings.assign(np.random.default_rng(seed).normal(size=(CLASSES, 3)))
  return critic


def _fit_once(gan, images, labels):
  gan.fit(tf.data.Dataset.from_tensors((images, labels)), epochs=1, verbose=0)


class LabelledStepTest(tf.test.TestCase):
  """g(z, y) = table[y] and a fixed projection critic (learning rates 0): the logged
  estimates are sums over (sample, label) pairs, computed here from the data and from
  the replayed label draws of the generator step."""

  TABLE = [[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0]]

  def test_logs_pair_each_sample_with_its_label(self):
    critic = _projection_critic()
    gan = tfwgan.GAN(_table_generator(self.TABLE), critic, 2, critic_steps=2, seed=4,
                     conditioning=conditioning.ClassConditioning(CLASSES))
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                critic_optimizer=keras.optimizers.SGD(0.0))
    images = np.random.default_rng(1).normal(size=(8, 2)).astype(np.float32)
    labels = np.array([0, 1, 2, 2, 1, 0, 0, 2], np.int32)
    _fit_once(gan, images, labels)
    logs = {name: float(tracker.result()) for name, tracker in gan._trackers.items()}
    score = lambda x, y: tf.reshape(critic([tf.constant(x), tf.constant(y)]), [-1]).numpy()
    table = np.asarray(self.TABLE, np.float32)
    # Critic steps: real pairs (x_i, y_i), fakes generated with the same labels.
    self.assertAllClose(logs["wasserstein_estimate"],
                        score(images, labels).mean() - score(table[labels], labels).mean(),
                        atol=1e-5)
    # Generator step: labels drawn right after its z from the outer iteration's stream.
    replay = noise.ReplicaNoise(4)
    replay.start_step(0)
    replay.normal([4, 2])
    drawn = gan.conditioning.draw_labels(replay, 4).numpy()
    self.assertGreater(len(set(drawn)), 1)
    self.assertAllClose(logs["generator_loss"], -score(table[drawn], drawn).mean(), atol=1e-5)

  def test_unconditional_data_with_labels_trains_as_without_them(self):
    results = []
    for with_labels in (False, True):
      keras.utils.set_random_seed(0)
      generator, critic = test_utils.tiny_mlp_pair()
      gan = test_utils.compile_gan(tfwgan.WGANGP(generator, critic, 2, critic_steps=2, seed=0))
      images = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
      data = (images, np.zeros(8, np.int32)) if with_labels else images
      gan.fit(tf.data.Dataset.from_tensors(data), epochs=1, verbose=0)
      results.append(gan.generator.get_weights() + gan.critic.get_weights())
    for first, second in zip(*results):
      self.assertAllEqual(first, second)

  def test_a_label_outside_the_classes_is_one_line_naming_it(self):
    gan = tfwgan.GAN(_table_generator(self.TABLE), _projection_critic(), 2,
                     conditioning=conditioning.ClassConditioning(CLASSES))
    test_utils.compile_gan(gan)
    data = (np.zeros((4, 2), np.float32), np.array([0, 1, 7, 2], np.int32))
    with self.assertRaisesRegex(ValueError, r"^data: label 7 is outside the classes 0 … 2 "
                                            r"\(conditioning.num_classes=3\)\.$"):
      gan.fit(tf.data.Dataset.from_tensors(data), verbose=0)

  def test_conditional_data_needs_labels(self):
    gan = tfwgan.GAN(_table_generator(self.TABLE), _projection_critic(), 2,
                     conditioning=conditioning.ClassConditioning(CLASSES))
    test_utils.compile_gan(gan)
    with self.assertRaisesRegex(ValueError, r"data: conditioning is set, so each fit step "
                                            r"needs \(samples, labels\)"):
      gan.fit(tf.data.Dataset.from_tensors(np.zeros((4, 2), np.float32)), verbose=0)


def _image_networks(critic_kind):
  keras.utils.set_random_seed(0)
  generator = networks.dcgan_generator(4, (28, 28, 1), base_filters=2, num_classes=CLASSES)
  base = networks.dcgan_critic((28, 28, 1), base_filters=2)
  wrap = conditioning.acgan_critic if critic_kind == "acgan" else conditioning.projection_critic
  return generator, wrap(base, CLASSES)


def _critic_scores_and_logits(critic, critic_kind, samples, labels):
  if critic_kind == "acgan":
    scores, logits = critic(samples, training=True)
    return tf.reshape(scores, [-1]), logits
  return tf.reshape(critic([samples, labels], training=True), [-1]), None


def _cross_entropy(logits, labels):
  """−log softmax(logits)[label], written out."""
  log_probabilities = logits - tf.reduce_logsumexp(logits, axis=1, keepdims=True)
  return -tf.gather(log_probabilities, labels, axis=1, batch_dims=1)


class OneOuterIterationTest(tf.test.TestCase, parameterized.TestCase):
  """One WGAN-GP outer iteration (one critic and one generator SGD step) with labels and
  DiffAugment, against the same iteration written out with the model's replayed draws:
  fakes with the real labels, T on every critic input, the penalty through T at points
  made of the samples themselves (the official code's default), the AC-GAN terms with
  weights 1 (critic, real labels) and 0.1 (generator, drawn labels)."""

  BATCH, RATE, SEED = 4, 0.01, 7

  @parameterized.named_parameters(
      [(f"{critic_kind}_{'augmented' if policy else 'plain'}", critic_kind, policy)
       for critic_kind in ("projection", "acgan") for policy in ("", "color,translation,cutout")]
      + [("projection_augmented_penalty_at_augmented_points", "projection",
          "color,translation,cutout", "augmented")])
  def test_matches_the_iteration_written_out(self, critic_kind, policy,
                                             penalty_points="original"):
    generator, critic = _image_networks(critic_kind)
    chosen = conditioning.ClassConditioning(CLASSES, critic_kind)
    gan = tfwgan.WGANGP(generator, critic, 4, critic_steps=1, seed=self.SEED,
                        conditioning=chosen, augment=tfwgan.augment.DiffAugment(
                            policy, penalty_points=penalty_points))
    gan.compile(generator_optimizer=keras.optimizers.SGD(self.RATE),
                critic_optimizer=keras.optimizers.SGD(self.RATE))
    images = np.random.default_rng(0).uniform(-1, 1, (self.BATCH, 28, 28, 1)).astype(np.float32)
    labels = tf.constant([2, 0, 1, 2], tf.int32)
    transform = tfwgan.augment.DiffAugment(policy)
    seen = lambda x, draws: transform(x, draws) if policy else x
    outputs = lambda x, y: _critic_scores_and_logits(critic, critic_kind, x, y)

    replay = noise.ReplicaNoise(self.SEED)
    replay.start_step(0)
    critic_start = [w.numpy() for w in critic.trainable_variables]
    with replay.substream(0):                       # the critic step
      fake = generator([replay.normal([self.BATCH, 4]), labels], training=True)
      with tf.GradientTape() as tape:
        real_seen, fake_seen = seen(tf.constant(images), replay), seen(fake, replay)
        real_scores, real_logits = outputs(real_seen, labels)
        fake_scores, _ = outputs(fake_seen, labels)
        if penalty_points == "original":   # D∘T at points made of the samples themselves
          scorer = lambda points, training=True: outputs(seen(points, replay), labels)[0]
          points = (tf.constant(images), fake)
        else:                              # D at points made of the augmented samples
          scorer = lambda points, training=True: outputs(points, labels)[0]
          points = (real_seen, fake_seen)
        objective = (tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)
                     + 10.0 * tf.reduce_mean(gan.penalty.per_example(
                         scorer, *points, replay)))
        if critic_kind == "acgan":
          objective += 1.0 * tf.reduce_mean(_cross_entropy(real_logits, labels))
      gradients = tape.gradient(objective, critic.trainable_variables)
    critic_after = [w - self.RATE * tf.convert_to_tensor(g).numpy() for w, g in zip(critic_start, gradients)]
    for variable, value in zip(critic.trainable_variables, critic_after):
      variable.assign(value)
    generator_start = [w.numpy() for w in generator.trainable_variables]
    z = replay.normal([self.BATCH, 4])              # the generator step
    drawn = chosen.draw_labels(replay, self.BATCH)
    with tf.GradientTape() as tape:
      scores, logits = outputs(seen(generator([z, drawn], training=True), replay), drawn)
      objective = -tf.reduce_mean(scores)
      if critic_kind == "acgan":
        objective += 0.1 * tf.reduce_mean(_cross_entropy(logits, drawn))
    gradients = tape.gradient(objective, generator.trainable_variables)
    generator_after = [w - self.RATE * tf.convert_to_tensor(g).numpy() for w, g in zip(generator_start, gradients)]
    self.assertGreater(max(np.abs(tf.convert_to_tensor(g).numpy()).max() for g in gradients), 1e-4)
    for variable, value in zip(critic.trainable_variables, critic_start):
      variable.assign(value)

    _fit_once(gan, images, labels)
    for got, want in zip(critic.trainable_variables, critic_after):
      self.assertAllClose(got, want, rtol=1e-4, atol=1e-6)
    for got, want in zip(generator.trainable_variables, generator_after):
      self.assertAllClose(got, want, rtol=1e-4, atol=1e-6)


if __name__ == "__main__":
  tf.test.main()
