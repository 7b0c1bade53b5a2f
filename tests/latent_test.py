import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan import latent


class BilinearWalkTest(tf.test.TestCase):

  def test_corners_and_midpoints(self):
    corners = np.eye(4, 3, dtype=np.float32) * [1, 2, 3]
    walk = latent.bilinear_walk(corners, 5).reshape(5, 5, 3)
    self.assertAllClose(walk[0, 0], corners[0])
    self.assertAllClose(walk[0, -1], corners[1])
    self.assertAllClose(walk[-1, 0], corners[2])
    self.assertAllClose(walk[-1, -1], corners[3])
    self.assertAllClose(walk[2, 2], corners.mean(axis=0))
    self.assertAllClose(walk[0, 2], (corners[0] + corners[1]) / 2)

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"corners: need shape \[4, latent_dim\]"):
      latent.bilinear_walk(np.zeros((3, 2)), 4)
    with self.assertRaisesRegex(ValueError, r"steps=1"):
      latent.bilinear_walk(np.zeros((4, 2)), 1)


if __name__ == "__main__":
  tf.test.main()
