import math

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan import data


class ToyDataTest(tf.test.TestCase):

  def test_8gaussians_lie_at_the_eight_scaled_modes(self):
    points = data.sample_toy("8gaussians", 4000, [1, 2]).numpy()
    angles = np.arange(8) * math.pi / 4
    centers = 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1) / 1.414
    distances = np.linalg.norm(points[:, None] - centers[None], axis=-1)
    self.assertLess(distances.min(axis=1).max(), 0.02 * 6 / 1.414)
    self.assertLen(np.unique(distances.argmin(axis=1)), 8)

  def test_25gaussians_grid(self):
    points = data.sample_toy("25gaussians", 5000, [3, 4]).numpy() * 2.828
    nearest = np.round(points / 2.0) * 2.0
    self.assertLess(np.abs(points - nearest).max(), 0.05 * 6)
    self.assertLen(np.unique(nearest, axis=0), 25)

  def test_swissroll_radius_follows_the_angle(self):
    points = data.sample_toy("swissroll", 3000, [5, 6]).numpy() * 7.5
    radius = np.linalg.norm(points, axis=1)
    self.assertGreater(radius.min(), 1.5 * math.pi - 1.5)
    self.assertLess(radius.max(), 4.5 * math.pi + 1.5)

  def test_toy_dataset_is_seeded_and_sized_for_critic_steps(self):
    first = next(iter(data.toy_dataset("25gaussians", batch_size=4, critic_steps=5, seed=9)))
    again = next(iter(data.toy_dataset("25gaussians", batch_size=4, critic_steps=5, seed=9)))
    self.assertEqual(tuple(first.shape), (20, 2))
    self.assertAllEqual(first, again)

  def test_critic_batches(self):
    dataset = tf.data.Dataset.range(23).map(lambda i: tf.fill([3], tf.cast(i, tf.float32)))
    batches = list(data.critic_batches(dataset, batch_size=2, critic_steps=5))
    self.assertLen(batches, 2)                 # 23 samples → two steps of 10, remainder dropped
    self.assertEqual(tuple(batches[0].shape), (10, 3))
    self.assertAllEqual(batches[1][:, 0], np.arange(10, 20))

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"dataset='moons'.*8gaussians"):
      data.toy_dataset("moons", batch_size=2)
    with self.assertRaisesRegex(ValueError, r"critic_steps=0: must be an integer >= 1"):
      data.critic_batches(tf.data.Dataset.range(3), batch_size=2, critic_steps=0)


if __name__ == "__main__":
  tf.test.main()
