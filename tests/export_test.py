import json
import os
import tempfile

import test_utils

import keras
import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import export
from tfwgan import sampling


class ExportTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self.generator, _ = test_utils.tiny_mlp_pair(latent_dim=3)
    self.export_dir = os.path.join(self.create_tempdir().full_path, "gen")

  def test_serving_signature_matches_generator(self):
    export.export_generator(self.generator, self.export_dir, latent_dim=3,
                            metadata={"method": "wgan_gp"})
    z = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    expected = self.generator(z, training=False)
    loaded = tf.saved_model.load(os.path.join(self.export_dir, export.SAVED_MODEL))
    outputs = loaded.signatures["serving_default"](z=tf.constant(z))
    self.assertAllClose(next(iter(outputs.values())), expected, rtol=1e-5)
    restored = export.ExportedGenerator(self.export_dir)
    self.assertEqual(restored.metadata["sample_shape"], [2])
    self.assertEqual(restored.metadata["method"], "wgan_gp")
    self.assertAllClose(restored.generate(z), expected, rtol=1e-5)
    keras_model = keras.models.load_model(os.path.join(self.export_dir, export.KERAS_FILE),
                                          safe_mode=True)
    self.assertAllClose(keras_model(z), expected, rtol=1e-5)

  def test_a_conditional_export_takes_a_class_by_its_recorded_name_or_number(self):
    generator = tfwgan.networks.mlp_generator(3, 2, hidden_units=8, num_classes=3)
    export.export_generator(generator, self.export_dir, latent_dim=3, num_classes=3,
                            metadata={"class_names": ["cats", "dogs", "owls"]})
    restored = export.ExportedGenerator(self.export_dir)
    self.assertEqual(restored.class_names, ["cats", "dogs", "owls"])
    self.assertEqual([restored.label_index(label) for label in ("dogs", "2", 0)], [1, 2, 0])
    for wrong in ("birds", "3", 3, -1):
      with self.assertRaisesRegex(ValueError, r"^labels: .* is neither a class name \(cats, "
                                  r"dogs, owls\) nor a class number 0 … 2\.$"):
        restored.label_index(wrong)

  def test_reexport_replaces_whole_directory_and_leaves_no_staging(self):
    export.export_generator(self.generator, self.export_dir, latent_dim=3)
    with open(os.path.join(self.export_dir, "stale.txt"), "w") as handle:
      handle.write("old")
    export.export_generator(self.generator, self.export_dir, latent_dim=3, metadata={"step": 7})
    self.assertFalse(os.path.exists(os.path.join(self.export_dir, "stale.txt")))
    with open(os.path.join(self.export_dir, export.METADATA)) as handle:
      self.assertEqual(json.load(handle)["step"], 7)
    self.assertEqual(os.listdir(os.path.dirname(self.export_dir)), ["gen"])

  def test_failed_export_keeps_the_previous_one(self):
    export.export_generator(self.generator, self.export_dir, latent_dim=3, metadata={"step": 1})
    with self.assertRaises(TypeError):
      export.export_generator(self.generator, self.export_dir, latent_dim=3,
                              metadata={"step": object()})   # not JSON: fails mid-way
    self.assertEqual(export.ExportedGenerator(self.export_dir).metadata["step"], 1)
    self.assertEqual(os.listdir(os.path.dirname(self.export_dir)), ["gen"])

  def test_leftovers_of_a_killed_export_are_cleaned_up_by_the_next_export(self):
    export.export_generator(self.generator, self.export_dir, latent_dim=3, metadata={"step": 1})
    parent = os.path.dirname(self.export_dir)
    os.makedirs(os.path.join(parent, ".export-gen-dead0001", "saved_model"))   # killed staging
    os.makedirs(os.path.join(parent, ".export-other-dead0002"))   # another target's: kept
    export.export_generator(self.generator, self.export_dir, latent_dim=3, metadata={"step": 2})
    self.assertEqual(sorted(os.listdir(parent)), [".export-other-dead0002", "gen"])

  def test_a_kill_between_the_two_renames_puts_the_previous_export_back(self):
    export.export_generator(self.generator, self.export_dir, latent_dim=3, metadata={"step": 1})
    parent = os.path.dirname(self.export_dir)
    retired = os.path.join(parent, ".retired-gen-dead0001")
    os.makedirs(retired)
    os.rename(self.export_dir, os.path.join(retired, "old"))   # killed right here
    self.assertEqual(export.recover_interrupted_export(self.export_dir), [retired])
    self.assertEqual(export.ExportedGenerator(self.export_dir).metadata["step"], 1)
    self.assertEqual(os.listdir(parent), ["gen"])

  def test_batch_norm_modes_are_exported_and_recorded(self):
    generator = tfwgan.networks.dcgan_generator(3, (28, 28, 1), base_filters=2)
    for step in range(2):
      generator(tf.random.stateless_normal([8, 3], seed=[step, 0]), training=True)
    z = tf.random.stateless_normal([5, 3], seed=[9, 0])
    for mode in sampling.BATCH_NORM_MODES:
      path = os.path.join(self.create_tempdir().full_path, mode)
      export.export_generator(generator, path, latent_dim=3, batch_norm=mode, seed=4)
      loaded = export.ExportedGenerator(path)
      self.assertEqual((loaded.batch_norm, loaded.metadata["batch_norm"]), (mode, mode))
      reference = sampling.Sampler(generator, mode, latent_dim=3, seed=4)(z)
      self.assertAllClose(loaded.generate(z), reference, atol=1e-5)
      # Another mode from the export alone: its .keras generator run in that mode.
      self.assertAllClose(loaded.sampler("batch")(z), generator(z, training=True), atol=1e-5)

  def test_not_an_export(self):
    with self.assertRaisesRegex(ValueError, r"export_dir=.*not a tfwgan export"):
      export.ExportedGenerator(self.create_tempdir().full_path)

  def test_results_go_to_the_runs_own_directory(self):
    root = self.create_tempdir().full_path
    logdir = os.path.join(root, "run")
    os.makedirs(os.path.join(logdir, "export"))
    with open(os.path.join(logdir, export.RUN_CONFIG), "w") as handle:
      handle.write("{}")
    self.assertEqual(export.results_directory(f"{logdir}/export/", "evaluations"),
                     f"{logdir}/evaluations")
    # Not in a logdir: under <tmp>/tfwgan/<kind>/, by the run's name, else the export's.
    elsewhere = os.path.join(root, "shipped", "export")
    self.assertEqual(export.results_directory(elsewhere, "samples",
                                              {"config": {"run_name": "wgan_x"}}),
                     os.path.join(tempfile.gettempdir(), "tfwgan", "samples", "wgan_x"))
    self.assertEqual(export.results_directory(elsewhere, "samples", {}),
                     os.path.join(tempfile.gettempdir(), "tfwgan", "samples", "export"))


if __name__ == "__main__":
  tf.test.main()
