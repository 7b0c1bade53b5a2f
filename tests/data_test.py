import contextlib
import io
import math

import test_utils  # pylint: disable=unused-import

import os

import numpy as np
from PIL import Image
import tensorflow as tf
import tensorflow_datasets as tfds

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


class LabelsTest(tf.test.TestCase):
  """labels=True: each sample with its own label, the samples those of the unlabelled
  pipeline (so unconditional runs see what they saw before)."""

  def _steps(self, name, count=3, **options):
    options = dict(batch_size=3, critic_steps=2, seed=4, **options)
    labelled = list(data.training_dataset(name, labels=True, **options).take(count)
                    .as_numpy_iterator())
    plain = list(data.training_dataset(name, **options).take(count).as_numpy_iterator())
    for (samples, _), unlabelled in zip(labelled, plain):
      self.assertAllEqual(samples, unlabelled)
    return labelled

  def test_toy_labels_are_the_mixture_components(self):
    for name, classes in data.TOY_CLASSES.items():
      points, labels = map(np.concatenate, zip(*self._steps(name)))
      nearest = [int(np.argmin(np.linalg.norm(self._centers(name) - point, axis=1)))
                 for point in points]
      self.assertAllEqual(nearest, labels)   # every point lies at its label's mode
      self.assertEqual(data.class_count(name), classes)

  def _centers(self, name):
    if name == "8gaussians":
      angles = np.arange(8) * math.pi / 4
      return 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1) / 1.414
    grid = np.arange(-2, 3) * 2.0
    return np.stack(np.meshgrid(grid, grid), -1).reshape(25, 2) / 2.828

  def test_npz_labels_stay_with_their_samples(self):
    path = os.path.join(self.create_tempdir().full_path, "x.npz")
    np.savez(path, y=np.arange(20) % 4, x=np.arange(20, dtype=np.uint8).reshape(20, 1, 1, 1))
    for samples, labels in self._steps("npz", count=5, data_dir=path):
      index = np.round((samples.ravel() + 1.0) * 127.5).astype(int)
      self.assertAllEqual(labels, index % 4)
    self.assertEqual(data.class_count("npz", data_dir=path), 4)
    self.assertEqual(data.sample_shape("npz", data_dir=path), (1, 1, 1))   # not y's shape

  def test_folder_classes_are_its_sub_folders(self):
    root = self.create_tempdir().full_path
    for name, colour in (("cats", 255), ("dogs", 0)):
      os.makedirs(os.path.join(root, name))
      for index in range(3):
        Image.new("L", (8, 8), colour).save(os.path.join(root, name, f"{index}.png"))
    self.assertEqual(data.folder_class_names(root), ["cats", "dogs"])
    pairs = list(data.image_folder(root, image_size=8, channels=1, labels=True)
                 .as_numpy_iterator())
    self.assertLen(pairs, 6)
    for image, label in pairs:
      self.assertEqual(label, 0 if image.mean() > 0 else 1)
    self.assertEqual(data.class_count("folder", data_dir=root), 2)

  def test_classes_are_the_labels_0_to_k_each_present_or_an_explicit_count(self):
    labels = np.array([0, 1, 2, 1, 0, 2])
    self.assertEqual(data.check_classes(labels, source="y"), 3)
    stray = labels.copy()
    stray[4] = 99                      # one wrong label must not make a 100-class model
    with self.assertRaisesRegex(ValueError, r"^y: labels must be the classes 0 … K−1, each "
                                r"with samples; class 3 has none \(nor 95 others\) while "
                                r"label 99 \(sample 4\) makes 100 classes\. .*--num_classes"):
      data.check_classes(stray, source="y")
    with self.assertRaisesRegex(ValueError, r"class 1 has none while label 2 \(sample 2\)"):
      data.check_classes(np.array([0, 0, 2]), source="y")        # a gap
    self.assertEqual(data.check_classes(np.array([0, 0, 2]), source="y", num_classes=5), 5)
    with self.assertRaisesRegex(ValueError, r"^y: label 99 \(sample 4\) is outside the "
                                r"num_classes=50 classes 0 … 49\.$"):
      data.check_classes(stray, source="y", num_classes=50)
    path = os.path.join(self.create_tempdir().full_path, "x.npz")
    np.savez(path, y=stray, x=np.zeros((6, 1, 1, 1), np.uint8))
    with self.assertRaisesRegex(ValueError, r"^data_dir=.*x\.npz': labels must be"):
      data.class_count("npz", data_dir=path)
    self.assertEqual(data.class_count("npz", data_dir=path, num_classes=100), 100)
    self.assertEqual(data.label_counts("npz", data_dir=path, num_classes=100)[:3], [1, 2, 2])

  def test_an_empty_class_folder_is_an_error_naming_it_and_names_are_recorded(self):
    root = self.create_tempdir().full_path
    for name, count in (("cats", 2), ("dogs", 3), ("zzz_empty", 0)):
      os.makedirs(os.path.join(root, name))
      for index in range(count):
        Image.new("L", (8, 8)).save(os.path.join(root, name, f"{index}.png"))
    with self.assertRaisesRegex(ValueError, r"class folder 'zzz_empty' holds no images"):
      data.class_count("folder", data_dir=root)
    os.rmdir(os.path.join(root, "zzz_empty"))
    self.assertEqual(data.class_names("folder", data_dir=root), ["cats", "dogs"])
    self.assertEqual(data.label_counts("folder", data_dir=root), [2, 3])
    self.assertEqual(data.describe_classes(["cats", "dogs"], [2, 3]),
                     "2 classes: cats 2, dogs 3")
    self.assertEqual(data.class_names("8gaussians"), [str(i) for i in range(8)])

  def test_tfds_label_feature(self):
    with tfds.testing.mock_data(num_examples=12):
      labels = np.concatenate([labels for _, labels in self._steps("mnist", count=2)])
    self.assertEqual(labels.dtype, np.int32)
    self.assertTrue(np.all((labels >= 0) & (labels < 10)))

  def test_sets_without_classes_are_refused_naming_what_is_needed(self):
    root = self.create_tempdir().full_path
    Image.new("L", (8, 8)).save(os.path.join(root, "loose.png"))
    npz = os.path.join(root, "x.npz")
    np.savez(npz, x=np.zeros((4, 2), np.float32))
    cases = [("swissroll", {}, "has no classes; labelled toy sets are"),
             ("celeb_a", {}, "tfds gives it no class label"),
             ("folder", dict(data_dir=root, image_size=8),
              "labels need one sub-folder of images per class"),
             ("npz", dict(data_dir=npz), "labels need an array 'y' of one integer class")]
    for name, options, message in cases:
      with self.assertRaisesRegex(ValueError, message):
        data.training_dataset(name, batch_size=2, critic_steps=1, labels=True, **options)


