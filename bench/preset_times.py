r"""Seconds per outer iteration of every preset on this machine: the figures behind the run-time
estimates of `train.py --list_presets` and `--print_config` (tfwgan/run_time.py).

  python bench/preset_times.py                     # every preset, writes tfwgan/step_times.json
  python bench/preset_times.py --presets=toy_wgan_lp_rwp,wgan_gp_cifar10 --repeats=5

Each preset's GAN is built exactly as the launcher builds it and timed by
`tfwgan.run_time.measure` (also behind `train.py --measure_time`): outer iterations through
Keras' compiled train function (`train_on_batch`, no fit() set-up timed) on uniform noise of
the preset's sample shape, at the preset's own critic steps and, interleaved, 5 more (the
cost of one critic update, for the warm-ups' 100 critic steps). Medians of --repeats after
2 untimed calls each.
"""

import datetime
import json
import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
# bench.common sets TF_CPP_MIN_LOG_LEVEL before TensorFlow loads.
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

flags.DEFINE_list("presets", None, "Presets to time (default: every preset).")
flags.DEFINE_integer("repeats", 5, "Timed repeats of each step kind (interleaved).",
                     lower_bound=1)
flags.DEFINE_integer("extra_critic_steps", 5, "Critic steps added for the per-critic-step "
                     "cost.", lower_bound=1)
flags.DEFINE_string("output", None, "JSON written (default: tfwgan/step_times.json, "
                    "merged with the presets it already holds).")
FLAGS = flags.FLAGS


def main(argv):
  del argv
  from tfwgan import presets  # pylint: disable=g-import-not-at-top
  from tfwgan import run_time  # pylint: disable=g-import-not-at-top
  output = FLAGS.output or run_time.STEP_TIMES_PATH
  record = {"presets": {}}
  if os.path.exists(output):
    with open(output, encoding="utf-8") as handle:
      record = json.load(handle)
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  today = datetime.date.today().isoformat()
  here = run_time.machine()
  record.update(machine=here, measured=today,
                command="python bench/preset_times.py " + " ".join(sys.argv[1:]))
  for name in FLAGS.presets or sorted(presets.PRESETS):
    figures = run_time.measure(config_lib.RunConfig.from_preset(name), repeats=FLAGS.repeats,
                               extra_critic_steps=FLAGS.extra_critic_steps)
    figures.update(machine=here, measured=today)   # kept per preset: a merge
    record["presets"][name] = figures                               # may mix machines
    print(f"{name}: {figures['seconds_per_iteration']:.3f} s per outer iteration "
          f"({figures['critic_steps']} critic steps), "
          f"{figures['seconds_per_critic_step']:.3f} s per extra critic step", flush=True)
    with open(output, "w", encoding="utf-8") as handle:
      json.dump(record, handle, indent=2, sort_keys=True)
      handle.write("\n")
  print(f"wrote {output}")


if __name__ == "__main__":
  app.run(main)
