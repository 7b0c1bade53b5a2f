import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan import losses


class LossesTest(tf.test.TestCase):

  def test_wasserstein_critic_loss_is_negated_mean_difference(self):
    real, fake = np.array([1.0, 3.0]), np.array([[0.5], [-0.5]])
    self.assertAllClose(losses.wasserstein_critic_loss(real, fake), -2.0)
    self.assertAllClose(losses.wasserstein_critic_loss(real, fake, reduction="none"),
                        [-0.5, -3.5])

  def test_wasserstein_generator_loss(self):
    self.assertAllClose(losses.wasserstein_generator_loss([2.0, 4.0]), -3.0)

  def test_non_saturating_losses_match_log_sigmoid_form(self):
    real_logits, fake_logits = np.array([0.3, -1.2]), np.array([2.0, -0.7])
    sigmoid = lambda x: 1 / (1 + np.exp(-x))
    expected_critic = np.mean(-np.log(sigmoid(real_logits)) - np.log(1 - sigmoid(fake_logits)))
    expected_generator = np.mean(-np.log(sigmoid(fake_logits)))
    self.assertAllClose(losses.non_saturating_critic_loss(real_logits, fake_logits),
                        expected_critic)
    self.assertAllClose(losses.non_saturating_generator_loss(fake_logits), expected_generator)

  def test_non_saturating_loss_is_stable_for_large_logits(self):
    value = losses.non_saturating_generator_loss(np.array([-200.0], np.float32))
    self.assertAllClose(value, 200.0)

  def test_hinge_losses_penalise_only_inside_the_margins(self):
    # Real scores 2 (past the margin: 0), 0.5 (0.5 short), −1 (2 short); fake scores −3
    # (past: 0), 0 (1), 1.5 (2.5): hand-computed relu(1 − D(x)) + relu(1 + D(g(z))).
    real, fake = np.array([2.0, 0.5, -1.0]), np.array([-3.0, 0.0, 1.5])
    self.assertAllClose(losses.hinge_critic_loss(real, fake, reduction="none"),
                        [0.0, 1.5, 4.5])
    self.assertAllClose(losses.hinge_critic_loss(real, fake), 2.0)
    self.assertAllClose(losses.hinge_generator_loss(fake), -(-3.0 + 0.0 + 1.5) / 3)
    # The margins are not symmetric in real and fake: swapping them changes the value.
    self.assertNotAllClose(losses.hinge_critic_loss(fake, real), 2.0)

  def test_least_squares_losses_use_the_papers_0_1_coding(self):
    real, fake = np.array([1.0, 0.0]), np.array([0.0, 2.0])
    # ½(D(x) − 1)² + ½D(g(z))²: sample 0 is at both targets, sample 1 is 1 and 2 off.
    self.assertAllClose(losses.least_squares_critic_loss(real, fake, reduction="none"),
                        [0.0, 0.5 * (1.0 + 4.0)])
    self.assertAllClose(losses.least_squares_generator_loss(fake), 0.5 * (1.0 + 1.0) / 2)

  def test_get_rejects_unknown_names_and_reduction(self):
    self.assertEqual(losses.get("hinge").name, "hinge")
    with self.assertRaisesRegex(ValueError, r"loss='logistic'.*hinge.*least_squares.*"
                                r"non_saturating.*wasserstein"):
      losses.get("logistic")
    with self.assertRaisesRegex(ValueError, r"reduction='sum'.*'mean', 'none'"):
      losses.wasserstein_generator_loss([1.0], reduction="sum")


if __name__ == "__main__":
  tf.test.main()
