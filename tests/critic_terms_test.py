import test_utils

import keras
import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import critic_terms
from tfwgan import noise


class LeCamTest(tf.test.TestCase):
  """Tseng et al. 2021, eq. 3, with the authors' bias-corrected moving averages."""

  def test_the_term_pulls_real_scores_to_the_fake_anchor_and_back_by_hand(self):
    real, fake = np.array([2.0, 0.0]), np.array([-1.0, 1.0])
    # ‖D(x) − α_F‖² + ‖D(G(z)) − α_R‖² with α_R = 0.5, α_F = −0.5.
    self.assertAllClose(critic_terms.lecam_regularizer(real, fake, real_anchor=0.5,
                                                       fake_anchor=-0.5),
                        [2.5 ** 2 + 1.5 ** 2, 0.5 ** 2 + 0.5 ** 2])
    # The authors' code: relu(D(x) − α_F)² + relu(α_R − D(G(z)))².
    self.assertAllClose(critic_terms.lecam_regularizer(real, fake, real_anchor=0.5,
                                                       fake_anchor=-0.5, one_sided=True),
                        [2.5 ** 2 + 1.5 ** 2, 0.5 ** 2 + 0.0])

  def test_anchors_are_bias_corrected_moving_averages_of_the_mean_scores(self):
    term = critic_terms.LeCam(0.3, decay=0.9)
    term.build()
    means = [(1.0, -1.0), (3.0, 0.0), (2.0, 4.0)]
    for step, (real_mean, fake_mean) in enumerate(means, start=1):
      values = term(tf.constant([real_mean - 1.0, real_mean + 1.0]),
                    tf.constant([fake_mean, fake_mean]), None, None, None, None)
      term.after_critic_update(tf.constant(1.0))   # a kept update stores its anchors
      weights = 0.1 * 0.9 ** np.arange(step - 1, -1, -1)
      expected_real = np.dot(weights, [m[0] for m in means[:step]]) / (1 - 0.9 ** step)
      expected_fake = np.dot(weights, [m[1] for m in means[:step]]) / (1 - 0.9 ** step)
      self.assertAllClose(term.anchors(), (expected_real, expected_fake), rtol=1e-5)
    # The last term with those anchors (real scores 1 and 3, fake 4 and 4):
    self.assertAllClose(values, [(1.0 - expected_fake) ** 2 + (expected_real - 4.0) ** 2,
                                 (3.0 - expected_fake) ** 2 + (expected_real - 4.0) ** 2],
                        rtol=1e-5)
    self.assertAllClose(term.anchors()[0], 2.0, atol=0.2)   # not 0.1 × 2: corrected

  def _commit(self, term, kept):
    term.after_critic_update(tf.constant(kept))
    return [float(v) for v in term.state.values()]

  def test_anchors_move_only_with_a_kept_update(self):
    # --on_nan=skip_batch reverts a non-finite update: its (NaN) means must not stay.
    term = critic_terms.LeCam(0.3, decay=0.9)
    term.build()
    term(tf.constant([1.0]), tf.constant([-1.0]), None, None, None, None)
    first = self._commit(term, 1.0)
    term(tf.constant([np.nan]), tf.constant([np.nan]), None, None, None, None)
    self.assertEqual(self._commit(term, 0.0), first)
    with self.assertRaisesRegex(ValueError, "already belongs to a GAN"):
      term.build()

  def test_anchors_enter_the_model_objective_are_checkpointed_and_logged(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(tfwgan.GAN(
        generator, critic, 2, loss="hinge", penalty="r1", critic_steps=2, seed=0,
        critic_terms=[critic_terms.LeCam(0.3)]))
    history = gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=2),
                      steps_per_epoch=2, verbose=0).history
    self.assertIn("lecam", history)
    state = {key: gan.checkpoint_items()[f"lecam_{key}"]
             for key in ("real_average", "fake_average", "updates")}
    self.assertEqual(float(state["updates"]), 4.0)   # one update per critic step
    test_utils.assert_restored_from_checkpoint(self, gan, state, scratch_value=0.0)


class BalancedConsistencyTest(tf.test.TestCase):
  """Zhao et al. 2021, eq. 3: λ_real‖D(x) − D(T(x))‖² + λ_fake‖D(G(z)) − D(T(G(z)))‖²."""

  def test_both_terms_with_the_transformation_drawn_per_sample(self):
    critic = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1, kernel_initializer="ones")])
    real = tf.random.stateless_uniform([4, 8, 8, 1], [1, 2], -1, 1)
    fake = tf.random.stateless_uniform([4, 8, 8, 1], [3, 4], -1, 1)
    score = lambda x: tf.reshape(critic(x), [-1])
    term = critic_terms.BalancedConsistency(real_weight=10.0, fake_weight=2.0,
                                            policy="translation")
    source = noise.ReplicaNoise(0)
    source.start_step(0)
    values = term(score(real), score(fake), score, real, fake, source)
    replay = noise.ReplicaNoise(0)
    replay.start_step(0)
    transformed_real = term.transform(real, replay)
    transformed_fake = term.transform(fake, replay)
    self.assertNotAllClose(transformed_real, real)
    expected = (10.0 * tf.square(score(real) - score(transformed_real))
                + 2.0 * tf.square(score(fake) - score(transformed_fake)))
    self.assertAllClose(values, expected, rtol=1e-5)
    self.assertGreater(float(tf.reduce_sum(values)), 0.0)
    # The gradient flows through both scores of each pair (CR-GAN's loss, not a target).
    replay = noise.ReplicaNoise(0)
    replay.start_step(0)
    with tf.GradientTape(persistent=True) as tape:
      source = noise.ReplicaNoise(0)
      source.start_step(0)
      total = tf.reduce_sum(term(score(real), score(fake), score, real, fake, source))
      by_hand = tf.reduce_sum(10.0 * tf.square(score(real) - score(term.transform(real, replay)))
                              + 2.0 * tf.square(score(fake) - score(term.transform(fake, replay))))
    for got, expected in zip(tape.gradient(total, critic.trainable_variables),
                             tape.gradient(by_hand, critic.trainable_variables)):
      self.assertAllClose(got, expected, rtol=1e-5)
    with self.assertRaisesRegex(ValueError, "consistency_policy: needs at least one of"):
      critic_terms.BalancedConsistency(policy="")

  def test_each_term_once(self):
    with self.assertRaisesRegex(ValueError, r"critic_terms: each term at most once"):
      critic_terms.check([critic_terms.LeCam(1.0), critic_terms.LeCam(2.0)])


if __name__ == "__main__":
  tf.test.main()
