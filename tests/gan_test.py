import math
import os

import test_utils

import pytest

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
from tfwgan import noise
from tfwgan import proximal as proximal_lib


def _optimizers(learning_rate=1e-3, optimizer=keras.optimizers.Adam, count=2):
  names = ("generator_optimizer", "critic_optimizer", "potential_optimizer")[:count]
  return {name: optimizer(learning_rate) for name in names}


def _linear_generator(kernel, bias):
  """g(z) = z·K + b with a 1-D latent: a generator whose outputs are known exactly."""
  layer = keras.layers.Dense(len(bias))
  model = keras.Sequential([keras.Input((1,)), layer])
  layer.kernel.assign(np.asarray(kernel, np.float32).reshape(1, -1))
  layer.bias.assign(np.asarray(bias, np.float32))
  return model


def _frozen_linear_generator_and_linear_critic(kernel, *, seed):
  """g(z) = kernel·z (learning rate 0) and f(x) = w·x from w = 0 under SGD(1), 3 critic
  steps per outer iteration: each critic step adds mean(real) − mean(fake) to w."""
  critic = test_utils.linear_critic([0.0])
  gan = tfwgan.GAN(_linear_generator([kernel], [0.0]), critic, 1, loss="wasserstein",
                   critic_steps=3, seed=seed)
  gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
              critic_optimizer=keras.optimizers.SGD(1.0))
  return gan, critic


def _copy_random_stream(gan):
  """A copy of the model's noise source that replays its next draws."""
  return gan._random.replay()


class TrainStepTest(tf.test.TestCase, parameterized.TestCase):

  def test_each_critic_step_gets_its_own_real_batch(self):
    # g ≡ 0 (zero weights, learning rate 0) and f(x) = w·x under SGD(1): each critic
    # step adds the mean of its real batch to w. With every sample used once, that
    # sums to 24/4 = 6; reusing one batch three times would not (e.g. 3 × 1.75).
    gan, critic = _frozen_linear_generator_and_linear_critic(0.0, seed=0)
    real = np.repeat([1.0, 2.0, 3.0], 4).reshape(12, 1).astype(np.float32)
    gan.fit(tf.data.Dataset.from_tensors(real), epochs=1, verbose=0)
    self.assertAllClose(critic.trainable_variables[0].numpy().ravel(), [6.0])
    self.assertEqual(int(gan.critic_optimizer.iterations), 3)
    self.assertEqual(int(gan.generator_optimizer.iterations), 1)

  def test_a_lazy_penalty_enters_every_kth_critic_update_times_k(self):
    # f(x) = w·x under the Wasserstein loss: the loss's gradient in w does not depend on w,
    # and R1's is ∇_w ½‖w‖² = w. Under SGD(η), two critic updates with R1 due in the first
    # only, times k = 2, end 2ηλ·w₀ below the same updates without a penalty (R1 in both:
    # ηλ(w₀ + w₁); unscaled: ηλ·w₀; due in the second: 2ηλ·w₁).
    start = np.array([0.5, 1.5], np.float32)
    after = {}
    for name, penalty in (("none", None), ("lazy", {"name": "r1", "every": 2})):
      keras.utils.set_random_seed(0)
      layer = keras.layers.Dense(1, use_bias=False)
      critic = keras.Sequential([keras.Input((2,)), layer])
      layer.kernel.assign(start.reshape(-1, 1))
      generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2)])
      gan = tfwgan.GAN(generator, critic, 1, loss="wasserstein", penalty=penalty,
                       penalty_weight=3.0, critic_steps=2, seed=0)
      gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                  critic_optimizer=keras.optimizers.SGD(0.01))
      real = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
      history = gan.fit(tf.data.Dataset.from_tensors(real), verbose=0).history
      after[name] = layer.kernel.numpy().ravel()
    self.assertAllClose(after["none"] - after["lazy"], 2 * 0.01 * 3.0 * start, rtol=1e-5)
    # The logged penalty is the one update's unweighted ½‖w₀‖², not diluted by the other.
    self.assertAllClose(history["penalty"], [0.5 * np.sum(start ** 2)], rtol=1e-5)

  @parameterized.parameters("gp", "lp", "dragan", "r1", "r2")
  def test_the_penalty_enters_the_critic_objective_times_penalty_weight(self, penalty):
    # f(x) = w·x has ∇f = w at every point, so the penalty's gradient in w, G, is the same
    # wherever the penalty samples. Under SGD(η), one critic update at weight λ moves w by
    # −η(∇ critic loss + λG); two runs with the same draws at λ = 1 and 3 differ by 2ηG.
    # (WWGAN's W2 norm weighs ∇f by the image's pixel mass, so it depends on the point;
    # its λ goes through the same line of GAN._critic_update.)
    shape = (2,)
    size = int(np.prod(shape))
    start = np.linspace(0.5, 1.5, size).astype(np.float32)          # ‖w‖ > 1: LP is active
    def critic():
      layer = keras.layers.Dense(1, use_bias=False)
      model = keras.Sequential([keras.Input(shape), keras.layers.Flatten(), layer])
      layer.kernel.assign(start.reshape(-1, 1))
      return model
    def generator():
      return keras.Sequential([keras.Input((1,)), keras.layers.Dense(size),
                               keras.layers.Reshape(shape)])
    after = {}
    for weight in (1.0, 3.0):   # the model's own draws: the same in both runs
      keras.utils.set_random_seed(0)
      gan = tfwgan.GAN(generator(), critic(), 1, penalty=penalty, penalty_weight=weight,
                       critic_steps=1, seed=0)
      gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                  critic_optimizer=keras.optimizers.SGD(0.01))
      real = np.random.default_rng(0).normal(size=(8,) + shape).astype(np.float32)
      gan.fit(tf.data.Dataset.from_tensors(real), verbose=0)
      after[weight] = gan.critic.trainable_variables[0].numpy().ravel()
    probe = critic()
    with tf.GradientTape() as tape:
      source = noise.ReplicaNoise(0)
      source.start_step(0)
      points = tf.random.normal((4,) + shape, seed=1)
      value = tf.reduce_mean(gan.penalty.per_example(probe, points, points + 1.0, source))
    gradient = tape.gradient(value, probe.trainable_variables[0]).numpy().ravel()
    self.assertGreater(np.abs(gradient).max(), 0.1)
    self.assertAllClose(after[1.0] - after[3.0], 2 * 0.01 * gradient, rtol=1e-4, atol=1e-6)

  def test_each_critic_step_draws_its_own_noise(self):
    # g(z) = z (learning rate 0), f(x) = w·x under SGD(1) and real samples 0: critic step i
    # of outer iteration t adds −mean(z_ti) to w, z_ti being sub-stream i's draw of step t.
    # The same draw at every critic step, or at every outer iteration, adds other values.
    gan, critic = _frozen_linear_generator_and_linear_critic(1.0, seed=5)
    gan.fit(tf.data.Dataset.from_tensors(np.zeros((12, 1), np.float32)).repeat(),
            steps_per_epoch=2, verbose=0)
    draws = []
    for step in range(2):
      source = noise.ReplicaNoise(5)
      source.start_step(step)
      for index in range(3):
        with source.substream(index):
          draws.append(float(tf.reduce_mean(source.normal([4, 1]))))
    self.assertLen(set(np.round(draws, 6)), 6)
    self.assertAllClose(critic.trainable_variables[0].numpy().ravel(), [-sum(draws)],
                        rtol=1e-5)

  def test_critic_phase_trace_does_not_grow_with_critic_steps(self):
    # On one device the critic updates are a tf.while_loop: 100 unrolled toy updates
    # took about 100 s to trace.
    def graph_size(critic_steps):
      keras.utils.set_random_seed(0)
      gan = tfwgan.WGANGP(*test_utils.tiny_mlp_pair(), 2, critic_steps=critic_steps, seed=0)
      gan.compile(**_optimizers())
      graph = tf.function(gan.train_step).get_concrete_function(
          tf.TensorSpec([4 * critic_steps, 2])).graph.as_graph_def()
      return len(graph.node) + sum(len(f.node_def) for f in graph.library.function)

    self.assertEqual(graph_size(2), graph_size(12))

  @parameterized.parameters(False, True)
  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_looped_critic_phase_equals_the_unrolled_one(self, jit_compile):
    # Under a strategy (here one device) the updates are unrolled; without, a while_loop.
    # XLA draws other noise values than TF's kernels, so compiled compares with compiled.
    def train(strategy):
      with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = tfwgan.WGANLP(*test_utils.tiny_mlp_pair(), 2, critic_steps=3, seed=0,
                            proximal=tfwgan.RWP(h=0.1, generator_steps=2))
        gan.compile(**_optimizers(1e-2), jit_compile=jit_compile)
      history = gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=3),
                        epochs=1, steps_per_epoch=2, verbose=0).history
      return [w.numpy() for w in gan.generator.weights + gan.critic.weights], history

    looped, looped_history = train(tf.distribute.get_strategy())
    unrolled, unrolled_history = train(tf.distribute.OneDeviceStrategy("/cpu:0"))
    for a, b in zip(looped, unrolled):
      self.assertAllClose(a, b, rtol=1e-5, atol=1e-6)
    self.assertAllClose(looped_history, unrolled_history, rtol=1e-5, atol=1e-6)

  def test_logged_losses_are_the_papers_quantities(self):
    # Learning rate 0 keeps f(x) = w·x with ‖w‖ = 2 fixed, so GP = 1 exactly and the
    # logged critic loss is E f(fake) − E f(real) without the penalty, whatever λ is.
    logs = {}
    real = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    for weight in (0.0, 10.0):
      generator = _linear_generator([[1.0, 1.0]], [3.0, -1.0])
      gan = tfwgan.WGANGP(generator, test_utils.linear_critic([2.0, 0.0]), 1,
                          penalty_weight=weight, critic_steps=2, seed=0)
      gan.compile(**_optimizers(0.0, keras.optimizers.SGD))
      logs[weight] = gan.fit(tf.data.Dataset.from_tensors(real), verbose=0).history
    self.assertAllClose(logs[10.0]["penalty"], [1.0])
    self.assertAllClose(logs[10.0]["critic_loss"], logs[0.0]["critic_loss"])
    self.assertAllClose(logs[10.0]["wasserstein_estimate"], -np.array(logs[10.0]["critic_loss"]))
    # E f(real) = 2·mean(real[:, 0]); fake = (z + 3, z − 1), E f(fake) = 2(3 + E z).
    self.assertAllClose(logs[10.0]["wasserstein_estimate"][0], 2 * real[:, 0].mean() - 6.0,
                        atol=0.8)

  def test_weight_clipping_keeps_critic_weights_in_range(self):
    generator, critic = test_utils.tiny_mlp_pair()
    for variable in critic.trainable_variables:
      variable.assign(variable * 100.0)
    gan = tfwgan.WGANClip(generator, critic, 2, clip_value=0.01, critic_steps=2, seed=0)
    gan.compile(**_optimizers(5e-5, keras.optimizers.RMSprop))
    gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=16, critic_steps=2), epochs=1,
            steps_per_epoch=2, verbose=0)
    for variable in critic.trainable_variables:
      self.assertLessEqual(float(tf.reduce_max(tf.abs(variable))), 0.01)


