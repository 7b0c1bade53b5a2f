import collections
import dataclasses
import gc
import glob
import io
import os
import shutil
import subprocess

import test_utils

import pytest

from absl.testing import parameterized
import keras
import numpy as np
from PIL import Image
import tensorflow as tf
import tensorflow_datasets as tfds

from tfwgan import callbacks
from tfwgan import data
from tfwgan import distribution
from tfwgan import gan as gan_lib
from tfwgan import config as config_lib
from tfwgan import export
from tfwgan import files
from tfwgan import penalties
from tfwgan import spectral_norm
from tfwgan import training
from tfwgan.evaluation import classifiers
from tfwgan.evaluation import domain_classifier
from tfwgan.evaluation import scoring

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
  # No final evaluation: launchers_test runs the default's (500 points) end to end.
  # Image data starts from the image default, with the toy default's ℓ = 5 and latent 2
  # unless given (tiny, fast networks; what these tests assert does not depend on them).
  fields = dict(train_steps=4, log_every=2, checkpoint_every=2, hidden_units=16, batch_size=32,
                logdir=logdir, export_dir=export_dir, verbose=0, jit_compile="off",
                final_eval_samples=0)
  images = overrides.get("dataset", "8gaussians") not in data.TOY_DATASETS
  if images:
    fields.update(generator_steps=5, latent_dim=2)
  fields.update(overrides)
  return config_lib.RunConfig.from_preset(None if images else "toy_wgan_lp_rwp", **fields)


def checkpoint_files(logdir):
  directory = os.path.join(logdir, training.CHECKPOINT_SUBDIR)
  return {name: os.path.getmtime(os.path.join(directory, name)) for name in os.listdir(directory)}


