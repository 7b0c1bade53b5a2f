r"""Trains a GAN of the seed papers; with no flags, the embedded toy default.

  python launchers/train.py                       # 8 Gaussians, WGAN-LP + RWP, a few minutes
  python launchers/train.py --preset=rwp_wgan_gp_cifar10 --download --logdir=/tmp/cifar
  python launchers/train.py --preset=wgan_lp_swissroll --penalty_weight=5 --train_steps=500

Every field of the preset can be overridden by its own flag. Rerunning the same
command resumes from the latest checkpoint in --logdir. TensorBoard: --logdir.
"""

import atexit
import dataclasses
import json
import os
import sys

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags
import tensorflow as tf

from tfwgan import config as config_lib
from tfwgan import data
from tfwgan import distribution
from tfwgan import penalties
from tfwgan import precision
from tfwgan import presets
from tfwgan import proximal
from tfwgan import run_time
from tfwgan import schedules
from tfwgan.evaluation import resize

flags.DEFINE_enum("preset", None, sorted(presets.PRESETS),
                  "Paper setting to start from (tfwgan/presets.py). Default: "
                  f"{presets.DEFAULT_PRESET} for 2-D data, {presets.IMAGE_DEFAULT_PRESET} "
                  "(the RWP paper's WGAN-GP + RWP setting, App. C) for images; its final "
                  "evaluation then scores at most the real set's size.")
flags.DEFINE_enum("method", None, presets.METHODS, "Adversarial loss and critic regulariser "
                  "(r1, r2: the non-saturating loss with Mescheder et al.'s R1/R2 penalty, "
                  "--penalty_weight = their γ).")
flags.DEFINE_enum("loss", None, config_lib.LOSSES, "Adversarial loss instead of the method's "
                  "own ('auto'): wasserstein, non_saturating, hinge (Lim & Ye; SNGAN), "
                  "least_squares (LSGAN, 0-1 coding).")
flags.DEFINE_float("lecam_weight", None, "λ of LeCam regularisation (Tseng et al. 2021; their "
                   "CIFAR-10 setting 0.3), added to any loss and penalty; 0: off.",
                   lower_bound=0.0)
flags.DEFINE_float("lecam_decay", None, "LeCam: decay of the anchors' moving averages (the "
                   "authors' 0.99).")
flags.DEFINE_bool("lecam_one_sided", None, "LeCam: the authors' code's one-sided form, "
                  "relu(D(x) − α_F)² + relu(α_R − D(G(z)))², instead of eq. 3's squares.")
flags.DEFINE_float("consistency_weight", None, "λ_real = λ_fake of balanced consistency "
                   "regularisation (Zhao et al. 2021: 10); 0: off.", lower_bound=0.0)
flags.DEFINE_string("consistency_policy", None, "Balanced consistency: the transformation T, "
                    "a comma-separated subset of color,translation,cutout,flip (default "
                    "translation,flip, the paper's).")
flags.DEFINE_integer("penalty_every", None, "r1/r2: the penalty in every N-th critic update "
                     "only, weighted by N (StyleGAN2's lazy regularisation: 16).",
                     lower_bound=1)
flags.DEFINE_enum("dataset", None, data.DATASETS,
                  "Training data: a toy set, a tfds name, 'folder' or 'npz' (see --data_dir).")
flags.DEFINE_string("data_dir", None,
                    "tfds data_dir; the image folder for 'folder'; the file for 'npz'.")
flags.DEFINE_bool("download", None, "Let tfds download and prepare the data.")
flags.DEFINE_integer("image_size", None, "Image size for --dataset=folder (28, 32 or 64).")
flags.DEFINE_integer("channels", None, "Channels for --dataset=folder (1 or 3).")
flags.DEFINE_enum("network", None, config_lib.NETWORKS,
                  "'mlp' (toy), 'dcgan' or 'resnet' (the WGAN-GP authors' residual networks; "
                  "28×28 runs the 32×32 ones padded) for images, or 'auto' (by dataset).")
