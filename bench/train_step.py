r"""Outer iterations per second: tfwgan vs a keras.io-style train_step, side by side.

  python bench/train_step.py [--cases=toy,dcgan] [--repeats=5] [--methods=wgan_gp,...]

The keras.io-style baseline (the "WGAN-GP overriding Model.train_step" example's
structure) is written below with the same networks, batch and optimizers: a Python
loop over the critic steps inside Keras' compiled train_step, one nested tape for the
gradient penalty, G(z) recomputed for the generator step. Each row prints the median
seconds per outer iteration of both and the speed ratio (baseline / tfwgan), plus the
process's peak RSS so far. PyTorch is not a dependency; see bench/README.md.
"""

import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_list("cases", ["toy", "dcgan"], "toy (MLP 3×512, batch 256, 10 critic steps) "
                  "and/or dcgan (DCGAN-32 DIM 64, batch 64, 5 critic steps).")
flags.DEFINE_list("methods", ["wgan_gp"], "Methods timed for tfwgan (the baseline is WGAN-GP).")
flags.DEFINE_integer("repeats", 5, "Timed repeats (interleaved) of each measurement.")
flags.DEFINE_integer("iterations", 4, "Outer iterations per timed repeat.")
FLAGS = flags.FLAGS

CASES = {"toy": dict(batch=256, critic_steps=10, latent=2),
         "dcgan": dict(batch=64, critic_steps=5, latent=128)}


def networks(case):
  from tfwgan import networks as nets  # pylint: disable=g-import-not-at-top
  if case == "toy":
    return nets.mlp_generator(2, 2), nets.mlp_critic(2)
  return (nets.dcgan_generator(128, (32, 32, 3), base_filters=64),
          nets.dcgan_critic((32, 32, 3), base_filters=64))


def keras_io_style(generator, critic, latent_dim, critic_steps):
  """The keras.io WGAN-GP example's train_step structure (ε from U[0, 1] here)."""
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top

  class KerasIOWGAN(keras.Model):

    def __init__(self):
      super().__init__()
      self.generator, self.critic = generator, critic
      self.built = True

    def compile(self, d_optimizer, g_optimizer):
      super().compile(optimizer=None, jit_compile=False)
      self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
      d_optimizer.build(critic.trainable_variables)
      g_optimizer.build(generator.trainable_variables)

    def gradient_penalty(self, batch_size, real, fake):
      alpha = tf.random.uniform([batch_size, 1] + [1] * (len(real.shape) - 2))
      interpolated = real + alpha * (fake - real)
      with tf.GradientTape() as gp_tape:
        gp_tape.watch(interpolated)
        pred = self.critic(interpolated, training=True)
      grads = gp_tape.gradient(pred, [interpolated])[0]
      norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape)))))
      return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
      if isinstance(real_images, tuple):
        real_images = real_images[0]
      batch_size = tf.shape(real_images)[0] // critic_steps
      for i in range(critic_steps):
        real = real_images[i * batch_size:(i + 1) * batch_size]
        z = tf.random.normal([batch_size, latent_dim])
        with tf.GradientTape() as tape:
          fake = self.generator(z, training=True)
          fake_logits = self.critic(fake, training=True)
          real_logits = self.critic(real, training=True)
          d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
          d_loss = d_cost + 10.0 * self.gradient_penalty(batch_size, real, fake)
        d_gradient = tape.gradient(d_loss, self.critic.trainable_variables)
        self.d_optimizer.apply_gradients(zip(d_gradient, self.critic.trainable_variables))
      z = tf.random.normal([batch_size, latent_dim])
      with tf.GradientTape() as tape:
        g_loss = -tf.reduce_mean(self.critic(self.generator(z, training=True), training=True))
      g_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
      self.g_optimizer.apply_gradients(zip(g_gradient, self.generator.trainable_variables))
      return {"d_loss": d_loss, "g_loss": g_loss}

  return KerasIOWGAN()


def timed_steps(model, data, iterations):
  """A callable running `iterations` outer iterations through Keras' compiled train function.

  train_on_batch reuses one traced function, so no fit() set-up is timed.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  data = tf.constant(data)

  def run():
    for _ in range(iterations):
      model.train_on_batch(data)
  return run


def build(case, method):
  import keras  # pylint: disable=g-import-not-at-top
  import tfwgan  # pylint: disable=g-import-not-at-top
  from tfwgan import training, config as config_lib  # pylint: disable=g-import-not-at-top
  spec = CASES[case]
  adam = lambda: keras.optimizers.Adam(1e-4, 0.5, 0.9)
  keras.utils.set_random_seed(0)
  generator, critic = networks(case)
  if method == "keras_io":
    model = keras_io_style(generator, critic, spec["latent"], spec["critic_steps"])
    model.compile(d_optimizer=adam(), g_optimizer=adam())
    return model
  name, _, proximal = method.partition("+")
  config = config_lib.RunConfig(method=name, penalty_weight=10.0)
  loss, regularizer = training._regularizer(config)  # pylint: disable=protected-access
  model = tfwgan.GAN(generator, critic, spec["latent"], loss=loss, penalty=regularizer(),
                     critic_steps=spec["critic_steps"], seed=0,
                     proximal=tfwgan.RWP(0.1, 1) if proximal == "rwp" else None)
  model.compile(generator_optimizer=adam(), critic_optimizer=adam())
  return model


def main(argv):
  del argv
  import numpy as np  # pylint: disable=g-import-not-at-top
  rows = []
  for case in FLAGS.cases:
    spec = CASES[case]
    shape = (2,) if case == "toy" else (32, 32, 3)
    data = np.random.default_rng(0).uniform(
        -1, 1, size=(spec["batch"] * spec["critic_steps"],) + shape).astype(np.float32)
    candidates = {"keras_io_style": timed_steps(build(case, "keras_io"), data, FLAGS.iterations)}
    for method in FLAGS.methods:
      candidates[f"tfwgan {method}"] = timed_steps(build(case, method), data, FLAGS.iterations)
    medians = common.interleaved_medians(candidates, repeats=FLAGS.repeats, warmup=1)
    base = medians["keras_io_style"] / FLAGS.iterations
    for name, seconds in medians.items():
      per_iteration = seconds / FLAGS.iterations
      rows.append(f"| {case} | {name} | {per_iteration * 1e3:.1f} ms | "
                  f"{base / per_iteration:.2f}× | {common.peak_rss_mib():.0f} MiB |")
  print("| case | implementation | s per outer iteration (median) | speed vs keras.io-style | "
        "peak RSS |\n|---|---|---|---|---|")
  print("\n".join(rows))


if __name__ == "__main__":
  app.run(main)
