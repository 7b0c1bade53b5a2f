import os

import test_utils  # pylint: disable=unused-import

import numpy as np
from PIL import Image
import tensorflow as tf

from tfwgan.evaluation import sample_files


class SampleFilesTest(tf.test.TestCase):

  def test_a_folder_and_an_npz_of_the_same_pixels_read_the_same(self):
    root = self.create_tempdir().full_path
    pixels = np.random.default_rng(0).integers(0, 256, (5, 8, 8, 3), np.uint8)
    np.savez(os.path.join(root, "pixels.npz"), pixels)
    os.makedirs(os.path.join(root, "pngs", "nested"))
    for index, image in enumerate(pixels):   # any depth, read in sorted path order
      folder = "pngs/nested" if index >= 3 else "pngs"
      Image.fromarray(image).save(os.path.join(root, folder, f"{index}.png"))
    from_npz = sample_files.load(os.path.join(root, "pixels.npz"), image_size=8, channels=3)
    from_folder = sample_files.load(os.path.join(root, "pngs"), image_size=8, channels=3)
    self.assertAllClose(from_npz, pixels / 127.5 - 1.0)
    self.assertEqual(from_folder.shape, (5, 8, 8, 3))
    self.assertEqual(sorted(map(bytes, from_folder)), sorted(map(bytes, from_npz)))
    self.assertEqual(sample_files.sha256(from_npz), sample_files.sha256(from_npz.copy()))
    self.assertNotEqual(sample_files.sha256(from_npz), sample_files.sha256(from_npz[:4]))

  def test_errors_name_the_samples_flag(self):
    path = os.path.join(self.create_tempdir().full_path, "bad.npz")
    np.savez(path, np.full((3, 4, 4, 1), 2.0, np.float32))
    with self.assertRaisesRegex(ValueError, r"^samples='.*bad.npz': float values span \[2, 2\]"):
      sample_files.load(path, image_size=4, channels=1)


if __name__ == "__main__":
  tf.test.main()
