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

  def test_get_rejects_unknown_names_and_reduction(self):
    with self.assertRaisesRegex(ValueError, r"loss='hinge'.*non_saturating.*wasserstein"):
      losses.get("hinge")
    with self.assertRaisesRegex(ValueError, r"reduction='sum'.*'mean', 'none'"):
      losses.wasserstein_generator_loss([1.0], reduction="sum")


if __name__ == "__main__":
  tf.test.main()