flags.DEFINE_enum("spectral_norm", None, config_lib.SPECTRAL_NORMS, "Spectral normalisation "
                  "(Miyato et al. 2018, the paper's algorithm: the gradient through W/σ(W), one "
                  "power iteration per update) of the critic's, or both networks', Dense, Conv "
                  "and class-embedding layers; 'none' by default.")
flags.DEFINE_integer("hidden_units", None, "Width of the toy MLPs.", lower_bound=1)
flags.DEFINE_integer("base_filters", None, "DCGAN filters of the first layer, or the "
                     "ResNets' width d (the authors' DIM).", lower_bound=1)
flags.DEFINE_enum("resnet_init", None, ("authors", "glorot"), "ResNets: the residual 3×3 "
                  "convolutions' initialisation: the WGAN-GP authors' he_init (uniform, std "
                  "√(4/(fan_in + fan_out)), default) or Keras' Glorot-uniform.")
flags.DEFINE_float("resnet_norm_epsilon", None, "ResNets: ε of batch/layer norm (the authors' "
                   "1e-5 by default; Keras' default is 1e-3).")
flags.DEFINE_integer("latent_dim", None, "Size of the latent z.", lower_bound=1)
flags.DEFINE_integer("batch_size", None, "Global batch of one critic update.", lower_bound=1)
flags.DEFINE_integer("generator_batch_size", None, "Global batch of a generator update "
                     "(default: --batch_size; the WGAN-GP ResNet recipe uses twice it).",
                     lower_bound=1)
flags.DEFINE_integer("critic_steps", None, "Critic updates per outer iteration.",
                     lower_bound=1)
flags.DEFINE_integer("generator_steps", None, "Generator updates per outer iteration (ℓ).",
                     lower_bound=1)
flags.DEFINE_float("penalty_weight", None, "λ of the gradient penalty.", lower_bound=0.0)
flags.DEFINE_float("gamma", None, "WWGAN: γ‖∇f‖²₂ added inside the root (0: pure W2 norm).",
                   lower_bound=0.0)
flags.DEFINE_bool("w2_one_sided", None, "WWGAN: penalise only W2 gradient norms above 1.")
flags.DEFINE_enum("wwgan_graph", None, ("diamond", "grid"), "WWGAN: the pixel graph of the W2 "
                  "norm: 'diamond' (the authors' code: adjacent, two-apart and diagonal "
                  "neighbours) or 'grid' (4 adjacent neighbours).")
flags.DEFINE_float("clip_value", None, "c of WGAN weight clipping.")
flags.DEFINE_enum("lp_sampling", None, penalties.LP_SAMPLINGS, "Where WGAN-LP penalises: "
                  "interpolates (as WGAN-GP) or local perturbations of the real samples, or "
                  "of real and generated samples (WGAN-LP paper, App. D.4).")
flags.DEFINE_float("lp_perturbation_std", None, "σ of the N(0, σ²) local perturbation of "
                   "--lp_sampling=perturb_*; App. D.4 gives no scale (default 0.5, see "
                   "tfwgan/penalties.py).")
flags.DEFINE_enum("proximal", None, presets.PROXIMALS, "Generator proximal: none, rwp or sbe.")
flags.DEFINE_float("h", None, "Proximal step size h of RWP/SBE.")
flags.DEFINE_enum("rwp_latents", None, proximal.LATENTS, "RWP: fresh z at each of the ℓ "
                  "generator steps (per_step, Alg. 1) or one z batch per outer iteration "
                  "(per_phase, App. D).")
flags.DEFINE_enum("rwp_distance", None, proximal.DISTANCES, "RWP: ‖g_θ(z) − g_θk−1(z)‖² summed "
                  "over the sample (sum, eq. 4) or averaged over its dimensions (mean).")
flags.DEFINE_integer("potential_steps", None, "SBE potential updates per outer iteration.",
                     lower_bound=1)
