import dataclasses
import os

import test_utils  # pylint: disable=unused-import

import keras
import tensorflow as tf

from tfwgan import config as config_lib
from tfwgan import presets


class PresetsTest(tf.test.TestCase):

  def test_paper_settings_quoted_in_issue_2(self):
    wgan = presets.get("wgan_clip_lsun")
    self.assertEqual((wgan.optimizer.name, wgan.optimizer.learning_rate, wgan.clip_value,
                      wgan.critic_steps, wgan.batch_size), ("rmsprop", 5e-5, 0.01, 5, 64))
    gp = presets.get("rwp_wgan_gp_cifar10")
    self.assertEqual((gp.optimizer, gp.latent_dim, gp.h, gp.generator_steps, gp.proximal),
                     (presets.OptimizerSpec("adam", 1e-4, 0.5, 0.9), 128, 0.1, 10, "rwp"))
    for name in ("rwp_standard_cifar10", "rwp_dragan_cifar10"):
      preset = presets.get(name)
      self.assertEqual((preset.optimizer, preset.latent_dim, preset.h, preset.generator_steps),
                       (presets.OptimizerSpec("adam", 2e-4, 0.1, 0.999), 100, 0.2, 5))
    celeba = presets.get("rwp_standard_celeba")
    self.assertEqual((celeba.optimizer.beta_1, celeba.optimizer.beta_2, celeba.h),
                     (0.5, 0.999, 0.2))
    sbe = presets.get("sbe_wgan_gp_cifar10")
    self.assertEqual((sbe.critic_steps, sbe.generator_steps, sbe.potential_steps, sbe.h,
                      sbe.latent_dim), (5, 1, 5, 0.2, 100))
    wwgan = presets.get("wwgan_cifar10")
    self.assertEqual((wwgan.method, wwgan.gamma, wwgan.optimizer, wwgan.critic_steps),
                     ("wwgan", 1.0, presets.OptimizerSpec("adam", 1e-4, 0.5, 0.9), 5))
    toy = presets.get("wgan_lp_8gaussians")
    self.assertEqual((toy.batch_size, toy.latent_dim, toy.critic_steps, toy.warmup_critic_steps,
                      toy.warmup_generator_iterations, toy.penalty_weights_studied),
                     (256, 2, 10, 100, 25, (1.0, 5.0, 10.0, 100.0)))

  def test_the_wgan_gp_authors_resnet_recipe(self):
    resnet = presets.get("wgan_gp_resnet_cifar10")
    self.assertEqual((resnet.network, resnet.base_filters, resnet.optimizer, resnet.batch_size,
                      resnet.generator_batch_size, resnet.critic_steps, resnet.penalty_weight,
                      resnet.latent_dim, resnet.train_steps, resnet.lr_decay),
                     ("resnet", 128, presets.OptimizerSpec("adam", 2e-4, 0.0, 0.9, epsilon=1e-8),
                      64, 128, 5, 10.0, 128, 100_000, "linear"))
    # Their Inception score: 50,000 samples, 10 splits, batch statistics (batches of 100).
    self.assertEqual((resnet.final_eval_samples, resnet.eval_batch_norm), (50_000, "batch"))
    rwp = presets.get("rwp_wgan_gp_resnet_cifar10")
    self.assertEqual((rwp.proximal, rwp.h, rwp.generator_steps), ("rwp", 0.1, 10))
    celeba = presets.get("wgan_gp_resnet_celeba64")
    self.assertEqual((celeba.network, celeba.dataset, celeba.base_filters), ("resnet", "celeb_a",
                                                                              64))
    for name in ("wgan_gp_resnet_cifar10", "rwp_wgan_gp_resnet_cifar10",
                 "wgan_gp_resnet_celeba64"):
      config = config_lib.RunConfig.from_preset(name)
      config.validate()
      self.assertEqual(config.resolved_network, "resnet")

  def test_presets_carry_run_lengths_with_their_source(self):
    lengths = {name: (preset.train_steps, preset.warmup_generator_iterations)
               for name, preset in presets.PRESETS.items()}
    self.assertEqual(lengths["wgan_lp_8gaussians"], (500, 25))    # WGAN-LP §6
    self.assertEqual(lengths["rwp_wgan_gp_cifar10"], (200_000, 0))  # WGAN-GP gan_cifar.py
    self.assertEqual(lengths["wgan_clip_lsun"], (100_000, 25))
    for preset in presets.PRESETS.values():
      self.assertNotEqual(preset.train_steps_source, "our choice", preset.name)
      self.assertEqual(config_lib.RunConfig.from_preset(preset.name).train_steps,
                       preset.train_steps)

  def test_baselines_differ_from_rwp_variants_only_in_proximal(self):
    for name, preset in presets.PRESETS.items():
      if name.startswith("rwp_"):
        base = presets.get(name[len("rwp_"):])
        self.assertEqual(dataclasses.replace(preset, name=base.name, proximal="none", h=0.0,
                                             generator_steps=1), base)

  def test_every_preset_builds_fresh_optimizers(self):
    for preset in presets.PRESETS.values():
      first, second = preset.optimizer.build(), preset.optimizer.build()
      self.assertIsInstance(first, keras.optimizers.Optimizer)
      self.assertIsNot(first, second)

  def test_mnist_presets_evaluate_with_the_shipped_classifier(self):
    mnist = [preset.name for preset in presets.PRESETS.values() if preset.dataset == "mnist"]
    self.assertNotEmpty(mnist)
    classifier = config_lib.RunConfig.from_preset(mnist[0]).classifier
    self.assertEqual(classifier, presets.MNIST_CLASSIFIER)
    self.assertTrue(os.path.isdir(os.path.join(classifier, "saved_model")))
    for name in mnist:
      self.assertEqual(config_lib.RunConfig.from_preset(name).classifier, classifier, name)
      self.assertEqual(config_lib.RunConfig.from_preset(name, classifier="inception")
                       .classifier, "inception")   # unless told otherwise
    for preset in presets.PRESETS.values():
      if preset.dataset != "mnist":
        self.assertEqual(preset.classifier, "inception", preset.name)

  def test_errors(self):
    with self.assertRaisesRegex(ValueError, r"preset='wgan'.*allowed values.*wgan_gp_cifar10"):
      presets.get("wgan")
    with self.assertRaisesRegex(ValueError, r"optimizer name='lamb'.*'adam', 'rmsprop', 'sgd'"):
      presets.OptimizerSpec("lamb", 0.1)


if __name__ == "__main__":
  tf.test.main()
