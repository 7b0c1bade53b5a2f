"""Class-conditional GANs: labels into the generator and the critic.

Generator (`tfwgan.networks`' builders with `num_classes`): the MLP and DCGAN generators
take z concatenated with the label's one-hot code (Mirza & Osindero 2014); the ResNet
generator conditions its residual blocks' batch norms on the label
(`ConditionalBatchNormalization`: a scale and an offset per class, as the WGAN-GP
authors' `gan_cifar_resnet.py` with CONDITIONAL=True, whose output block's norm stays
unconditional).

Critic (`ClassConditioning.critic`):
- 'projection' (Miyato & Koyama 2018, eq. 3): f(x, y) = ψ(φ(x)) + ⟨e_y, φ(x)⟩, the
  critic's own head ψ on its features φ plus the inner product with a class embedding
  (`projection_critic`);
- 'acgan' (Odena et al. 2017, as the WGAN-GP authors' conditional CIFAR-10 script): the
  critic's score is unconditional and a linear classifier on its features gives class
  logits (`acgan_critic`). The critic adds `acgan_critic_weight` (their ACGAN_SCALE = 1)
  × the cross-entropy on the real samples' labels, the generator
  `acgan_generator_weight` (ACGAN_SCALE_G = 0.1) × the cross-entropy on its sampled labels.

Labels in a training step (the authors' script): a critic step generates its fakes with
the real batch's labels, so the penalties' points (interpolates, perturbations) each
have one label, their real sample's; generator steps (and SBE's potential phase) draw
labels from the class distribution, one uniform draw per sample from the model's
stateless stream (`tfwgan.noise.ReplicaNoise`), right after the latents they go with.
"""

import keras
import numpy as np
import tensorflow as tf

from tfwgan.validation import integer_at_least
from tfwgan.validation import number_at_least
from tfwgan.validation import one_of

CRITICS = ("projection", "acgan")
LABEL_DISTRIBUTIONS = ("uniform", "frequencies")


@keras.saving.register_keras_serializable(package="tfwgan")
class ConditionalBatchNormalization(keras.layers.Layer):
  """[x, labels] → γ_y·(x − μ)/σ + β_y: batch norm (synchronized over replicas, batch
  statistics in training mode, moving ones in inference) whose scale and offset are the
  label's rows of [num_classes, channels] tables (γ initialised to 1, β to 0)."""

  def __init__(self, num_classes, *, epsilon=1e-3, momentum=0.99, **kwargs):
    super().__init__(**kwargs)
    self.num_classes = integer_at_least("num_classes", num_classes, 2)
    self.epsilon, self.momentum = epsilon, momentum
    self.normalize = keras.layers.BatchNormalization(
        center=False, scale=False, synchronized=True, epsilon=epsilon, momentum=momentum,
        name="normalize")

  def build(self, input_shape):
    channels = input_shape[0][-1]
    self.normalize.build(input_shape[0])
    self.gamma = self.add_weight(shape=(self.num_classes, channels), initializer="ones",
                                 name="gamma")
    self.beta = self.add_weight(shape=(self.num_classes, channels), initializer="zeros",
                                name="beta")

  def call(self, inputs, training=None):
    x, labels = inputs
    normalized = self.normalize(x, training=training)
    labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    broadcast = [-1] + [1] * (len(x.shape) - 2) + [x.shape[-1]]
    gamma = tf.reshape(tf.gather(self.gamma, labels), broadcast)
    beta = tf.reshape(tf.gather(self.beta, labels), broadcast)
    return tf.cast(gamma, normalized.dtype) * normalized + tf.cast(beta, normalized.dtype)

  def compute_output_shape(self, input_shape):
    return input_shape[0]

  def get_config(self):
    return {**super().get_config(), "num_classes": self.num_classes,
            "epsilon": self.epsilon, "momentum": self.momentum}


def label_input():
  return keras.Input((), dtype="int32", name="label")


def one_hot_conditioned(generator, latent_dim, num_classes, *, name):
  """Model([z, label]) → generator(concat(z, one_hot(label))), `generator` built for
  latents of latent_dim + num_classes."""
  z, labels = keras.Input((latent_dim,), name="z"), label_input()
  codes = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot",
                                       name="one_hot")(labels)
  joined = keras.layers.Concatenate(name="z_and_label")([z, codes])
  return keras.Model([z, labels], generator(joined), name=name)