class PhasesTest(tf.test.TestCase):

  def test_wgan_reference_rule_100_critic_steps_first_25_and_every_500th_iteration(self):
    # main.py: Diters = 100 if gen_iterations < 25 or gen_iterations % 500 == 0, with
    # gen_iterations the generator updates done before the iteration (step here).
    config = config_lib.RunConfig.from_preset("wgan_clip_lsun", train_steps=1502)
    self.assertEqual(training.phases(config), [
        (0, 25, 100), (25, 500, 5), (500, 501, 100), (501, 1000, 5), (1000, 1001, 100),
        (1001, 1500, 5), (1500, 1501, 100), (1501, 1502, 5)])
    self.assertEqual([training.critic_steps_at(config, step) for step in
                      (0, 24, 25, 499, 500, 501, 1000)], [100, 100, 5, 5, 100, 5, 100])
    without = config_lib.RunConfig.from_preset("wgan_clip_lsun", train_steps=1000,
                                               warmup_critic_every=0)
    self.assertEqual(training.phases(without),
                     [(0, 25, 100), (25, 1000, 5)])

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_a_phase_of_critic_steps_seen_before_reuses_its_traced_step(self):
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(gan_lib.GAN(generator, critic, 2, penalty="gp",
                                             critic_steps=2, seed=0))
    data_for = lambda steps: data.toy_dataset("8gaussians", batch_size=4, critic_steps=steps)
    gan.fit(data_for(2), epochs=1, steps_per_epoch=1, verbose=0)
    first = gan.train_function
    gan.set_critic_steps(3)
    gan.fit(data_for(3), epochs=1, steps_per_epoch=1, verbose=0)
    self.assertIsNot(gan.train_function, first)
    gan.set_critic_steps(2)
    self.assertIs(gan.train_function, first)
    gan.fit(data_for(2), epochs=1, steps_per_epoch=1, verbose=0)
    self.assertEqual(int(gan.critic_optimizer.iterations), 2 + 3 + 2)


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


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class ReliabilityTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self.logdir = self.create_tempdir().full_path
    self.export_dir = os.path.join(self.create_tempdir().full_path, "export")

  def test_a_killed_tasks_scratch_directory_is_removed_when_a_task_starts_again(self):
    tmp = self.create_tempdir().full_path
    dead = subprocess.Popen(["true"])   # its process id is gone once it has ended
    dead.wait()
    stale = f"{distribution.SCRATCH_PREFIX}{dead.pid}-abc"
    live = f"{distribution.SCRATCH_PREFIX}{os.getpid()}-def"     # this process is running
    for name in (stale, live, "tfwgan-worker-notapid", "other"):
      os.makedirs(os.path.join(tmp, name, "checkpoints"))
    self.assertEqual(distribution.remove_stale_scratch_directories(tmp), [stale])
    self.assertCountEqual(os.listdir(tmp), [live, "tfwgan-worker-notapid", "other"])

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

  def test_eval_every_sets_the_emd_cadence_for_2d_data(self):
    result = training.run(toy_config(self.logdir, self.export_dir, eval_every=1,
                                     num_eval_samples=50))
    self.assertEqual(sorted(result.metrics),
                     ["coverage", "density", "emd", "precision", "recall"])
    for name in result.metrics:
      self.assertEqual(event_steps(self.logdir)[f"eval/{name}"], [1, 2, 3, 4])
      self.assertAllClose(result.metrics[name], event_values(self.logdir, f"eval/{name}")[-1])
    chosen = training.run(toy_config(self.logdir, self.export_dir, eval_every=1, train_steps=5,
                                     num_eval_samples=50, eval_metrics=("precision_recall",)))
    self.assertEqual(sorted(chosen.metrics), ["precision", "recall"])

  def test_your_own_networks_get_the_whole_run(self):
    def make(config, sample_shape):
      generator = keras.Sequential([keras.Input((config.latent_dim,)), keras.layers.Dense(7),
                                    keras.layers.Dense(sample_shape[0])], name="my_generator")
      critic = keras.Sequential([keras.Input(sample_shape), keras.layers.Dense(5),
                                 keras.layers.Dense(1)], name="my_critic")
      return generator, critic
    result = training.run(toy_config(self.logdir, self.export_dir), networks=make)
    self.assertEqual((result.gan.generator.name, result.gan.critic.name),
                     ("my_generator", "my_critic"))
    resumed = training.run(toy_config(self.logdir, self.export_dir, train_steps=6),
                           networks=make)
    self.assertEqual(resumed.resumed_from_step, 4)
    self.assertEqual(export.ExportedGenerator(self.export_dir).generate(tf.ones([3, 2])).shape,
                     (3, 2))

  def test_the_training_clock_continues_across_a_resume(self):
    # The first run's clock is made to read 1000 s per call, so it ends far ahead of any
    # real duration; the resumed run must continue from there, not from 0.
    ticks = iter(range(0, 10**9, 1000))
    with tf.compat.v1.test.mock.patch.object(callbacks.time, "perf_counter",
                                             lambda: float(next(ticks))):
      training.run(toy_config(self.logdir, self.export_dir))
    directory = os.path.join(self.logdir, training.CHECKPOINT_SUBDIR)
    clock_at = lambda: float(tf.train.load_checkpoint(directory).get_tensor(
        "elapsed_seconds/.ATTRIBUTES/VARIABLE_VALUE"))
    first = clock_at()
    self.assertGreater(first, 1000.0)
    training.run(toy_config(self.logdir, self.export_dir, train_steps=6))
    self.assertBetween(clock_at() - first, 0.0, 600.0)
    wallclock = last_values_by_step(self.logdir, "time/wallclock_seconds")
    self.assertBetween(wallclock[6] - first, 0.0, 600.0)

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
    # Any identity field, not only the model-shaping ones (issue: λ silently changed).
    with self.assertRaisesRegex(ValueError, r"\{'penalty_weight': 10.0, 'seed': 0\}, not "
                                r"\{'penalty_weight': 5.0, 'seed': 1\}; only train_steps, "
                                r"learning_rate"):
      training.run(toy_config(self.logdir, self.export_dir, penalty_weight=5.0, seed=1))
    # Resume-safe fields may change.
    result = training.run(toy_config(self.logdir, self.export_dir, train_steps=6, log_every=3,
                                     checkpoint_every=3, verbose=2))
    self.assertEqual(result.final_step, 6)

  def test_damaged_checkpoint_is_a_clear_error_not_a_restart(self):
    training.run(toy_config(self.logdir, self.export_dir))
    directory = os.path.join(self.logdir, training.CHECKPOINT_SUBDIR)
    data_file = [n for n in os.listdir(directory) if n.startswith("ckpt-4.data")][0]
    with open(os.path.join(directory, data_file), "r+b") as handle:
      handle.truncate(100)
    with self.assertRaisesRegex(ValueError, r"checkpoint ckpt-4 does not fit this run or is "
                                r"damaged .*Intact older checkpoints: ckpt-2; to continue from "
                                r"one, run launchers/rewind.py --logdir=.* --checkpoint=ckpt-2"):
      training.run(toy_config(self.logdir, self.export_dir, train_steps=6))
    before = sorted(os.listdir(directory))
    aside = training.rewind(self.logdir, "ckpt-2")             # what the message proposes
    self.assertEqual(sorted(os.listdir(aside)), [n for n in before if n.startswith("ckpt-4")])
    result = training.run(toy_config(self.logdir, self.export_dir, train_steps=6))
    self.assertEqual((result.resumed_from_step, result.final_step), (2, 6))
    with self.assertRaisesRegex(ValueError, r"checkpoint='ckpt-9': not an intact checkpoint"):
      training.rewind(self.logdir, "ckpt-9")
    os.remove(os.path.join(directory, "checkpoint"))                # state file lost
    with self.assertRaisesRegex(ValueError, r"has checkpoint files but no readable checkpoint"):
      training.run(toy_config(self.logdir, self.export_dir, train_steps=8))


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


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class ImageRunTest(tf.test.TestCase):

  def test_cifar10_mock_with_tiny_dcgan_and_warmup(self):
    logdir = self.create_tempdir().full_path
    export_dir = self.create_tempdir().full_path + "/export"
    config = config_lib.RunConfig.from_preset(
        "rwp_wgan_gp_cifar10", base_filters=4, latent_dim=8, batch_size=4, critic_steps=2,
        generator_steps=2, train_steps=4, log_every=2, checkpoint_every=2,
        warmup_critic_steps=3, warmup_generator_iterations=1, logdir=logdir,
        export_dir=export_dir, verbose=0, final_eval_samples=0)
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

  def test_fid_during_training_and_the_final_evaluation_with_the_shipped_mnist_classifier(self):
    logdir = self.create_tempdir().full_path
    cache_dir = self.create_tempdir().full_path
    classifier_path = os.path.join(ROOT, "saved_models", "mnist_classifier")
    config = config_lib.RunConfig.from_preset(
        "wgan_gp_cifar10", dataset="mnist", base_filters=4, latent_dim=8, batch_size=4,
        critic_steps=1, train_steps=2, log_every=1, checkpoint_every=2, eval_every=1,
        num_eval_samples=20, classifier=classifier_path, final_eval_samples=30,
        inception_score_splits=3, eval_cache_dir=cache_dir, logdir=logdir,
        export_dir=self.create_tempdir().full_path + "/export", verbose=0)
    with tfds.testing.mock_data(num_examples=40):
      result = training.run(config)
      real = scoring.real_outputs(data.evaluation_batches("mnist", num_samples=30),
                                  classifiers.load(classifier_path), num_samples=30)
    tags = event_steps(logdir)
    for name in ("eval/fid", "eval/kid", "eval/inception_score", "eval/inception_score_std"):
      self.assertEqual(tags[name], [1, 2])
    # The final evaluation: the export, scored once at final_eval_samples, written as final/*.
    for name in ("fid", "kid", "inception_score", "inception_score_std", "precision"):
      self.assertEqual(tags[f"final/{name}"], [2])
    # Each protocol text at its evaluations' step: the training one where they start.
    self.assertEqual(tags["evaluation_protocol/final"], [2])
    self.assertEqual(tags["evaluation_protocol/training"], [0])
    recorded = files.read_json(os.path.join(logdir, training.FINAL_EVALUATION))
    expected = scoring.evaluate(export.ExportedGenerator(config.export_dir), real,
                                classifier=classifiers.load(classifier_path), num_samples=30,
                                inception_score_splits=3)
    self.assertEqual(recorded["scores"], expected)
    self.assertEqual(result.final_metrics, expected)
    self.assertAllClose(event_values(logdir, "final/fid"), [expected["fid"]])   # float32
    self.assertEqual(recorded["protocol"], {
        "generated_samples": 30, "real_samples": 30, "real_distinct_samples": 30,
        "real_split": "train",
        "classifier": classifier_path,
        "classifier_sha256": classifiers.weights_sha256(classifier_path),
        "generator": "live", "batch_norm": "moving", "inception_score_splits": 3,
        "metrics": list(scoring.DEFAULT_IMAGE_METRICS), "seed": 0, "resize": "bilinear",
        "kid_subsets": 1, "kid_subset_size": 30,
        "classifier_training": domain_classifier.stamp(classifier_path)})
    self.assertEqual(recorded["protocol"]["classifier_training"]["held_out_accuracy"],
                     files.read_json(os.path.join(classifier_path, "metadata.json"))[
                         "held_out_accuracy"])
    self.assertRegex(training.summary_line(result), r"; final: coverage [0-9.e-]+, .*fid "
                     r"[0-9.e+-]+, .* \[30 generated vs 30 real \(train\), classifier "
                     r"mnist_classifier sha256 [0-9a-f]{12} \(trained on mnist, 5000 samples, "
                     r"held-out accuracy 0.960\), live generator, batch norm "
                     r"moving, IS 3 splits\]; generator exported to ")
    self.assertLen(os.listdir(cache_dir), 2)     # real outputs cached once per sample count

  def test_the_protocol_names_the_generator_split_mode_and_repeated_real_samples(self):
    config = config_lib.RunConfig.from_preset(
        "wgan_gp_resnet_cifar10", ema_decay=0.999, eval_split="test", inception_score_splits=5)
    protocol = training.evaluation_protocol(config, 20_000, "ab" * 32, real_available=10_000)
    self.assertEqual(protocol, {
        "generated_samples": 20_000, "real_samples": 20_000, "real_distinct_samples": 10_000,
        "real_split": "test", "classifier": "inception", "classifier_sha256": "ab" * 32,
        "generator": "ema", "batch_norm": "batch", "inception_score_splits": 5,
        "metrics": list(scoring.DEFAULT_IMAGE_METRICS), "seed": 0, "resize": "bilinear",
        "kid_subsets": 100, "kid_subset_size": 1000, "classifier_training": None})
    self.assertEqual(training.describe_protocol(protocol),
                     "20000 generated vs 20000 real (test, 10000 distinct), classifier "
                     "inception sha256 abababababab, ema generator, batch norm batch, IS 5 "
                     "splits")
    # SWD alone scores the pixels: no classifier, no resize, said so.
    pixels = training.evaluation_protocol(dataclasses.replace(config, eval_metrics=("swd",)),
                                          200, None)
    self.assertEqual((pixels["classifier"], pixels["resize"]), (None, None))
    self.assertIn(", pixels, ema generator", training.describe_protocol(pixels))
    # DINOv2: the backbone, the preset (or its local directory), its input and token.
    dinov2 = training.evaluation_protocol(dataclasses.replace(
        config, classifier="dinov2", dinov2_path="/models/dinov2"), 200, "cd" * 32)
    self.assertEqual(dinov2["feature_extractor"], {
        "backbone": "keras_hub.models.DINOV2Backbone", "preset": "/models/dinov2",
        "input": "224x224, ImageNet mean/std", "features": "CLS token after the final layer norm"})
    self.assertNotIn("inception_score", dinov2["metrics"])   # features only: no logits

  def test_a_final_evaluation_larger_than_the_real_set_is_refused_before_training(self):
    root = self.create_tempdir().full_path
    np.savez(root + "/d.npz", x=np.zeros((100, 28, 28, 1), np.uint8))
    config = toy_config(root + "/log", root + "/export", dataset="npz", data_dir=root + "/d.npz",
                        base_filters=2, latent_dim=4, batch_size=8, final_eval_samples=200,
                        classifier=os.path.join(ROOT, "saved_models", "mnist_classifier"))
    with self.assertRaisesRegex(ValueError, r"final_eval_samples=200: more than the 100 "
                                r"samples of the real set \(all\), which the final evaluation "
                                r"would repeat"):
      training.run(config)
    self.assertFalse(os.path.exists(root + "/log"))

  def test_real_outputs_cache_is_per_file_dataset_path_and_image_size(self):
    name = lambda **fields: training.real_outputs_cache_name(config_lib.RunConfig(
        dataset="npz", **{"classifier": "saved_models/mnist_classifier", **fields}))
    first = name(data_dir="/data/a.npz")
    self.assertEqual(first, name(data_dir="/data/a.npz"))
    self.assertNotEqual(first, name(data_dir="/data/b.npz"))
    self.assertNotEqual(first, name(data_dir="/data/a.npz", image_size=32))
    self.assertNotEqual(first, name(data_dir="/data/a.npz", num_eval_samples=1000))
    # Per classifier weights and feature layer (issue #43): a retrained classifier in the
    # same directory, or another layer, never reuses the outputs cached for the first.
    self.assertNotEqual(first, name(data_dir="/data/a.npz", feature_layer="logits"))
    retrained = os.path.join(self.create_tempdir().full_path, "mnist_classifier")
    shutil.copytree(os.path.join(ROOT, "saved_models", "mnist_classifier"), retrained)
    shipped = name(data_dir="/data/a.npz", classifier=os.path.join(
        ROOT, "saved_models", "mnist_classifier"))
    self.assertEqual(shipped, name(data_dir="/data/a.npz", classifier=retrained))
    with open(os.path.join(retrained, "classifier.keras"), "ab") as handle:
      handle.write(b"other weights")
    self.assertNotEqual(shipped, name(data_dir="/data/a.npz", classifier=retrained))

  def test_resnet_recipe_on_mock_mnist_padded_to_32(self):
    # The ResNet preset's recipe at toy scale: 28×28 digits run the 32×32 networks padded;
    # EMA, linear decay and a generator batch twice the critic's.
    config = config_lib.RunConfig.from_preset(
        "wgan_gp_resnet_cifar10", dataset="mnist", base_filters=4, latent_dim=8, batch_size=4,
        generator_batch_size=8, critic_steps=1, train_steps=2, log_every=1,
        checkpoint_every=2, ema_decay=0.9, logdir=self.create_tempdir().full_path,
        export_dir=self.create_tempdir().full_path + "/export", verbose=0, final_eval_samples=0)
    with tfds.testing.mock_data(num_examples=16):
      result = training.run(config)
    self.assertEqual(result.gan.generator.name, "resnet_generator_28")
    self.assertEqual(float(result.gan.critic_optimizer.learning_rate), 0.0)   # decayed to 0
    self.assertEqual(tuple(export.ExportedGenerator(config.export_dir).sample(2).shape),
                     (2, 28, 28, 1))

  def test_wwgan_preset_on_mock_mnist(self):
    config = config_lib.RunConfig.from_preset(
        "rwp_wwgan_cifar10", dataset="mnist", base_filters=4, latent_dim=8, batch_size=4,
        critic_steps=1, generator_steps=1, train_steps=2, log_every=1, checkpoint_every=2,
        gamma=0.25, w2_one_sided=True, logdir=self.create_tempdir().full_path,
        export_dir=self.create_tempdir().full_path + "/export", verbose=0, final_eval_samples=0)
    with tfds.testing.mock_data(num_examples=16):
      result = training.run(config)
    self.assertIsInstance(result.gan.penalty, penalties.Wasserstein2Penalty)
    # Non-default values (the preset's γ is 1, two-sided): they reach the penalty.
    self.assertEqual((result.gan.penalty.gamma, result.gan.penalty.one_sided), (0.25, True))
    self.assertEqual(tuple(export.ExportedGenerator(config.export_dir).sample(2).shape),
                     (2, 28, 28, 1))


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class NonLocalFilesystemTest(tf.test.TestCase):
  """TensorFlow's in-memory ram:// filesystem stands in for gs://: every logdir, export,
  cache and data file goes through tf.io.gfile, so a run there writes nothing locally."""

  def test_run_resume_export_and_data_on_ram_filesystem(self):
    root = "ram://tfwgan-" + self.id().rsplit(".", 1)[-1]
    files.save_npz_atomically(root + "/data/d.npz",
                              x=np.random.default_rng(0).integers(0, 255, (40, 28, 28, 1),
                                                                  dtype=np.uint8))
    cwd_before = sorted(os.listdir("."))
    fields = dict(dataset="npz", data_dir=root + "/data/d.npz", base_filters=2, latent_dim=4,
                  batch_size=4, critic_steps=2, train_steps=2, log_every=1, checkpoint_every=2,
                  logdir=root + "/log", export_dir=root + "/export", verbose=0,
                  jit_compile="off")
    first = training.run(config_lib.RunConfig(**fields))
    resumed = training.run(config_lib.RunConfig(**{**fields, "train_steps": 4}))
    self.assertEqual((first.final_step, resumed.resumed_from_step, resumed.final_step), (2, 2, 4))
    self.assertEqual(tf.io.gfile.listdir(root + "/log/checkpoints")[:1], ["checkpoint"])
    self.assertIn(training.RUN_CONFIG, tf.io.gfile.listdir(root + "/log"))
    exported = export.ExportedGenerator(root + "/export")
    self.assertEqual(exported.metadata["step"], 4)
    self.assertAllClose(exported.generate(tf.ones([2, 4])),
                        resumed.gan.generator(tf.ones([2, 4]), training=False), atol=1e-6)
    self.assertEqual(sorted(tf.io.gfile.listdir(root)), ["data", "export", "log"])  # no staging left
    # The same settings check as on a local disk.
    with self.assertRaisesRegex(ValueError, r"holds a run with other settings"):
      training.run(config_lib.RunConfig(**{**fields, "method": "wgan_gp", "train_steps": 6}))
    self.assertEqual(sorted(os.listdir(".")), cwd_before)   # no local ./ram:/… directory

  def test_image_folder_on_ram_filesystem(self):
    root = "ram://tfwgan-folder-" + self.id().rsplit(".", 1)[-1]
    for index in range(3):
      buffer = io.BytesIO()
      Image.new("RGB", (30, 30), (index * 80, 0, 0)).save(buffer, format="PNG")
      with tf.io.gfile.GFile(f"{root}/images/{index}.png", "wb") as handle:
        handle.write(buffer.getvalue())
    config = config_lib.RunConfig(dataset="folder", data_dir=root + "/images", image_size=28,
                                  channels=3)
    config.validate()
    self.assertEqual(data.check_image_files(root + "/images"), {(30, 30): 3})
    batch = next(iter(data.training_dataset("folder", batch_size=3, critic_steps=1,
                                            data_dir=root + "/images", image_size=28)))
    self.assertEqual(tuple(batch.shape), (3, 28, 28, 3))


