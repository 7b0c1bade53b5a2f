"""One Keras GAN model that runs every method: adversarial loss × critic regulariser × proximal.

`train_step` is one outer iteration of the RWP paper's Alg. 1 / Alg. 2:
critic phase (a fresh real batch per critic step), potential phase (SBE only),
generator phase (ℓ steps, fresh z per step by default, against the anchor g_θk−1).
"""

import random
import re

import keras
import tensorflow as tf

from tfwgan import augment as augment_lib
from tfwgan import conditioning as conditioning_lib
from tfwgan import critic_terms as critic_terms_lib
from tfwgan import losses as losses_lib
from tfwgan import networks
from tfwgan import noise
from tfwgan import penalties as penalties_lib
from tfwgan import proximal as proximal_lib
from tfwgan import sampling
from tfwgan import spectral_norm
from tfwgan.reduction import cross_replica_sum
from tfwgan.reduction import global_batch_mean
from tfwgan.validation import integer_at_least
from tfwgan.validation import number_at_least


def loops_critic_updates(critic_steps):
  """Whether a critic phase of `critic_steps` updates runs as a `tf.while_loop` (one device,
  no tf.distribute strategy) rather than unrolled in Python (see `GAN._critic_phase`)."""
  return critic_steps > 1 and not tf.distribute.has_strategy()


def _check_optimizer(name, optimizer):
  if not isinstance(optimizer, keras.optimizers.Optimizer):
    raise ValueError(f"{name}={optimizer!r}: must be a keras.optimizers.Optimizer instance.")
  return optimizer


_INDIVISIBLE = "tfwgan: step batch not a multiple of critic_steps:"
_BAD_LABEL = "tfwgan: a label outside the classes:"


def indivisible_batch_message(count, critic_steps):
  """The ValueError text for a fit step of `count` samples with `critic_steps` updates."""
  return (f"data: a fit step received {count} real samples, not a multiple of "
          f"critic_steps={critic_steps}; each step needs critic_steps × batch samples, one "
          f"fresh batch per critic update: batch an unbatched dataset with "
          f"tfwgan.data.critic_batches(dataset, batch_size=..., critic_steps={critic_steps}).")