def _features_and_head(critic):
  """φ (the critic up to its last layer) and ψ (its last layer, a Dense(1))."""
  head = critic.layers[-1]
  if not isinstance(head, keras.layers.Dense) or head.units != 1:
    raise ValueError(f"critic {critic.name!r}: conditioning needs a critic whose last layer "
                     f"is Dense(1) on its features; it ends with {type(head).__name__}.")
  return keras.Model(critic.inputs, head.input, name=f"{critic.name}_features"), head


def projection_critic(critic, num_classes):
  """Model([x, label]) → ψ(φ(x)) + ⟨V[label], φ(x)⟩ (Miyato & Koyama 2018, eq. 3)."""
  integer_at_least("num_classes", num_classes, 2)
  features, head = _features_and_head(critic)
  x, labels = keras.Input(critic.input_shape[1:], name="x"), label_input()
  phi = features(x)
  embedded = keras.layers.Embedding(num_classes, phi.shape[-1], name="class_embedding")(labels)
  projection = keras.layers.Dot(axes=-1, name="projection", dtype="float32")([embedded, phi])
  score = keras.layers.Add(name="score", dtype="float32")([head(phi), projection])
  return keras.Model([x, labels], score, name=f"{critic.name}_projection")


def acgan_critic(critic, num_classes):
  """Model(x) → [ψ(φ(x)), class logits W·φ(x) + b] (the authors' ACGANOutput head)."""
  integer_at_least("num_classes", num_classes, 2)
  features, head = _features_and_head(critic)
  x = keras.Input(critic.input_shape[1:], name="x")
  phi = features(x)
  logits = keras.layers.Dense(num_classes, name="class_logits", dtype="float32")(phi)
  return keras.Model(x, [head(phi), logits], name=f"{critic.name}_acgan")


def _class_counts(network):
  """The class counts a network's label layers were built for (one-hot codes,
  conditional batch norms, class embeddings)."""
  if not isinstance(network, keras.Model):
    return set()
  counts = set()
  for layer in network._flatten_layers():  # pylint: disable=protected-access
    if isinstance(layer, keras.layers.CategoryEncoding):
      counts.add(layer.num_tokens)
    elif isinstance(layer, ConditionalBatchNormalization):
      counts.add(layer.num_classes)
    elif isinstance(layer, keras.layers.Embedding):
      counts.add(layer.input_dim)
  return counts


def _cross_entropy(logits, labels):
  return tf.nn.sparse_softmax_cross_entropy_with_logits(
      labels=tf.cast(labels, tf.int32), logits=tf.cast(logits, tf.float32))


