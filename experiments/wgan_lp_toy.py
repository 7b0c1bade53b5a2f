r"""WGAN-LP paper §6: WGAN-LP vs WGAN-GP on 8Gaussians, 25Gaussians and the Swiss roll.

  python experiments/wgan_lp_toy.py [--shard=0/2]   # trains the runs missing from --runs_dir
  python experiments/wgan_lp_toy.py --report        # tables and plots from the saved runs

The toy presets (`wgan_lp_<set>`, `wgan_gp_<set>`): 3×512 LeakyReLU MLPs, latent 2, RMSProp
5e-5, batch 256, 10 critic updates per generator update (100 for the first 25), for
--generator_iterations, at each λ of --penalty_weights and each seed. Per run it records:
  - every generator iteration: the critic loss without the penalty and the W1 estimate
    (means over that iteration's critic updates; the paper's Fig. 4),
  - every --eval_every iterations: the exact EMD between 500 generated and 500 fresh real
    samples (Kuhn–Munkres, Fig. 5), and the penalty split (Fig. 6): at 2,048 fresh
    interpolates x̂ = εx + (1 − ε)x̃, the mean of (‖∇f(x̂)‖ − 1)² over the points with
    ‖∇f‖ > 1 and over those with ‖∇f‖ < 1 (both counted in the same mean, so they add up
    to the two-sided penalty; the one-sided penalty is the first part alone),
  - for the first seed, the critic's level sets after --level_set_iterations (Fig. 3).
Each run is one JSON file in --runs_dir (written when it finishes), so an interrupted sweep
continues where it stopped and shards can run in parallel processes.
"""

import os
import sys
import time

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import records  # pylint: disable=g-import-not-at-top,wrong-import-position  (next to this script)

flags.DEFINE_list("datasets", ["8gaussians", "25gaussians", "swissroll"], "Toy sets.")
flags.DEFINE_list("methods", ["wgan_lp", "wgan_gp"], "Penalties compared.")
flags.DEFINE_list("penalty_weights", ["1", "5", "10", "100"], "λ values.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds; each configuration runs once per seed.")
flags.DEFINE_integer("generator_iterations", 500, "Generator iterations per run.")
flags.DEFINE_integer("eval_every", 10, "EMD and penalty split every this many iterations.")
flags.DEFINE_list("level_set_iterations", ["10", "50", "100", "500"],
                  "Iterations after which the first seed's critic level sets are drawn.")
flags.DEFINE_string("runs_dir", "experiments/results/wgan_lp_toy_runs",
                    "One JSON file per finished run.")
flags.DEFINE_string("output_dir", "experiments/results", "Where the report goes.")
flags.DEFINE_string("shard", "0/1", "i/n: train only every n-th missing run, from the i-th.")
flags.DEFINE_bool("report", False, "Write tables and plots from --runs_dir instead of training.")
FLAGS = flags.FLAGS

EMD_SAMPLES = 500
SPLIT_POINTS = 2048
LEVEL_SET_EXTENT = 2.0
LEVEL_SET_RESOLUTION = 60


def run_name(dataset, method, weight, seed):
  return f"{dataset}-{method}-lambda{weight:g}-seed{seed}"


def penalty_split(critic, real, fake, epsilon):
  """(part with ‖∇f‖ > 1, part with ‖∇f‖ < 1) of the mean of (‖∇f(x̂)‖ − 1)² (Fig. 6)."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan import penalties  # pylint: disable=g-import-not-at-top
  points = epsilon * real + (1.0 - epsilon) * fake
  norms = penalties.l2_norm(penalties.input_gradients(critic, points, training=False),
                            points).numpy()
  squared = np.square(norms - 1.0)
  return float(np.mean(squared * (norms > 1))), float(np.mean(squared * (norms < 1)))


def level_set_grid(critic):
  """The critic's values on a LEVEL_SET_RESOLUTION² grid over [−extent, extent]²."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  axis = np.linspace(-LEVEL_SET_EXTENT, LEVEL_SET_EXTENT, LEVEL_SET_RESOLUTION, dtype=np.float32)
  grid_x, grid_y = np.meshgrid(axis, axis)
  points = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
  values = critic(points, training=False).numpy()
  return values.reshape(LEVEL_SET_RESOLUTION, LEVEL_SET_RESOLUTION).tolist()