class RWPTest(tf.test.TestCase):

  def _rwp_gan(self, h, seed=0):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=2, seed=seed,
                        proximal=tfwgan.RWP(h=h, generator_steps=3))
    gan.compile(**_optimizers(1e-2))
    return gan

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_proximal_term_is_zero_first_then_mean_squared_distance_to_frozen_copy(self):
    h = 0.05
    gan = self._rwp_gan(h)
    gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=16, critic_steps=2), epochs=1,
            steps_per_epoch=2, verbose=0)  # the generator and its frozen copy now differ
    tracker = gan._trackers["proximal"]
    gan._random.start_step(0)
    gan._start_generator_phase(16)
    tracker.reset_state()
    gan._generator_update(16, None)
    self.assertEqual(float(tracker.result()), 0.0)  # θ = θk−1 at the first step
    for _ in range(2):
      z = _copy_random_stream(gan).normal([16, 2])
      distance = tf.reduce_sum(tf.square(gan.generator(z, training=True)
                                         - gan.generator_anchor(z, training=True)), axis=1)
      tracker.reset_state()
      gan._generator_update(16, None)
      self.assertGreater(float(tracker.result()), 0.0)
      self.assertAllClose(tracker.result(), tf.reduce_mean(distance) / (2 * h), rtol=1e-5)

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_infinite_h_reproduces_unregularised_updates_exactly(self):
    weights = {}
    for name, proximal, generator_steps in (("rwp_inf", tfwgan.RWP(math.inf, 3), None),
                                            ("rwp_small_h", tfwgan.RWP(1e-3, 3), None),
                                            ("plain", None, 3)):
      keras.utils.set_random_seed(7)
      generator, critic = test_utils.tiny_mlp_pair()
      gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=2, seed=3, proximal=proximal,
                          generator_steps=generator_steps)
      gan.compile(**_optimizers(1e-2))
      gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=16, critic_steps=2, seed=1),
              epochs=1, steps_per_epoch=3, verbose=0)
      weights[name] = [w.numpy() for w in generator.weights + critic.weights]
    for rwp_weight, plain_weight in zip(weights["rwp_inf"], weights["plain"]):
      self.assertAllEqual(rwp_weight, plain_weight)
    # A finite h does change the trajectory (the comparison above can fail).
    self.assertFalse(all(np.array_equal(a, b)
                         for a, b in zip(weights["rwp_small_h"], weights["plain"])))


