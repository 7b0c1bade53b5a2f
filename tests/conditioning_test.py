import test_utils  # pylint: disable=unused-import  (logical CPUs before TensorFlow starts)

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

from tfwgan import conditioning
from tfwgan import networks


class ConditionalBatchNormalizationTest(tf.test.TestCase):

  def test_each_sample_gets_its_classes_scale_and_offset_on_batch_statistics(self):
    layer = conditioning.ConditionalBatchNormalization(3, epsilon=1e-5)
    x = tf.constant(np.random.default_rng(0).normal(size=(6, 4, 4, 2)), tf.float32)
    labels = tf.constant([0, 1, 2, 0, 1, 2])
    layer([x, labels])
    gamma = np.arange(6, dtype=np.float32).reshape(3, 2) + 1.0
    beta = -np.arange(6, dtype=np.float32).reshape(3, 2)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    got = layer([x, labels], training=True).numpy()
    mean, variance = tf.nn.moments(x, axes=[0, 1, 2])
    normalized = ((x - mean) / tf.sqrt(variance + 1e-5)).numpy()
    want = gamma[labels.numpy()][:, None, None, :] * normalized + \
        beta[labels.numpy()][:, None, None, :]
    self.assertAllClose(got, want, atol=1e-4)

  def test_resnet_generator_conditions_its_blocks_and_not_its_output_norm(self):
    generator = networks.resnet_generator(4, (32, 32, 3), width=2, num_classes=5)
    conditional = [layer.name for layer in generator.layers
                   if isinstance(layer, conditioning.ConditionalBatchNormalization)]
    self.assertEqual(conditional, [f"block{b}_norm{n}" for b in (1, 2, 3) for n in (1, 2)])
    self.assertIsInstance(generator.get_layer("head_norm"), keras.layers.BatchNormalization)
    z = tf.random.normal([2, 4], seed=0)
    # Inference mode: no statistic crosses samples, so each sample sees only its label.
    a = generator([z, tf.constant([0, 0])], training=False)
    generator.get_layer("block1_norm1").beta[1].assign(tf.ones([2]))
    b = generator([z, tf.constant([0, 1])], training=False)
    self.assertAllClose(a[0], b[0])          # class 0's sample unchanged
    self.assertNotAllClose(a[1], b[1])       # class 1's offset moved its sample


class CriticsTest(tf.test.TestCase):

  def _critic(self):
    keras.utils.set_random_seed(0)
    return networks.mlp_critic(3, hidden_units=5, hidden_layers=1)

  def test_projection_adds_the_class_embedding_dot_the_features(self):
    base = self._critic()
    critic = conditioning.projection_critic(base, 4)
    x = tf.random.normal([3, 3], seed=1)
    labels = tf.constant([2, 0, 3])
    features = keras.Model(base.inputs, base.layers[-1].input)(x)
    embedding = critic.get_layer("class_embedding").embeddings.numpy()
    want = base(x)[:, 0] + tf.reduce_sum(embedding[labels.numpy()] * features, axis=1)
    self.assertAllClose(tf.reshape(critic([x, labels]), [-1]), want, atol=1e-5)

  def test_acgan_returns_the_unconditional_score_and_class_logits(self):
    base = self._critic()
    critic = conditioning.acgan_critic(base, 4)
    x = tf.random.normal([3, 3], seed=1)
    scores, logits = critic(x)
    self.assertAllClose(scores, base(x))
    self.assertEqual(tuple(logits.shape), (3, 4))

  def test_a_critic_without_a_dense_head_is_refused(self):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1),
                               keras.layers.Activation("tanh")])
    with self.assertRaisesRegex(ValueError, "conditioning needs a critic whose last layer is "
                                            "Dense\\(1\\)"):
      conditioning.projection_critic(critic, 3)


class ClassConditioningTest(tf.test.TestCase, parameterized.TestCase):

  def test_classification_loss_is_the_cross_entropy(self):
    logits = tf.constant([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    got = conditioning.ClassConditioning(3, "acgan").classification_loss(logits, [0, 2])
    first = -np.log(np.exp(2.0) / (np.exp(2.0) + 1.0 + np.exp(-1.0)))
    self.assertAllClose(got, [first, np.log(3.0)], atol=1e-6)

  @parameterized.parameters(
      (None, [0.25] * 4),
      ([1.0, 0.0, 3.0, 4.0], [0.125, 0.0, 0.375, 0.5]))
  def test_drawn_labels_follow_the_class_distribution(self, frequencies, expected):
    chosen = conditioning.ClassConditioning(
        4, label_distribution="uniform" if frequencies is None else "frequencies",
        class_frequencies=frequencies)
    labels = chosen.draw_labels(tf.random.Generator.from_seed(0), 20000).numpy()
    self.assertEqual(labels.dtype, np.int32)
    self.assertAllClose(np.bincount(labels, minlength=4) / 20000, expected, atol=0.012)

  def test_the_defaults_are_the_authors_weights(self):
    chosen = conditioning.ClassConditioning(10, "acgan")
    self.assertEqual((chosen.acgan_critic_weight, chosen.acgan_generator_weight), (1.0, 0.1))

  @parameterized.parameters(
      (dict(num_classes=1), "num_classes=1: must be an integer >= 2"),
      (dict(num_classes=3, critic="hinge"), r"critic='hinge': allowed values are "
                                            r"\['projection', 'acgan'\]"),
      (dict(num_classes=3, class_frequencies=[1, 1, 1]), "class_frequencies: only used with"),
      (dict(num_classes=3, label_distribution="frequencies", class_frequencies=[1, 1]),
       "needs 3 non-negative counts"))
  def test_bad_arguments(self, arguments, message):
    with self.assertRaisesRegex(ValueError, message):
      conditioning.ClassConditioning(**arguments)

  def test_networks_that_ignore_the_labels_are_refused_with_what_they_must_take(self):
    generator, critic = test_utils.tiny_mlp_pair(latent_dim=2, data_dim=2)
    chosen = conditioning.ClassConditioning(3)
    with self.assertRaisesRegex(ValueError, r"generator: .* takes 2 input\(s\); 'mlp_generator' "
                                            r"takes 1 \(a conditional generator maps \[z"):
      chosen.check_networks(generator, critic, 2)
    generator = networks.mlp_generator(2, 2, hidden_units=4, num_classes=3)
    with self.assertRaisesRegex(ValueError, r"critic: .* takes 2 input\(s\); 'mlp_critic' takes "
                                            r"1 \(critic='projection' maps \[samples, labels\]"):
      chosen.check_networks(generator, critic, 2)
    wider = networks.mlp_generator(2, 2, hidden_units=4, num_classes=4)
    with self.assertRaisesRegex(ValueError, r"^generator: built for \[4\] classes, but "
                                            r"num_classes=3; build it with num_classes=3\.$"):
      chosen.check_networks(wider, conditioning.projection_critic(critic, 3), 2)
    with self.assertRaisesRegex(ValueError, r"^critic: built for \[5\] classes"):
      chosen.check_networks(generator, conditioning.projection_critic(critic, 5), 2)
    acgan = conditioning.ClassConditioning(3, "acgan")
    with self.assertRaisesRegex(ValueError, r"critic: critic='acgan' maps samples → \[scores, "
                                            r"class logits\]"):
      acgan.check_networks(generator, critic, 2)


if __name__ == "__main__":
  tf.test.main()
