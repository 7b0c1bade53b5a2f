"""tfwgan.ema: the generator's exponential moving average."""

import os

import test_utils

import pytest

import keras
import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import config as config_lib
from tfwgan import ema as ema_lib
from tfwgan import training


def _constant_generator():
  generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3),
                                keras.layers.BatchNormalization()])
  for variable in generator.trainable_variables:
    variable.assign(tf.zeros_like(variable))
  return generator


class GeneratorEMATest(tf.test.TestCase):

  def test_closed_form_after_k_updates_with_a_start_step(self):
    decay, start, steps = 0.9, 2, 7
    generator = _constant_generator()
    ema = ema_lib.GeneratorEMA(decay, start_step=start).attach(generator)
    for step in range(1, steps + 1):            # θ_j = j in every trainable entry
      for variable in generator.trainable_variables:
        variable.assign(tf.fill(variable.shape, float(step)))
      generator(tf.ones([4, 2]) * step, training=True)   # moves the moving statistics
      ema.update(tf.constant(step, tf.int64))
    # Up to the start step the average is θ itself; then
    # θ_ema(k) = d^(k−s) θ_s + (1 − d) Σ_{j=s+1..k} d^(k−j) θ_j.
    j = np.arange(start + 1, steps + 1)
    expected = decay ** (steps - start) * start + (1 - decay) * np.sum(decay ** (steps - j) * j)
    trainable = {id(v) for v in generator.trainable_variables}
    for average, variable in zip(ema.weights, generator.weights):
      if id(variable) in trainable:
        self.assertAllClose(average, tf.fill(variable.shape, expected), rtol=1e-6)
      else:   # batch-norm moving statistics: copied, not averaged
        self.assertAllEqual(average, variable)
    self.assertAllClose(ema.model()(tf.ones([1, 2]), training=False),
                        _with_weights(generator, ema.weights)(tf.ones([1, 2]), training=False))

  def test_averaged_statistics_follow_the_same_recursion(self):
    generator = _constant_generator()
    ema = ema_lib.GeneratorEMA(0.5, statistics="average").attach(generator)
    moving = [v for v in generator.non_trainable_variables]
    start = [v.numpy() for v in moving]
    generator(tf.ones([4, 2]) * 3.0, training=True)
    ema.update(tf.constant(1, tf.int64))
    by_id = {id(v): a for v, a in zip(generator.weights, ema.weights)}
    for variable, before in zip(moving, start):
      self.assertAllClose(by_id[id(variable)], 0.5 * before + 0.5 * variable.numpy())
    with self.assertRaisesRegex(ValueError, r"statistics='recompute': allowed values"):
      ema_lib.GeneratorEMA(0.5, statistics="recompute")

  def test_before_the_start_step_and_at_decay_0_it_is_the_live_generator(self):
    generator = _constant_generator()
    for decay, start in ((0.0, 0), (0.99, 10)):
      ema = ema_lib.GeneratorEMA(decay, start_step=start).attach(generator)
      for step in (1, 2, 3):
        for variable in generator.trainable_variables:
          variable.assign(tf.random.stateless_normal(variable.shape, [step, 0]))
        ema.update(tf.constant(step, tf.int64))
        for average, variable in zip(ema.weights, generator.weights):
          self.assertAllEqual(average, variable)

  def test_a_gan_updates_it_once_per_outer_iteration_and_samples_with_it(self):
    keras.utils.set_random_seed(0)
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(tfwgan.WGANGP(generator, critic, 2, critic_steps=2, seed=0,
                                               generator_ema=ema_lib.GeneratorEMA(0.0)))
    gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=2), epochs=1,
            steps_per_epoch=3, verbose=0)
    z = tf.random.stateless_normal([5, 2], [1, 1])
    self.assertAllEqual(gan.sampling_generator()(z, training=False),
                        generator(z, training=False))        # decay 0: the live generator
    self.assertIsNot(gan.sampling_generator(), generator)
    self.assertIn("generator_ema", gan.checkpoint_items())

  def test_decay_must_be_below_one(self):
    for decay in (1.0, -0.1):
      with self.assertRaisesRegex(ValueError, r"decay=.*: must be a number in \[0, 1\)"):
        ema_lib.GeneratorEMA(decay)


def _with_weights(generator, weights):
  copy = keras.models.clone_model(generator)
  copy.set_weights([w.numpy() for w in weights])
  return copy


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class EMARunTest(tf.test.TestCase):

  def test_checkpointed_restored_exported_and_the_live_one_still_evaluated(self):
    root = self.create_tempdir().full_path
    fields = dict(hidden_units=16, batch_size=32, train_steps=4, log_every=2,
                  checkpoint_every=2, logdir=root + "/log", export_dir=root + "/export",
                  verbose=0, jit_compile="off", ema_decay=0.5)
    first = training.run(config_lib.RunConfig(**fields))
    reader = tf.train.load_checkpoint(os.path.join(root, "log", "checkpoints"))
    saved = [reader.get_tensor(f"generator_ema/{i}/.ATTRIBUTES/VARIABLE_VALUE")
             for i in range(len(first.gan.generator_ema.weights))]
    for got, want in zip(saved, first.gan.generator_ema.weights):
      self.assertAllEqual(got, want)
    # A resumed run restores the average bit for bit before training on.
    resumed_gan = training.build_gan(config_lib.RunConfig(**fields), (2,))
    tf.train.Checkpoint(**resumed_gan.checkpoint_items()).restore(
        tf.train.latest_checkpoint(os.path.join(root, "log", "checkpoints"))).expect_partial()
    for got, want in zip(resumed_gan.generator_ema.weights, first.gan.generator_ema.weights):
      self.assertAllEqual(got, want)
    # The export is the EMA generator, which differs from the live one at decay 0.5.
    z = tf.random.stateless_normal([4, 2], [3, 3])
    exported = tfwgan.export.ExportedGenerator(root + "/export").generate(z)
    self.assertAllClose(exported, first.gan.sampling_generator()(z, training=False), atol=1e-6)
    self.assertNotAllClose(exported, first.gan.generator(z, training=False))


if __name__ == "__main__":
  tf.test.main()