class ConstantOutput(keras.layers.Layer):
  """g_θ(z) = θ for every z: a generator whose output is one trainable vector."""

  def __init__(self, initial, **kwargs):
    super().__init__(**kwargs)
    self.initial = [float(value) for value in initial]
    self.bias = self.add_weight(shape=(len(self.initial),),
                                initializer=keras.initializers.Constant(self.initial))

  def call(self, z):
    return tf.zeros([tf.shape(z)[0], 1]) + self.bias

  def get_config(self):
    return {**super().get_config(), "initial": self.initial}


class RWPPhaseAnalyticTest(tf.test.TestCase, parameterized.TestCase):
  """A whole RWP generator phase in closed form (RWP paper, Alg. 1 with eq. 4's 1/(2h)).

  g_θ(z) = b ∈ ℝ³, fixed critic f(x) = w·x, Wasserstein generator loss −w·b, SGD(η), ℓ = 2.
  Step 1: the term is 0 (θ = θk−1), so b1 = b0 + ηw. Step 2: the term is ‖b1 − b0‖²/(2h)
  = η²‖w‖²/(2h), its gradient (b1 − b0)/h = ηw/h, so b2 = b0 + (2η − η²/h)·w. The logged
  `proximal` is the mean over the two steps, η²‖w‖²/(4h). The next outer iteration starts
  from θk−1 = b2 and moves by the same amount again.
  Wrong versions and what they give for the coefficient of w (η = 0.1, h = 0.1: 0.1):
  a flipped sign 0.3, 1/h for 1/(2h) 0.0, a mean over the 3 dimensions 0.1667, an anchor
  refreshed every step 0.2; an anchor never refreshed changes the second phase.
  """

  ETA, H = 0.1, 0.1
  W = np.array([1.0, -2.0, 0.5], np.float32)
  B0 = np.array([0.3, -0.1, 0.2], np.float32)

  def _gan(self, **rwp_options):
    generator = keras.Sequential([keras.Input((2,)), ConstantOutput(self.B0)])
    gan = tfwgan.GAN(generator, test_utils.linear_critic(self.W), 2, loss="wasserstein",
                     critic_steps=1, seed=0,
                     proximal=tfwgan.RWP(self.H, generator_steps=2, **rwp_options))
    gan.compile(generator_optimizer=keras.optimizers.SGD(self.ETA),
                critic_optimizer=keras.optimizers.SGD(0.0))
    return gan

  @parameterized.parameters("per_step", "per_phase")
  def test_two_outer_iterations_match_the_closed_form(self, latents):
    gan = self._gan(latents=latents)
    data = tf.data.Dataset.from_tensors(tf.zeros([4, 3])).repeat()
    shift = (2 * self.ETA - self.ETA**2 / self.H) * self.W
    for iteration in (1, 2):
      logs = gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0).history
      self.assertAllClose(gan.generator.layers[0].bias, self.B0 + iteration * shift, atol=1e-6)
      self.assertAllClose(logs["proximal"][0],
                          self.ETA**2 * np.dot(self.W, self.W) / (4 * self.H), rtol=1e-5)
      self.assertAllClose(gan.generator_anchor.weights[0],
                          self.B0 + (iteration - 1) * shift, atol=1e-6)

  def test_mean_distance_divides_the_term_by_the_sample_size(self):
    gan = self._gan(distance="mean")
    logs = gan.fit(tf.data.Dataset.from_tensors(tf.zeros([4, 3])), verbose=0).history
    shift = (2 * self.ETA - self.ETA**2 / (3 * self.H)) * self.W
    self.assertAllClose(gan.generator.layers[0].bias, self.B0 + shift, atol=1e-6)
    self.assertAllClose(logs["proximal"][0],
                        self.ETA**2 * np.dot(self.W, self.W) / (4 * 3 * self.H), rtol=1e-5)


class RWPLatentsTest(tf.test.TestCase):

  def test_per_step_draws_fresh_z_and_per_phase_reuses_the_first(self):
    # g(z) = zK + b with a fixed linear critic: the term at step 2 is
    # ‖g_θ1(z) − g_θ0(z)‖²/(2h) for the z that step used, so it tells which z that was.
    h, eta, w = 0.5, 0.1, np.array([1.0, -1.0], np.float32)
    logged = {}
    for latents in proximal_lib.LATENTS:
      generator = _linear_generator([0.5, 0.5], [0.0, 0.0])
      gan = tfwgan.GAN(generator, test_utils.linear_critic(w), 1, loss="wasserstein", seed=4,
                       proximal=tfwgan.RWP(h, 2, latents=latents))
      gan.compile(generator_optimizer=keras.optimizers.SGD(eta),
                  critic_optimizer=keras.optimizers.SGD(0.0))
      logged[latents] = gan.fit(tf.data.Dataset.from_tensors(tf.zeros([16, 2])),
                                verbose=0).history["proximal"][0]
      replay = noise.ReplicaNoise(4)
      replay.start_step(0)
      z1, z2 = replay.normal([16, 1]), replay.normal([16, 1])
      # Step 1 (term 0): the loss −mean(zK + b)·w has gradients −mean(z1)·w in K and −w
      # in b, so g_θ1(z) − g_θ0(z) = η(mean(z1)·z + 1)·w.
      z = z2 if latents == "per_step" else z1
      moved = eta * (tf.reduce_mean(z1) * z + 1.0) * w
      expected = tf.reduce_mean(tf.reduce_sum(tf.square(moved), axis=1)) / (2 * h) / 2
      self.assertAllClose(logged[latents], expected, rtol=1e-5)
    self.assertNotAllClose(logged["per_step"], logged["per_phase"])


def _values(variables):
  return [tf.identity(variable).numpy() for variable in variables]


def _plain_copy(model):
  """A trainable one-device clone of `model` with its current weights: the reference."""
  copy = keras.models.clone_model(model)
  copy.set_weights(model.get_weights())
  return copy


def _assign(model, values):
  for variable, value in zip(model.trainable_variables, values):
    variable.assign(value)


def _outputs(generator, values, z):
  """g_values(z) in training mode (batch norm on the batch's statistics); z: the
  generator's inputs (z, or [z, labels])."""
  _assign(generator, values)
  return generator(z, training=True)


