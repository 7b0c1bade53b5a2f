"""One worker of tests/distribution_test.py's multi-worker run: trains, then saves its weights.

Usage (TF_CONFIG set by the test): python multi_worker_main.py OUTPUT.npz
       python multi_worker_main.py OUTPUT.npz one_device   # the same run on one device
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position
import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

import tfwgan  # pylint: disable=g-import-not-at-top,wrong-import-position
from tfwgan import distribution  # pylint: disable=g-import-not-at-top,wrong-import-position


def main(output_path, strategy_name="multi_worker"):
  strategy = distribution.make_strategy(strategy_name)
  with strategy.scope():
    keras.utils.set_random_seed(0)
    generator = tfwgan.networks.mlp_generator(2, 2, hidden_units=16, hidden_layers=2)
    critic = tfwgan.networks.mlp_critic(2, hidden_units=16, hidden_layers=2)
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=2, seed=0,
                        proximal=tfwgan.RWP(0.1, 2))
    # SGD: linear in the gradient, so a gradient scaled by the worker count shows.
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                critic_optimizer=keras.optimizers.SGD(0.05))
  dataset = tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=2, seed=1)
  options = tf.data.Options()
  options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
  initial = {f"i{i}": w.numpy() for i, w in enumerate(generator.weights + critic.weights)}
  history = gan.fit(dataset.with_options(options), epochs=1, steps_per_epoch=3, verbose=0)
  np.savez(output_path, chief=distribution.is_chief(strategy),
           steps=int(gan.outer_iterations.numpy()),
           critic_loss=history.history["critic_loss"][-1],
           **initial,
           **{f"w{i}": w.numpy() for i, w in enumerate(generator.weights + critic.weights)})


if __name__ == "__main__":
  main(*sys.argv[1:])
