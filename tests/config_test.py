import dataclasses
import os
from unittest import mock

import test_utils  # pylint: disable=unused-import

from absl.testing import parameterized
import numpy as np
import tensorflow as tf

from tfwgan import config as config_lib
from tfwgan import presets

RunConfig = config_lib.RunConfig


class RunConfigTest(tf.test.TestCase, parameterized.TestCase):

  def test_from_preset_takes_paper_values_and_overrides(self):
    config = RunConfig.from_preset("rwp_wgan_gp_cifar10", train_steps=7, h=None)
    self.assertEqual((config.method, config.dataset, config.latent_dim, config.h,
                      config.generator_steps, config.learning_rate, config.beta1, config.beta2,
                      config.train_steps), ("wgan_gp", "cifar10", 128, 0.1, 10, 1e-4, 0.5, 0.9, 7))
    self.assertEqual(config.resolved_network, "dcgan")
    # A run writes nothing outside its logdir: the export defaults to <logdir>/export.
    self.assertEqual(config.run_name, "rwp_wgan_gp_cifar10")     # train_steps: resume-safe
    self.assertEqual(config.resolved_export_dir, config.resolved_logdir + "/export")

  def test_overridden_presets_get_their_own_run_name_and_logdir(self):
    base = RunConfig.from_preset("wgan_lp_swissroll")
    self.assertEqual(base.run_name, "wgan_lp_swissroll")
    changed = RunConfig.from_preset("wgan_lp_swissroll", penalty_weight=5.0, seed=2)
    self.assertEqual(changed.run_name, "wgan_lp_swissroll-penalty_weight=5.0,seed=2")
    self.assertNotEqual(changed.resolved_logdir, base.resolved_logdir)
    # The preset's own value, or a resume-safe field, keeps the base name.
    self.assertEqual(RunConfig.from_preset("wgan_lp_swissroll", penalty_weight=10.0,
                                           train_steps=50, log_every=5).run_name,
                     "wgan_lp_swissroll")
    self.assertEqual(RunConfig.from_preset("wgan_lp_swissroll", penalty_weight=5.0,
                                           run_name="mine").run_name, "mine")

  def test_run_names_stay_readable_and_only_paths_and_long_values_are_hashed(self):
    name = RunConfig.from_preset("wgan_gp_cifar10", dataset="folder", data_dir="/data/faces/",
                                 image_size=32, eval_metrics=("fid", "kid")).run_name
    # A path: its last part and a hash of the whole path; eval_metrics is resume-safe.
    self.assertRegex(name, r"^wgan_gp_cifar10-data_dir=faces_[0-9a-f]{8},dataset=folder,"
                           r"image_size=32$")
    other = RunConfig.from_preset("wgan_gp_cifar10", dataset="folder", data_dir="/else/faces",
                                  image_size=32).run_name
    self.assertNotEqual(name, other)                   # same last part, other folder
    self.assertRegex(RunConfig.from_preset("wgan_gp_cifar10", feature_layer="f" * 33).run_name,
                     r"^wgan_gp_cifar10-feature_layer=h[0-9a-f]{8}$")     # over 32 characters
    self.assertEqual(RunConfig.from_preset("wgan_gp_cifar10", feature_layer="f" * 32).run_name,
                     "wgan_gp_cifar10-feature_layer=" + "f" * 32)
    # A comma-separated policy reads as a list, as the README writes the rule.
    self.assertEqual(RunConfig.from_preset("wgan_gp_cifar10", augment="translation,cutout")
                     .run_name, "wgan_gp_cifar10-augment=translation+cutout")
    self.assertRegex(RunConfig.from_preset("wgan_gp_cifar10", optimizer="rmsprop",
                                           lp_sampling="a b").run_name,
                     r"^wgan_gp_cifar10-lp_sampling=h[0-9a-f]{8},optimizer=rmsprop$")
    many = {name: 7 for name in ("latent_dim", "batch_size", "critic_steps", "generator_steps",
                                 "potential_steps", "hidden_units", "base_filters", "seed")}
    many.update(penalty_weight=3.5, clip_value=0.5, h=0.3, gamma=2.0, beta1=0.1, beta2=0.2,
                optimizer_epsilon=1e-5, rmsprop_rho=0.5, lp_perturbation_std=0.2)
    long_name = RunConfig.from_preset("wgan_gp_cifar10", **many).run_name
    self.assertRegex(long_name, r"^wgan_gp_cifar10-base_filters=7,batch_size=7,beta1=0\.1,"
                                r".*,and_\d+_more_[0-9a-f]{8}$")     # past 200 characters
    self.assertLess(len(long_name), 230)

  def test_images_without_a_preset_get_the_image_default(self):
    root = self.create_tempdir().full_path
    images, points = os.path.join(root, "images.npz"), os.path.join(root, "points.npz")
    np.savez(images, x=np.zeros((4, 28, 28, 1), np.uint8))
    np.savez(points, x=np.zeros((4, 2), np.float32))
    for dataset, data_dir in (("folder", root), ("npz", images), ("cifar10", None)):
      config = RunConfig.from_preset(None, dataset=dataset, data_dir=data_dir)
      self.assertEqual((config.method, config.proximal, config.generator_steps,
                        config.latent_dim, config.resolved_network),
                       ("wgan_gp", "rwp", 10, 128, "dcgan"), dataset)
      self.assertTrue(config.run_name.startswith(presets.IMAGE_DEFAULT_PRESET))
    for dataset in (None, "swissroll"):
      config = RunConfig.from_preset(None, dataset=dataset)
      self.assertEqual((config.latent_dim, config.resolved_network), (2, "mlp"), dataset)
    # Points in an .npz are not images; the launcher evaluates points only on the toy sets.
    for name in (None, "wgan_lp_swissroll"):
      config = RunConfig.from_preset(name, dataset="npz", data_dir=points)
      self.assertEqual(config.latent_dim, 2)
      with self.assertRaisesRegex(ValueError, r"points\.npz': holds \[samples, features\] "
                                  r"points; the launcher trains and evaluates images"):
        config.validate()
    # Another array shape is images (its shape is named by the data check), not points.
    flat_images = os.path.join(root, "flat.npz")
    np.savez(flat_images, x=np.zeros((4, 28, 28), np.uint8))
    self.assertEqual(RunConfig.from_preset(None, dataset="npz", data_dir=flat_images).latent_dim,
                     128)
    # `~` is expanded before the file is read, and before the run is named.
    with mock.patch.dict(os.environ, {"HOME": root}):
      self.assertEqual(RunConfig.from_preset(None, dataset="npz",
                                             data_dir="~/points.npz").latent_dim, 2)
      self.assertEqual(RunConfig.from_preset(None, dataset="npz", data_dir="~/images.npz"),
                       RunConfig.from_preset(None, dataset="npz", data_dir=images))
    for dataset, data_dir in (("folder", root), ("npz", images), ("mnist", None)):
      with self.assertRaisesRegex(ValueError, r"^preset='toy_wgan_lp_rwp': a 2-D toy setting "
                                  r"\(MLPs, latent_dim=2\) cannot train on images \(dataset="
                                  rf"'{dataset}'\); leave --preset out for the image default "
                                  r"\(rwp_wgan_gp_cifar10\)"):
        RunConfig.from_preset("toy_wgan_lp_rwp", dataset=dataset, data_dir=data_dir)

  def test_identity_is_every_field_but_the_resume_safe_ones(self):
    config = RunConfig.from_preset("wgan_lp_swissroll")
    recorded = dataclasses.asdict(config)
    self.assertEqual(config.identity_differences(recorded), {})
    for name in config_lib.RESUME_SAFE_FIELDS:
      self.assertEqual(config.identity_differences({**recorded, name: "other"}), {})
    self.assertEqual(config.identity_differences({**recorded, "penalty_weight": 5.0}),
                     {"penalty_weight": (5.0, 10.0)})
    self.assertEqual(config.identity_differences({**recorded, "lp_perturbation_std": 0.1}),
                     {"lp_perturbation_std": (0.1, 0.5)})
    del recorded["rwp_distance"]                    # a record older than the field
    self.assertEqual(config.identity_differences(recorded), {})

  def test_eval_metrics_from_a_list_flag_become_a_tuple(self):
    config = RunConfig(eval_metrics=["emd", "precision_recall"])
    self.assertEqual(config.eval_metrics, ("emd", "precision_recall"))
    config.validate()

  def test_home_in_paths_is_expanded(self):
    config = RunConfig(logdir="~/runs/a", data_dir="~/data", classifier="inception")
    self.assertEqual(config.logdir, os.path.expanduser("~/runs/a"))
    self.assertEqual(config.data_dir, os.path.expanduser("~/data"))
    self.assertEqual(config.classifier, "inception")

  def test_presets_carry_the_paper_reading_options(self):
    for name in presets.PRESETS:
      config = RunConfig.from_preset(name)
      self.assertEqual((config.rwp_latents, config.rwp_distance, config.lp_sampling,
                        config.lp_perturbation_std), ("per_step", "sum", "interpolate", 0.5))
    config = RunConfig.from_preset("rwp_wgan_gp_cifar10", rwp_latents="per_phase",
                                   rwp_distance="mean", lp_perturbation_std=0.2)
    self.assertEqual((config.rwp_latents, config.rwp_distance, config.lp_perturbation_std),
                     ("per_phase", "mean", 0.2))

  def test_default_preset_is_the_toy_run(self):
    config = RunConfig.from_preset(presets.DEFAULT_PRESET)
    config.validate()
    self.assertEqual((config.dataset, config.method, config.proximal, config.resolved_network),
                     ("8gaussians", "wgan_lp", "rwp", "mlp"))

  @parameterized.named_parameters(
      ("method", {"method": "wgan"}, r"method='wgan': allowed values"),
      ("dataset", {"dataset": "moons"}, r"dataset='moons': allowed values"),
      ("train_steps", {"train_steps": 0}, r"train_steps=0: must be an integer >= 1"),
      ("negative_weight", {"penalty_weight": -1.0}, r"penalty_weight=-1.0"),
      ("h", {"proximal": "rwp", "h": 0.0}, r"h=0.0: must be a number > 0"),
      ("folder_without_dir", {"dataset": "folder"}, r"data_dir: required with dataset='folder'"),
      ("missing_folder", {"dataset": "folder", "data_dir": "/nonexistent", "image_size": 32},
       r"data_dir='/nonexistent': not found"),
      ("missing_tfds_dir", {"dataset": "cifar10", "data_dir": "/nonexistent"},
       r"data_dir='/nonexistent': not a directory"),
      ("mlp_on_images", {"dataset": "cifar10", "network": "mlp"}, r"network='mlp'"),
      ("dcgan_on_points", {"network": "dcgan"}, r"network='dcgan': cannot make samples of shape"),
      ("warmup", {"warmup_generator_iterations": 5}, r"warmup_critic_steps: must be >= 1"),
      ("wwgan_on_points", {"method": "wwgan"}, r"method='wwgan': its W2 norm lives on a pixel"),
      ("gamma", {"gamma": -1.0}, r"gamma=-1.0: must be a number >= 0"),
      ("rwp_latents", {"rwp_latents": "per_batch"}, r"rwp_latents='per_batch': allowed values"),
      ("rwp_distance", {"rwp_distance": "l1"}, r"rwp_distance='l1': allowed values"),
      ("lp_perturbation_std", {"lp_perturbation_std": 0.0},
       r"lp_perturbation_std=0.0: must be a number > 0"),
      ("image_metric_on_points", {"eval_metrics": ("emd", "swd")},
       r"eval_metrics: 'swd' is not a metric for 2-D samples; allowed values are \['emd', "),
      ("too_few_for_knn", {"num_eval_samples": 5},
       r"num_eval_samples=5: too few for the metrics \['precision_recall', "
       r"'density_coverage'\], which need at least 6 samples"),
      ("point_metric_on_images", {"dataset": "cifar10", "network": "dcgan",
                                  "eval_metrics": ["fid", "emd"]},
       r"eval_metrics: 'emd' is not a metric for images"),
      ("conditioning", {"conditioning": "cgan"},
       r"conditioning='cgan': allowed values are \['none', 'projection', 'acgan'\]"),
      ("conditioning_without_labels", {"dataset": "swissroll", "conditioning": "acgan"},
       r"dataset='swissroll': has no classes; labelled toy sets are"),
      ("conditioning_on_celeba", {"dataset": "celeb_a", "conditioning": "projection"},
       r"dataset='celeb_a': tfds gives it no class label"),
      ("label_distribution", {"label_distribution": "data"},
       r"label_distribution='data': allowed values are \['uniform', 'frequencies'\]"),
      ("acgan_weight", {"acgan_generator_weight": -0.1},
       r"acgan_generator_weight=-0.1: must be a number >= 0"),
      ("augment_policy", {"dataset": "cifar10", "augment": "color,mirror"},
       r"augment='color,mirror': a comma-separated subset of \['color', 'translation', "),
      ("augment_on_points", {"augment": "color"},
       r"augment='color': DiffAugment transforms images; dataset='8gaussians'"),
      ("augment_penalty_points", {"augment_penalty_points": "both"},
       r"augment_penalty_points='both': allowed values"),
      ("frequencies_unconditional", {"label_distribution": "frequencies"},
       r"label_distribution='frequencies': only used with conditioning; it is off"),
      ("acgan_weight_with_projection", {"conditioning": "projection",
                                        "acgan_critic_weight": 2.0},
       r"acgan_critic_weight=2.0: only used with conditioning=acgan"),
      ("penalty_points_without_augment", {"augment_penalty_points": "augmented"},
       r"augment_penalty_points='augmented': only used with augment"))
  def test_bad_values(self, overrides, message):
    with self.assertRaisesRegex(ValueError, message):
      RunConfig(**overrides).validate()

  def test_image_size_the_network_cannot_make(self):
    folder = self.create_tempdir().full_path
    with self.assertRaisesRegex(ValueError, r"image_size=48: allowed values are \[28, 32, 64\]"):
      RunConfig(dataset="folder", data_dir=folder, image_size=48).validate()


class DataDirOnOtherFilesystemsTest(tf.test.TestCase):

  def test_data_dir_is_asked_of_its_filesystem(self):
    tf.io.gfile.makedirs("ram://config-test/tfds")
    RunConfig(dataset="mnist", data_dir="ram://config-test/tfds").validate()   # a directory
    with self.assertRaisesRegex(ValueError, r"data_dir='ram://config-test/none': not a "
                                r"directory"):
      RunConfig(dataset="mnist", data_dir="ram://config-test/none").validate()

  def test_an_unreachable_filesystem_is_a_one_line_error_naming_the_flag(self):
    def unreachable(path):
      raise tf.errors.FailedPreconditionError(None, None, "Could not resolve host\nmore")
    with tf.compat.v1.test.mock.patch.object(tf.io.gfile, "exists", unreachable):
      with self.assertRaisesRegex(ValueError, r"^data_dir='gs://bucket/d.npz': cannot be "
                                  r"read \(Could not resolve host\)\.$"):
        RunConfig(dataset="npz", data_dir="gs://bucket/d.npz").validate()


if __name__ == "__main__":
  tf.test.main()