def _generator_objective(critic, generated, inputs, augment=None, rng=None):
  """(−E f(T(g(z))) (the logged generator loss), the AC-GAN term 0.1·E CE(logits, y) of a
  classifying critic, else 0). T: `augment` with its next draws from `rng`, or none."""
  if augment is not None:
    generated = augment(generated, rng)
  if not isinstance(inputs, list):
    return -tf.reduce_mean(critic(generated, training=True)), 0.0
  labels = inputs[1]
  if isinstance(critic.output, list):   # acgan: [scores, class logits]
    scores, logits = critic(generated, training=True)
    log_probabilities = logits - tf.reduce_logsumexp(logits, axis=1, keepdims=True)
    cross_entropy = -tf.gather(log_probabilities, labels, axis=1, batch_dims=1)
    return -tf.reduce_mean(scores), 0.1 * tf.reduce_mean(cross_entropy)
  return -tf.reduce_mean(critic([generated, labels], training=True)), 0.0


def _squared_distance(a, b):
  return tf.reduce_sum(tf.square(a - b), axis=list(range(1, a.shape.rank)))


def _gradient_energy(potential, points):
  with tf.GradientTape() as tape:
    tape.watch(points)
    values = potential(points, training=True)
  return 0.5 * _squared_distance(tape.gradient(values, points), 0.0)


def _power_iteration_vectors(model):
  """(u, v) of each spectrally normalised layer of `model` (none without SN)."""
  return [(layer.u.numpy(), layer.v.numpy()) for layer in tfwgan.spectral_norm.layers_of(model)]


def _set_power_iteration_vectors(model, vectors):
  for layer, (u, v) in zip(tfwgan.spectral_norm.layers_of(model), vectors, strict=True):
    layer.u.assign(u)
    layer.v.assign(v)


def _power_iteration_at(generator, theta):
  """Alg. 1's power iteration of `generator` at weights θ (a no-op without SN)."""
  _assign(generator, theta)
  tfwgan.spectral_norm.power_iteration(generator)


def _sgd_generator_step(generator, theta, objective, learning_rate):
  """θ − η·∇objective(θ); `objective()` calls the generator."""
  _assign(generator, theta)
  with tf.GradientTape() as tape:
    value = objective()
  gradients = tape.gradient(value, generator.trainable_variables)
  return [t - learning_rate * tf.convert_to_tensor(g).numpy()
          for t, g in zip(theta, gradients)]


# Every augmentation op in the matrix's augmented cells instead of two (about 5 more
# minutes of the suite): on 2026-12-08 the 10 cells passed with all five (355 s, `-k cr_ada`).
ALL_AUGMENT_OPS_VARIABLE = "TFWGAN_TESTS_ALL_AUGMENT_OPS"


