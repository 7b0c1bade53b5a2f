"""Tests of tfwgan.precision: mixed bfloat16 networks with float32 samples, scores and penalties."""

import keras
import numpy as np
import tensorflow as tf

import test_utils

import pytest
import tfwgan
from tfwgan import config as config_lib
from tfwgan import networks
from tfwgan import penalties
from tfwgan import precision
from tfwgan import training


def _mixed(build):
  with precision.policy("mixed_bfloat16"):
    return build()


class PolicyTest(tf.test.TestCase):

  def test_restores_the_global_policy_even_after_an_error(self):
    before = keras.mixed_precision.global_policy().name
    with self.assertRaisesRegex(RuntimeError, "inside"):
      with precision.policy("mixed_bfloat16"):
        self.assertEqual(keras.mixed_precision.global_policy().name, "mixed_bfloat16")
        raise RuntimeError("inside")
    self.assertEqual(keras.mixed_precision.global_policy().name, before)

  def test_unknown_precision_names_the_argument_and_allowed_values(self):
    with self.assertRaisesRegex(ValueError, r"precision='float16': allowed values are "
                                r"\['float32', 'mixed_bfloat16'\]"):
      with precision.policy("float16"):
        pass
    with self.assertRaisesRegex(ValueError, r"precision='bf16'"):
      config_lib.RunConfig(precision="bf16").validate()


class MixedNetworksTest(tf.test.TestCase):

  def test_hidden_layers_compute_in_bfloat16_and_outputs_are_float32(self):
    built = _mixed(lambda: {
        "mlp_generator": networks.mlp_generator(2, 2, hidden_units=8),
        "mlp_critic": networks.mlp_critic(2, hidden_units=8),
        "dcgan_generator": networks.dcgan_generator(4, (28, 28, 1), base_filters=4),
        "dcgan_critic": networks.dcgan_critic((28, 28, 1), base_filters=4),
        "potential": networks.potential_mlp((2,), hidden_units=8)})
    for name, model in built.items():
      inputs = tf.zeros((3,) + tuple(model.input_shape[1:]))
      self.assertEqual(model(inputs).dtype, tf.float32, name)
      self.assertEqual(model.layers[0].compute_dtype, "bfloat16", name)
      self.assertTrue(all(v.dtype == "float32" for v in model.weights), name)

  def test_gradient_norm_of_a_bfloat16_critic_is_within_bfloat16_precision(self):
    keras.utils.set_random_seed(0)
    full = networks.mlp_critic(2, hidden_units=64)
    mixed = _mixed(lambda: networks.mlp_critic(2, hidden_units=64))
    mixed.set_weights(full.get_weights())
    points = tf.random.normal([256, 2])
    norm_full = penalties.l2_norm(penalties.input_gradients(full, points))
    gradients = penalties.input_gradients(mixed, points)
    self.assertEqual(gradients.dtype, tf.float32)
    norm_mixed = penalties.l2_norm(gradients)
    relative = np.abs(norm_mixed - norm_full) / norm_full
    # bfloat16 keeps 8 significant bits (2^-8 ≈ 0.4 %); a few layers of rounding stay ~1 %.
    self.assertLess(np.median(relative), 0.02)
    self.assertGreater(np.max(relative), 0.0)  # it really computed in bfloat16


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class MixedTrainingTest(tf.test.TestCase):

  def _gan(self, proximal):
    keras.utils.set_random_seed(0)
    with precision.policy("mixed_bfloat16"):
      generator = networks.dcgan_generator(4, (28, 28, 1), base_filters=4)
      critic = networks.dcgan_critic((28, 28, 1), base_filters=4)
      gan = tfwgan.WGANGP(generator, critic, 4, critic_steps=2, proximal=proximal, seed=0)
    return test_utils.compile_gan(gan)

  def test_rwp_and_sbe_steps_keep_float32_state_and_finite_logs(self):
    real = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    for proximal in (tfwgan.RWP(0.1, 2), tfwgan.SBE(h=0.1, potential_steps=1)):
      gan = self._gan(proximal)
      logs = {k: float(v) for k, v in gan.train_on_batch(real, return_dict=True).items()}
      self.assertTrue(all(np.isfinite(v) for v in logs.values()), logs)
      # The anchor runs the generator's own bfloat16 layers: equal outputs at θ = θk−1.
      gan.generator_anchor.refresh()
      z = tf.random.stateless_normal([8, 4], seed=[0, 1])
      self.assertAllEqual(gan.generator_anchor(z, training=True), gan.generator(z, training=True))
      for name, network in gan.checkpoint_networks().items():
        self.assertTrue(all(v.dtype == "float32" for v in network.weights), name)
      self.assertEqual(gan.sample(3, seed=0).dtype, tf.float32)

  def test_wgan_lp_in_mixed_bfloat16_lowers_exact_emd(self):
    # The float32 version is gan_test.EightGaussiansTest: same data, thresholds and steps.
    before, after = test_utils.wgan_lp_eight_gaussians_emd("mixed_bfloat16")
    self.assertLess(after, 0.6 * before)
    self.assertLess(after, 0.6)

  def test_run_config_precision_builds_mixed_networks_and_leaves_the_policy(self):
    config = config_lib.RunConfig(precision="mixed_bfloat16", hidden_units=8, batch_size=8,
                                  critic_steps=1, train_steps=1)
    gan = training.build_gan(config, (2,))
    self.assertEqual(gan.critic.layers[0].compute_dtype, "bfloat16")
    self.assertEqual(gan.generator.layers[0].compute_dtype, "bfloat16")
    self.assertIs(gan.generator_anchor.generator, gan.generator)
    self.assertEqual(keras.mixed_precision.global_policy().name, "float32")


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class MixedRunEndToEndTest(tf.test.TestCase):

  def test_a_mixed_bfloat16_run_exports_reloads_and_resumes(self):
    root = self.create_tempdir().full_path
    fields = dict(precision="mixed_bfloat16", hidden_units=16, batch_size=32, train_steps=2,
                  log_every=1, checkpoint_every=2, logdir=root + "/log",
                  export_dir=root + "/export", verbose=0, jit_compile="off")
    training.run(config_lib.RunConfig(**fields))
    resumed = training.run(config_lib.RunConfig(**{**fields, "train_steps": 4}))
    self.assertEqual((resumed.resumed_from_step, resumed.final_step), (2, 4))
    generator = resumed.gan.generator
    self.assertEqual(generator.layers[0].compute_dtype, "bfloat16")
    self.assertEqual(generator.layers[0].kernel.dtype, "float32")
    z = tf.random.stateless_normal([5, 2], [0, 1])
    exported = tfwgan.export.ExportedGenerator(root + "/export")
    self.assertEqual(exported.generate(z).dtype, tf.float32)
    # The SavedModel is a graph: it equals the generator run as a graph. Eager bfloat16
    # kernels round differently (0.4 % measured), within bfloat16's 8 significant bits.
    graph = tf.function(lambda z: generator(z, training=False), autograph=False)
    self.assertAllClose(exported.generate(z), graph(z), rtol=0, atol=1e-6)
    self.assertAllClose(exported.generate(z), generator(z, training=False), rtol=2e-2,
                        atol=2e-2)
    reloaded = keras.models.load_model(root + "/export/" + tfwgan.export.KERAS_FILE,
                                       safe_mode=True)
    self.assertEqual(reloaded.layers[0].compute_dtype, "bfloat16")
    self.assertAllEqual(reloaded(z, training=False), generator(z, training=False))


if __name__ == "__main__":
  tf.test.main()