flags.DEFINE_bool("sbe_potential_over_h", None, "SBE: the potential ascends (1/h)·E[...] "
                  "(Alg. 2 line 6, default); --nosbe_potential_over_h drops the 1/h.")
flags.DEFINE_enum("conditioning", None, config_lib.CONDITIONINGS, "Class-conditional GAN "
                  "(labels from the data): 'projection' critic (Miyato & Koyama 2018) or "
                  "'acgan' (an auxiliary classifier head); the generator takes [z, label].")
flags.DEFINE_enum("label_distribution", None, ("uniform", "frequencies"), "Conditional: "
                  "generated labels uniform over the classes or at the data's frequencies.")
flags.DEFINE_integer("num_classes", None, "Conditional: the number of classes (default: the "
                     "data's labels, which must then be 0 … K−1, each with samples); every "
                     "label must be below it, and classes without samples are kept.",
                     lower_bound=2)
flags.DEFINE_float("acgan_critic_weight", None, "AC-GAN: weight of the critic's cross-entropy "
                   "on real labels (the WGAN-GP authors' 1).", lower_bound=0.0)
flags.DEFINE_float("acgan_generator_weight", None, "AC-GAN: weight of the generator's "
                   "cross-entropy on its labels (the WGAN-GP authors' 0.1).", lower_bound=0.0)
flags.DEFINE_string("augment", None, "DiffAugment policies applied to every critic input: "
                    "a comma-separated subset of color,translation,cutout (and flip, a "
                    "left-right mirror with probability ½, and rotate90: ADA's blit group "
                    "with translation) ('' off).")
flags.DEFINE_enum("augment_penalty_points", None, ("original", "augmented"), "DiffAugment: "
                  "the penalty at points of the samples through T (the official code's "
                  "default) or at points of the augmented samples.")
flags.DEFINE_float("augment_p", None, "ADA's p: each --augment op applied to each sample "
                   "with this probability (default: always, DiffAugment); with --ada_target "
                   "the starting p (default 0).", lower_bound=0.0, upper_bound=1.0)
flags.DEFINE_float("ada_target", None, "ADA (Karras et al. 2020): adapt p so that "
                   "E[sign D(augmented reals)] approaches this target (the paper's 0.6); "
                   "meant for logit critics (non_saturating, hinge).", lower_bound=-1.0,
                   upper_bound=1.0)
flags.DEFINE_integer("ada_speed_images", None, "ADA: real images over which p can move by 1 "
                     "(the paper's 500000).", lower_bound=1)
flags.DEFINE_bool("mirror_real", None, "Mirror each real training image left-right with "
                  "probability ½ (the DiffAugment authors' CIFAR-10 --mirror-augment); the "
                  "evaluation's real set is not mirrored.")
flags.DEFINE_enum("optimizer", None, presets.OPTIMIZERS, "Optimizer of every network.")
flags.DEFINE_float("learning_rate", None, "Learning rate of every network.")
flags.DEFINE_float("beta1", None, "Adam β1.")
flags.DEFINE_float("beta2", None, "Adam β2.")
flags.DEFINE_float("rmsprop_rho", None, "RMSprop's decay ρ (Keras' default 0.9; the WGAN "
                   "preset: PyTorch's 0.99, as in WGAN's reference code).")
flags.DEFINE_float("optimizer_epsilon", None, "ε of Adam (added to √v) and RMSprop (added "
                   "to v, inside Keras' root); Keras' default 1e-7. The WGAN-GP ResNet "
                   "presets: TF 1's Adam ε 1e-8; the WGAN preset: 1e-16, PyTorch's RMSprop ε "
                   "1e-8 outside the root.")
flags.DEFINE_enum("lr_decay", None, schedules.LR_DECAYS, "Learning rate of every network: "
                  "constant ('none') or decayed linearly to 0 over --train_steps outer "
                  "iterations ('linear', WGAN-GP's ResNet recipe).")
