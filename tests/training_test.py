import collections
import gc
import glob
import os
import shutil

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from tfwgan import callbacks
from tfwgan import config as config_lib
from tfwgan import export
from tfwgan import penalties
from tfwgan import training

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def event_values(logdir, tag):
  """Scalar values of `tag`, in order, over every event file in `logdir`."""
  values = []
  for path in sorted(glob.glob(f"{logdir}/events.out.tfevents.*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        if value.tag == tag:
          values.append(float(tf.make_ndarray(value.tensor)))
  return values


def last_values_by_step(logdir, tag):
  """step → the value of scalar `tag` written last at that step (a resumed run rewrites
  the steps after its checkpoint), in step order."""
  values = {}
  for path in sorted(glob.glob(f"{logdir}/events.out.tfevents.*"), key=os.path.getmtime):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        if value.tag == tag:
          values[event.step] = float(tf.make_ndarray(value.tensor))
  return dict(sorted(values.items()))


def event_steps(logdir):
  """tag → steps at which it was written, over every event file in `logdir`."""
  steps = collections.defaultdict(list)
  for path in sorted(glob.glob(f"{logdir}/events.out.tfevents.*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        steps[value.tag].append(event.step)
  return steps


def toy_config(logdir, export_dir, **overrides):
  # XLA off: these runs are a few steps, so compile time would dominate them. The default
  # ('auto', XLA on for toy MLPs) is run by launchers_test's toy-default test.
  fields = dict(train_steps=4, log_every=2, checkpoint_every=2, hidden_units=16, batch_size=32,
                logdir=logdir, export_dir=export_dir, verbose=0, jit_compile="off")
  fields.update(overrides)
  return config_lib.RunConfig.from_preset("toy_wgan_lp_rwp", **fields)


def checkpoint_files(logdir):
  directory = os.path.join(logdir, training.CHECKPOINT_SUBDIR)
  return {name: os.path.getmtime(os.path.join(directory, name)) for name in os.listdir(directory)}


class XLAChoiceTest(tf.test.TestCase):

  def test_auto_compiles_mlps_only_without_determinism_and_explicit_values_win(self):
    auto = lambda **fields: training.uses_xla(config_lib.RunConfig(**fields))
    self.assertTrue(auto(dataset="8gaussians"))
    self.assertFalse(auto(dataset="8gaussians", deterministic=True))
    # Looped critic updates (no strategy): any number of steps.
    self.assertTrue(auto(dataset="8gaussians", critic_steps=100))
    self.assertTrue(auto(dataset="8gaussians", warmup_critic_steps=100,
                         warmup_generator_iterations=25))
    # Unrolled (under a strategy): up to XLA_MAX_UNROLLED_CRITIC_STEPS in every phase.
    cap = training.XLA_MAX_UNROLLED_CRITIC_STEPS
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
      self.assertTrue(auto(dataset="8gaussians", critic_steps=cap))
      self.assertFalse(auto(dataset="8gaussians", critic_steps=cap + 1))
      self.assertFalse(auto(dataset="8gaussians", warmup_critic_steps=100,
                            warmup_generator_iterations=25))
    self.assertFalse(auto(dataset="cifar10"))
    self.assertTrue(auto(dataset="cifar10", jit_compile="on"))
    self.assertFalse(auto(dataset="8gaussians", jit_compile="off"))

  def test_the_compiled_model_uses_the_choice(self):
    for jit_compile, expected in (("auto", True), ("off", False)):
      gan = training.build_gan(config_lib.RunConfig(hidden_units=8, jit_compile=jit_compile),
                               (2,))
      self.assertEqual(gan.jit_compile, expected)

  def test_unknown_value_names_the_field_and_allowed_values(self):
    with self.assertRaisesRegex(ValueError, r"jit_compile='yes': allowed values are "
                                r"\['auto', 'on', 'off'\]"):
      config_lib.RunConfig(jit_compile="yes").validate()


class ReliabilityTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self.logdir = self.create_tempdir().full_path
    self.export_dir = os.path.join(self.create_tempdir().full_path, "export")

  def test_nan_stops_naming_step_and_term_and_keeps_checkpoint_and_export(self):
    training.run(toy_config(self.logdir, self.export_dir))
    before = checkpoint_files(self.logdir)
    exploding = toy_config(self.logdir, self.export_dir, train_steps=8, learning_rate=1e30)
    with self.assertRaisesRegex(callbacks.NonFiniteError, r"step 5: \w+ is nan"):
      training.run(exploding)
    self.assertEqual(checkpoint_files(self.logdir), before)         # untouched, nothing added
    self.assertEqual(export.ExportedGenerator(self.export_dir).metadata["step"], 4)

  def test_skip_batch_reverts_non_finite_updates_and_finishes(self):
    training.run(toy_config(self.logdir, self.export_dir))
    result = training.run(toy_config(self.logdir, self.export_dir, train_steps=8,
                                     learning_rate=1e30, on_nan="skip_batch"))
    self.assertEqual(result.final_step, 8)
    for weight in result.gan.generator.weights + result.gan.critic.weights:
      self.assertTrue(np.all(np.isfinite(weight.numpy())))
    self.assertGreater(event_values(self.logdir, "train/skipped_updates")[-1], 0.0)

  def test_a_changed_learning_rate_applies_on_resume(self):
    training.run(toy_config(self.logdir, self.export_dir))
    result = training.run(toy_config(self.logdir, self.export_dir, train_steps=6,
                                     learning_rate=3e-3))
    self.assertAllClose(result.gan.critic_optimizer.learning_rate.numpy(), 3e-3)
    self.assertEqual(result.resumed_from_step, 4)

  def test_each_phases_data_iterator_is_released_when_its_phase_ends(self):
    # fit leaves its iterator in a reference cycle; with the cyclic collector off, only
    # run's own collection releases it (else its prefetch threads live on to exit).
    live_iterators = lambda: sum(isinstance(o, tf.data.Iterator) for o in gc.get_objects())
    gc.collect()
    gc.disable()
    try:
      training.run(toy_config(self.logdir, self.export_dir, warmup_critic_steps=3,
                              warmup_generator_iterations=2))
      self.assertEqual(live_iterators(), 0)
    finally:
      gc.enable()

  def test_unprepared_tfds_data_fails_before_anything_is_written(self):
    empty = self.create_tempdir().full_path
    config = toy_config(self.logdir + "/run", self.export_dir, dataset="mnist", data_dir=empty)
    with self.assertRaisesRegex(ValueError, r"dataset='mnist': no prepared data"):
      training.run(config)
    self.assertFalse(os.path.exists(self.logdir + "/run"))
    self.assertFalse(os.path.exists(self.export_dir))

  def test_foreign_run_in_logdir_is_a_clear_error(self):
    training.run(toy_config(self.logdir, self.export_dir))
    with self.assertRaisesRegex(ValueError, r"logdir=.*holds a run with other settings "
                                r"\{'method': 'wgan_lp'\}, not \{'method': 'wgan_gp'\}"):
      training.run(toy_config(self.logdir, self.export_dir, method="wgan_gp"))

  def test_damaged_checkpoint_is_a_clear_error_not_a_restart(self):
    training.run(toy_config(self.logdir, self.export_dir))
    directory = os.path.join(self.logdir, training.CHECKPOINT_SUBDIR)
    data_file = [n for n in os.listdir(directory) if n.startswith("ckpt-4.data")][0]
    with open(os.path.join(directory, data_file), "r+b") as handle:
      handle.truncate(100)
    with self.assertRaisesRegex(ValueError, r"checkpoint ckpt-4 does not fit this run or is "
                                r"damaged"):
      training.run(toy_config(self.logdir, self.export_dir, train_steps=6))
    os.remove(os.path.join(directory, "checkpoint"))                # state file lost
    with self.assertRaisesRegex(ValueError, r"has checkpoint files but no readable checkpoint"):
      training.run(toy_config(self.logdir, self.export_dir, train_steps=6))


  def test_a_first_checkpoint_killed_mid_save_is_set_aside_with_one_line(self):
    # What a kill during the first save of a new logdir leaves: the checkpoint's files,
    # no state file (CheckpointManager writes it only after the files are complete).
    other = self.create_tempdir().full_path
    training.run(toy_config(other, self.export_dir, train_steps=2))
    directory = os.path.join(self.logdir, training.CHECKPOINT_SUBDIR)
    os.makedirs(os.path.join(directory, "ckpt-2_temp"))
    for name in os.listdir(os.path.join(other, training.CHECKPOINT_SUBDIR)):
      if name.startswith("ckpt-2.index"):
        shutil.copy(os.path.join(other, training.CHECKPOINT_SUBDIR, name), directory)
    with self.assertLogs(level="WARNING") as logs:
      result = training.run(toy_config(self.logdir, self.export_dir))
    self.assertEqual((result.resumed_from_step, result.final_step), (0, 4))
    lines = [line for line in logs.output if "never completed" in line]
    self.assertLen(lines, 1)
    self.assertLen(lines[0].splitlines(), 1)
    self.assertIn("ckpt-2.index, ckpt-2_temp", lines[0])
    aside = glob.glob(os.path.join(self.logdir, "incomplete-checkpoints-*"))
    self.assertLen(aside, 1)
    self.assertIn(aside[0], lines[0])
    self.assertEqual(sorted(os.listdir(aside[0])), ["ckpt-2.index", "ckpt-2_temp"])

  def test_checkpoint_files_of_two_saves_without_state_are_not_set_aside(self):
    # Not a first save (two numbers): the state file was lost, nothing proves the files
    # incomplete, so they are left alone and the run refuses to start over.
    directory = os.path.join(self.logdir, training.CHECKPOINT_SUBDIR)
    os.makedirs(os.path.join(directory, "ckpt-2_temp"))
    with open(os.path.join(directory, "ckpt-4.index"), "w") as handle:
      handle.write("x")
    with self.assertRaisesRegex(ValueError, r"has checkpoint files but no readable checkpoint"):
      training.run(toy_config(self.logdir, self.export_dir))
    self.assertEqual(sorted(os.listdir(directory)), ["ckpt-2_temp", "ckpt-4.index"])


class ImageRunTest(tf.test.TestCase):

  def test_cifar10_mock_with_tiny_dcgan_and_warmup(self):
    logdir = self.create_tempdir().full_path
    export_dir = self.create_tempdir().full_path + "/export"
    config = config_lib.RunConfig.from_preset(
        "rwp_wgan_gp_cifar10", base_filters=4, latent_dim=8, batch_size=4, critic_steps=2,
        generator_steps=2, train_steps=4, log_every=2, checkpoint_every=2,
        warmup_critic_steps=3, warmup_generator_iterations=1, logdir=logdir,
        export_dir=export_dir, verbose=0)
    with tfds.testing.mock_data(num_examples=32):
      result = training.run(config)
    self.assertEqual(result.final_step, 4)
    # 1 warm-up iteration of 3 critic steps, then 3 iterations of 2.
    self.assertEqual(int(result.gan.critic_optimizer.iterations), 3 + 3 * 2)
    self.assertEqual(int(result.gan.generator_optimizer.iterations), 4 * 2)
    tags = event_steps(logdir)
    self.assertIn("samples/fixed_z", tags)
    self.assertIn("train/proximal", tags)
    samples = export.ExportedGenerator(export_dir).sample(3)
    self.assertEqual(tuple(samples.shape), (3, 32, 32, 3))
    self.assertTrue(np.all(np.abs(samples.numpy()) <= 1.0))

  def test_fid_during_training_with_the_shipped_mnist_classifier(self):
    logdir = self.create_tempdir().full_path
    cache_dir = self.create_tempdir().full_path
    config = config_lib.RunConfig.from_preset(
        "wgan_gp_cifar10", dataset="mnist", base_filters=4, latent_dim=8, batch_size=4,
        critic_steps=1, train_steps=2, log_every=1, checkpoint_every=2, eval_every=1,
        num_eval_samples=20, classifier=os.path.join(ROOT, "saved_models", "mnist_classifier"),
        eval_cache_dir=cache_dir, logdir=logdir,
        export_dir=self.create_tempdir().full_path + "/export", verbose=0)
    with tfds.testing.mock_data(num_examples=40):
      training.run(config)
    tags = event_steps(logdir)
    for name in ("eval/fid", "eval/kid", "eval/inception_score"):
      self.assertEqual(tags[name], [1, 2])
    self.assertLen(os.listdir(cache_dir), 1)     # real outputs cached once

  def test_real_outputs_cache_is_per_file_dataset_path_and_image_size(self):
    name = lambda **fields: training.real_outputs_cache_name(config_lib.RunConfig(
        dataset="npz", classifier="saved_models/mnist_classifier", **fields))
    first = name(data_dir="/data/a.npz")
    self.assertEqual(first, name(data_dir="/data/a.npz"))
    self.assertNotEqual(first, name(data_dir="/data/b.npz"))
    self.assertNotEqual(first, name(data_dir="/data/a.npz", image_size=32))
    self.assertNotEqual(first, name(data_dir="/data/a.npz", num_eval_samples=1000))

  def test_wwgan_preset_on_mock_mnist(self):
    config = config_lib.RunConfig.from_preset(
        "rwp_wwgan_cifar10", dataset="mnist", base_filters=4, latent_dim=8, batch_size=4,
        critic_steps=1, generator_steps=1, train_steps=2, log_every=1, checkpoint_every=2,
        logdir=self.create_tempdir().full_path,
        export_dir=self.create_tempdir().full_path + "/export", verbose=0)
    with tfds.testing.mock_data(num_examples=16):
      result = training.run(config)
    self.assertIsInstance(result.gan.penalty, penalties.Wasserstein2Penalty)
    self.assertEqual(result.gan.penalty.gamma, 1.0)
    self.assertEqual(tuple(export.ExportedGenerator(config.export_dir).sample(2).shape),
                     (2, 28, 28, 1))


if __name__ == "__main__":
  tf.test.main()