def _ada_augment():
  """A DiffAugment op and an ADA blit op (all five ops with ALL_AUGMENT_OPS_VARIABLE set),
  each gated per sample by ADA's live p (from 0.5, adjusted after every critic update,
  slowly enough to stay near 0.5: at 0 or 1 the gates would test nothing): the generator
  steps see T(g(z)). (Every op's draws are pinned in augment_test.)"""
  every_op = os.environ.get(ALL_AUGMENT_OPS_VARIABLE)
  return tfwgan.augment.DiffAugment(
      "color,translation,cutout,flip,rotate90" if every_op else "translation,flip",
      probability=tfwgan.ada.AdaptiveProbability(0.6, interval=1, speed_images=1e4, initial=0.5))


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class ProximalOverNetworksTest(tf.test.TestCase, parameterized.TestCase):
  """RWP and SBE over every network family × {one device, 2 replicas}, against a plain
  recomputation of one outer iteration (RWP Alg. 1 / SBE Alg. 2) with one-device Keras
  clones in training mode. The generators with batch norm are where a g_θk−1 in the
  wrong mode went unseen (../shared/TRAPS.md)."""

  H, BATCH = 0.1, 8
  # SGD steps large enough for a visible proximal term, small enough that the tiny DCGANs'
  # tanh outputs do not saturate (at 0.05 they do, and the term falls to ~1e-7).
  LEARNING_RATES = {"mlp": 0.05, "dcgan28": 0.003, "dcgan32": 0.003, "dcgan64": 0.003,
                    "resnet28": 0.003}

  def _rate(self, family, proximal, baselines):
    """RWP on a spectrally normalised MLP generator: its outputs move ~30× less per step at
    0.05, so 0.5 for a visible term (SBE's potential diverges there)."""
    if baselines and family == "mlp" and proximal == "rwp":
      return 0.5
    return self.LEARNING_RATES[family]

  def _train(self, family, proximal, replicas, critic_kind=None, baselines=False):
    """One outer iteration (after one more that moves θ, θk−1, u and batch norm); returns
    (strategy, gan, what the second started from, its logs, the noise replayed from its
    generator phase's first draw: z (and labels), then each generator step's augmentation
    draws in the order the model draws them; the critic's draws are in sub-streams)."""
    strategy = test_utils.mirrored_strategy() if replicas == 2 else tf.distribute.get_strategy()
    with strategy.scope():
      keras.utils.set_random_seed(0)
      chosen = None
      if critic_kind:
        generator, critic, latent_dim, shape, chosen = test_utils.conditional_network_family(
            family, critic_kind)
      else:
        generator, critic, latent_dim, shape = test_utils.network_family(family)
      regulariser = (tfwgan.RWP(self.H, generator_steps=2) if proximal == "rwp"
                     else tfwgan.SBE(h=self.H, potential_steps=1))
      if baselines:   # issue #42's parts: the generator step sees SN (its own u) and hinge
        generator, critic = map(tfwgan.spectral_norm.apply, (generator, critic))
        terms = [tfwgan.critic_terms.LeCam(0.3)] + (
            [tfwgan.critic_terms.BalancedConsistency(real_weight=1.0, fake_weight=1.0)]
            if len(shape) == 3 else [])
        gan = tfwgan.GAN(generator, critic, latent_dim, loss="hinge", critic_steps=1,
                         penalty={"name": "r1", "every": 2}, seed=0, proximal=regulariser,
                         critic_terms=terms, conditioning=chosen,
                         augment=_ada_augment() if len(shape) == 3 else None)
      else:
        gan = tfwgan.WGANGP(generator, critic, latent_dim, critic_steps=1, seed=0,
                            proximal=regulariser, conditioning=chosen)
      test_utils.compile_gan(gan, self._rate(family, proximal, baselines), keras.optimizers.SGD)
    real = np.random.default_rng(0).uniform(-1, 1, (self.BATCH,) + shape).astype(np.float32)
    labels = np.arange(self.BATCH, dtype=np.int32) % test_utils.CLASSES
    data = tf.data.Dataset.from_tensors((real, labels) if chosen else real).repeat()
    gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0)  # θ, θk−1, batch norm all move
    before = {"theta": _values(generator.trainable_variables),
              "anchor": _values(gan.generator_anchor.weights),
              "power_iteration": _power_iteration_vectors(gan.generator)}
    if gan.potential is not None:
      before["potential"] = gan.potential.get_weights()
    logs = gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0).history
    replay = noise.ReplicaNoise(gan.seed)
    replay.start_step(1)
    return strategy, gan, before, {k: v[0] for k, v in logs.items()}, replay

  def _inputs(self, gan, replay):
    """The generator's next inputs from `replay`: z, or [z, labels drawn right after z]."""
    z = replay.normal([self.BATCH, gan.latent_dim])
    return [z, gan.conditioning.draw_labels(replay, self.BATCH)] if gan.conditioning else z

  def _rwp_reference(self, gan, before, replay, learning_rate):
    generator, critic = _plain_copy(gan.generator), _plain_copy(gan.critic)
    theta, terms, losses = before["theta"], [], []
    _set_power_iteration_vectors(generator, before["power_iteration"])
    for _ in range(gan.generator_steps):
      z = self._inputs(gan, replay)
      _power_iteration_at(generator, theta)   # SN: u, v of this step's θ, then the anchor
      anchor = _outputs(generator, before["theta"], z)  # θk−1: θ at the phase start

      def objective(z=z, anchor=anchor):
        generated = generator(z, training=True)
        loss, classification = _generator_objective(critic, generated, z, gan.augment, replay)
        losses.append(loss)
        terms.append(tf.reduce_mean(_squared_distance(generated, anchor)) / (2 * self.H))
        return losses[-1] + classification + terms[-1]

      theta = _sgd_generator_step(generator, theta, objective, learning_rate)
    return theta, {"proximal": np.mean(terms), "generator_loss": np.mean(losses)}

  def _sbe_reference(self, gan, before, replay, learning_rate):
    generator, critic = _plain_copy(gan.generator), _plain_copy(gan.critic)
    _set_power_iteration_vectors(generator, before["power_iteration"])
    potential_before, potential = _plain_copy(gan.potential), _plain_copy(gan.potential)
    potential_before.set_weights(before["potential"])
    scores = lambda phi, x: tf.reshape(phi(x, training=True), [-1])
    z_potential, z_baseline, z_generator = (self._inputs(gan, replay) for _ in range(3))
    anchor = _outputs(generator, before["anchor"], z_potential)
    moved = _outputs(generator, before["theta"], z_potential)
    with tf.GradientTape() as tape:   # Alg. 2 line 6: Φ ascends (1/h)·E[...]
      potential_objective = tf.reduce_mean(
          scores(potential_before, moved) - scores(potential_before, anchor)
          - _gradient_energy(potential_before, anchor)) / self.H
    gradients = tape.gradient(potential_objective, potential_before.trainable_variables)
    stepped = [w + learning_rate * g.numpy()
               for w, g in zip(_values(potential_before.trainable_variables), gradients)]
    self.assertAllClose(_values(potential.trainable_variables), stepped, rtol=2e-4, atol=1e-5,
                        msg="potential after its SGD ascent step")
    anchor = _outputs(generator, before["anchor"], z_baseline)
    baseline = tf.reduce_mean(scores(potential, anchor) + _gradient_energy(potential, anchor))
    logs = {"potential_objective": potential_objective}

    def objective():
      generated = generator(z_generator, training=True)
      logs["generator_loss"], classification = _generator_objective(
          critic, generated, z_generator, gan.augment, replay)
      logs["proximal"] = tf.reduce_mean(scores(potential, generated) - baseline) / self.H
      return logs["generator_loss"] + classification + logs["proximal"]

    _power_iteration_at(generator, before["theta"])   # SN: the generator update's own
    theta = _sgd_generator_step(generator, before["theta"], objective, learning_rate)
    return theta, logs

  # Two replicas: the MLP and the DCGAN-28 here (DCGAN-32 and -64 differ from it in
  # channels and depth, nothing a replica does differently); the ResNet at 2 replicas in
  # the baselines cells below, whose generator phase is a superset of the plain one (the
  # same generator loss −E[D(G(z))], synchronized batch norm, per-replica draws and the
  # anchor, plus the generator's SN u, v and ADA-gated augmentation). The three plain
  # 2-replica families left out cost about 90 s of tracing and test no further path.
  @parameterized.named_parameters(
      [(f"{family}_{proximal}_{replicas}_replicas", family, proximal, replicas)
       for family in test_utils.NETWORK_FAMILIES for proximal in ("rwp", "sbe")
       for replicas in ((1, 2) if family in ("mlp", "dcgan28") else (1,))] +
      [(f"{family}_{critic_kind}_{proximal}_{replicas}_replicas", family, proximal, replicas,
        critic_kind)
       for family, critic_kind, proximals in test_utils.CONDITIONAL_FAMILIES
       for proximal in proximals for replicas in (1, 2)] +
      # Issue #42: spectral normalisation of both networks (the generator's u, v advanced
      # at each of its updates, the anchor with the live u), hinge, lazy R1, LeCam, and on
      # images balanced consistency and every augmentation op gated by ADA's p (the
      # generator steps' draws of T replayed; 2-D points have no augmentation: DiffAugment
      # refuses them, BadInputTest), one family of each kind; conditional too
      # (the projection's class embedding normalised; AC-GAN's class head).
      [(f"{family}_{critic_kind + '_' if critic_kind else ''}sn_hinge_r1_lecam_"
        f"{'cr_ada_' if family != 'mlp' else ''}{proximal}_{replicas}_replicas",
        family, proximal, replicas, critic_kind, True)
       for family, critic_kind, proximals in (
           ("mlp", None, ("rwp", "sbe")), ("dcgan28", None, ("rwp", "sbe")),
           ("resnet28", None, ("rwp", "sbe")), ("mlp", "projection", ("rwp", "sbe")),
           ("dcgan28", "acgan", ("rwp",)))
       for proximal in proximals for replicas in (1, 2)])
  def test_one_outer_iteration_matches_a_recomputation(self, family, proximal, replicas,
                                                       critic_kind=None, baselines=False):
    strategy, gan, before, logs, replay = self._train(family, proximal, replicas, critic_kind,
                                                      baselines)
    first_inputs = self._inputs(gan, replay.replay())
    reference = self._rwp_reference if proximal == "rwp" else self._sbe_reference
    theta, expected_logs = reference(gan, before, replay, self._rate(family, proximal, baselines))
    for name, value in expected_logs.items():
      self.assertAllClose(logs[name], value, rtol=1e-3, atol=1e-5, msg=name)
    if proximal == "rwp":
      self.assertGreater(logs["proximal"], 1e-3)  # the comparison above is not 0 vs 0
    if gan.augment is not None:   # ADA's p moved, and gates some samples in, some out
      probability = float(tf.convert_to_tensor(gan.augment.adaptive.probability))
      self.assertBetween(probability, 0.3, 0.7)
      self.assertNotEqual(probability, 0.5)
    # Synchronized batch norm takes the variance as E[x²] − E[x]² of all-reduced sums; its
    # float32 rounding differs from the one-device moments by up to 2.8e-4 in the weights
    # after one step (DCGAN-32); an unsynchronized or wrongly scaled update is far off.
    weight_atol = 1e-5 if replicas == 1 else 1e-3
    for got, want in zip(_values(gan.generator.trainable_variables), theta):
      self.assertAllClose(got, want, rtol=2e-4, atol=weight_atol)

    # θ = θk−1 at a phase's first step: the anchor computes exactly what g computes.
    @tf.function
    def anchor_gap(z):
      gan.generator_anchor.refresh()
      return tf.reduce_max(tf.abs(gan.generator_anchor(z, training=True)
                                  - gan.generator(z, training=True)))

    first = tf.nest.map_structure(lambda t: t[:self.BATCH // replicas], first_inputs)
    gaps = strategy.run(anchor_gap, args=(first,))
    self.assertEqual([float(gap) for gap in strategy.experimental_local_results(gaps)],
                     [0.0] * replicas)


class GeneratorBatchTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.named_parameters(("one_device", 1), ("2_replicas", 2))
  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_generator_and_potential_updates_use_the_generator_batch(self, replicas):
    strategy = test_utils.mirrored_strategy() if replicas == 2 else tf.distribute.get_strategy()
    with strategy.scope():
      generator, critic = test_utils.tiny_mlp_pair()
      gan = test_utils.compile_gan(tfwgan.WGANGP(
          generator, critic, 2, critic_steps=2, seed=0, generator_batch_size=12,
          proximal=tfwgan.SBE(potential_steps=1)))
    drawn = []
    latents = gan._latents
    gan._latents = lambda batch: drawn.append(int(batch)) or latents(batch)
    gan.run_eagerly = True
    gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=4, critic_steps=2), epochs=1,
            steps_per_epoch=1, verbose=0)
    # Each replica: 2 critic updates draw its share of the critic batch (4); the potential
    # step, the SBE baseline and the generator step its share of the generator batch (12).
    self.assertCountEqual(drawn, [4 // replicas] * 2 * replicas + [12 // replicas] * 3 * replicas)

  def test_a_generator_batch_must_split_over_the_replicas(self):
    with test_utils.mirrored_strategy().scope():
      generator, critic = test_utils.tiny_mlp_pair()
      gan = test_utils.compile_gan(tfwgan.WGANGP(generator, critic, 2, critic_steps=1, seed=0,
                                                 generator_batch_size=5))
    with self.assertRaisesRegex(ValueError, r"generator_batch_size=5: must be a multiple of "
                                r"the 2 replicas"):
      gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=4), epochs=1, steps_per_epoch=1,
              verbose=0)


