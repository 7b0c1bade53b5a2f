import test_utils

import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import ada


def _reference(updates, *, target, interval, speed_images, initial=0.0):
  """p after each update, from the official rule written with NumPy: every `interval` kept
  updates, p ← max(0, p + sign(mean sign − target) · images / speed)."""
  p, signs, images, count, history = initial, [], 0, 0, []
  for scores, kept in updates:
    if kept:
      signs += list(np.sign(scores))
      images += len(scores)
      count += 1
      if count == interval:
        p = max(0.0, p + np.sign(np.mean(signs) - target) * images / speed_images)
        signs, images, count = [], 0, 0
    history.append(p)
  return history


class AdaptiveProbabilityTest(tf.test.TestCase):
  """Karras et al. 2020, §3.2; stylegan2-ada-pytorch training_loop.py, lines 312–315."""

  def test_p_follows_the_official_rule(self):
    rng = np.random.default_rng(0)
    updates = [(rng.normal(loc, 1.0, size=4), kept) for loc, kept in
               [(2, 1), (2, 1), (2, 1), (2, 0), (2, 1), (-2, 1), (-2, 1), (-2, 1), (-2, 1),
                (-2, 1), (-2, 1), (0.1, 1), (3, 1)]]
    rule = ada.AdaptiveProbability(0.6, interval=2, speed_images=40, initial=0.05)
    rule.build()
    got = []
    for scores, kept in updates:
      rule.observe(tf.constant(scores, tf.float32))
      rule.after_critic_update(tf.constant(float(kept)))
      got.append(float(rule.probability))
    want = _reference(updates, target=0.6, interval=2, speed_images=40, initial=0.05)
    self.assertAllClose(got, want, atol=1e-6)
    self.assertEqual(want[1], 0.05 + 8 / 40)   # r_t = 1 > 0.6: up by 8 images / 40
    self.assertIn(0.0, want)                   # floored at 0, never negative
    self.assertGreater(max(want), 0.4)         # it moved up, then down to 0

  def test_bad_settings_are_refused(self):
    for kwargs, pattern in (({"target": 2.0}, "ada_target=2.0"),
                            ({"interval": 0}, "ada_interval=0"),
                            ({"speed_images": 0}, "ada_speed_images=0")):
      with self.assertRaisesRegex(ValueError, pattern):
        ada.AdaptiveProbability(**kwargs)

  def test_p_gates_the_augmentation_is_logged_and_checkpointed(self):
    generator, critic, latent_dim, _ = test_utils.network_family("dcgan28")
    adaptive = ada.AdaptiveProbability(0.6, interval=1, speed_images=8, initial=0.5)
    gan = test_utils.compile_gan(tfwgan.GAN(
        generator, critic, latent_dim, loss="hinge", critic_steps=2, seed=0,
        augment=tfwgan.augment.DiffAugment("flip,rotate90,translation",
                                           probability=adaptive)))
    images = tf.random.stateless_uniform([8, 28, 28, 1], [1, 2], -1, 1)
    history = gan.fit(tf.data.Dataset.from_tensors(images).repeat(), steps_per_epoch=2,
                      verbose=0).history
    state = {key: gan.checkpoint_items()[f"ada_{key}"]
             for key in ("probability", "sign_sum", "images", "updates")}
    p = float(state["probability"])
    # 4 critic updates of 4 reals, each moving p by ±4/8 from 0.5 (floored at 0); an
    # interval of 1 update: each adjustment empties the interval.
    self.assertAllClose(p * 2, round(p * 2), atol=1e-6)
    self.assertEqual([float(state[key]) for key in ("sign_sum", "images", "updates")],
                     [0.0] * 3)
    self.assertIn("augment_probability", history)
    self.assertBetween(history["augment_probability"][0], 0.0, 2.5)
    test_utils.assert_restored_from_checkpoint(self, gan, state)
    with self.assertRaisesRegex(ValueError, "already belongs to a GAN"):
      adaptive.build()


if __name__ == "__main__":
  tf.test.main()