def train_one(dataset, method, weight, seed, *, generator_iterations, eval_every,
              level_set_iterations):
  """One run through the library (preset → build_gan → fit); returns its record."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import emd  # pylint: disable=g-import-not-at-top

  # XLA off, as when the committed records were made ('auto' then left the 100-step warm-up
  # uncompiled): XLA draws other noise values, so the records would not be re-made exactly.
  config = config_lib.RunConfig.from_preset(
      f"{method}_{dataset}", penalty_weight=weight, seed=seed, train_steps=generator_iterations,
      jit_compile="off")
  keras.utils.set_random_seed(seed)
  gan = training.build_gan(config, (2,))
  record = {"dataset": dataset, "method": method, "penalty_weight": weight, "seed": seed,
            "config": {k: str(v) for k, v in vars(config).items()},
            "critic_loss": [], "wasserstein_estimate": [], "penalty": [],
            "eval_iterations": [], "emd": [], "penalty_above_1": [], "penalty_below_1": [],
            "level_sets": {}, "level_set_samples": {}}
  split_rng = np.random.default_rng([seed, 1])

  class Recorder(keras.callbacks.Callback):

    def on_epoch_end(self, epoch, logs=None):
      step = int(gan.outer_iterations.numpy())
      for name in ("critic_loss", "wasserstein_estimate", "penalty"):
        record[name].append(float(logs[name]))
      if step % eval_every == 0 or step == 1:
        real = data.sample_toy(dataset, EMD_SAMPLES, [seed, 10_000 + step]).numpy()
        generated = gan.sample(EMD_SAMPLES, seed=step).numpy()
        record["eval_iterations"].append(step)
        record["emd"].append(float(emd(generated, real)))
        split_real = data.sample_toy(dataset, SPLIT_POINTS, [seed, 20_000 + step])
        split_fake = gan.sample(SPLIT_POINTS, seed=30_000 + step)
        epsilon = tf.constant(split_rng.uniform(size=(SPLIT_POINTS, 1)), tf.float32)
        above, below = penalty_split(gan.critic, split_real, split_fake, epsilon)
        record["penalty_above_1"].append(above)
        record["penalty_below_1"].append(below)
      if step in level_set_iterations:
        record["level_sets"][step] = level_set_grid(gan.critic)
        record["level_set_samples"][step] = {
            "real": data.sample_toy(dataset, 300, [seed, 40_000]).numpy().tolist(),
            "generated": gan.sample(300, seed=40_000).numpy().tolist()}

  start = time.perf_counter()
  warmup_end = min(config.warmup_generator_iterations, generator_iterations)
  phases = [(warmup_end, config.warmup_critic_steps),
            (generator_iterations - warmup_end, config.critic_steps)]
  for index, (iterations, critic_steps) in enumerate(phases):
    if not iterations:
      continue
    gan.set_critic_steps(critic_steps)
    dataset_stream = data.toy_dataset(dataset, batch_size=config.batch_size,
                                      critic_steps=critic_steps, seed=seed * 10 + index)
    gan.fit(dataset_stream, epochs=iterations, steps_per_epoch=1, verbose=0,
            callbacks=[Recorder()])
  record["seconds"] = time.perf_counter() - start
  return record


def pending_runs(runs_dir):
  runs = []
  for dataset in FLAGS.datasets:
    for method in FLAGS.methods:
      for weight in map(float, FLAGS.penalty_weights):
        for seed in map(int, FLAGS.seeds):
          path = os.path.join(runs_dir, run_name(dataset, method, weight, seed) + ".json")
          if not os.path.exists(path):
            runs.append((dataset, method, weight, seed, path))
  return runs


def train(runs_dir):
  os.makedirs(runs_dir, exist_ok=True)
  first_seed = int(FLAGS.seeds[0])
  level_set_iterations = {int(i) for i in FLAGS.level_set_iterations}
  for dataset, method, weight, seed, path in records.shard(pending_runs(runs_dir), FLAGS.shard):
    record = train_one(dataset, method, weight, seed,
                       generator_iterations=FLAGS.generator_iterations,
                       eval_every=FLAGS.eval_every,
                       level_set_iterations=level_set_iterations if seed == first_seed
                       else set())
    records.write(path, record)
    print(f"{os.path.basename(path)}: {record['seconds']:.0f} s, final EMD "
          f"{record['emd'][-1]:.3f}", flush=True)


def main(argv):
  del argv
  if FLAGS.report:
    import wgan_lp_toy_report  # pylint: disable=g-import-not-at-top  (next to this script)
    wgan_lp_toy_report.write(FLAGS.runs_dir, FLAGS.output_dir)
  else:
    train(FLAGS.runs_dir)


if __name__ == "__main__":
  app.run(main)
