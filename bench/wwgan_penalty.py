r"""WWGAN's W2 gradient penalty vs the plain gradient penalty: one critic step, side by side.

  python bench/wwgan_penalty.py [--repeats=15] [--batch_size=64]

DCGAN-32 critic (DIM = 64, no batch norm), batch 64, one critic update = critic on real and
fake, penalty on interpolates (double backprop), Adam step; each a compiled tf.function
(XLA off). Prints the median seconds per step of each and their ratio (target <= 1.10).
"""

import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_integer("repeats", 15, "Timed repeats of each step (interleaved).")
flags.DEFINE_integer("batch_size", 64, "Batch of one critic update.")
FLAGS = flags.FLAGS


def critic_step_fn(penalty_fn, batch_size):
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import networks  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  critic = networks.dcgan_critic((32, 32, 3), base_filters=64)
  optimizer = keras.optimizers.Adam(1e-4, 0.5, 0.9)
  optimizer.build(critic.trainable_variables)
  rng = tf.random.Generator.from_seed(1)
  real = tf.random.uniform([batch_size, 32, 32, 3], -1, 1, seed=2)
  fake = tf.random.uniform([batch_size, 32, 32, 3], -1, 1, seed=3)

  @tf.function(jit_compile=False)
  def step():
    with tf.GradientTape() as tape:
      loss = (tf.reduce_mean(critic(fake, training=True)) - tf.reduce_mean(critic(real, training=True))
              + 10.0 * penalty_fn(critic, real, fake, rng=rng))
    gradients = tape.gradient(loss, critic.trainable_variables)
    optimizer.apply_gradients(zip(gradients, critic.trainable_variables))
    return loss

  return lambda: step().numpy()


def main(argv):
  del argv
  from tfwgan import penalties  # pylint: disable=g-import-not-at-top
  candidates = {
      "gradient_penalty": critic_step_fn(penalties.gradient_penalty, FLAGS.batch_size),
      "w2_penalty": critic_step_fn(penalties.wasserstein2_gradient_penalty, FLAGS.batch_size),
  }
  medians = common.interleaved_medians(candidates, repeats=FLAGS.repeats)
  ratio = medians["w2_penalty"] / medians["gradient_penalty"]
  print(f"| critic step, DCGAN-32, batch {FLAGS.batch_size} | gradient penalty "
        f"{medians['gradient_penalty'] * 1e3:.1f} ms | W2 penalty "
        f"{medians['w2_penalty'] * 1e3:.1f} ms | ratio {ratio:.3f} (target <= 1.10) | "
        f"peak RSS {common.peak_rss_mib():.0f} MiB |")


if __name__ == "__main__":
  app.run(main)