class ImageDataTest(tf.test.TestCase):

  def test_tfds_datasets_have_the_network_shapes_and_unit_range(self):
    with tfds.testing.mock_data(num_examples=6):
      for name, shape in data.TFDS_DATASETS.items():
        images = np.stack(list(data.load_tfds(name).take(4).as_numpy_iterator()))
        self.assertEqual(images.shape[1:], shape, name)
        self.assertGreaterEqual(images.min(), -1.0)
        self.assertLessEqual(images.max(), 1.0)
        self.assertGreater(images.max() - images.min(), 0.5, name)

  def test_training_dataset_batches_for_critic_steps(self):
    with tfds.testing.mock_data(num_examples=20):
      batch = next(iter(data.training_dataset("cifar10", batch_size=3, critic_steps=2)))
    self.assertEqual(tuple(batch.shape), (6, 32, 32, 3))

  def test_unit_range_endpoints(self):
    self.assertAllClose(data.to_unit_range(np.array([0, 255], np.uint8)), [-1.0, 1.0])

  def test_image_folder_resizes_and_scales(self):
    root = self.create_tempdir().full_path
    os.makedirs(os.path.join(root, "nested"))
    for index, size in enumerate([(40, 50), (64, 64)]):
      Image.new("RGB", size, (255, 0, 0)).save(os.path.join(root, "nested", f"{index}.png"))
    images = np.stack(list(data.image_folder(root, image_size=32).as_numpy_iterator()))
    self.assertEqual(images.shape, (2, 32, 32, 3))
    self.assertAllClose(images[..., 0], np.ones((2, 32, 32)))
    self.assertAllClose(images[..., 1], -np.ones((2, 32, 32)))
    # Said once, by the run: sizes found and what is done with them; Keras' own line is not.
    self.assertEqual(data.describe("folder", data_dir=root, image_size=32),
                     f"data: 2 images in {root} (40×50: 1, 64×64: 1), center-cropped to "
                     "squares and resized to 32×32 (--image_size).")
    square = self.create_tempdir().full_path
    for index in range(3):
      Image.new("RGB", (32, 32)).save(os.path.join(square, f"{index}.png"))
    self.assertEqual(data.describe("folder", data_dir=square, image_size=32),
                     f"data: 3 images in {square} (32×32: 3), used at 32×32.")
    self.assertEqual(data.describe("folder", data_dir=square, image_size=28),
                     f"data: 3 images in {square} (32×32: 3), resized to 28×28 (--image_size).")
    with contextlib.redirect_stdout(io.StringIO()) as printed:
      data.image_folder(root, image_size=32)
    self.assertEqual(printed.getvalue(), "")

  def test_npz_array(self):
    path = os.path.join(self.create_tempdir().full_path, "digits.npz")
    np.savez(path, x=np.full((5, 8, 8, 1), 255, np.uint8))
    samples = np.stack(list(data.npz_array(path).as_numpy_iterator()))
    self.assertAllClose(samples, np.ones((5, 8, 8, 1)))
    self.assertEqual(data.sample_shape("npz", data_dir=path), (8, 8, 1))

  def test_npz_stream_replays_exactly_from_any_step_and_each_epoch_is_a_permutation(self):
    path = os.path.join(self.create_tempdir().full_path, "x.npz")
    np.savez(path, x=np.arange(37, dtype=np.uint8).reshape(37, 1, 1, 1))
    stream = lambda start, count: list(data.training_dataset(
        "npz", batch_size=3, critic_steps=2, seed=5, start=start, data_dir=path
    ).take(count).as_numpy_iterator())
    whole = stream(0, 20)
    for start in (1, 6, 13):   # 13 steps = 78 samples: inside the third epoch
      for a, b in zip(whole[start:], stream(start, 20 - start)):
        self.assertAllEqual(a, b)
    pixels = np.round((np.concatenate(whole).ravel() + 1.0) * 127.5).astype(int)
    for epoch in range(3):
      self.assertCountEqual(pixels[37 * epoch:37 * (epoch + 1)], range(37))
    self.assertNotAllEqual(pixels[:37], pixels[37:74])     # reshuffled every epoch

  def test_mirror_flips_whole_images_about_half_the_time_and_replays_from_any_step(self):
    path = os.path.join(self.create_tempdir().full_path, "x.npz")
    images = np.random.default_rng(0).integers(0, 256, (40, 4, 5, 1), dtype=np.uint8)
    np.savez(path, x=images, y=np.arange(40) % 2)
    stream = lambda start, mirror, count=10: list(data.training_dataset(
        "npz", batch_size=4, critic_steps=2, seed=3, start=start, data_dir=path,
        labels=True, mirror=mirror).take(count).as_numpy_iterator())
    plain, mirrored = stream(0, False), stream(0, True)
    flips = []
    for (x, y), (mx, my) in zip(plain, mirrored):
      self.assertAllEqual(y, my)   # the labels stay with their samples
      same = np.all(mx == x, axis=(1, 2, 3))
      flipped = np.all(mx == x[:, :, ::-1], axis=(1, 2, 3))
      self.assertTrue(np.all(same | flipped))   # each image whole, mirrored left-right or not
      flips += list(flipped & ~same)
    self.assertBetween(np.mean(flips), 0.3, 0.7)   # one draw per image, probability ½
    for a, b in zip(mirrored[4:], stream(4, True, 6)):   # a resumed run mirrors the same
      self.assertAllEqual(a[0], b[0])

  def test_bad_training_data_is_one_line_naming_the_file(self):
    root = self.create_tempdir().full_path
    images = lambda shape, dtype=np.float32: np.zeros(shape, dtype)
    with_nan = images((10, 4, 4, 1))
    with_nan[7, 0, 0, 0] = np.nan
    cases = {
        "nan": (with_nan, r"1 samples hold NaN/Inf values \(the first is sample 7\)"),
        "range": (images((10, 4, 4, 1)) + 2.0, r"float values span \[2, 2\]"),
        "rank": (images((10, 4, 4)), r"array of shape \(10, 4, 4\); use \[samples, height"),
        "channels": (images((10, 4, 4, 2)), r"array of shape \(10, 4, 4, 2\)"),
        "dtype": (images((10, 4, 4, 1), np.int32), r"array of dtype int32"),
    }
    for name, (array, message) in cases.items():
      path = os.path.join(root, name + ".npz")
      np.savez(path, x=array)
      with self.assertRaisesRegex(ValueError, rf"^data_dir='{path}': {message}") as error:
        data.npz_array_values(path)
      self.assertLen(str(error.exception).splitlines(), 1)
    path = os.path.join(root, "few.npz")
    np.savez(path, x=images((10, 4, 4, 1)))
    data.check_sample_count("npz", data_dir=path, samples_needed=10)
    with self.assertRaisesRegex(ValueError, r"10 samples, fewer than the 12 \(batch_size × "
                                r"critic_steps\) of one outer iteration"):
      data.check_sample_count("npz", data_dir=path, samples_needed=12)

  def test_folder_mixing_grayscale_and_rgb_is_converted_and_other_files_ignored(self):
    root = self.create_tempdir().full_path
    Image.new("L", (32, 32), 255).save(os.path.join(root, "grey.png"))
    Image.new("RGB", (32, 32), (0, 0, 255)).save(os.path.join(root, "blue.jpg"))
    with open(os.path.join(root, "notes.txt"), "w") as handle:
      handle.write("not an image")
    images = np.stack(list(data.image_folder(root, image_size=32).as_numpy_iterator()))
    self.assertEqual(images.shape, (2, 32, 32, 3))
    by_blue = sorted(images, key=lambda im: im[..., 2].mean() - im[..., 0].mean())
    self.assertAllClose(by_blue[0], np.ones((32, 32, 3)), atol=1e-5)   # white grey image → RGB
    self.assertAllClose(by_blue[1][..., 0].mean(), -1.0, atol=0.02)     # blue stays blue

  def test_unreadable_image_file_is_named(self):
    root = self.create_tempdir().full_path
    Image.new("RGB", (8, 8)).save(os.path.join(root, "good.png"))
    with open(os.path.join(root, "broken.png"), "wb") as handle:
      handle.write(b"\x89PNG but not really")
    with self.assertRaisesRegex(ValueError, r"broken.png is not a readable image"):
      data.image_folder(root, image_size=32)
    with self.assertRaisesRegex(ValueError, r"no image files"):
      data.image_folder(self.create_tempdir().full_path, image_size=32)

  def test_npz_values_outside_the_unit_range_are_rejected(self):
    path = os.path.join(self.create_tempdir().full_path, "x.npz")
    np.savez(path, x=np.full((3, 4), 7.0, np.float32))
    with self.assertRaisesRegex(ValueError, r"float values span \[7, 7\]"):
      data.npz_array(path)
    np.savez(path, x=np.array([["a"]]))
    with self.assertRaisesRegex(ValueError, r"dtype <U1"):
      data.npz_array(path)

  def test_missing_data(self):
    with self.assertRaisesRegex(ValueError, r"dataset='mnist': no prepared data"):
      data.load_tfds("mnist", data_dir=self.create_tempdir().full_path)
    with self.assertRaisesRegex(ValueError, r"data_dir='/nonexistent': not a directory"):
      data.image_folder("/nonexistent", image_size=32)


if __name__ == "__main__":
  tf.test.main()