class ClassConditioning:
  """How a `tfwgan.GAN` passes labels to its networks.

  Args:
    num_classes: number of classes (labels 0 … num_classes − 1).
    critic: 'projection' (the critic takes [samples, labels], one score each) or 'acgan'
      (the critic takes samples and returns [scores, class logits]).
    label_distribution: generated labels 'uniform' over the classes, or following
      `class_frequencies` ('frequencies': e.g. the training set's class counts).
    acgan_critic_weight, acgan_generator_weight: the cross-entropy weights of 'acgan'
      (the WGAN-GP authors' 1 and 0.1).
  """

  def __init__(self, num_classes, critic="projection", *, label_distribution="uniform",
               class_frequencies=None, acgan_critic_weight=1.0, acgan_generator_weight=0.1):
    self.num_classes = integer_at_least("num_classes", num_classes, 2)
    self.critic = one_of("critic", critic, CRITICS)
    self.label_distribution = one_of("label_distribution", label_distribution,
                                     LABEL_DISTRIBUTIONS)
    self.class_frequencies = self._frequencies(class_frequencies)
    self.acgan_critic_weight = number_at_least("acgan_critic_weight", acgan_critic_weight)
    self.acgan_generator_weight = number_at_least("acgan_generator_weight",
                                                  acgan_generator_weight)

  def _frequencies(self, class_frequencies):
    if self.label_distribution == "uniform":
      if class_frequencies is not None:
        raise ValueError("class_frequencies: only used with label_distribution='frequencies'.")
      return None
    counts = np.asarray(class_frequencies if class_frequencies is not None else [], np.float64)
    if counts.shape != (self.num_classes,) or not np.all(counts >= 0) or counts.sum() <= 0:
      raise ValueError(f"class_frequencies={class_frequencies!r}: needs {self.num_classes} "
                       "non-negative counts (one per class) with a positive sum.")
    return tuple(float(count) for count in counts / counts.sum())

  @property
  def classifies(self):
    """Whether the critic has an auxiliary classifier head ('acgan')."""
    return self.critic == "acgan"

  def draw_labels(self, rng, batch_size):
    """[batch_size] int32 labels, one uniform draw per sample from `rng`."""
    uniform = rng.uniform(tf.reshape(batch_size, [1]))
    if self.class_frequencies is None:
      labels = tf.floor(uniform * self.num_classes)
    else:
      edges = tf.constant(np.cumsum(self.class_frequencies)[:-1], tf.float32)
      labels = tf.reduce_sum(tf.cast(uniform[:, tf.newaxis] >= edges, tf.float32), axis=1)
    return tf.minimum(tf.cast(labels, tf.int32), self.num_classes - 1)

  def critic_outputs(self, critic, samples, labels, *, training):
    """(scores [batch], class logits [batch, classes] or None)."""
    if self.classifies:
      outputs = critic(samples, training=training)
      if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
        raise ValueError("returns one output, not [scores, class logits]")
      scores, logits = outputs
    else:
      scores, logits = critic([samples, labels], training=training), None
    return tf.reshape(scores, [-1]), logits

  def classification_loss(self, logits, labels):
    """Per-sample cross-entropy of the critic's class logits against `labels`."""
    return _cross_entropy(logits, labels)

  def check_networks(self, generator, critic, latent_dim):
    """Runs both networks on two labelled latents; returns the sample shape."""
    labels = tf.constant([0, self.num_classes - 1], tf.int32)
    critic_inputs = 1 if self.classifies else 2
    for name, network, count in (("generator", generator, 2), ("critic", critic, critic_inputs)):
      inputs = getattr(network, "inputs", None) or []
      if isinstance(network, keras.Model) and len(inputs) != count:
        raise ValueError(f"{name}: with conditioning (critic={self.critic!r}) it takes {count} "
                         f"input(s); {network.name!r} takes {len(inputs)} "
                         f"({self._wanted(name)}).")
    for name, network in (("generator", generator), ("critic", critic)):
      counts = _class_counts(network)
      if counts - {self.num_classes}:
        raise ValueError(f"{name}: built for {sorted(counts)} classes, but num_classes="
                         f"{self.num_classes}; build it with num_classes={self.num_classes}.")
    try:
      samples = generator([tf.zeros([2, latent_dim]), labels], training=False)
    except Exception as error:  # pylint: disable=broad-except
      raise ValueError(f"generator: {self._wanted('generator')} (latent_dim={latent_dim}): "
                       f"{error}") from error
    try:
      scores, logits = self.critic_outputs(critic, samples, labels, training=False)
    except Exception as error:  # pylint: disable=broad-except
      raise ValueError(f"critic: {self._wanted('critic')}: {error}") from error
    if tuple(scores.shape) != (2,):
      raise ValueError("critic must return one value per sample; it returned "
                       f"{tuple(scores.shape)} values for a batch of 2.")
    if logits is not None and tuple(logits.shape) != (2, self.num_classes):
      raise ValueError(f"critic: its class logits have shape {tuple(logits.shape)} for a "
                       f"batch of 2; expected (2, {self.num_classes}).")
    return tuple(samples.shape[1:])

  def _wanted(self, name):
    if name == "generator":
      return ("a conditional generator maps [z [batch, latent_dim], labels [batch]] → "
              "samples (tfwgan.networks' generators with num_classes=...)")
    if self.classifies:
      return ("critic='acgan' maps samples → [scores, class logits] "
              "(tfwgan.conditioning.acgan_critic)")
    return ("critic='projection' maps [samples, labels] → scores "
            "(tfwgan.conditioning.projection_critic)")

  def get_config(self):
    return {"num_classes": self.num_classes, "critic": self.critic,
            "label_distribution": self.label_distribution,
            "class_frequencies": self.class_frequencies,
            "acgan_critic_weight": self.acgan_critic_weight,
            "acgan_generator_weight": self.acgan_generator_weight}


def check(conditioning):
  if conditioning is None or isinstance(conditioning, ClassConditioning):
    return conditioning
  raise ValueError(f"conditioning={conditioning!r}: allowed values are None or "
                   "tfwgan.conditioning.ClassConditioning(num_classes, critic=...).")
