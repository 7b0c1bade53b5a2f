"""End-to-end tests of launchers/train.py (in-process, flagsaver) and launchers/sample.py."""

import json
import os
import subprocess
import sys

import test_utils  # pylint: disable=unused-import

from absl.testing import flagsaver
from absl.testing import parameterized
from PIL import Image
import tensorflow as tf

import training_test
from tfwgan import export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "launchers"))
import train  # pylint: disable=g-import-not-at-top,wrong-import-position

TOY = dict(train_steps=4, log_every=2, checkpoint_every=2, hidden_units=16, batch_size=32,
           verbose=0)


def _launch(script, *args):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
  return subprocess.run([sys.executable, os.path.join(ROOT, "launchers", script), *args],
                        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


class TrainLauncherTest(tf.test.TestCase, parameterized.TestCase):

  def test_toy_default_writes_summaries_resumes_and_exports(self):
    logdir = self.create_tempdir().full_path
    export_dir = os.path.join(self.create_tempdir().full_path, "toy")
    with flagsaver.flagsaver(logdir=logdir, export_dir=export_dir, **TOY):
      train.main(["train.py"])
    tags = training_test.event_steps(logdir)
    for tag in ("train/critic_loss", "train/penalty", "train/generator_loss", "train/proximal",
                "train/wasserstein_estimate", "time/steps_per_second",
                "time/wallclock_seconds", "eval/emd", "samples/critic_level_sets", "config"):
      self.assertIn(tag, tags)
    self.assertEqual(tags["train/critic_loss"], [2, 4])

    with flagsaver.flagsaver(logdir=logdir, export_dir=export_dir, **{**TOY, "train_steps": 6}):
      train.main(["train.py"])
    # Resumed at step 4: the second run wrote only step 6, it did not start over at 2.
    self.assertEqual(training_test.event_steps(logdir)["train/critic_loss"], [2, 4, 6])
    reader = tf.train.load_checkpoint(os.path.join(logdir, "checkpoints"))
    self.assertEqual(reader.get_tensor(
        "outer_iterations/.ATTRIBUTES/VARIABLE_VALUE"), 6)
    self.assertEqual(reader.get_tensor(
        "critic_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"), 6 * 5)

    loaded = tf.saved_model.load(os.path.join(export_dir, export.SAVED_MODEL))
    outputs = loaded.signatures["serving_default"](z=tf.random.normal([9, 2]))
    self.assertEqual(tuple(next(iter(outputs.values())).shape), (9, 2))

    samples_dir = self.create_tempdir().full_path
    completed = _launch("sample.py", f"--export_dir={export_dir}", f"--output_dir={samples_dir}")
    self.assertEqual(completed.returncode, 0, completed.stderr)
    for name in ("samples.png", "latent_walk.png"):
      with Image.open(os.path.join(samples_dir, name)) as image:
        self.assertGreater(image.size[0], 100)

  def test_one_device_strategy_flag(self):
    logdir = self.create_tempdir().full_path
    export_dir = os.path.join(self.create_tempdir().full_path, "toy")
    with flagsaver.flagsaver(logdir=logdir, export_dir=export_dir, strategy="one_device",
                             **{**TOY, "train_steps": 2}):
      train.main(["train.py"])
    self.assertEqual(export.ExportedGenerator(export_dir).metadata["step"], 2)

  @parameterized.named_parameters(
      ("preset", ["--preset=wgan"], "--preset"),
      ("strategy", ["--strategy=horovod"], "--strategy"),
      ("tpu_address", ["--strategy=tpu"], "--tpu: required with --strategy=tpu"),
      ("method", ["--method=wgan"], "--method"),
      ("dataset", ["--dataset=moons"], "--dataset"),
      ("train_steps", ["--train_steps=0"], "--train_steps"),
      ("missing_data_dir", ["--dataset=folder", "--image_size=32",
                            "--data_dir=/nonexistent/images"], "--data_dir='/nonexistent/images'"),
      ("image_size", ["--dataset=folder", "--image_size=48", f"--data_dir={ROOT}"],
       "--image_size=48: allowed values are [28, 32, 64]"))
  def test_bad_flags_exit_before_building_anything(self, args, expected):
    logdir = os.path.join(self.create_tempdir().full_path, "run")
    export_dir = os.path.join(self.create_tempdir().full_path, "export")
    completed = _launch("train.py", *args, f"--logdir={logdir}", f"--export_dir={export_dir}")
    self.assertNotEqual(completed.returncode, 0)
    error_lines = [line for line in completed.stderr.splitlines() if expected in line]
    self.assertLen(error_lines, 1, completed.stderr)
    self.assertFalse(os.path.exists(logdir))
    self.assertFalse(os.path.exists(export_dir))

  def test_evaluate_launcher_on_the_shipped_toy_generator(self):
    output = os.path.join(self.create_tempdir().full_path, "result.json")
    completed = _launch("evaluate.py", "--export_dir=saved_models/toy_wgan_lp_rwp",
                        "--num_samples=300", f"--output_json={output}")
    self.assertEqual(completed.returncode, 0, completed.stderr)
    with open(output) as handle:
      results = json.load(handle)
    self.assertEqual(results["dataset"], "8gaussians")
    self.assertLess(results["emd"], 0.3)          # the shipped generator learned the modes

  def test_train_classifier_launcher_exports_a_usable_classifier(self):
    output_dir = os.path.join(self.create_tempdir().full_path, "clf")
    completed = _launch("train_classifier.py", "--limit=300", "--epochs=1",
                        f"--output_dir={output_dir}")
    self.assertEqual(completed.returncode, 0, completed.stderr)
    with open(os.path.join(output_dir, "metadata.json")) as handle:
      self.assertEqual(json.load(handle)["samples"], 300)
    self.assertTrue(os.path.isfile(os.path.join(output_dir, "saved_model", "saved_model.pb")))

  def test_sample_launcher_rejects_a_non_export(self):
    completed = _launch("sample.py", f"--export_dir={self.create_tempdir().full_path}")
    self.assertNotEqual(completed.returncode, 0)
    self.assertIn("--export_dir=", completed.stderr)
    self.assertIn("not a tfwgan export", completed.stderr)


if __name__ == "__main__":
  tf.test.main()