class SBETest(tf.test.TestCase):

  def _translation_gan(self, shift, anchor_shift):
    """g_θ(z) = z + shift, g_θk−1(z) = z + anchor_shift, Φ(x) = a·x linear.

    sup_a E[a(x + shift) − a(x + anchor_shift) − ½a²] is reached at a = shift −
    anchor_shift with value ½(shift − anchor_shift)²: ½W2² between the translates.
    """
    generator = _linear_generator([1.0], [shift])
    potential = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    gan = tfwgan.GAN(generator, test_utils.linear_critic([0.0]), 1, seed=0,
                     proximal=tfwgan.SBE(potential=potential, h=0.2, potential_steps=1))
    gan.compile(**_optimizers(0.05, count=3))
    gan.generator_anchor.weights[1].assign([anchor_shift])  # [kernel, bias]
    return gan, potential

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_potential_learns_the_displacement_when_the_generator_moved(self):
    z = tf.random.stateless_normal([256, 1], seed=[1, 2])
    for shift, anchor_shift in ((0.7, 0.0), (0.0, 0.0)):
      gan, potential = self._translation_gan(shift, anchor_shift)
      gan._random.start_step(0)
      for _ in range(300):
        gan._potential_update(64)
      slope = float(potential.layers[0].kernel[0, 0])
      self.assertAllClose(slope, shift - anchor_shift, atol=0.03)
      reached = proximal_lib.sbe_potential_objective(potential, z + shift, z + anchor_shift)
      self.assertAllClose(reached, 0.5 * (shift - anchor_shift) ** 2, atol=0.01)

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_anchor_is_the_generator_before_the_previous_generator_phase(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=1, seed=0,
                        proximal=tfwgan.SBE(h=0.2, potential_steps=1))
    gan.compile(**_optimizers(1e-2, count=3))
    data = iter(tfwgan.data.toy_dataset("8gaussians", batch_size=8))
    for _ in range(3):
      start = [w.numpy() for w in generator.weights]   # MLP: the critic and potential
      gan.train_on_batch(next(data))                    # phases do not touch g's weights
      for anchor, before, now in zip(gan.generator_anchor.weights, start, generator.weights):
        self.assertAllEqual(anchor.numpy(), before)
      self.assertFalse(all(np.array_equal(a.numpy(), b.numpy()) for a, b in
                           zip(gan.generator_anchor.weights, generator.weights)))

  def test_generator_step_descends_loss_plus_potential_of_generated_only(self):
    generator, critic = test_utils.tiny_mlp_pair()
    h = 0.2
    gan = tfwgan.WGANGP(generator, critic, 2, seed=0,
                        proximal=tfwgan.SBE(h=h, potential_steps=1))
    gan.compile(**_optimizers(0.1, keras.optimizers.SGD, count=3))
    for variable in gan.generator_anchor.weights:   # θk−1 ≠ θ, so Φ's terms are not trivial
      variable.assign(variable * 0.5)
    before = [v.numpy() for v in generator.trainable_variables]
    gan._random.start_step(0)
    z = _copy_random_stream(gan).normal([32, 2])
    with tf.GradientTape() as tape:
      generated = generator(z, training=True)
      reference = (-tf.reduce_mean(critic(generated, training=True))
                   + tf.reduce_mean(gan.potential(generated, training=False)) / h)
    expected_gradients = tape.gradient(reference, generator.trainable_variables)
    gan._generator_update(32, tf.constant(123.0))
    for old, new, gradient in zip(before, generator.trainable_variables, expected_gradients):
      self.assertAllClose(new.numpy(), old - 0.1 * gradient.numpy(), atol=1e-5)


