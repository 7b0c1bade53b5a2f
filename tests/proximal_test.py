import itertools
import math

import test_utils

import keras
import numpy as np
import tensorflow as tf
from scipy import optimize

from tfwgan import networks
import tfwgan
from tfwgan import proximal


class RWPTermTest(tf.test.TestCase):

  def test_term_is_half_inverse_h_times_squared_distance_over_whole_sample(self):
    generated = tf.constant([[[1.0, 2.0]], [[0.0, 0.0]]])      # two samples of shape [1, 2]
    anchor = tf.constant([[[1.0, 0.0]], [[3.0, 4.0]]])
    h = 0.5
    self.assertAllClose(proximal.rwp_proximal_term(generated, anchor, h, reduction="none"),
                        [4.0 / (2 * h), 25.0 / (2 * h)])
    self.assertAllClose(proximal.rwp_proximal_term(generated, anchor, h), 29.0 / 2 / (2 * h))

  def test_mean_distance_averages_over_the_sample(self):
    generated = tf.constant([[[1.0, 2.0]], [[0.0, 0.0]]])
    anchor = tf.constant([[[1.0, 0.0]], [[3.0, 4.0]]])
    self.assertAllClose(
        proximal.rwp_proximal_term(generated, anchor, 0.5, distance="mean", reduction="none"),
        [4.0 / 2 / (2 * 0.5), 25.0 / 2 / (2 * 0.5)])

  def test_infinite_h_gives_exactly_zero(self):
    generated = tf.random.normal([8, 3])
    self.assertEqual(float(proximal.rwp_proximal_term(generated, generated + 5.0, math.inf)), 0.0)

  def test_bad_arguments(self):
    for h in (0.0, -1.0, float("nan"), "0.1"):
      with self.assertRaisesRegex(ValueError, r"h=.*must be a number > 0"):
        proximal.RWP(h=h, generator_steps=1)
    with self.assertRaisesRegex(ValueError, r"generator_steps=0: must be an integer >= 1"):
      proximal.RWP(h=0.1, generator_steps=0)
    with self.assertRaisesRegex(ValueError, r"latents='per_batch': allowed values are "
                                "\['per_step', 'per_phase'\]"):
      proximal.RWP(h=0.1, generator_steps=2, latents="per_batch")
    with self.assertRaisesRegex(ValueError, r"distance='l1': allowed values are"):
      proximal.RWP(h=0.1, generator_steps=2, distance="l1")
    with self.assertRaisesRegex(ValueError, r"potential_steps=-1"):
      proximal.SBE(potential_steps=-1)
    with self.assertRaisesRegex(ValueError, r"h=inf: must be a finite number > 0"):
      proximal.SBE(h=math.inf)


class GeneratorAnchorTest(tf.test.TestCase):
  """g_θk−1 computes what the generator computes with weights θk−1, in the same mode."""

  def test_batch_norm_generator_in_both_modes_and_moving_statistics_untouched(self):
    for generator in (networks.dcgan_generator(4, (28, 28, 1), base_filters=2),
                      networks.resnet_generator(4, (64, 64, 3), width=2)):
      self._check_batch_norm_generator(generator)

  def _check_batch_norm_generator(self, generator):
    z = tf.random.stateless_normal([8, 4], seed=[0, 1])
    for _ in range(3):  # moving statistics now differ from any batch's statistics
      generator(2.0 * z + 1.0, training=True)
    anchor = proximal.GeneratorAnchor(generator)
    moving = [v.numpy() for v in generator.non_trainable_variables]
    anchored = {training: anchor(z, training=training) for training in (True, False)}
    for before, after in zip(moving, generator.non_trainable_variables):
      self.assertAllEqual(before, after.numpy())  # the anchor calls had no side effect
    self.assertAllEqual(anchored[False], generator(z, training=False))
    self.assertAllEqual(anchored[True], generator(z, training=True))
    self.assertNotAllClose(anchored[True], anchored[False])
    previous = keras.models.clone_model(generator)   # trainable: training mode is batch stats
    previous.set_weights(generator.get_weights())
    for variable in generator.trainable_variables:    # θ moves; θk−1 stays
      variable.assign(variable * 1.1)
    self.assertNotAllClose(anchor(z, training=True), generator(z, training=True))
    self.assertAllClose(anchor(z, training=True), previous(z, training=True), atol=1e-6)
    anchor.refresh()
    self.assertAllEqual(anchor(z, training=True), generator(z, training=True))

  def test_dropout_draws_the_generators_next_mask_without_advancing_it(self):
    generator = keras.Sequential([keras.Input((3,)), keras.layers.Dense(16),
                                  keras.layers.Dropout(0.5), keras.layers.Dense(2)])
    anchor = proximal.GeneratorAnchor(generator)
    z = tf.random.stateless_normal([32, 3], seed=[2, 3])
    anchored = anchor(z, training=True)
    self.assertAllEqual(anchored, generator(z, training=True))
    # Masks do change from call to call, so the equality above is not trivial.
    self.assertNotAllClose(generator(z, training=True), generator(z, training=True))

  def test_anchor_weights_are_copies(self):
    generator = networks.mlp_generator(2, 2, hidden_units=4, hidden_layers=1)
    anchor = proximal.GeneratorAnchor(generator)
    z = tf.ones([3, 2])
    before = anchor(z, training=True)
    generator.trainable_variables[0].assign_add(tf.ones_like(generator.trainable_variables[0]))
    self.assertAllEqual(anchor(z, training=True), before)
    self.assertNotAllClose(generator(z, training=True), before)
    self.assertFalse(any(w.trainable for w in anchor.weights))