class _RunRecorder:
  """Runs `training.run` with fit, the export, the classifier and op determinism replaced
  by recorders: what each RunConfig field reached, without training."""

  def __init__(self, config):
    self.config, self.fits, self.datasets, self.exports = config, [], [], []
    self.exported, self.export_options, self.final_evaluations = [], [], []
    self.classifier, self.real_outputs, self.determinism = None, None, False
    mock = tf.compat.v1.test.mock
    real_dataset = data.training_dataset

    def fit(gan, dataset, **kwargs):
      self.gan = gan
      self.fits.append(kwargs)
      return None

    def training_dataset(name, **kwargs):
      self.datasets.append(dict(kwargs, name=name))
      return real_dataset(name, **kwargs)

    def load(identifier, **kwargs):
      self.classifier = dict(kwargs, identifier=identifier)
      return lambda images: (np.zeros([len(images), 2]), np.zeros([len(images), 3]))

    def real_outputs(images, classifier, **kwargs):
      self.real_outputs = kwargs
      return scoring.ClassifierOutputs(None, None, None,
                                       np.zeros([1]) if kwargs.get("keep_images") else None)

    def enable_op_determinism():
      self.determinism = True

    def export_generator(generator, path, **kwargs):
      self.exports.append(path)
      self.exported.append(generator)
      self.export_options.append(kwargs)
      return path

    def final_evaluation(config, export_dir, **kwargs):
      self.final_evaluations.append((config.final_eval_samples, export_dir))
      return {}, {}

    with mock.patch.object(gan_lib.GAN, "fit", fit), \
        mock.patch.object(data, "training_dataset", training_dataset), \
        mock.patch.object(export, "export_generator", export_generator), \
        mock.patch.object(training, "final_evaluation", final_evaluation), \
        mock.patch.object(classifiers, "load", load), \
        mock.patch.object(scoring, "real_outputs", real_outputs), \
        mock.patch.object(tf.config.experimental, "enable_op_determinism",
                          enable_op_determinism):
      training.run(config)

  def callback(self, kind, fit_index=-1):
    matches = [c for c in self.fits[fit_index]["callbacks"] if isinstance(c, kind)]
    return matches[0] if matches else None


