import math

import test_utils

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
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


def _copy_random_stream(gan):
  """A copy of the model's noise source that replays its next draws."""
  return gan._random.replay()


class TrainStepTest(tf.test.TestCase, parameterized.TestCase):

  def test_each_critic_step_gets_its_own_real_batch(self):
    # g ≡ 0 (zero weights, learning rate 0) and f(x) = w·x under SGD(1): each critic
    # step adds the mean of its real batch to w. With every sample used once, that
    # sums to 24/4 = 6; reusing one batch three times would not (e.g. 3 × 1.75).
    generator = _linear_generator([0.0], [0.0])
    critic = test_utils.linear_critic([0.0])
    gan = tfwgan.GAN(generator, critic, 1, loss="wasserstein", critic_steps=3, seed=0)
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                critic_optimizer=keras.optimizers.SGD(1.0))
    real = np.repeat([1.0, 2.0, 3.0], 4).reshape(12, 1).astype(np.float32)
    gan.fit(tf.data.Dataset.from_tensors(real), epochs=1, verbose=0)
    self.assertAllClose(critic.trainable_variables[0].numpy().ravel(), [6.0])
    self.assertEqual(int(gan.critic_optimizer.iterations), 3)
    self.assertEqual(int(gan.generator_optimizer.iterations), 1)

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
      ("unknown_loss", {"loss": "hinge"}, r"loss='hinge': allowed values"),
      ("unknown_penalty", {"penalty": "r1"}, r"penalty='r1': allowed values"),
      ("negative_weight", {"penalty_weight": -1.0}, r"penalty_weight=-1.0: must be a number >= 0"),
      ("zero_critic_steps", {"critic_steps": 0}, r"critic_steps=0: must be an integer >= 1"),
      ("negative_generator_steps", {"generator_steps": -2}, r"generator_steps=-2"),
      ("bad_proximal", {"proximal": "rwp"}, r"proximal='rwp': allowed values are None"),
      ("conflicting_steps", {"proximal": tfwgan.RWP(0.1, 5), "generator_steps": 2},
       r"generator_steps=2 conflicts"),
      ("zero_latent", {"latent_dim": 0}, r"latent_dim=0: must be an integer >= 1"))
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


if __name__ == "__main__":
  tf.test.main()