class SkipNonFiniteUpdatesTest(tf.test.TestCase):

  def test_non_finite_critic_update_is_reverted_exactly(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=1, seed=0,
                        skip_nonfinite_updates=True)
    gan.compile(**_optimizers(1e-2))
    good = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    gan.train_on_batch(good)
    critic_state = [v.numpy() for v in critic.weights + gan.critic_optimizer.variables]
    generator_before = [v.numpy() for v in generator.weights]
    logs = gan.train_on_batch(np.full((8, 2), np.nan, np.float32), return_dict=True)
    for saved, now in zip(critic_state, critic.weights + gan.critic_optimizer.variables):
      self.assertAllEqual(saved, now.numpy())          # update, slots, iterations: all reverted
    self.assertFalse(all(np.array_equal(a, b.numpy())  # the finite generator update went through
                         for a, b in zip(generator_before, generator.weights)))
    self.assertGreater(logs["skipped_updates"], 0.0)
    self.assertTrue(np.isfinite(logs["critic_loss"]))
    gan.train_on_batch(good)
    self.assertFalse(all(np.array_equal(a, b.numpy())  # and training goes on
                         for a, b in zip(critic_state, critic.weights)))


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class EightGaussiansTest(tf.test.TestCase):

  def test_wgan_lp_lowers_exact_emd(self):
    before, after = test_utils.wgan_lp_eight_gaussians_emd("float32")
    self.assertLess(after, 0.6 * before)
    self.assertLess(after, 0.6)


class BadInputTest(tf.test.TestCase, parameterized.TestCase):

  def setUp(self):
    super().setUp()
    self.generator, self.critic = test_utils.tiny_mlp_pair()

  @parameterized.named_parameters(
      ("unknown_loss", {"loss": "logistic"}, r"loss='logistic': allowed values"),
      ("unknown_penalty", {"penalty": "r3"}, r"penalty='r3': allowed values"),
      ("negative_weight", {"penalty_weight": -1.0}, r"penalty_weight=-1.0: must be a number >= 0"),
      ("zero_critic_steps", {"critic_steps": 0}, r"critic_steps=0: must be an integer >= 1"),
      ("negative_generator_steps", {"generator_steps": -2}, r"generator_steps=-2"),
      ("bad_proximal", {"proximal": "rwp"}, r"proximal='rwp': allowed values are None"),
      ("conflicting_steps", {"proximal": tfwgan.RWP(0.1, 5), "generator_steps": 2},
       r"generator_steps=2 conflicts"),
      ("zero_latent", {"latent_dim": 0}, r"latent_dim=0: must be an integer >= 1"),
      ("augmented_points", {"augment": "flip"}, r"augment='flip': DiffAugment transforms images"))
  def test_construction_errors(self, overrides, message):
    kwargs = {"latent_dim": 2, **overrides}
    with self.assertRaisesRegex(ValueError, message):
      tfwgan.GAN(self.generator, self.critic, **kwargs)

  def test_critic_must_return_one_value_per_sample(self):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with self.assertRaisesRegex(ValueError, r"critic must return one value per sample.*\(2, 3\)"):
      tfwgan.WGANGP(self.generator, critic, 2)

  def test_networks_must_have_trainable_variables(self):
    frozen = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    frozen.trainable = False
    with self.assertRaisesRegex(ValueError, r"critic: has no trainable variables.*trainable=True"):
      tfwgan.WGANGP(self.generator, frozen, 2)
    self.generator.trainable = False
    with self.assertRaisesRegex(ValueError, r"generator: has no trainable variables"):
      tfwgan.WGANGP(self.generator, self.critic, 2)

  def test_latent_dim_must_fit_the_generator(self):
    with self.assertRaisesRegex(ValueError, r"generator: cannot map latents.*latent_dim=5"):
      tfwgan.WGANGP(self.generator, self.critic, 5)

  def test_data_shape_must_match_generator_output(self):
    gan = tfwgan.WGANGP(self.generator, self.critic, 2, critic_steps=1)
    gan.compile(**_optimizers())
    data = tf.data.Dataset.from_tensors(tf.zeros([8, 3]))
    with self.assertRaisesRegex(ValueError, r"real samples have shape \(3,\).*shape \(2,\)"):
      gan.fit(data, verbose=0)

  def test_fit_batch_must_divide_into_critic_steps(self):
    gan = tfwgan.WGANGP(self.generator, self.critic, 2, critic_steps=3)
    gan.compile(**_optimizers())
    data = tf.data.Dataset.from_tensors(tf.zeros([8, 2]))
    with self.assertRaisesRegex(ValueError, r"received 8 real samples.*critic_steps=3"):
      gan.fit(data, verbose=0)

  @parameterized.named_parameters(("one_device", None), ("mirrored", "mirrored"))
  def test_an_unknown_batch_size_that_does_not_divide_is_the_same_value_error(self, strategy):
    # A plain .batch(8) has an unknown batch size: checked in the pipeline, before the step.
    strategy = (test_utils.mirrored_strategy() if strategy else tf.distribute.get_strategy())
    with strategy.scope():
      generator, critic = test_utils.tiny_mlp_pair(hidden_units=4)
      gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=3)
      gan.compile(**_optimizers())
    data = tf.data.Dataset.from_tensor_slices(tf.zeros([30, 2])).batch(8)
    with self.assertRaisesRegex(ValueError, r"^data: a fit step received 8 real samples, not a "
                                r"multiple of critic_steps=3;.*tfwgan\.data\.critic_batches"):
      gan.fit(data, verbose=0)
    # A numpy array batched by Keras itself: checked in the step (per replica), the same
    # ValueError.
    with self.assertRaisesRegex(ValueError, r"^data: a fit step received [48] real samples, "
                                r"not a multiple of critic_steps=3"):
      gan.fit(np.zeros((30, 2), np.float32), batch_size=8, verbose=0)
    self.assertEqual(int(gan.outer_iterations.numpy()), 0)      # a failed step never counts
    # A divisible unknown batch trains (the remainder batch of 6 too).
    gan.fit(tf.data.Dataset.from_tensor_slices(tf.zeros([30, 2])).batch(12), verbose=0)
    self.assertEqual(int(gan.outer_iterations.numpy()), 3)

  def test_optimizer_errors(self):
    gan = tfwgan.WGANGP(self.generator, self.critic, 2)
    shared = keras.optimizers.Adam()
    with self.assertRaisesRegex(ValueError, r"distinct optimizer"):
      gan.compile(generator_optimizer=shared, critic_optimizer=shared)
    with self.assertRaisesRegex(ValueError, r"potential_optimizer: only used with proximal=SBE"):
      gan.compile(**_optimizers(count=3))
    with self.assertRaisesRegex(ValueError, r"critic_optimizer='adam': must be a keras"):
      gan.compile(generator_optimizer=keras.optimizers.Adam(), critic_optimizer="adam")
    sbe = tfwgan.WGANGP(self.generator, self.critic, 2, proximal=tfwgan.SBE())
    with self.assertRaisesRegex(ValueError, r"potential_optimizer: required with proximal=SBE"):
      sbe.compile(**_optimizers())