def _optimizers(record):
  gan = record.gan
  return [o for o in (gan.generator_optimizer, gan.critic_optimizer, gan.potential_optimizer)
          if o is not None]


# field → (the field's non-default value, other fields it needs, what reached the run, the
# value that must be seen there). Every RunConfig field has a row (checked below).
NPZ = {"dataset": "npz", "data_dir": "<npz>", "base_filters": 2, "latent_dim": 4}
WIRING = {
    "run_name": ("wired_run", {"logdir": None, "export_dir": None},
                 lambda r: (r.exports[0].split("/")[-2:],
                            os.path.basename(r.config.resolved_logdir)),
                 (["wired_run", "export"], "wired_run")),
    "method": ("wgan_gp", {}, lambda r: type(r.gan.penalty).__name__, "GradientPenalty"),
    "dataset": ("25gaussians", {}, lambda r: r.datasets[0]["name"], "25gaussians"),
    "data_dir": ("<npz>", NPZ, lambda r: (r.datasets[0]["data_dir"], r.gan.sample_shape),
                 ("<npz>", (28, 28, 1))),
    "download": (True, {}, lambda r: r.datasets[0]["download"], True),
    "image_size": (32, {"dataset": "folder", "data_dir": "<folder>", "base_filters": 2,
                        "batch_size": 1},
                   lambda r: (r.datasets[0]["image_size"], r.gan.sample_shape),
                   (32, (32, 32, 3))),
    "channels": (1, {"dataset": "folder", "data_dir": "<folder>", "image_size": 28,
                     "base_filters": 2, "batch_size": 1},
                 lambda r: (r.datasets[0]["channels"], r.gan.sample_shape), (1, (28, 28, 1))),
    # 'auto' picks 'dcgan' for images and 'mlp' for points; the other pairings are rejected.
    "network": ("dcgan", NPZ, lambda r: r.gan.generator.name, "dcgan_generator_28"),
    "hidden_units": (8, {}, lambda r: r.gan.generator.layers[0].units, 8),
    "base_filters": (3, {**NPZ, "base_filters": 3}, lambda r: r.gan.critic.layers[0].filters, 3),
    "latent_dim": (5, {}, lambda r: (r.gan.latent_dim, r.gan.generator.input_shape[-1]), (5, 5)),
    "batch_size": (24, {}, lambda r: r.datasets[0]["batch_size"], 24),
    "generator_batch_size": (32, {}, lambda r: r.gan.generator_batch_size, 32),
    "lr_decay": ("linear", {"proximal": "sbe"},
                 lambda r: [(type(o._learning_rate).__name__, o._learning_rate.total_steps)
                            for o in _optimizers(r)],
                 [("LinearDecayByOuterIteration", 4)] * 3),
    "ema_decay": (0.5, {}, lambda r: (r.gan.generator_ema.decay,
                                      r.exported[0] is r.gan.generator_ema.model()),
                  (0.5, True)),
    "ema_start_step": (3, {"ema_decay": 0.9}, lambda r: r.gan.generator_ema.start_step, 3),
    "ema_statistics": ("average", {"ema_decay": 0.9},
                       lambda r: r.gan.generator_ema.statistics, "average"),
    "critic_steps": (3, {}, lambda r: (r.gan.critic_steps, r.datasets[0]["critic_steps"]),
                     (3, 3)),
    "generator_steps": (3, {}, lambda r: r.gan.proximal.generator_steps, 3),
    "penalty_weight": (2.5, {}, lambda r: r.gan.penalty_weight, 2.5),
    "conditioning": ("acgan", {}, lambda r: (
        r.gan.conditioning.critic, r.gan.num_classes, r.datasets[0]["labels"],
        r.gan.critic.name, r.export_options[0]["num_classes"]),
                     ("acgan", 8, True, "mlp_critic_acgan", 8)),
    "label_distribution": ("frequencies", {**NPZ, "conditioning": "projection"},
                           lambda r: r.gan.conditioning.class_frequencies, (0.7, 0.3)),
    "num_classes": (5, {**NPZ, "conditioning": "projection"},
                    lambda r: (r.gan.num_classes, r.export_options[0]["num_classes"]), (5, 5)),
    "loss": ("hinge", {}, lambda r: r.gan.adversarial_loss.name, "hinge"),
    "lecam_weight": (0.3, {}, lambda r: [(t.name, t.weight) for t in r.gan.critic_terms],
                     [("lecam", 0.3)]),
    "lecam_decay": (0.9, {"lecam_weight": 0.3}, lambda r: r.gan.critic_terms[0].decay, 0.9),
    "lecam_one_sided": (True, {"lecam_weight": 0.3},
                        lambda r: r.gan.critic_terms[0].one_sided, True),
    "consistency_weight": (5.0, NPZ, lambda r: [(t.name, t.real_weight, t.fake_weight)
                                                for t in r.gan.critic_terms],
                           [("consistency", 5.0, 5.0)]),
    "consistency_policy": ("cutout", {**NPZ, "consistency_weight": 1.0},
                           lambda r: r.gan.critic_terms[0].transform.policies, ("cutout",)),
    "spectral_norm": ("both", {}, lambda r: (
        len(spectral_norm.layers_of(r.gan.critic)), len(spectral_norm.layers_of(r.gan.generator))),
                      (4, 4)),
    "penalty_every": (4, {"method": "r1"}, lambda r: (r.gan.penalty.name, r.gan.penalty.every),
                      ("r1", 4)),
    "acgan_critic_weight": (2.0, {"conditioning": "acgan"},
                            lambda r: r.gan.conditioning.acgan_critic_weight, 2.0),
    "acgan_generator_weight": (0.5, {"conditioning": "acgan"},
                               lambda r: r.gan.conditioning.acgan_generator_weight, 0.5),
    "augment": ("translation,cutout", NPZ, lambda r: r.gan.augment.policies,
                ("translation", "cutout")),
    "augment_penalty_points": ("augmented", {**NPZ, "augment": "color"},
                               lambda r: r.gan.augment.penalty_points, "augmented"),
    "augment_p": (0.25, {**NPZ, "augment": "flip"}, lambda r: r.gan.augment.probability, 0.25),
    "ada_target": (0.5, {**NPZ, "augment": "flip", "augment_p": 0.1},
                   lambda r: (r.gan.augment.adaptive.target, round(float(
                       r.gan.augment.adaptive.state["probability"]), 6)),
                   (0.5, 0.1)),
    "ada_speed_images": (1000, {**NPZ, "augment": "flip", "ada_target": 0.6},
                         lambda r: r.gan.augment.adaptive.speed_images, 1000.0),
    "mirror_real": (True, NPZ, lambda r: r.datasets[0]["mirror"], True),
    "gamma": (0.25, {**NPZ, "method": "wwgan"}, lambda r: r.gan.penalty.gamma, 0.25),
    "w2_one_sided": (True, {**NPZ, "method": "wwgan"}, lambda r: r.gan.penalty.one_sided, True),
    "clip_value": (0.05, {"method": "wgan_clip"}, lambda r: r.gan.penalty.clip_value, 0.05),
    "lp_sampling": ("perturb_real", {}, lambda r: r.gan.penalty.sampling, "perturb_real"),
    "lp_perturbation_std": (0.3, {}, lambda r: r.gan.penalty.perturbation_std, 0.3),
    "proximal": ("sbe", {}, lambda r: type(r.gan.proximal).__name__, "SBE"),
    "h": (0.7, {}, lambda r: r.gan.proximal.h, 0.7),
    "rwp_latents": ("per_phase", {}, lambda r: r.gan.proximal.latents, "per_phase"),
    "rwp_distance": ("mean", {}, lambda r: r.gan.proximal.distance, "mean"),
    "potential_steps": (2, {"proximal": "sbe"}, lambda r: r.gan.proximal.potential_steps, 2),
    "sbe_potential_over_h": (False, {"proximal": "sbe"},
                             lambda r: r.gan.proximal.potential_objective_h, 1.0),
    "wwgan_graph": ("grid", {**NPZ, "method": "wwgan"}, lambda r: r.gan.penalty.graph, "grid"),
    "resnet_init": ("glorot", {**NPZ, "network": "resnet"},
                    lambda r: type(r.gan.critic.get_layer("block1_conv1").kernel_initializer)
                    .__name__, "GlorotUniform"),
    "resnet_norm_epsilon": (1e-3, {**NPZ, "network": "resnet"},
                            lambda r: r.gan.generator.get_layer("head_norm").epsilon, 1e-3),
    "rmsprop_rho": (0.99, {"optimizer": "rmsprop"},
                    lambda r: [round(float(o.rho), 9) for o in _optimizers(r)], [0.99] * 2),
    "optimizer_epsilon": (1e-8, {}, lambda r: [o.epsilon for o in _optimizers(r)], [1e-8] * 2),
    "warmup_critic_every": (3, {"warmup_critic_steps": 2},
                            lambda r: [d["critic_steps"] for d in r.datasets[1:]], [2, 5, 2]),
    "eval_split": ("test", {"dataset": "mnist", "base_filters": 2, "eval_every": 1},
                   lambda r: sorted({d.get("split") or "-" for d in r.datasets}),
                   ["-", "test"]),   # the phases' training data has no split argument
    "eval_batch_norm": ("batch", {**NPZ, "eval_every": 1},
                        lambda r: (r.callback(callbacks.FIDCallback).batch_norm,
                                   r.callback(callbacks.ImageSummaries).batch_norm,
                                   r.export_options[0]["batch_norm"]), ("batch",) * 3),
    "inception_score_splits": (4, {**NPZ, "eval_every": 1},
                               lambda r: r.callback(callbacks.FIDCallback).inception_score_splits,
                               4),
    "final_eval_samples": (40, {}, lambda r: r.final_evaluations, [(40, "<tmp>/export")]),
    "optimizer": ("rmsprop", {"proximal": "sbe"},
                  lambda r: [type(o).__name__ for o in _optimizers(r)], ["RMSprop"] * 3),
    "learning_rate": (3e-3, {"proximal": "sbe"},
                      lambda r: [round(float(o.learning_rate), 9) for o in _optimizers(r)],
                      [3e-3] * 3),
    "beta1": (0.1, {"proximal": "sbe"},
              lambda r: [round(float(o.beta_1), 9) for o in _optimizers(r)], [0.1] * 3),
    "beta2": (0.8, {"proximal": "sbe"},
              lambda r: [round(float(o.beta_2), 9) for o in _optimizers(r)], [0.8] * 3),
    "warmup_critic_steps": (7, {"warmup_generator_iterations": 2},
                            lambda r: [d["critic_steps"] for d in r.datasets[1:]], [7, 5]),
    "warmup_generator_iterations": (
        3, {"warmup_critic_steps": 2},
        lambda r: [r.callback(callbacks.StopAtStep, i).last_step for i in (0, 1)], [3, 4]),
    "train_steps": (6, {}, lambda r: r.callback(callbacks.StopAtStep).last_step, 6),
    "log_every": (1, {}, lambda r: r.fits[0]["steps_per_epoch"], 1),
    "checkpoint_every": (1, {}, lambda r: r.callback(callbacks.Checkpointing).every, 1),
    "num_eval_samples": (40, {}, lambda r: r.callback(callbacks.ToySummaries).num_samples, 40),
    "eval_every": (3, NPZ, lambda r: r.callback(callbacks.FIDCallback).every, 3),
    "eval_metrics": (("kid", "swd"), {**NPZ, "eval_every": 1},
                     lambda r: (r.callback(callbacks.FIDCallback).metrics,
                                r.real_outputs["keep_images"]), (("kid", "swd"), True)),
    "classifier": ("/models/clf", {**NPZ, "eval_every": 1},
                   lambda r: r.classifier["identifier"], "/models/clf"),
    "inception_path": ("/models/inception", {**NPZ, "eval_every": 1},
                       lambda r: r.classifier["inception_path"], "/models/inception"),
    "dinov2_path": ("/models/dinov2", {**NPZ, "eval_every": 1},
                    lambda r: r.classifier["dinov2_path"], "/models/dinov2"),
    "feature_layer": ("pool", {**NPZ, "eval_every": 1},
                      lambda r: r.classifier["feature_layer"], "pool"),
    "eval_resize": ("clean", {**NPZ, "eval_every": 1},
                    lambda r: (r.classifier["resize"],
                               os.path.basename(r.real_outputs["cache_path"]).endswith(
                                   "-clean.npz")), ("clean", True)),
    "eval_cache_dir": ("<tmp>/cache", {**NPZ, "eval_every": 1},
                       lambda r: os.path.dirname(r.real_outputs["cache_path"]), "<tmp>/cache"),
    "seed": (9, {}, lambda r: (r.gan.seed, r.datasets[-1]["seed"]), (9, 9)),
    "deterministic": (True, {}, lambda r: r.determinism, True),
    "precision": ("mixed_bfloat16", {},
                  lambda r: r.gan.generator.layers[0].dtype_policy.name, "mixed_bfloat16"),
    "jit_compile": ("on", {}, lambda r: r.gan.jit_compile, True),
    "on_nan": ("skip_batch", {}, lambda r: r.gan.skip_nonfinite_updates, True),
    "logdir": ("<tmp>/elsewhere", {},
               lambda r: [r.callback(callbacks.Checkpointing).manager.directory,
                          *sorted(os.listdir(r.config.logdir))],
               ["<tmp>/elsewhere/checkpoints", "events", training.RUN_CONFIG]),
    "export_dir": ("<tmp>/exported", {}, lambda r: r.exports, ["<tmp>/exported"]),
    "verbose": (2, {}, lambda r: r.callback(callbacks.OuterIterationProgress).verbose, 2),
}


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class EveryFieldReachesTheRunTest(tf.test.TestCase, parameterized.TestCase):

  def test_the_table_has_a_row_for_every_field(self):
    self.assertCountEqual(WIRING, [f.name for f in dataclasses.fields(config_lib.RunConfig)])

  def _substitute(self, value, tmp):
    if not isinstance(value, str):
      return value
    return value.replace("<tmp>", tmp).replace("<npz>", tmp + "/d.npz").replace(
        "<folder>", tmp + "/images")

  @parameterized.named_parameters(*((name, name, *row) for name, row in WIRING.items()))
  def test_a_non_default_value_reaches_the_run(self, field, value, context, probe, expected):
    tmp = self.create_tempdir().full_path
    np.savez(tmp + "/d.npz", x=np.zeros((100, 28, 28, 1), np.uint8),
             y=np.repeat([0, 1], [70, 30]))   # labels: 70 % class 0
    os.makedirs(tmp + "/images")
    for index in range(5):                      # one outer iteration at batch 1
      Image.new("RGB", (40, 40)).save(f"{tmp}/images/{index}.png")
    fields = dict(hidden_units=16, batch_size=16, train_steps=4, log_every=2,
                  checkpoint_every=2, logdir=tmp + "/log", export_dir=tmp + "/export",
                  verbose=0, jit_compile="off")
    fields.update(context)
    fields[field] = value
    fields = {k: self._substitute(v, tmp) for k, v in fields.items()}
    self.assertNotEqual(getattr(config_lib.RunConfig(), field), fields[field])
    config = config_lib.RunConfig(**fields)
    try:
      with tfds.testing.mock_data(num_examples=64):
        record = _RunRecorder(config)
      observed = probe(record)
    finally:
      if field == "run_name":
        shutil.rmtree(config.resolved_logdir, ignore_errors=True)
    if field == "logdir":
      observed = ["events" if name.startswith("events.out") else name for name in observed]
    if isinstance(expected, (tuple, list)):
      expected = type(expected)(
          type(v)(self._substitute(x, tmp) for x in v) if isinstance(v, tuple) else
          self._substitute(v, tmp) for v in expected)
    expected = self._substitute(expected, tmp)
    self.assertEqual(observed, expected)


if __name__ == "__main__":
  tf.test.main()