flags.DEFINE_float("ema_decay", None, "Generator EMA: θ_ema ← d·θ_ema + (1 − d)·θ once per "
                   "outer iteration (e.g. 0.9999); sampling, FID and the export then use it. "
                   "Unset: no EMA.", lower_bound=0.0, upper_bound=0.999999999)
flags.DEFINE_enum("ema_statistics", None, ("copy", "average"), "Generator EMA: batch-norm "
                  "moving statistics copied from the live generator or averaged like the "
                  "weights (see tfwgan/ema.py).")
flags.DEFINE_integer("ema_start_step", None, "Outer iterations before the EMA starts "
                     "averaging (it copies θ until then).", lower_bound=0)
flags.DEFINE_integer("warmup_critic_steps", None,
                     "Critic steps during the warm-up (WGAN: 100).", lower_bound=0)
flags.DEFINE_integer("warmup_generator_iterations", None,
                     "Outer iterations of the warm-up (WGAN: 25).", lower_bound=0)
flags.DEFINE_integer("warmup_critic_every", None, "Also run --warmup_critic_steps at every "
                     "N-th outer iteration (WGAN's reference code: 500; 0: never).",
                     lower_bound=0)
flags.DEFINE_integer("train_steps", None, "Outer iterations to train in all.", lower_bound=1)
flags.DEFINE_integer("log_every", None, "Outer iterations between summaries.", lower_bound=1)
flags.DEFINE_integer("checkpoint_every", None, "Outer iterations between checkpoints.",
                     lower_bound=1)
flags.DEFINE_integer("num_eval_samples", None, "Samples compared by each evaluation "
                     "(generated and real).", lower_bound=1)
flags.DEFINE_integer("eval_every", None, "Outer iterations between evaluations of image "
                     "generators (0: off; 2-D runs: the EMD etc. every log_every).",
                     lower_bound=0)
flags.DEFINE_list("eval_metrics", None, "What the evaluations compute. Images: fid, kid, "
                  "inception_score, precision_recall, density_coverage, swd (default: all but "
                  "swd). 2-D data: emd, precision_recall, density_coverage (default: all).")
flags.DEFINE_enum("eval_split", None, ("train", "test"), "tfds split the real samples of "
                  "every evaluation come from (others have one set).")
flags.DEFINE_enum("eval_batch_norm", None, ("moving", "batch", "standing"), "How the "
                  "generator's batch norm samples for evaluation, image grids and the export: "
                  "moving averages (Keras inference mode), each batch's own statistics (the "
                  "WGAN-GP authors') or standing statistics recomputed over generated batches "
                  "(StudioGAN, compare_gan).")
flags.DEFINE_integer("inception_score_splits", None, "Splits of the Inception score (mean and "
                     "std over them; 10 in every paper's table).", lower_bound=1)
flags.DEFINE_integer("final_eval_samples", None, "Samples of the final evaluation of the "
                     "export, at the preset's paper protocol (0: skip it).", lower_bound=0)
flags.DEFINE_string("classifier", None, "Classifier for the image metrics: 'inception' (TF-Hub), "
                    "'dinov2' (keras-hub's DINOv2 ViT-L/14 features), a local copy of the "
                    "Inception module, or a classifier export such as "
                    "saved_models/mnist_classifier.")
flags.DEFINE_string("inception_path", None, "Local copy of TF-GAN's Inception module for "
                    "offline machines (default: the TF-Hub handle).")
flags.DEFINE_string("dinov2_path", None, "Local keras-hub DINOV2Backbone preset directory for "
                    "--classifier=dinov2 on offline machines (default: keras-hub's "
                    "dinov2_large, downloaded once).")
flags.DEFINE_enum("eval_resize", None, resize.RESIZES, "How Inception resizes the "
                  "samples to 299×299: bilinear (TF-GAN's), or clean (clean-fid's default: "
                  "PIL bicubic on float images); recorded in the protocol.")
