"""End-to-end tests of launchers/train.py (in-process, flagsaver) and launchers/sample.py."""

import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

import test_utils  # pylint: disable=unused-import

from absl.testing import flagsaver
from absl.testing import parameterized
from PIL import Image
import tensorflow as tf

import training_test
from tfwgan import export
from tfwgan import training

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "launchers"))
import train  # pylint: disable=g-import-not-at-top,wrong-import-position

TOY = dict(train_steps=4, log_every=2, checkpoint_every=2, hidden_units=16, batch_size=32,
           verbose=0)


def _launch(script, *args):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
  return subprocess.run([sys.executable, os.path.join(ROOT, "launchers", script), *args],
                        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def _all_tensors(checkpoint_dir):
  """name → value of every tensor of the latest checkpoint but the save counter and clock."""
  reader = tf.train.load_checkpoint(checkpoint_dir)
  return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
          if not any(skip in name for skip in ("save_counter", "elapsed_seconds",
                                                "_CHECKPOINTABLE_OBJECT_GRAPH"))}


class KillAndResumeTest(tf.test.TestCase):
  """SIGKILL at random moments, during checkpoint writing and during export; then resume."""

  ARGS = ["--train_steps=60", "--log_every=3", "--checkpoint_every=3", "--hidden_units=32",
          "--batch_size=64", "--verbose=0", "--deterministic", "--seed=3"]

  def _start(self, logdir, export_dir):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "launchers", "train.py"),
                             *self.ARGS, f"--logdir={logdir}", f"--export_dir={export_dir}"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

  def _run_until(self, logdir, export_dir, trigger):
    """Runs the launcher, SIGKILLs it the moment `trigger()` is true; True if it was killed."""
    process = self._start(logdir, export_dir)
    deadline = time.time() + 300
    while process.poll() is None and time.time() < deadline:
      if trigger():
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True
      time.sleep(0.001)
    _, stderr = process.communicate()
    self.assertEqual(process.returncode, 0, stderr[-2000:])
    return False

  def test_killed_runs_resume_to_the_uninterrupted_weights_bit_for_bit(self):
    reference_log = self.create_tempdir().full_path
    reference_export = os.path.join(self.create_tempdir().full_path, "export")
    self.assertFalse(self._run_until(reference_log, reference_export, lambda: False))

    logdir = self.create_tempdir().full_path
    export_parent = self.create_tempdir().full_path
    export_dir = os.path.join(export_parent, "export")
    checkpoints = os.path.join(logdir, "checkpoints")
    count = lambda pattern: len(glob.glob(os.path.join(checkpoints, pattern)))
    rng = random.Random(7)

    def after_random_delay():
      if not count("ckpt-*.index"):
        return False
      after_random_delay.start = getattr(after_random_delay, "start", None) or time.time()
      return time.time() - after_random_delay.start > rng.uniform(0.0, 1.0)

    def during_checkpoint_writing():
      if not hasattr(during_checkpoint_writing, "seen"):
        during_checkpoint_writing.seen = count("ckpt-*.index")
      return count("*_temp*") > 0 or count("ckpt-*.index") > during_checkpoint_writing.seen

    def during_export():
      return bool(glob.glob(os.path.join(export_parent, ".export-*")))

    killed = [self._run_until(logdir, export_dir, trigger)
              for trigger in (after_random_delay, during_checkpoint_writing, during_export)]
    self.assertEqual(killed, [True, True, True])
    # A reader never sees a partial export: either none yet, or a complete one.
    if os.path.exists(export_dir):
      self.assertTrue(os.path.isfile(os.path.join(export_dir, export.METADATA)))
    self.assertFalse(self._run_until(logdir, export_dir, lambda: False))

    expected, resumed = _all_tensors(os.path.join(reference_log, "checkpoints")), _all_tensors(
        checkpoints)
    self.assertEqual(sorted(expected), sorted(resumed))
    self.assertGreater(len(expected), 30)      # networks, anchor, Adam slots, step counter
    for name, value in expected.items():
      self.assertAllEqual(value, resumed[name], msg=name)
    self.assertEqual(int(resumed["outer_iterations/.ATTRIBUTES/VARIABLE_VALUE"]), 60)
    for a, b in zip(export.ExportedGenerator(reference_export).sample(50).numpy(),
                    export.ExportedGenerator(export_dir).sample(50).numpy()):
      self.assertAllEqual(a, b)


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

  def test_paper_reading_flags_reach_the_built_gan(self):
    # The options where the papers read two ways (RWP App. D vs Alg. 1, WGAN-LP App. D.4).
    with flagsaver.flagsaver(method="wgan_lp", rwp_latents="per_phase", rwp_distance="mean",
                             lp_sampling="perturb_both", lp_perturbation_std=0.25,
                             hidden_units=8):
      config = train.config_from_flags()
    config.validate()
    gan = training.build_gan(config, (2,))
    self.assertEqual((gan.proximal.latents, gan.proximal.distance), ("per_phase", "mean"))
    self.assertEqual((gan.penalty.sampling, gan.penalty.perturbation_std),
                     ("perturb_both", 0.25))

  @parameterized.named_parameters(
      ("preset", ["--preset=wgan"], "--preset"),
      ("strategy", ["--strategy=horovod"], "--strategy"),
      ("tpu_address", ["--strategy=tpu"], "--tpu: required with --strategy=tpu"),
      ("method", ["--method=wgan"], "--method"),
      ("dataset", ["--dataset=moons"], "--dataset"),
      ("train_steps", ["--train_steps=0"], "--train_steps"),
      ("missing_data_dir", ["--dataset=folder", "--image_size=32",
                            "--data_dir=/nonexistent/images"], "--data_dir='/nonexistent/images'"),
      ("rwp_latents", ["--rwp_latents=per_batch"], "--rwp_latents"),
      ("lp_perturbation_std", ["--lp_perturbation_std=0"],
       "--lp_perturbation_std=0.0: must be a number > 0"),
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

  @parameterized.named_parameters(
      ("latent_dim", {"latent_dim": 0}, "--latent_dim=0: must be an integer >= 1"),
      ("batch_size", {"batch_size": 0}, "--batch_size=0"),
      ("critic_steps", {"critic_steps": 0}, "--critic_steps=0"),
      ("generator_steps", {"generator_steps": 0}, "--generator_steps=0"),
      ("potential_steps", {"potential_steps": 0}, "--potential_steps=0"),
      ("penalty_weight", {"penalty_weight": -1.0}, "--penalty_weight=-1.0"),
      ("gamma", {"gamma": -0.5}, "--gamma=-0.5"),
      ("clip_value", {"clip_value": 0.0}, "--clip_value=0.0: must be a number > 0"),
      ("h", {"h": 0.0}, "--h=0.0: must be a number > 0"),
      ("learning_rate", {"learning_rate": -1e-4}, "--learning_rate=-0.0001"),
      ("log_every", {"log_every": 0}, "--log_every=0"),
      ("checkpoint_every", {"checkpoint_every": 0}, "--checkpoint_every=0"),
      ("hidden_units", {"hidden_units": 0}, "--hidden_units=0"),
      ("num_eval_samples", {"num_eval_samples": 0}, "--num_eval_samples=0"),
      ("npz_missing", {"dataset": "npz", "data_dir": "/nonexistent.npz"},
       "--data_dir='/nonexistent.npz': not found"),
      ("folder_channels", {"dataset": "folder", "data_dir": ROOT, "image_size": 32,
                           "channels": 2}, "--channels=2: allowed values are [1, 3]"),
      ("mlp_on_images", {"dataset": "cifar10", "network": "mlp"}, "--network='mlp'"),
      ("wwgan_on_points", {"method": "wwgan"}, "--method='wwgan'"),
      ("warmup", {"warmup_generator_iterations": 3, "warmup_critic_steps": 0},
       "--warmup_critic_steps"))
  def test_bad_values_exit_with_one_line_and_write_nothing(self, overrides, expected):
    root = self.create_tempdir().full_path
    logdir, export_dir = os.path.join(root, "run"), os.path.join(root, "export")
    # Set past absl's own validators (which the subprocess table exercises): what is left
    # is the config check, which must fire before anything is built or written.
    with flagsaver.flagsaver(logdir=logdir, export_dir=export_dir, **TOY):
      for name, value in overrides.items():
        train.FLAGS[name].value = value
      with self.assertRaises(SystemExit) as exit_info:
        train.main(["train.py"])
    message = str(exit_info.exception.code)
    self.assertEqual(len(message.splitlines()), 1, message)
    self.assertIn(expected, message)
    self.assertEqual(os.listdir(root), [])

  def test_sample_launcher_rejects_a_non_export(self):
    completed = _launch("sample.py", f"--export_dir={self.create_tempdir().full_path}")
    self.assertNotEqual(completed.returncode, 0)
    self.assertIn("--export_dir=", completed.stderr)
    self.assertIn("not a tfwgan export", completed.stderr)


if __name__ == "__main__":
  tf.test.main()
