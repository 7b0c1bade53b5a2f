r"""XLA on vs off for the looped critic phase of an MLP (toy) GAN, at several critic steps.

  python bench/xla_critic_steps.py [--critic_steps=5,10,25,100] [--repeats=5] [--iterations=2]

What `--jit_compile=auto` rests on for looped critic phases (`training.uses_xla`). For each number
of critic steps, two processes run the WGAN-LP toy preset (`wgan_lp_swissroll`: MLP 3×512,
batch 256, RMSProp 5e-5), one with `jit_compile="on"` and one with "off"; their timed outer
iterations are interleaved and each figure is the median of the repeats. "first outer
iteration" is timed once in each process: the trace, and with XLA the compile, so on − off
is what XLA adds before training. "break-even" is that extra time divided by the time XLA
saves per outer iteration: the outer iterations after which XLA has paid for itself.
"""

import sys
import time

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_list("critic_steps", ["5", "10", "25", "100"], "Critic steps per outer iteration.")
flags.DEFINE_integer("repeats", 5, "Timed repeats (interleaved) of each measurement.")
flags.DEFINE_integer("iterations", 2, "Outer iterations per timed repeat.")
flags.DEFINE_enum("feed", "fit", ["fit", "train_on_batch"], "fit: Model.fit on the toy "
                  "tf.data stream, as training.run feeds it; train_on_batch: one constant "
                  "tensor (no input pipeline).")
FLAGS = flags.FLAGS

PRESET = "wgan_lp_swissroll"


def toy_worker(critic_steps, jit_compile, iterations, feed):
  """The toy preset at `critic_steps`, after its first (tracing, compiling) outer iteration.

  The returned callable runs `iterations` outer iterations and returns the seconds the
  first one took.
  """
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  config = config_lib.RunConfig.from_preset(
      PRESET, critic_steps=critic_steps, warmup_critic_steps=0, warmup_generator_iterations=0,
      jit_compile=jit_compile, seed=0)
  gan = training.build_gan(config, config.sample_shape)
  if feed == "fit":
    dataset = data.training_dataset(config.dataset, batch_size=config.batch_size,
                                    critic_steps=critic_steps)
    steps = lambda count: gan.fit(dataset, steps_per_epoch=count, epochs=1, verbose=0)
  else:
    batch = tf.constant(np.random.default_rng(0).normal(
        size=(config.batch_size * critic_steps,) + config.sample_shape).astype(np.float32))
    steps = lambda count: [gan.train_on_batch(batch) for _ in range(count)]
  start = time.perf_counter()
  steps(1)
  first_iteration_seconds = time.perf_counter() - start

  def run():
    steps(iterations)
    return first_iteration_seconds
  return run


def _rows(critic_steps):
  workers = {}
  try:
    for jit_compile in ("off", "on"):
      workers[jit_compile] = common.Worker(toy_worker, critic_steps, jit_compile,
                                           FLAGS.iterations, FLAGS.feed)
    first = {name: worker() for name, worker in workers.items()}
    medians = common.interleaved_medians(workers, repeats=FLAGS.repeats, warmup=1)
    rss = {name: worker.peak_rss_mib() for name, worker in workers.items()}
  finally:
    for worker in workers.values():
      worker.close()
  per_iteration = {name: seconds / FLAGS.iterations for name, seconds in medians.items()}
  saved = per_iteration["off"] - per_iteration["on"]
  break_even = f"{max(first['on'] - first['off'], 0) / saved:.0f}" if saved > 0 else "never"
  row = (f"| {critic_steps} | {per_iteration['off'] * 1e3:.1f} ms | "
         f"{per_iteration['on'] * 1e3:.1f} ms | {per_iteration['off'] / per_iteration['on']:.2f}× | "
         f"{first['off']:.1f} s | {first['on']:.1f} s | {break_even} | "
         f"{rss['off']:.0f} / {rss['on']:.0f} MiB |")
  print(row, file=sys.stderr, flush=True)
  return row


def main(argv):
  del argv
  try:
    steps = [int(value) for value in FLAGS.critic_steps]
  except ValueError:
    steps = []
  if not steps or min(steps) < 1:
    raise app.UsageError(f"--critic_steps={','.join(FLAGS.critic_steps)}: allowed values are "
                         "positive integers.")
  rows = [_rows(critic_steps) for critic_steps in steps]
  print(f"{PRESET}, one device, looped critic phase, fed by {FLAGS.feed}; medians of "
        f"{FLAGS.repeats} interleaved repeats of {FLAGS.iterations} outer iterations.\n\n"
        "| critic steps | per outer iteration, XLA off | XLA on | XLA speed-up | first outer "
        "iteration, off | first, on | break-even outer iterations | peak RSS off / on |\n"
        "|---|---|---|---|---|---|---|---|")
  print("\n".join(rows))


if __name__ == "__main__":
  app.run(main)
