import os
import pathlib
import re

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

from tfwgan import files

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Modules that touch logdirs, exports, caches or data: every file operation via tf.io.gfile.
GFILE_ONLY = ("tfwgan/training.py", "tfwgan/export.py", "tfwgan/data.py", "tfwgan/config.py",
              "tfwgan/evaluation/scoring.py")
LOCAL_ONLY = re.compile(r"\bos\.(path\.(exists|isdir|isfile)|makedirs|listdir|walk|rename|"
                        r"replace|remove)\b|(?<![.\w])open\(|\bshutil\.|\btempfile\.mkstemp\b|"
                        r"\bnp\.(load|savez)\(")


class FilesTest(tf.test.TestCase):

  def test_the_file_handling_modules_use_only_gfile(self):
    offenders = [f"{name}:{number}: {line.strip()}" for name in GFILE_ONLY
                 for number, line in enumerate((ROOT / name).read_text().splitlines(), 1)
                 if LOCAL_ONLY.search(line)]
    self.assertEqual(offenders, [])

  def test_paths(self):
    self.assertTrue(files.is_local("/a/b"))
    self.assertFalse(files.is_local("gs://bucket/a"))
    self.assertEqual(files.absolute("gs://bucket/run/"), "gs://bucket/run")
    self.assertEqual(files.absolute("run"), os.path.abspath("run"))
    self.assertEqual(files.parent("gs://bucket/runs/a"), "gs://bucket/runs")
    self.assertRegex(files.unique_sibling("gs://b/x/export", ".export-"),
                     r"^gs://b/x/\.export-export-[0-9a-f]{8}$")

  def test_move_tree_on_ram_copies_every_file_and_writes_the_marker_last(self):
    source, target = "ram://files-test/source", "ram://files-test/target"
    for directory in ("sub", "empty"):   # ram:// lists only directories made explicitly
      tf.io.gfile.makedirs(f"{source}/{directory}")
    for name in ("a.txt", "sub/b.txt", "metadata.json"):
      with tf.io.gfile.GFile(f"{source}/{name}", "w") as handle:
        handle.write(name)
    copied = []
    original_copy = tf.io.gfile.copy
    def copy(src, dst, overwrite=False):
      copied.append(os.path.basename(dst))
      original_copy(src, dst, overwrite=overwrite)
    with tf.compat.v1.test.mock.patch.object(files.gfile, "copy", copy):
      files.move_tree(source, target, last="metadata.json")
    self.assertEqual(copied[-1], "metadata.json")
    self.assertFalse(tf.io.gfile.exists(source))
    for name in ("a.txt", "sub/b.txt", "metadata.json"):
      with tf.io.gfile.GFile(f"{target}/{name}") as handle:
        self.assertEqual(handle.read(), name)
    self.assertTrue(tf.io.gfile.isdir(f"{target}/empty"))

  def test_json_and_npz_round_trips_and_the_header_only_shape(self):
    for root in (self.create_tempdir().full_path, "ram://files-test-npz"):
      files.write_json_atomically(f"{root}/run/config.json", {"a": 1})
      self.assertEqual(files.read_json(f"{root}/run/config.json"), {"a": 1})
      array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
      files.save_npz_atomically(f"{root}/d.npz", x=array)
      self.assertAllEqual(files.load_npz(f"{root}/d.npz")["x"], array)
      self.assertEqual(files.npz_first_shape(f"{root}/d.npz"), (2, 3, 4))
      self.assertEqual(sorted(tf.io.gfile.listdir(root)), ["d.npz", "run"])   # no temp left

  def test_unused_names_never_name_an_existing_file(self):
    for root in (self.create_tempdir().full_path, "ram://files-test-unused"):
      self.assertEqual(files.unused_names(root, ["a", "b"], ".png"),
                       [f"{root}/a.png", f"{root}/b.png"])
      files.write_json_atomically(f"{root}/b.png", {})        # one of the pair exists
      self.assertEqual(files.unused_names(root, ["a", "b"], ".png"),
                       [f"{root}/a-2.png", f"{root}/b-2.png"])
      files.write_json_atomically(f"{root}/a-2.png", {})
      self.assertEqual(files.unused_names(root + "/", ["a", "b"], ".png"),
                       [f"{root}/a-3.png", f"{root}/b-3.png"])
      self.assertEqual(files.unused_names(root, ["a"], ".png"), [f"{root}/a.png"])


if __name__ == "__main__":
  tf.test.main()
