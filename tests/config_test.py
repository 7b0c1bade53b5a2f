import os

import test_utils  # pylint: disable=unused-import

from absl.testing import parameterized
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
    self.assertEqual(config.resolved_export_dir, os.path.join("saved_models",
                                                              "rwp_wgan_gp_cifar10"))

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
       r"lp_perturbation_std=0.0: must be a number > 0"))
  def test_bad_values(self, overrides, message):
    with self.assertRaisesRegex(ValueError, message):
      RunConfig(**overrides).validate()

  def test_image_size_the_network_cannot_make(self):
    folder = self.create_tempdir().full_path
    with self.assertRaisesRegex(ValueError, r"image_size=48: allowed values are \[28, 32, 64\]"):
      RunConfig(dataset="folder", data_dir=folder, image_size=48).validate()


if __name__ == "__main__":
  tf.test.main()