flags.DEFINE_string("feature_layer", None, "Classifier layer whose activations FID/KID use.")
flags.DEFINE_string("eval_cache_dir", None, "Where real-data classifier outputs are cached.")
flags.DEFINE_integer("seed", None, "Seed of weights, data and the model's random draws.",
                     lower_bound=0)
flags.DEFINE_string("run_name", None, "Name of the run (default: the preset's name, plus the "
                    "fields that flags changed, e.g. wgan_lp_swissroll-penalty_weight=5.0).")
flags.DEFINE_string("list_presets", None, "Print the presets as a table (name, method, data, "
                    "length, estimated time) and exit; --list_presets=NAME prints one preset's "
                    "details (sources, final evaluation, settings).")
flags.DEFINE_bool("print_config", False, "Print the resolved settings of this command as JSON "
                  "and exit (a run's own are in <logdir>/run_config.json).")
flags.DEFINE_bool("measure_time", False, "With --print_config: time a few outer iterations "
                  "of this command on one device of this machine (builds and traces its "
                  "networks: under a minute for the DCGAN presets, about 10 minutes for the "
                  "ResNets) and estimate the whole run from them.")
flags.DEFINE_bool("deterministic", None, "Deterministic ops (slower): with a fixed --seed, a run "
                  "resumed from a checkpoint ends with the same weights, bit for bit.")
flags.DEFINE_enum("precision", None, precision.PRECISIONS, "Network compute precision: "
                  "float32, or mixed_bfloat16 (bfloat16 layers, float32 variables, outputs, "
                  "losses and penalties). For bfloat16 hardware (TPU, GPU, AMX CPUs): on CPUs "
                  "without AMX it is slower, see bench/README.md.")
flags.DEFINE_enum("jit_compile", None, config_lib.JIT_COMPILE, "XLA for the train step: "
                  "'auto' uses it for MLP networks on one replica without --deterministic "
                  "(toy step up to 2.5x faster on CPU), under a tf.distribute strategy only "
                  "with at most 10 critic steps per phase (longer unrolled steps compile "
                  "for minutes), not for DCGANs (8.5x slower on CPU); see bench/README.md.")
flags.DEFINE_enum("on_nan", None, config_lib.ON_NAN, "On a NaN/Inf loss: 'stop' with a "
                  "message naming the step and term, or 'skip_batch' (revert that update).")
flags.DEFINE_string("logdir", None, "Checkpoints and TensorBoard summaries "
                    "(default: <tmp>/tfwgan/<run_name>). Rerunning resumes from it.")
flags.DEFINE_string("export_dir", None, "Where the generator is exported "
                    "(default: <logdir>/export).")
flags.DEFINE_enum("strategy", "default", distribution.STRATEGIES,
                  "tf.distribute strategy: default, one_device, mirrored (all local GPUs), "
                  "multi_worker (cluster from TF_CONFIG) or tpu (see --tpu).")
flags.DEFINE_integer("cpu_devices", 1, "Split the CPU into this many logical devices, for "
                     "--strategy=mirrored on a machine without GPUs (tests, trying things).",
                     lower_bound=1)
flags.DEFINE_string("tpu", None, "TPU name or grpc:// address for --strategy=tpu "
                    "('local' on a TPU VM).")
flags.DEFINE_integer("verbose", None, "Keras progress: 0 silent, 1 bar, 2 a line per epoch.",
                     lower_bound=0)

FLAGS = flags.FLAGS
LOST_TASK_EXIT_CODE = 75   # EX_TEMPFAIL: a cluster task was lost; rerunning every task resumes
# Checkpointed at a SIGTERM notice; rerunning resumes there. Not 143 (128 + SIGTERM), which
# a scheduler also sees when SIGTERM killed a process that saved nothing; 42 is TensorFlow's
# PreemptionCheckpointHandler's default restart code off GCP.
PREEMPTED_EXIT_CODE = 42