class GAN(keras.Model):
  """A GAN composed of an adversarial `loss`, a critic `penalty` and a generator `proximal`.

  Args:
    generator: Keras model, latents [batch, latent_dim] → samples.
    critic: Keras model, samples → one value per sample ([batch] or [batch, 1]).
    latent_dim: size of the standard-normal latent z.
    loss: 'wasserstein' | 'non_saturating' | 'hinge' | 'least_squares' (`tfwgan.losses`).
    critic_terms: terms added to the critic's objective with any loss and penalty:
      `tfwgan.critic_terms.LeCam(weight)`, `BalancedConsistency(...)`.
    penalty: None | 'clip' | 'gp' | 'lp' | 'dragan' | 'w2' | 'r1' | 'r2' | a dict with
      'name' and options ({'name': 'r1', 'every': 16}: lazy R1) | a
      `tfwgan.penalties.Regularizer`.
    penalty_weight: λ multiplying the penalty in the critic objective.
    proximal: None | `tfwgan.RWP` | `tfwgan.SBE`.
    critic_steps: critic updates per outer iteration; each `fit` step receives
      critic_steps × batch real samples and gives each critic update its own batch.
    generator_steps: generator updates per outer iteration without a proximal
      (the proximal's own `generator_steps` otherwise).
    skip_nonfinite_updates: revert any update whose objective or gradients are not
      finite (variables and optimizer state), instead of applying NaN/Inf.
    generator_batch_size: global batch of each generator (and SBE potential) update;
      None: the critic's batch. The WGAN-GP authors' ResNet recipe uses twice it.
    generator_ema: None or a `tfwgan.ema.GeneratorEMA`: an average of the generator's
      weights, updated once per outer iteration; sampling, evaluation and the export
      then use it (`sampling_generator()`).
    seed: seed of the model's random draws (z, ε, perturbations); None: a random seed.
      Draws are keyed by (seed, outer iteration), so they do not depend on the
      number of replicas and a resumed run continues the same stream.
    conditioning: None or a `tfwgan.conditioning.ClassConditioning`: `fit` steps then
      receive (samples, labels), the generator takes [z, labels] and the critic the
      labels its way ('projection' or 'acgan').
    augment: None, a DiffAugment policy ('color,translation,cutout' or a subset) or a
      `tfwgan.augment.DiffAugment`: every critic input is augmented, in the critic's and
      the generator's steps (Zhao et al. 2020). None or '' leaves every step as without it.
  """

  def __init__(self, generator, critic, latent_dim, *, loss="wasserstein", penalty=None,
               penalty_weight=10.0, proximal=None, critic_steps=1, generator_steps=None,
               skip_nonfinite_updates=False, generator_batch_size=None, generator_ema=None,
               seed=None, conditioning=None, augment=None, critic_terms=None, **kwargs):
    super().__init__(**kwargs)
    self.latent_dim = integer_at_least("latent_dim", latent_dim)
    self.adversarial_loss = losses_lib.get(loss)
    self.penalty = penalties_lib.get(penalty)
    self.penalty_weight = number_at_least("penalty_weight", penalty_weight)
    self.proximal = proximal_lib.check(proximal)
    self.critic_steps = integer_at_least("critic_steps", critic_steps)
    self.generator_steps = self._resolve_generator_steps(generator_steps)
    self.skip_nonfinite_updates = bool(skip_nonfinite_updates)
    self.generator_batch_size = (None if generator_batch_size is None else
                                 integer_at_least("generator_batch_size", generator_batch_size))
    self.generator = generator
    self.critic = critic
    self.conditioning = conditioning_lib.check(conditioning)
    self.augment = augment_lib.get(augment)
    self.critic_terms = critic_terms_lib.check(critic_terms)
    self._critic_term_state = {term.name: term.build() for term in self.critic_terms}
    self.sample_shape = self._check_networks()
    if self.augment is not None:
      self.augment.check_sample_shape(self.sample_shape)
    self._adaptive = None if self.augment is None else self.augment.adaptive
    self._adaptive_state = {} if self._adaptive is None else self._adaptive.build()
    self.seed = integer_at_least("seed", seed if seed is not None else random.randrange(2**31), 0)
    self._random = noise.ReplicaNoise(self.seed)
    self.generator_anchor = (proximal_lib.GeneratorAnchor(generator)
                             if self.proximal is not None else None)
    self.potential = self._potential() if isinstance(self.proximal, proximal_lib.SBE) else None
    if generator_ema is not None and spectral_norm.layers_of(generator):
      # The average's σ would be taken with the live generator's u, v: not σ(W_ema).
      raise ValueError("generator_ema: not with a spectrally normalised generator (its "
                       "power-iteration vectors belong to the live weights).")
    self.generator_ema = generator_ema.attach(generator) if generator_ema is not None else None
    self._trackers = {name: keras.metrics.Mean(name=name) for name in self._metric_names()}
    self._train_functions = {}   # critic_steps → traced train function
    # Outer iterations done: the training step of checkpoints and summaries.
    self.outer_iterations = keras.Variable(0, dtype="int64", trainable=False,
                                           aggregation="only_first_replica",
                                           name="outer_iterations")
    self.built = True

  # --- construction checks -------------------------------------------------------------------

  def _resolve_generator_steps(self, generator_steps):
    if generator_steps is not None:
      integer_at_least("generator_steps", generator_steps)
    if self.proximal is None:
      return generator_steps or 1
    if generator_steps is not None and generator_steps != self.proximal.generator_steps:
      raise ValueError(f"generator_steps={generator_steps!r} conflicts with the proximal's "
                       f"generator_steps={self.proximal.generator_steps}: set it in one place.")
    return self.proximal.generator_steps

  def _check_networks(self):
    """Runs both networks once on a latent batch; returns the generated sample shape."""
    for name, network in (("generator", self.generator), ("critic", self.critic)):
      if not callable(network):
        raise ValueError(f"{name}={network!r}: must be a Keras model (a callable layer).")
    if self.conditioning is not None:
      shape = self.conditioning.check_networks(self.generator, self.critic, self.latent_dim)
    else:
      shape = self._unconditional_sample_shape()
    self._check_trainable()
    return shape

  def _unconditional_sample_shape(self):
    try:
      samples = self.generator(tf.zeros([2, self.latent_dim]), training=False)
    except Exception as error:  # pylint: disable=broad-except
      raise ValueError(f"generator: cannot map latents of shape [batch, {self.latent_dim}] "
                       f"(latent_dim={self.latent_dim}): {error}") from error
    try:
      scores = self.critic(samples, training=False)
    except Exception as error:  # pylint: disable=broad-except
      raise ValueError(f"critic: cannot score generated samples of shape "
                       f"{tuple(samples.shape)}: {error}") from error
    if tuple(scores.shape) not in ((2,), (2, 1)):
      raise ValueError(f"critic must return one value per sample (shape [batch] or "
                       f"[batch, 1]); it returned shape {tuple(scores.shape)} for a batch of 2.")
    return tuple(samples.shape[1:])

  def _check_trainable(self):
    for name, network in (("generator", self.generator), ("critic", self.critic)):
      if not network.trainable_variables:
        raise ValueError(f"{name}: has no trainable variables, so its optimizer has nothing "
                         "to update (set trainable=True; to hold a network fixed, give its "
                         "optimizer learning_rate=0).")

  def _potential(self):
    potential = self.proximal.potential or networks.potential_mlp(self.sample_shape)
    values = potential(tf.zeros((2,) + self.sample_shape), training=False)
    if tuple(values.shape) not in ((2,), (2, 1)):
      raise ValueError(f"SBE potential must return one value per sample; it returned shape "
                       f"{tuple(values.shape)} for a batch of 2.")
    return potential

  def _metric_names(self):
    names = ["critic_loss"]
    if self.adversarial_loss.estimates_wasserstein:
      names.append("wasserstein_estimate")
    if self.penalty.penalised:
      names.append("penalty")
    names += [term.name for term in self.critic_terms]
    if self.conditioning is not None and self.conditioning.classifies:
      names += ["critic_classification", "generator_classification"]
    if self.potential is not None:
      names.append("potential_objective")
    names.append("generator_loss")
    if self.proximal is not None:
      names.append("proximal")
    if self._adaptive is not None:
      names.append("augment_probability")
    if self.skip_nonfinite_updates:
      names.append("skipped_updates")
    return names

  # --- Keras plumbing ------------------------------------------------------------------------

  def compile(self, *, generator_optimizer, critic_optimizer, potential_optimizer=None,
              jit_compile=False, **kwargs):
    """Takes one optimizer per network; builds each on its variables up front (Keras 3
    optimizers build lazily and cannot serve a second network, and under tf.distribute
    they must be built inside the strategy scope)."""
    optimizers = {"generator_optimizer": generator_optimizer,
                  "critic_optimizer": critic_optimizer}
    if self.potential is not None:
      if potential_optimizer is None:
        raise ValueError("potential_optimizer: required with proximal=SBE (it trains Φ).")
      optimizers["potential_optimizer"] = potential_optimizer
    elif potential_optimizer is not None:
      raise ValueError("potential_optimizer: only used with proximal=SBE; got "
                       f"proximal={self.proximal!r}.")
    for name, optimizer in optimizers.items():
      _check_optimizer(name, optimizer)
    if len({id(optimizer) for optimizer in optimizers.values()}) < len(optimizers):
      raise ValueError(f"{', '.join(optimizers)}: pass a distinct optimizer object for each "
                       "network (an optimizer's slots belong to one set of variables).")
    super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)
    self.generator_optimizer = generator_optimizer
    self.critic_optimizer = critic_optimizer
    self.potential_optimizer = potential_optimizer
    generator_optimizer.build(self.generator.trainable_variables)
    critic_optimizer.build(self.critic.trainable_variables)
    if self.potential is not None:
      potential_optimizer.build(self.potential.trainable_variables)

  def set_critic_steps(self, critic_steps):
    """Changes critic updates per outer iteration (e.g. for a warm-up). train_step is
    traced once per value: a value seen before gets its traced function back (WGAN's
    warm-up returns every 500 iterations)."""
    integer_at_least("critic_steps", critic_steps)
    if critic_steps != self.critic_steps:
      self._train_functions[self.critic_steps] = self.train_function
      self.critic_steps = critic_steps
      self.train_function = self._train_functions.get(critic_steps)

  def save(self, filepath, *args, **kwargs):
    """Not supported, on purpose: raises one line saying what to use instead."""
    del args, kwargs
    raise NotImplementedError(
        f"GAN.save({filepath!r}): a GAN is not saved as one Keras file (its training state, "
        "the RWP/SBE anchor g_θk−1, SBE's potential, the EMA, every optimizer and the "
        "outer-iteration counter that keys its random draws, is not what Keras' format "
        "round-trips); save it with tf.train.Checkpoint(**gan.checkpoint_items()) (what "
        "tfwgan.training.run resumes from, exactly), and the generator alone with "
        "tfwgan.export.export_generator(gan.sampling_generator(), export_dir, "
        "latent_dim=gan.latent_dim) or gan.generator.save('generator.keras').")

  def checkpoint_networks(self):
    """name → every network (or the anchor) whose weights a checkpoint holds."""
    return {name: getattr(self, name) for name in
            ("generator", "critic", "generator_anchor", "potential")
            if getattr(self, name, None) is not None}

  def checkpoint_items(self):
    """Everything a resumed run needs: networks, optimizers, anchor, step (which, with the
    seed, keys every random draw: the draws are stateless)."""
    items = {"generator": self.generator, "critic": self.critic,
             "outer_iterations": self.outer_iterations}
    for name in ("generator_optimizer", "critic_optimizer", "potential_optimizer", "potential"):
      if getattr(self, name, None) is not None:
        items[name] = getattr(self, name)
    if self.generator_anchor is not None:
      items["generator_anchor"] = self.generator_anchor.weights
    if self.generator_ema is not None:
      items["generator_ema"] = self.generator_ema.weights
    for name, state in self._critic_term_state.items():   # LeCam's anchors
      for key, variable in state.items():
        items[f"{name}_{key}"] = variable
    for key, variable in self._adaptive_state.items():   # ADA's p and its interval
      items[f"ada_{key}"] = variable
    return items

  def sampling_generator(self):
    """The generator to sample, evaluate and export: the EMA one when enabled."""
    return self.generator if self.generator_ema is None else self.generator_ema.model()

  @property
  def metrics(self):
    return list(self._trackers.values())

  def call(self, inputs, training=False):
    """The generator on z (or [z, labels] when conditional)."""
    return self.generator(inputs, training=training)

  @property
  def num_classes(self):
    return None if self.conditioning is None else self.conditioning.num_classes

  def sample_labels(self, num_samples, labels=None, *, seed=0):
    """The labels of `sample`: None when unconditional; `labels` (one class for all, or
    one per sample), or drawn from the class distribution (stateless, from `seed`)."""
    if self.conditioning is None:
      if labels is not None:
        raise ValueError("labels: this GAN is unconditional (conditioning=None).")
      return None
    if labels is None:
      if self.conditioning.class_frequencies is None:   # as an export samples them
        return sampling.uniform_labels(num_samples, self.num_classes, seed)
      return self.conditioning.draw_labels(tf.random.Generator.from_seed(seed), num_samples)
    return sampling.checked_labels(labels, num_samples, self.num_classes)

  def sample(self, num_samples, *, labels=None, seed=None, batch_size=1024,
             batch_norm="moving"):
    """`num_samples` generated samples of the sampling generator as one tf.Tensor;
    `batch_norm`: 'moving' (inference mode), 'batch' or 'standing' (`tfwgan.sampling`).
    Conditional: `labels` (a class, or one per sample), else drawn (`sample_labels`)."""
    integer_at_least("num_samples", num_samples)
    integer_at_least("batch_size", batch_size)
    if seed is None:
      z = tf.random.normal([num_samples, self.latent_dim])
    else:
      z = tf.random.stateless_normal([num_samples, self.latent_dim], seed=[seed, 0])
    labels = self.sample_labels(num_samples, labels,
                                seed=random.randrange(2**31) if seed is None else seed)
    generate = sampling.Sampler(self.sampling_generator(), batch_norm,
                                latent_dim=self.latent_dim, seed=seed or 0,
                                num_classes=self.num_classes)
    return tf.concat([generate(z[start:start + batch_size],
                               None if labels is None else labels[start:start + batch_size])
                      for start in range(0, num_samples, batch_size)], axis=0)

  # --- one outer iteration -------------------------------------------------------------------

  def train_step(self, data):
    self._random.start_step(self.outer_iterations.value)
    real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
    real_batches = self._split_real_batches(real)
    label_batches = self._split_labels(labels, real)
    batch_size = self._generator_batch(tf.shape(real_batches)[0])
    self._critic_phase(real_batches, label_batches)    # Alg. 1: critic phase
    if self.potential is not None:                     # Alg. 2: potential phase
      for _ in range(self.proximal.potential_steps):
        self._potential_update(batch_size)
    baseline = self._start_generator_phase(batch_size)  # θk−1 ← θ
    inputs = self._generator_inputs(batch_size) if self._latents_per_phase else None
    for _ in range(self.generator_steps):              # ℓ generator steps
      self._generator_update(batch_size, baseline, inputs)
    # Ordered after the data: a step whose input failed (a check in the pipeline) must not
    # count, nor move the EMA, which reads the counter.
    with tf.control_dependencies([real_batches]):
      self.outer_iterations.assign_add(1)
    if self.generator_ema is not None:
      self.generator_ema.update(self.outer_iterations.value)
    logs = {name: tracker.result() for name, tracker in self._trackers.items()}
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
      # Keras 3 reduces multi-worker logs with strategy.reduce(MEAN, axis=0), which
      # fails on scalars; shape [1] reduces to the scalar mean over the replicas.
      logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs

  def _generator_batch(self, critic_batch):
    """This replica's share of the generator batch (the critic's when not set)."""
    if self.generator_batch_size is None:
      return critic_batch
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if self.generator_batch_size % replicas:
      raise ValueError(f"generator_batch_size={self.generator_batch_size}: must be a "
                       f"multiple of the {replicas} replicas.")
    return self.generator_batch_size // replicas

  def _split_real_batches(self, real):
    """critic_steps × batch real samples → [batch, critic_steps, ...]: one batch per critic
    step (WGAN Alg. 1, line 3).

    Step i takes every critic_steps-th sample from i. Keras gives each replica a
    contiguous block of the step batch, so with this stride the replicas' step-i
    batches together are exactly the one-device step-i batch, in the same order.
    """
    real = tf.convert_to_tensor(real)
    if tuple(real.shape[1:]) != self.sample_shape:
      raise ValueError(f"data: real samples have shape {tuple(real.shape[1:])} but the "
                       f"generator makes samples of shape {self.sample_shape}.")
    count = real.shape[0]
    if count is not None and count % self.critic_steps:
      raise ValueError(indivisible_batch_message(count, self.critic_steps))
    real = tf.cast(real, self.variable_dtype)  # float32 also under mixed precision
    if count is None:   # inputs other than tf.data (checked in `fit`): in the step (not XLA)
      size = tf.shape(real)[0]
      with tf.control_dependencies([tf.debugging.Assert(
          tf.equal(size % self.critic_steps, 0), [_INDIVISIBLE, size])]):
        real = tf.identity(real)
    return tf.reshape(real, tf.concat([[-1, self.critic_steps], tf.shape(real)[1:]], 0))

  def _split_labels(self, labels, real):
    """The labels of `_split_real_batches`' batches, [batch, critic_steps]; None when
    unconditional (labels in the data are then ignored)."""
    if self.conditioning is None:
      return None
    if labels is None:
      raise ValueError("data: conditioning is set, so each fit step needs (samples, labels); "
                       "the data has samples only (tfwgan.data pipelines with labels=True).")
    labels = tf.cast(tf.convert_to_tensor(labels), tf.int32)
    if labels.shape.rank != 1 or (labels.shape[0] is not None and real.shape[0] is not None
                                  and labels.shape[0] != real.shape[0]):
      raise ValueError(f"data: labels of shape {tuple(labels.shape)} for "
                       f"{real.shape[0]} samples; expected one integer label per sample.")
    return tf.reshape(labels, [-1, self.critic_steps])

  def fit(self, x=None, *args, **kwargs):
    """`keras.Model.fit`. A `tf.data` step batch that is not a multiple of critic_steps
    is a ValueError naming `tfwgan.data.critic_batches`, on one device and under a
    strategy: checked from the dataset's shape, or (an unknown batch size, as from a plain
    `.batch(n)`) in its pipeline before the step runs."""
    if isinstance(x, tf.data.Dataset):
      x = self._checked_step_batches(x)
      # A tf.data set's order is its pipeline's; Keras ignores `shuffle` for it, with a
      # warning on every call unless it is False.
      kwargs.setdefault("shuffle", False)
    try:
      return super().fit(x, *args, **kwargs)
    except tf.errors.InvalidArgumentError as error:
      label = re.search(re.escape(_BAD_LABEL) + r"\D*?(-?\d+)", error.message)
      if label is not None:
        raise ValueError(f"data: label {label.group(1)} is outside the classes 0 … "
                         f"{self.num_classes - 1} (conditioning.num_classes="
                         f"{self.num_classes}).") from None
      found = re.search(re.escape(_INDIVISIBLE) + r"\D*(\d+)", error.message)
      if found is None:
        raise
      raise ValueError(indivisible_batch_message(int(found.group(1)),
                                                 self.critic_steps)) from None

  def _checked_step_batches(self, dataset):
    """`dataset`, after a static check of its batch size, or with a check per element;
    with conditioning, every label is checked to be a class (in the pipeline)."""
    if self.conditioning is not None and isinstance(dataset.element_spec, tuple):
      dataset = dataset.map(self._check_labels)
    spec = tf.nest.flatten(dataset.element_spec)[0]
    count = spec.shape[0] if spec.shape.rank else None
    if count is not None:
      if count % self.critic_steps:
        raise ValueError(indivisible_batch_message(count, self.critic_steps))
      return dataset
    critic_steps = self.critic_steps

    def check(*element):
      size = tf.shape(tf.nest.flatten(element)[0])[0]
      with tf.control_dependencies([tf.debugging.Assert(
          tf.equal(size % critic_steps, 0), [_INDIVISIBLE, size])]):
        return tf.nest.map_structure(tf.identity, element if len(element) > 1 else element[0])
    return dataset.map(check)

  def _check_labels(self, samples, labels, *rest):
    labels = tf.convert_to_tensor(labels)
    outside = tf.logical_or(labels < 0, labels >= self.num_classes)
    first = tf.boolean_mask(labels, outside)[:1]
    with tf.control_dependencies([tf.debugging.Assert(
        tf.logical_not(tf.reduce_any(outside)), [_BAD_LABEL, first])]):
      return (samples, tf.identity(labels), *rest)

  def _critic_phase(self, real_batches, label_batches=None):
    """critic_steps updates, update i on real_batches[:, i] with sub-stream i's draws.

    On one device the updates are a `tf.while_loop`, whose trace does not grow with
    critic_steps (100 unrolled toy updates took about 100 s to trace). Under a
    tf.distribute strategy they are unrolled in Python: an optimizer update inside a
    `while_loop` fails there (`merge_call` in replica context). Both draw the same values.
    """
    def update(index, real, labels):
      with self._random.substream(index):
        self._critic_update(real, labels)

    def step_labels(index):
      return None if label_batches is None else tf.gather(label_batches, index, axis=1)

    if not loops_critic_updates(self.critic_steps):
      for index in range(self.critic_steps):
        update(index, real_batches[:, index], step_labels(index))
      return

    def body(index):
      update(index, tf.gather(real_batches, index, axis=1), step_labels(index))
      return (index + 1,)

    tf.while_loop(lambda index: index < self.critic_steps, body, (tf.constant(0),))

  def _latents(self, batch_size):
    return self._random.normal([batch_size, self.latent_dim])

  def _generator_inputs(self, batch_size, labels=None):
    """z, or [z, labels] when conditional: `labels`, or drawn right after z."""
    z = self._latents(batch_size)
    if self.conditioning is None:
      return z
    if labels is None:
      labels = self.conditioning.draw_labels(self._random, batch_size)
    return [z, labels]

  @staticmethod
  def _labels_of(inputs):
    return inputs[1] if isinstance(inputs, list) else None

  def _critic_outputs(self, samples, labels, *, training=True):
    """(scores [batch], class logits or None) of the critic on `samples` with `labels`."""
    if self.conditioning is None:
      return tf.reshape(self.critic(samples, training=training), [-1]), None
    return self.conditioning.critic_outputs(self.critic, samples, labels, training=training)

  def _augmented(self, samples):
    """T(samples) with this step's draws (DiffAugment); `samples` when off."""
    return samples if self.augment is None else self.augment(samples, self._random)

  def _penalised_critic(self, labels, *, through_augment):
    """The function of the points whose input gradient the penalty takes: the critic
    with each point's label (its real sample's: the critic step's fakes share the real
    labels, and every penalty scores one batch of points per call), composed with T
    when `through_augment`."""
    if labels is None and not through_augment:
      return self.critic

    def scores(points, training=True):
      if through_augment:
        points = self._augmented(points)
      return self._critic_outputs(points, labels, training=training)[0]
    return scores

  @property
  def _latents_per_phase(self):
    """RWP App. D: one z batch for the ℓ generator steps (Alg. 1: fresh z per step)."""
    return isinstance(self.proximal, proximal_lib.RWP) and self.proximal.latents == "per_phase"

  def _apply(self, optimizer, objective, tape, variables):
    """One optimizer step; with skip_nonfinite_updates, reverted when anything is non-finite.

    Returns 1.0 where the update was kept, 0.0 where it was reverted (always 1.0 without
    the option). The verdict is agreed over all replicas, so they stay in sync.
    """
    gradients = tape.gradient(objective, variables)
    if not self.skip_nonfinite_updates:
      optimizer.apply_gradients(zip(gradients, variables))
      return tf.constant(1.0)
    bad = tf.cast(tf.logical_not(tf.math.is_finite(objective)), tf.float32)
    for gradient in gradients:
      bad += tf.cast(tf.logical_not(tf.reduce_all(tf.math.is_finite(gradient))), tf.float32)
    kept = tf.cast(tf.equal(cross_replica_sum(bad), 0.0), tf.float32)
    state = list(variables) + list(optimizer.variables)
    saved = [tf.identity(variable) for variable in state]
    optimizer.apply_gradients(zip(gradients, variables))
    for variable, old in zip(state, saved):
      variable.assign(tf.where(tf.cast(kept, tf.bool), variable, old))
    self._trackers["skipped_updates"].update_state(1.0 - kept)
    return kept

  def _track(self, name, value, kept):
    """Logs `value` unless its update was reverted (then it is most likely NaN)."""
    self._trackers[name].update_state(tf.where(kept > 0, value, 0.0), sample_weight=kept)

  def _critic_update(self, real, labels=None):
    """One critic step on a real batch (and its labels: the fakes are generated with
    them, as the WGAN-GP authors' conditional script does)."""
    # One per update (Miyato et al., Alg. 1; their Chainer code, like PyTorch's, iterates in
    # every training call, so also in the generator's update): the generator step scores
    # with the critic's u, v of its last update.
    spectral_norm.power_iteration(self.critic)
    fake = self.generator(self._generator_inputs(tf.shape(real)[0], labels), training=True)
    with tf.GradientTape() as tape:
      real_seen, fake_seen = self._augmented(real), self._augmented(fake)
      real_scores, real_logits = self._critic_outputs(real_seen, labels)
      fake_scores, _ = self._critic_outputs(fake_seen, labels)
      if self._adaptive is not None:   # ADA's r_t: signs of D on the augmented reals
        self._adaptive.observe(real_scores)
      critic_loss = self.adversarial_loss.critic(real_scores, fake_scores)
      objective = critic_loss
      if self.penalty.penalised:
        penalty, due = self._lazy_penalty(real, fake, real_seen, fake_seen, labels)
        objective = objective + (self.penalty_weight * self.penalty.every) * penalty
      extra = {}
      for term in self.critic_terms:   # LeCam, consistency: on the scores the loss saw
        extra[term.name] = term(real_scores, fake_scores,
                                lambda x: self._critic_outputs(x, labels)[0],
                                real_seen, fake_seen, self._random)
        objective = objective + term.weight * extra[term.name]
      if real_logits is not None:   # AC-GAN: the critic classifies the real samples
        classification = self.conditioning.classification_loss(real_logits, labels)
        objective = objective + self.conditioning.acgan_critic_weight * classification
      objective = global_batch_mean(objective)
    kept = self._apply(self.critic_optimizer, objective, tape, self.critic.trainable_variables)
    self.penalty.after_critic_update(self.critic)
    for term in self.critic_terms:   # LeCam's anchors move only with a kept update
      term.after_critic_update(kept)
    if self._adaptive is not None:   # p as this update's augmentations drew with it
      self._track("augment_probability", tf.identity(self._adaptive.probability), 1.0)
      self._adaptive.after_critic_update(kept)
    self._track("critic_loss", tf.reduce_mean(critic_loss), kept)
    if self.adversarial_loss.estimates_wasserstein:
      self._track("wasserstein_estimate",
                  tf.reduce_mean(real_scores) - tf.reduce_mean(fake_scores), kept)
    if self.penalty.penalised:   # the unweighted penalty, of the updates that computed it
      self._track("penalty", tf.reduce_mean(penalty), kept * due)
    for name, values in extra.items():
      self._track(name, tf.reduce_mean(values), kept)
    if real_logits is not None:
      self._track("critic_classification", tf.reduce_mean(classification), kept)

  def _lazy_penalty(self, real, fake, real_seen, fake_seen, labels):
    """(per-sample penalty, 1.0) in the critic updates it is due in, (zeros, 0.0) in the
    others: every `penalty.every`-th update by the critic optimizer's count (lazy
    regularisation, StyleGAN2 App. C; the caller scales it by `every`)."""
    penalty = lambda: self._penalty(real, fake, real_seen, fake_seen, labels)
    if self.penalty.every == 1:
      return penalty(), tf.constant(1.0)
    due = tf.equal(self.critic_optimizer.iterations % self.penalty.every, 0)
    return (tf.cond(due, penalty, lambda: tf.zeros([tf.shape(real)[0]], real.dtype)),
            tf.cast(due, tf.float32))

  def _penalty(self, real, fake, real_seen, fake_seen, labels):
    """The per-sample penalty. With DiffAugment, `augment.penalty_points` says where:
    'original' (the official code's default, ns_DiffAugment_r1): points made from the
    samples themselves, the gradient of D(T(·)) (a fresh draw of T); 'augmented'
    (ns_r1_DiffAugment): points made from the augmented samples the loss scored."""
    through = self.augment is not None and self.augment.penalty_points == "original"
    if through:
      real_seen, fake_seen = real, fake
    return self.penalty.per_example(self._penalised_critic(labels, through_augment=through),
                                    real_seen, fake_seen, self._random)

  def _potential_update(self, batch_size):
    """Ascent on (1/h)·E[Φ(g_θ(z)) − Φ(g_θk−1(z)) − ½‖∇Φ(g_θk−1(z))‖²] (Alg. 2, line 6).

    g_θk−1 is the generator as it was *before the previous generator phase*: the
    anchor copy is refreshed at the start of each generator phase, so here it still
    holds the weights from before the last one. With the current weights instead,
    the objective would degenerate to −½‖∇Φ‖². The anchor runs first, so a dropout
    layer draws the same mask for both.
    """
    inputs = self._generator_inputs(batch_size)
    anchor_generated = self.generator_anchor(inputs, training=True)
    generated = self.generator(inputs, training=True)
    with tf.GradientTape() as tape:
      objective = proximal_lib.sbe_potential_objective(
          self.potential, generated, anchor_generated, h=self.proximal.potential_objective_h,
          reduction="none")
      loss = -global_batch_mean(objective)
    kept = self._apply(self.potential_optimizer, loss, tape, self.potential.trainable_variables)
    self._track("potential_objective", tf.reduce_mean(objective), kept)

  def _start_generator_phase(self, batch_size):
    """θk−1 ← θ. For SBE, first estimates the θk−1 part of the term Φ was trained on."""
    baseline = None
    if self.potential is not None:
      anchor_generated = self.generator_anchor(self._generator_inputs(batch_size),
                                               training=True)
      baseline = proximal_lib.sbe_anchor_baseline(self.potential, anchor_generated)
    if self.generator_anchor is not None:
      self.generator_anchor.refresh()
    return baseline

  def _generator_update(self, batch_size, sbe_baseline, inputs=None):
    """One generator step on F(g_θ(z)) + the proximal term; `inputs`: the phase's z (and
    labels) (RWP `latents="per_phase"`) or None for a fresh draw (Alg. 1)."""
    if inputs is None:
      inputs = self._generator_inputs(batch_size)
    labels = self._labels_of(inputs)
    spectral_norm.power_iteration(self.generator)   # before the anchor: both use the new u
    if isinstance(self.proximal, proximal_lib.RWP):
      anchor_generated = self.generator_anchor(inputs, training=True)
    with tf.GradientTape() as tape:
      generated = self.generator(inputs, training=True)
      scores, logits = self._critic_outputs(self._augmented(generated), labels)
      generator_loss = self.adversarial_loss.generator(scores)
      objective = generator_loss
      if logits is not None:   # AC-GAN: generated samples should be classified as their labels
        classification = self.conditioning.classification_loss(logits, labels)
        objective = objective + self.conditioning.acgan_generator_weight * classification
      if isinstance(self.proximal, proximal_lib.RWP):
        proximal_term = self.proximal.generator_term(generated, anchor_generated)
      elif isinstance(self.proximal, proximal_lib.SBE):
        proximal_term = proximal_lib.sbe_generator_term(
            self.potential, generated, self.proximal.h, baseline=sbe_baseline,
            reduction="none")
      if self.proximal is not None:
        objective = objective + proximal_term
      objective = global_batch_mean(objective)
    kept = self._apply(self.generator_optimizer, objective, tape,
                       self.generator.trainable_variables)
    self._track("generator_loss", tf.reduce_mean(generator_loss), kept)
    if self.proximal is not None:
      self._track("proximal", tf.reduce_mean(proximal_term), kept)
    if logits is not None:
      self._track("generator_classification", tf.reduce_mean(classification), kept)
