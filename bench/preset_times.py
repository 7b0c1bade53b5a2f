r"""Seconds per outer iteration of every preset on this machine: the figures behind the run-time
estimates of `train.py --list_presets` and `--print_config` (tfwgan/run_time.py).

  python bench/preset_times.py                     # every preset, writes tfwgan/step_times.json
  python bench/preset_times.py --presets=toy_wgan_lp_rwp,wgan_gp_cifar10 --repeats=5

Each preset's GAN is built exactly as the launcher builds it (`training.build_gan`: its
networks, method, RWP ℓ steps or SBE potential steps, XLA choice) and one outer iteration
runs through Keras' compiled train function (`train_on_batch`, no fit() set-up timed), on
uniform noise of the preset's sample shape. Two step kinds are interleaved: the preset's
own critic steps, and 5 more, so the cost of one critic update (the warm-ups' 100 critic
steps) is their difference / 5. Medians of --repeats after 2 untimed calls each.
"""

import datetime
import json
import os
import platform
import statistics
import sys
import time

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

flags.DEFINE_list("presets", None, "Presets to time (default: every preset).")
flags.DEFINE_integer("repeats", 5, "Timed repeats of each step kind (interleaved).",
                     lower_bound=1)
flags.DEFINE_integer("extra_critic_steps", 5, "Critic steps added for the per-critic-step "
                     "cost.", lower_bound=1)
flags.DEFINE_string("output", None, "JSON written (default: tfwgan/step_times.json, "
                    "merged with the presets it already holds).")
FLAGS = flags.FLAGS


def machine():
  """CPU model and core count: what the figures are valid for."""
  model = platform.processor() or platform.machine()
  try:
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
      for line in handle:
        if line.startswith("model name"):
          model = line.split(":", 1)[1].strip()
          break
  except OSError:
    pass
  return {"cpu": model, "cores": os.cpu_count()}


def time_preset(name, repeats, extra):
  """{seconds_per_iteration, seconds_per_critic_step, critic_steps} of preset `name`."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  config = config_lib.RunConfig.from_preset(name)
  keras.utils.set_random_seed(0)
  gan = training.build_gan(config, config.sample_shape)
  rng = np.random.default_rng(0)
  steps = {"own": config.critic_steps, "more": config.critic_steps + extra}
  data = {kind: tf.constant(rng.uniform(-1, 1, (config.batch_size * count,)
                                        + tuple(config.sample_shape)).astype(np.float32))
          for kind, count in steps.items()}

  def step(kind):
    gan.set_critic_steps(steps[kind])
    gan.train_on_batch(data[kind])

  for kind in steps:           # traces each step kind, then one untimed call
    for _ in range(2):
      step(kind)
  times = {kind: [] for kind in steps}
  for _ in range(repeats):
    for kind in steps:
      start = time.perf_counter()
      step(kind)
      times[kind].append(time.perf_counter() - start)
  own, more = (statistics.median(times[kind]) for kind in steps)
  return {"seconds_per_iteration": own, "critic_steps": config.critic_steps,
          "seconds_per_critic_step": max(more - own, 0.0) / extra, "repeats": repeats}


def main(argv):
  del argv
  from tfwgan import presets  # pylint: disable=g-import-not-at-top
  from tfwgan import run_time  # pylint: disable=g-import-not-at-top
  output = FLAGS.output or run_time.STEP_TIMES_PATH
  record = {"presets": {}}
  if os.path.exists(output):
    with open(output, encoding="utf-8") as handle:
      record = json.load(handle)
  record.update(machine=machine(), measured=datetime.date.today().isoformat(),
                command="python bench/preset_times.py " + " ".join(sys.argv[1:]))
  for name in FLAGS.presets or sorted(presets.PRESETS):
    figures = time_preset(name, FLAGS.repeats, FLAGS.extra_critic_steps)
    record["presets"][name] = figures
    print(f"{name}: {figures['seconds_per_iteration']:.3f} s per outer iteration "
          f"({figures['critic_steps']} critic steps), "
          f"{figures['seconds_per_critic_step']:.3f} s per extra critic step", flush=True)
    with open(output, "w", encoding="utf-8") as handle:
      json.dump(record, handle, indent=2, sort_keys=True)
      handle.write("\n")
  print(f"wrote {output}")


if __name__ == "__main__":
  app.run(main)