def _exit_with_last_line(line, code, *, strategy=None):
  """Prints `line` on stderr as the process's last and exits with `code` at once.

  `strategy`: a multi-worker run's, whose tasks all stopped at one step: they wait for
  each other before the line and after it (`distribution.barrier`), so none exits while
  another is still saving or printing (a peer's exit otherwise makes the coordination
  service log connection errors on the tasks still at work). Then `os._exit` skips the
  interpreter's teardown, where TensorFlow's runtime waited for its peers (41–122 s seen
  in multi-worker stops) and fit's data threads for themselves; the checkpoint, the
  summaries and the export are already closed, and the atexit functions (autograph's
  temporary files) still run. gRPC's shutdown lines after the last line go to
  /dev/null."""
  distribution.barrier(strategy)
  print(line, file=sys.stderr)
  sys.stdout.flush()
  sys.stderr.flush()
  distribution.barrier(strategy)
  os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
  atexit._run_exitfuncs()   # pylint: disable=protected-access  (autograph's temporary files)
  os._exit(code)   # pylint: disable=protected-access


OVERRIDES = [field.name for field in config_lib.RunConfig.__dataclass_fields__.values()]


def preset_name():
  """--preset, or the default for --dataset (toy or image data)."""
  return FLAGS.preset or presets.default_name(FLAGS.dataset, data_dir=FLAGS.data_dir)


def config_from_flags():
  """The RunConfig of --preset with every flag that was set."""
  return config_lib.RunConfig.from_preset(
      preset_name(), **{name: FLAGS[name].value for name in OVERRIDES})


def fit_final_evaluation(config):
  """Without --preset and --final_eval_samples, image data smaller than the default's
  final evaluation (10,000) is scored on all of it instead: your own images run as the
  README writes the command. A named preset keeps its paper's count (or is refused)."""
  if (FLAGS.preset or FLAGS.final_eval_samples is not None
      or not config.final_eval_samples or config.dataset in data.TOY_DATASETS):
    return config
  available = data.sample_count(config.dataset, data_dir=config.data_dir,
                                split=config.eval_split)
  one_iteration = config.batch_size * max(config.critic_steps, config.warmup_critic_steps)
  if available is None or available >= config.final_eval_samples or available < one_iteration:
    return config   # (too few for one outer iteration: the run's own one-line error)
  return dataclasses.replace(config, final_eval_samples=available)


def list_presets():
  """Every preset in an aligned table: name, method (+ proximal), data, length, estimate."""
  record = run_time.step_times()
  rows = [("preset", "method", "data", "outer iterations", "estimated time")]
  for preset in presets.PRESETS.values():
    seconds = run_time.estimate_seconds(config_lib.RunConfig.from_preset(preset.name),
                                        preset.name, record)
    method = preset.method + "".join(
        f" + {part}" for part, used in ((preset.proximal, preset.proximal != "none"),
                                        (preset.conditioning, preset.conditioning != "none"),
                                        ("diffaugment", bool(preset.augment))) if used)
    rows.append((preset.name, method, preset.dataset, f"{preset.train_steps:,}",
                 "unknown" if seconds is None else run_time.describe(seconds)))
  widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
  for row in rows:
    print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
  print("details: --list_presets=NAME")


def describe_preset(name):
  """One preset's details: its sources, final evaluation, estimate and resolved settings."""
  preset = presets.get(name)
  config = config_lib.RunConfig.from_preset(name)
  print(f"{preset.name}: {preset.method}"
        f"{'' if preset.proximal == 'none' else ' + ' + preset.proximal} on {preset.dataset}")
  print(f"  settings: {preset.source}")
  print(f"  length: {preset.train_steps:,} outer iterations ({preset.train_steps_source})")
  print(f"  final evaluation: {preset.final_eval_samples:,} samples, batch norm "
        f"{preset.eval_batch_norm} ({preset.eval_source})")
  print(f"  {run_time.estimate_line(config, name)}")
  print(f"  every field: python launchers/train.py --preset={name} --print_config")


