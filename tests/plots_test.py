import io

import test_utils  # pylint: disable=unused-import

import numpy as np
from PIL import Image
import tensorflow as tf

from tfwgan import plots


class PlotsTest(tf.test.TestCase):

  def test_image_grid_places_images_row_major(self):
    images = np.stack([np.full((2, 3, 1), value) for value in (-1.0, 0.0, 1.0)])
    grid = plots.image_grid(images, columns=2)
    self.assertEqual(grid.shape, (4, 6, 1))
    self.assertEqual(grid.dtype, np.uint8)
    self.assertAllEqual(grid[:2, :3, 0], np.zeros((2, 3)))         # −1 → 0
    self.assertAllEqual(grid[:2, 3:, 0], np.full((2, 3), 128))     # 0 → 127.5 → 128
    self.assertAllEqual(grid[2:, :3, 0], np.full((2, 3), 255))     # +1 → 255
    self.assertAllEqual(grid[2:, 3:, 0], np.zeros((2, 3)))         # padding

  def test_level_set_figure_renders(self):
    points = np.random.default_rng(0).normal(size=(50, 2))
    image = plots.figure_to_array(plots.level_set_figure(
        lambda x: np.sum(x ** 2, axis=1), points, points + 1, resolution=20))
    self.assertEqual(image.ndim, 3)
    self.assertEqual(image.shape[2], 3)
    self.assertGreater(image.std(), 10)

  def test_png_written_through_gfile_on_any_filesystem(self):
    grid = plots.image_grid(np.zeros((4, 3, 3, 1)) - 1.0, columns=2)
    for path in (self.create_tempdir().full_path + "/a.png", "ram://plots-test/a.png"):
      tf.io.gfile.makedirs(path.rsplit("/", 1)[0])
      plots.save_png(grid, path)
      with tf.io.gfile.GFile(path, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        self.assertEqual(image.size, (grid.shape[1], grid.shape[0]))


if __name__ == "__main__":
  tf.test.main()
