"""tfwgan.schedules: learning rates keyed on outer iterations."""

import test_utils  # pylint: disable=unused-import

import pytest

import keras
import tensorflow as tf

from tfwgan import config as config_lib
from tfwgan import schedules
from tfwgan import training


class LinearDecayTest(tf.test.TestCase):

  def test_rate_at_0_half_the_steps_the_end_and_after(self):
    counter = keras.Variable(0, dtype="int64", trainable=False)
    rate = schedules.learning_rate("linear", 2e-4, total_steps=100, counter=counter)
    for step, expected in ((0, 2e-4), (50, 1e-4), (100, 0.0), (130, 0.0)):
      counter.assign(step)
      self.assertAllClose(rate(tf.constant(999)), expected)   # the optimizer's count ignored
    self.assertEqual(schedules.learning_rate("none", 2e-4, total_steps=100, counter=counter),
                     2e-4)
    with self.assertRaisesRegex(ValueError, r"lr_decay='cosine': allowed values"):
      schedules.learning_rate("cosine", 2e-4, total_steps=100, counter=counter)

  @pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
  def test_every_optimizer_follows_outer_iterations_also_after_a_resume(self):
    root = self.create_tempdir().full_path
    fields = dict(hidden_units=16, batch_size=32, log_every=1, checkpoint_every=2,
                  logdir=root + "/log", export_dir=root + "/export", verbose=0,
                  jit_compile="off", lr_decay="linear", proximal="sbe", learning_rate=1e-3)
    first = training.run(config_lib.RunConfig(train_steps=2, **fields))
    optimizers = lambda gan: (gan.generator_optimizer, gan.critic_optimizer,
                              gan.potential_optimizer)
    # At the end of its 2 steps every rate reached 0, though the optimizers took 2
    # (generator), 10 (critic: 5 per step) and 10 (potential) updates.
    self.assertEqual([int(o.iterations.numpy()) for o in optimizers(first.gan)], [2, 10, 10])
    self.assertAllClose([float(o.learning_rate) for o in optimizers(first.gan)], [0.0] * 3)
    # Resumed with a longer run: the decay is now over 8 steps, read at the restored step 2.
    resumed = training.build_gan(config_lib.RunConfig(train_steps=8, **fields), (2,))
    tf.train.Checkpoint(**resumed.checkpoint_items()).restore(
        tf.train.latest_checkpoint(root + "/log/checkpoints")).expect_partial()
    self.assertAllClose([float(o.learning_rate) for o in optimizers(resumed)],
                        [1e-3 * (1 - 2 / 8)] * 3)
    ended = training.run(config_lib.RunConfig(train_steps=8, **fields))
    self.assertEqual((ended.resumed_from_step, ended.final_step), (2, 8))
    self.assertAllClose([float(o.learning_rate) for o in optimizers(ended.gan)], [0.0] * 3)


if __name__ == "__main__":
  tf.test.main()