class Prop5TwoDeltaTest(tf.test.TestCase):
  """RWP paper, Prop. 5 and App. B: one proximal step on a W1 loss, two weighted deltas.

  Latent z takes two values with probabilities α and 1 − α; g_θ(z_i) = θ_i ∈ ℝ;
  the target is δ₀, so the W1 loss is F(θ) = α|θ₁| + (1 − α)|θ₂|.
  Euclidean proximal:  argmin F(θ) + ‖θ − θk‖²/(2h)        → θ_i = shrink(θk_i, h·p_i);
  W2 (RWP) proximal:   argmin F(θ) + E_z|g_θ(z) − g_θk(z)|²/(2h)
                     = argmin Σ p_i(|θ_i| + (θ_i − θk_i)²/(2h))  → θ_i = shrink(θk_i, h),
  with shrink(t, τ) = sign(t)·max(|t| − τ, 0) and p = (α, 1 − α). Since h ≥ h·p_i, the
  W2 step lowers F at least as much as the Euclidean step.
  """

  BATCH = 4  # α = k/4 is represented exactly by a batch of 4 latents.

  @staticmethod
  def shrink(t, tau):
    return np.sign(t) * np.maximum(np.abs(t) - tau, 0.0)

  @staticmethod
  def w1_loss(theta, alpha):
    return alpha * abs(theta[0]) + (1 - alpha) * abs(theta[1])

  def _library_w2_step(self, theta_k, alpha, h):
    """Minimises F + tfwgan's RWP term numerically (the library's term as a black box)."""
    ones = round(alpha * self.BATCH)
    which = np.array([0] * ones + [1] * (self.BATCH - ones))
    anchor = tf.constant(np.asarray(theta_k)[which][:, None], tf.float64)

    def objective(theta):
      generated = tf.constant(np.asarray(theta)[which][:, None], tf.float64)
      return self.w1_loss(theta, alpha) + float(proximal.rwp_proximal_term(generated, anchor, h))

    # The objective separates; search each coordinate exactly on a bracket.
    return np.array([optimize.minimize_scalar(
        lambda t, i=i: objective(np.where(np.arange(2) == i, t, theta_k)),
        bounds=(-10, 10), method="bounded", options={"xatol": 1e-9}).x for i in range(2)])

  def test_library_term_gives_the_closed_form_w2_step(self):
    for alpha, h, theta_k in [(0.25, 0.5, (1.0, -2.0)), (0.75, 2.0, (0.4, 3.0))]:
      expected = self.shrink(np.asarray(theta_k), h)
      self.assertAllClose(self._library_w2_step(theta_k, alpha, h), expected, atol=1e-5)

  def test_w2_step_decreases_w1_loss_at_least_as_much_as_euclidean(self):
    strictly_better = 0
    for alpha, h, theta_k in itertools.product(
        (0.25, 0.5, 0.75), (0.05, 0.3, 1.0, 3.0), [(1.0, -2.0), (0.2, 0.1), (-3.0, 0.5)]):
      theta_k = np.asarray(theta_k)
      euclidean = self.shrink(theta_k, h * np.array([alpha, 1 - alpha]))
      w2 = self.shrink(theta_k, h)
      f_euclidean, f_w2 = self.w1_loss(euclidean, alpha), self.w1_loss(w2, alpha)
      self.assertLessEqual(f_w2, f_euclidean + 1e-12)
      strictly_better += f_w2 < f_euclidean - 1e-9
    self.assertGreater(strictly_better, 0)


class SBEObjectiveTest(tf.test.TestCase):

  def test_linear_potential_objective_is_analytic(self):
    # Φ(x) = w·x: Φ(a) − Φ(b) − ½‖w‖².
    w = np.array([0.5, -1.0, 2.0], np.float32)
    potential = test_utils.linear_critic(w)
    a = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    b = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    expected = (a - b) @ w - 0.5 * np.dot(w, w)
    self.assertAllClose(proximal.sbe_potential_objective(potential, a, b, reduction="none"),
                        expected, rtol=1e-5)
    # Alg. 2 line 6: Φ ascends (1/h)·E[...].
    self.assertAllClose(proximal.sbe_potential_objective(potential, a, b, h=0.2,
                                                         reduction="none"),
                        expected / 0.2, rtol=1e-5)
    self.assertEqual(tfwgan.SBE(h=0.2).potential_objective_h, 0.2)
    self.assertEqual(tfwgan.SBE(h=0.2, potential_objective_over_h=False).potential_objective_h,
                     1.0)
    self.assertAllClose(proximal.sbe_anchor_baseline(potential, b),
                        np.mean(b @ w + 0.5 * np.dot(w, w)), rtol=1e-5)

  def test_generator_term_gradient_flows_only_through_potential_of_generated(self):
    w = np.array([1.5, -0.5], np.float32)
    potential = test_utils.linear_critic(w)
    generated_weight = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    z = tf.constant([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    h = 0.2
    with tf.GradientTape(persistent=True) as tape:
      generated = z @ generated_weight
      term = proximal.sbe_generator_term(potential, generated, h, baseline=tf.constant(7.0))
      reference = tf.reduce_mean(tf.reshape(potential(generated), [-1])) / h
    self.assertAllClose(tape.gradient(term, generated_weight),
                        tape.gradient(reference, generated_weight))
    self.assertAllClose(term, reference - 7.0 / h)


if __name__ == "__main__":
  tf.test.main()