def main(argv):
  if len(argv) > 1:
    sys.exit(f"train.py: error: unexpected arguments {argv[1:]}")
  if FLAGS.list_presets == "all":
    list_presets()
    return
  if FLAGS.list_presets is not None:
    if FLAGS.list_presets not in presets.PRESETS:
      sys.exit(f"train.py: error: --list_presets={FLAGS.list_presets!r}: not a preset; "
               "--list_presets lists them.")
    describe_preset(FLAGS.list_presets)
    return
  try:
    # MultiWorkerMirroredStrategy configures the collective ops, which must happen before
    # anything starts TensorFlow's runtime (listing devices, a tensor, a variable).
    strategy = (distribution.make_strategy("multi_worker")
                if FLAGS.strategy == "multi_worker" else None)
    config = config_from_flags()
    config.validate()
    fitted = fit_final_evaluation(config)
    if fitted is not config:          # a smaller final count: checked like any other
      fitted.validate()
      config = fitted
    if FLAGS.measure_time and not FLAGS.print_config:
      raise ValueError("measure_time: only with --print_config (it times the command's "
                       "steps instead of training).")
    if FLAGS.print_config:
      print(json.dumps(dataclasses.asdict(config), indent=2, sort_keys=True))
      if FLAGS.measure_time:   # one device, whatever --strategy says
        quiet_tensorflow.start_devices()
        print(run_time.measured_line(config, run_time.measure(config, repeats=3)),
              file=sys.stderr)
      else:
        print(run_time.estimate_line(config, preset_name()), file=sys.stderr)
      return
    if FLAGS.strategy == "tpu" and FLAGS.tpu is None:
      raise ValueError("tpu: required with --strategy=tpu (a TPU name, grpc:// address or "
                       "'local').")
    if strategy is None:
      distribution.split_cpu(FLAGS.cpu_devices)
      quiet_tensorflow.start_devices()
      strategy = distribution.make_strategy(FLAGS.strategy, tpu=FLAGS.tpu)
    distribution.check_batch(config.batch_size, strategy)
  except ValueError as error:
    sys.exit(f"train.py: error: --{error}")
  from tfwgan import callbacks, training  # pylint: disable=g-import-not-at-top
  try:
    try:
      result = training.run(config, strategy)
    finally:
      callbacks.end_progress_line()   # a message after an interrupted bar gets its own line
  except ValueError as error:  # the logdir's checkpoint or run settings do not fit
    sys.exit(f"train.py: error: --{error}")
  except callbacks.NonFiniteError as error:
    sys.exit(f"train.py: error: {error}")
  except callbacks.Preempted as notice:
    every_task = " on every task" if FLAGS.strategy == "multi_worker" else ""
    _exit_with_last_line(f"train.py: {notice} in {config.resolved_logdir}; rerun the same "
                         f"command{every_task} to resume there.", PREEMPTED_EXIT_CODE,
                         strategy=strategy)
  except tf.errors.OpError as error:
    lost = distribution.lost_tasks(error)
    if not lost:
      raise
    _exit_with_last_line(
        f"train.py: error: lost task {', '.join(lost)} of the cluster (it stopped or its "
        "machine went away); restart every task with the same command: the run resumes "
        f"from its last checkpoint in {config.resolved_logdir}.", LOST_TASK_EXIT_CODE)
  if distribution.is_chief(strategy):   # the other tasks' exports are scratch copies
    print(training.summary_line(result, replicas=strategy.num_replicas_in_sync))


def bare_flags(argv):
  """`argv` with a bare --list_presets read as --list_presets=all (absl's string flags
  need a value), and `--list_presets NAME` as --list_presets=NAME."""
  result = []
  for arg in argv:
    if result and result[-1] == "--list_presets=all" and arg in presets.PRESETS:
      result[-1] = f"--list_presets={arg}"
    else:
      result.append("--list_presets=all" if arg in ("--list_presets", "-list_presets") else arg)
  return result


if __name__ == "__main__":
  app.run(main, argv=bare_flags(sys.argv))
