import test_utils

import pytest

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan

METHODS = {
    "wgan_clip": (tfwgan.WGANClip, {"clip_value": 0.01}),
    "wgan_gp": (tfwgan.WGANGP, {"penalty_weight": 10.0}),
    "wgan_lp": (tfwgan.WGANLP, {"penalty_weight": 10.0}),
    "wgan_lp_perturb_real": (tfwgan.WGANLP, {"sampling": "perturb_real"}),
    "wgan_lp_perturb_both": (tfwgan.WGANLP, {"sampling": "perturb_both"}),
    "dragan": (tfwgan.DRAGAN, {"penalty_weight": 10.0}),
    "standard": (tfwgan.StandardGAN, {}),
    # The baselines of issue #42, composed on the one GAN.
    "r1_lazy": (tfwgan.GAN, {"loss": "non_saturating", "penalty": {"name": "r1", "every": 2}}),
    "r2": (tfwgan.GAN, {"loss": "non_saturating", "penalty": "r2"}),
    "hinge": (tfwgan.GAN, {"loss": "hinge"}),
    "least_squares_r1": (tfwgan.GAN, {"loss": "least_squares", "penalty": "r1"}),
}
IMAGE_METHODS = {
    "wwgan": (tfwgan.WWGAN, {"gamma": 1.0}),
    "wwgan_pure_one_sided": (tfwgan.WWGAN, {"gamma": 0.0, "one_sided": True}),
}
PROXIMALS = {
    "plain": lambda: None,
    "rwp": lambda: tfwgan.RWP(h=0.1, generator_steps=2),
    "sbe": lambda: tfwgan.SBE(h=0.2, potential_steps=2),
}


def _cases():
  for method in METHODS:
    for proximal in PROXIMALS:
      yield {"testcase_name": f"{method}_{proximal}", "method": method, "proximal": proximal}


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class MethodsTest(tf.test.TestCase, parameterized.TestCase):

  @parameterized.named_parameters(*_cases())
  def test_trains_under_fit_on_tf_data(self, method, proximal):
    cls, options = METHODS[method]
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(cls(generator, critic, 2, critic_steps=2,
                                     proximal=PROXIMALS[proximal](), seed=0, **options))
    generator_before = [w.numpy() for w in generator.trainable_variables]
    data = tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=2)
    history = gan.fit(data, epochs=2, steps_per_epoch=2, verbose=0).history

    expected = {"critic_loss", "generator_loss"}
    if issubclass(cls, (tfwgan.WGANClip, tfwgan.WGANGP, tfwgan.WGANLP)):
      expected.add("wasserstein_estimate")
    if cls in (tfwgan.WGANGP, tfwgan.WGANLP, tfwgan.DRAGAN) or "penalty" in options:
      expected.add("penalty")
    if proximal != "plain":
      expected.add("proximal")
    if proximal == "sbe":
      expected.add("potential_objective")
    self.assertEqual(set(history), expected)
    for name, values in history.items():
      self.assertLen(values, 2, name)
      self.assertTrue(np.all(np.isfinite(values)), name)
    self.assertTrue(any(np.any(before != after.numpy()) for before, after in
                        zip(generator_before, generator.trainable_variables)))
    self.assertEqual(tuple(gan.sample(5).shape), (5, 2))

  @parameterized.named_parameters(
      *[{"testcase_name": f"{method}_{proximal}", "method": method, "proximal": proximal}
        for method in IMAGE_METHODS for proximal in PROXIMALS])
  def test_image_methods_train_with_every_proximal(self, method, proximal):
    cls, options = IMAGE_METHODS[method]
    generator = tfwgan.networks.dcgan_generator(4, (28, 28, 1), base_filters=4)
    critic = tfwgan.networks.dcgan_critic((28, 28, 1), base_filters=4)
    gan = test_utils.compile_gan(cls(generator, critic, 4, critic_steps=2,
                                     proximal=PROXIMALS[proximal](), seed=0, **options))
    images = tf.random.uniform([8, 28, 28, 1], -1, 1, seed=1)
    history = gan.fit(tf.data.Dataset.from_tensors(images).repeat(), epochs=1, steps_per_epoch=2,
                      verbose=0).history
    self.assertIn("penalty", history)
    self.assertTrue(all(np.all(np.isfinite(v)) for v in history.values()))

  def test_every_method_shares_the_one_train_step(self):
    for cls, _ in list(METHODS.values()) + list(IMAGE_METHODS.values()):
      self.assertIs(cls.train_step, tfwgan.GAN.train_step)
      self.assertTrue(issubclass(cls, keras.Model))

  def test_method_compositions(self):
    generator, critic = test_utils.tiny_mlp_pair()
    self.assertEqual(tfwgan.DRAGAN(generator, critic, 2).adversarial_loss.name, "non_saturating")
    self.assertEqual(tfwgan.WGANLP(generator, critic, 2).penalty.name, "lp")
    self.assertEqual(tfwgan.WGANClip(generator, critic, 2).penalty.clip_value, 0.01)
    self.assertFalse(tfwgan.StandardGAN(generator, critic, 2).penalty.penalised)


if __name__ == "__main__":
  tf.test.main()