class BaselinesOneIterationTest(tf.test.TestCase):
  """One outer iteration of hinge + spectral normalisation + R1 + LeCam + balanced
  consistency, against the objectives written out in NumPy (float64) from the papers and
  differentiated by central differences. The generator g(z) = reshape(zG + c) makes 2×2
  images; the critic D(x) = vec(x)·w/σ + b with σ = uᵀWv from one power iteration (Miyato
  et al. Alg. 1; u, v held in the gradient, eq. 12). Critic objective (SGD step 0.05):
  E relu(1 − D(x)) + E relu(1 + D(x̃))                       (hinge, Lim & Ye)
  + γ·½E‖∇D(x)‖²                                            (R1, γ = 2)
  + λ_LC·E[(D(x) − α_F)² + (α_R − D(x̃))²]                  (LeCam eq. 3, λ 0.5; after one
    update the bias-corrected anchors are that update's mean scores, held)
  + E[1.5(D(x) − D(T(x)))² + 0.5(D(x̃) − D(T(x̃)))²]         (balanced CR, T a flip)."""

  BATCH, RATE, SEED, GAMMA, LECAM = 4, 0.05, 3, 2.0, 0.5

  def _networks(self):
    keras.utils.set_random_seed(1)
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4),
                                  keras.layers.Reshape((2, 2, 1))])
    critic = tfwgan.spectral_norm.apply(keras.Sequential([
        keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]))
    return generator, critic

  @staticmethod
  def _numerical_gradient(objective, params, step=1e-6):
    gradient = np.zeros_like(params)
    for index in range(params.size):
      shift = np.zeros_like(params)
      shift.flat[index] = step
      gradient.flat[index] = (objective(params + shift) - objective(params - shift)) / (2 * step)
    return gradient

  def test_matches_the_objectives_written_out(self):
    generator, critic = self._networks()
    gan = tfwgan.GAN(generator, critic, 2, loss="hinge", penalty="r1",
                     penalty_weight=self.GAMMA, critic_steps=1, seed=self.SEED,
                     critic_terms=[tfwgan.critic_terms.LeCam(self.LECAM),
                                   tfwgan.critic_terms.BalancedConsistency(
                                       real_weight=1.5, fake_weight=0.5, policy="flip")])
    gan.compile(generator_optimizer=keras.optimizers.SGD(self.RATE),
                critic_optimizer=keras.optimizers.SGD(self.RATE))
    real = np.random.default_rng(0).uniform(-1, 1, (self.BATCH, 2, 2, 1))
    kernel, bias = (w.numpy().astype(np.float64) for w in critic.trainable_variables)
    u0 = tfwgan.spectral_norm.layers_of(critic)[0].u.numpy().astype(np.float64)
    g_kernel, g_bias = (w.numpy().astype(np.float64) for w in generator.trainable_variables)

    replay = noise.ReplicaNoise(self.SEED)
    replay.start_step(0)
    with replay.substream(0):
      z = replay.normal([self.BATCH, 2]).numpy().astype(np.float64)
      flip_real = replay.uniform([self.BATCH, 1, 1, 1]).numpy().reshape(-1) < 0.5
      flip_fake = replay.uniform([self.BATCH, 1, 1, 1]).numpy().reshape(-1) < 0.5
    z_generator = replay.normal([self.BATCH, 2]).numpy().astype(np.float64)

    v = kernel @ u0                       # Alg. 1 with W = kernelᵀ: v ← Wᵀu/‖·‖, u ← Wv/‖·‖
    v /= np.linalg.norm(v)
    u = kernel.T @ v
    u /= np.linalg.norm(u)
    flat = lambda x: x.reshape(len(x), -1)
    mirror = lambda x, flips: np.where(flips[:, None, None, None], x[:, :, ::-1], x)
    fake = (z @ g_kernel + g_bias).reshape(-1, 2, 2, 1)

    def scores(params, x):
      w, b = params[:4, None], params[4]
      sigma = float(u @ (w.T @ v))        # uᵀWv, u and v held
      return (flat(x) @ w)[:, 0] / sigma + b

    start = np.concatenate([kernel[:, 0], bias])
    real_mean, fake_mean = scores(start, real).mean(), scores(start, fake).mean()

    def critic_objective(params):
      d_real, d_fake = scores(params, real), scores(params, fake)
      hinge = np.maximum(0, 1 - d_real).mean() + np.maximum(0, 1 + d_fake).mean()
      gradient_norm = np.sum(params[:4] ** 2) / float(u[0] * (params[:4] @ v)) ** 2
      r1 = self.GAMMA * 0.5 * gradient_norm     # ∇ₓD = w/σ at every sample
      lecam = self.LECAM * np.mean((d_real - fake_mean) ** 2 + (real_mean - d_fake) ** 2)
      consistency = np.mean(1.5 * (d_real - scores(params, mirror(real, flip_real))) ** 2
                            + 0.5 * (d_fake - scores(params, mirror(fake, flip_fake))) ** 2)
      return hinge + r1 + lecam + consistency

    critic_after = start - self.RATE * self._numerical_gradient(critic_objective, start)
    g_start = np.concatenate([g_kernel.ravel(), g_bias])

    def generator_objective(params):
      generated = (z_generator @ params[:8].reshape(2, 4) + params[8:]).reshape(-1, 2, 2, 1)
      return -scores(critic_after, generated).mean()   # hinge's generator loss

    generator_after = g_start - self.RATE * self._numerical_gradient(generator_objective,
                                                                     g_start)
    self.assertGreater(np.abs(generator_after - g_start).max(), 1e-3)
    self.assertTrue(flip_real.any() and flip_fake.any())   # T moves some samples

    logs = gan.fit(tf.data.Dataset.from_tensors(real.astype(np.float32)), epochs=1,
                   verbose=0).history
    got_kernel, got_bias = (w.numpy() for w in critic.trainable_variables)
    self.assertAllClose(np.concatenate([got_kernel[:, 0], got_bias]), critic_after,
                        rtol=1e-4, atol=1e-5)
    self.assertAllClose(np.concatenate([w.numpy().ravel() for w in
                                        generator.trainable_variables]), generator_after,
                        rtol=1e-4, atol=1e-5)
    d_real, d_fake = scores(start, real), scores(start, fake)
    self.assertAllClose(logs["critic_loss"][0], np.maximum(0, 1 - d_real).mean()
                        + np.maximum(0, 1 + d_fake).mean(), rtol=1e-4)
    self.assertAllClose(logs["penalty"][0], 0.5 * np.sum(start[:4] ** 2)
                        / float(u[0] * (start[:4] @ v)) ** 2, rtol=1e-4)
    self.assertAllClose(logs["lecam"][0], np.mean((d_real - fake_mean) ** 2
                                                  + (real_mean - d_fake) ** 2), rtol=1e-4)


if __name__ == "__main__":
  tf.test.main()
