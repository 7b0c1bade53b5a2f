"""`run(config)`: build the GAN a `RunConfig` describes, train it with fit, checkpoint, export."""

import dataclasses
import gc
import hashlib
import math
import os
import tempfile

from absl import logging
import keras
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api

from tfwgan import callbacks as callbacks_lib
from tfwgan import config as config_lib
from tfwgan import data
from tfwgan import distribution
from tfwgan import export
from tfwgan import files
from tfwgan import networks
from tfwgan import penalties
from tfwgan import precision
from tfwgan import presets
from tfwgan import proximal as proximal_lib
from tfwgan.gan import GAN
from tfwgan.gan import loops_critic_updates

CHECKPOINT_SUBDIR = "checkpoints"


@dataclasses.dataclass
class RunResult:
  gan: GAN
  export_dir: str
  resumed_from_step: int
  final_step: int


def _regularizer(config):
  """method → (adversarial loss, critic regulariser)."""
  return {
      "wgan_clip": ("wasserstein", lambda: penalties.WeightClipping(config.clip_value)),
      "wgan_gp": ("wasserstein", penalties.GradientPenalty),
      "wgan_lp": ("wasserstein", lambda: penalties.LipschitzPenalty(
          config.lp_sampling, config.lp_perturbation_std)),
      "wwgan": ("wasserstein",
                lambda: penalties.Wasserstein2Penalty(config.gamma, config.w2_one_sided)),
      "dragan": ("non_saturating", penalties.DraganPenalty),
      "standard": ("non_saturating", penalties.NoPenalty),
  }[config.method]


def build_networks(config, sample_shape):
  """Generator and critic for the config's network family and the data's sample shape."""
  if config.resolved_network == "mlp":
    return (networks.mlp_generator(config.latent_dim, sample_shape[0],
                                   hidden_units=config.hidden_units),
            networks.mlp_critic(sample_shape[0], hidden_units=config.hidden_units))
  # Batch norm mixes the samples whose per-sample gradients a penalty constrains.
  normalization = ("none" if config.method in ("wgan_gp", "wgan_lp", "wwgan", "dragan")
                   else "batch")
  return (networks.dcgan_generator(config.latent_dim, sample_shape,
                                   base_filters=config.base_filters),
          networks.dcgan_critic(sample_shape, base_filters=config.base_filters,
                                normalization=normalization))


def build_gan(config, sample_shape):
  """The compiled GAN of `config` (call inside a strategy scope to distribute it)."""
  loss, regularizer = _regularizer(config)
  proximal = None
  generator_steps = config.generator_steps
  if config.proximal == "rwp":
    proximal = proximal_lib.RWP(config.h, config.generator_steps, latents=config.rwp_latents,
                                distance=config.rwp_distance)
    generator_steps = None
  elif config.proximal == "sbe":
    proximal = proximal_lib.SBE(h=config.h, potential_steps=config.potential_steps,
                                generator_steps=config.generator_steps)
    generator_steps = None
  with precision.policy(config.precision):  # networks, anchor copy and potential
    generator, critic = build_networks(config, sample_shape)
    gan = GAN(generator, critic, config.latent_dim, loss=loss, penalty=regularizer(),
              penalty_weight=config.penalty_weight, proximal=proximal,
              critic_steps=config.critic_steps, generator_steps=generator_steps,
              skip_nonfinite_updates=config.on_nan == "skip_batch", seed=config.seed)
  optimizer = presets.OptimizerSpec(config.optimizer, config.learning_rate, config.beta1,
                                    config.beta2)
  gan.compile(generator_optimizer=optimizer.build(), critic_optimizer=optimizer.build(),
              potential_optimizer=optimizer.build() if config.proximal == "sbe" else None,
              jit_compile=uses_xla(config))
  return gan


# Unrolled critic updates (under a tf.distribute strategy): XLA compile cost +4.5 s at 5
# critic steps (toy step 213 -> 146 ms) but +127 s at 100 (step only 1.09x faster). Looped
# (one device, no strategy) the compile does not grow with the steps: bench/xla_critic_steps.py.
XLA_MAX_UNROLLED_CRITIC_STEPS = 10


def uses_xla(config):
  """Whether the train step is XLA-compiled: `config.jit_compile`, or 'auto'.

  'auto': XLA for MLP networks on one replica (toy step up to 2.5x faster on CPU), at any
  number of critic steps when the critic updates are looped, and up to
  XLA_MAX_UNROLLED_CRITIC_STEPS per phase when a strategy unrolls them. Not for DCGANs
  (8.5x slower on CPU), not across replicas (the cross-replica sums are merge_calls) and
  not with `deterministic` (bit-exact resume is tested without XLA).
  """
  if config.jit_compile != "auto":
    return config.jit_compile == "on"
  most_critic_steps = max(config.critic_steps, config.warmup_critic_steps)
  return (config.resolved_network == "mlp" and not config.deterministic
          and tf.distribute.get_strategy().num_replicas_in_sync == 1
          and (loops_critic_updates(most_critic_steps)
               or most_critic_steps <= XLA_MAX_UNROLLED_CRITIC_STEPS))


def _phases(config):
  """(first step, last step, critic steps) of each training phase (warm-up, then main)."""
  warmup_end = min(config.warmup_generator_iterations, config.train_steps)
  phases = []
  if warmup_end:
    phases.append((0, warmup_end, config.warmup_critic_steps))
  phases.append((warmup_end, config.train_steps, config.critic_steps))
  return phases


def _phase_dataset(config, phase_index, phase_start, step, critic_steps):
  """The phase's data, continued at `step` (see `data.training_dataset` for which sources
  replay exactly)."""
  return data.training_dataset(
      config.dataset, batch_size=config.batch_size, critic_steps=critic_steps,
      seed=config.seed + phase_index, start=step - phase_start, data_dir=config.data_dir,
      download=config.download, image_size=config.image_size, channels=config.channels)


def _write_config(writer, config):
  values = {k: (v if isinstance(v, (bool, int, float, str)) else str(v))
            for k, v in dataclasses.asdict(config).items()}
  table = "\n".join(f"| {k} | {v} |" for k, v in sorted(values.items()))
  with writer.as_default(step=0):
    tf.summary.text("config", "| flag | value |\n|---|---|\n" + table)
    hparams_api.hparams(values)
  writer.flush()


def real_outputs_cache_name(config):
  """File name of the cached real classifier outputs: one per data source, image size,
  classifier and sample count (a folder/.npz dataset is identified by its path)."""
  source = config.dataset.replace("/", "_")
  if config.dataset in data.FILE_DATASETS:
    path = files.absolute(config.data_dir or "")
    source += "_" + hashlib.sha1(path.encode()).hexdigest()[:12]
  classifier = os.path.basename(os.path.normpath(config.classifier))
  size = f"{config.image_size or 'native'}x{config.channels}"
  return "-".join([source, size, classifier, str(config.num_eval_samples)]) + ".npz"


def fid_callback(config, writer, clock, *, every_seconds=None):
  """FID/KID/IS every eval_every steps (or every_seconds of training) against real outputs
  cached per dataset/classifier/size."""
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import scoring  # pylint: disable=g-import-not-at-top
  classifier = classifiers.load(config.classifier, feature_layer=config.feature_layer,
                                inception_path=config.inception_path)
  cache_path = os.path.join(config.resolved_eval_cache_dir, real_outputs_cache_name(config))
  images = data.evaluation_batches(config.dataset, num_samples=config.num_eval_samples,
                                   data_dir=config.data_dir, download=config.download,
                                   image_size=config.image_size, channels=config.channels)
  real = scoring.real_outputs(images, classifier, num_samples=config.num_eval_samples,
                              cache_path=cache_path)
  return callbacks_lib.FIDCallback(writer, classifier, real,
                                   every=None if every_seconds else config.eval_every,
                                   every_seconds=every_seconds,
                                   num_samples=config.num_eval_samples, clock=clock,
                                   seed=config.seed)


RUN_CONFIG = "run_config.json"


def _structure(config):
  return {name: getattr(config, name) for name in config_lib.STRUCTURAL_FIELDS}


def _record_run_config(config):
  path = f"{files.absolute(config.resolved_logdir)}/{RUN_CONFIG}"
  if not files.gfile.exists(path):
    files.write_json_atomically(path, dataclasses.asdict(config))


def _check_recorded_settings(config):
  """A logdir recorded with other model-shaping settings is a clear error."""
  logdir = config.resolved_logdir
  recorded_path = f"{files.absolute(logdir)}/{RUN_CONFIG}"
  if not files.gfile.exists(recorded_path):
    return
  recorded = files.read_json(recorded_path)
  differing = {name: (recorded.get(name), value) for name, value in _structure(config).items()
               if recorded.get(name) != value}
  if differing:
    raise ValueError(f"logdir={logdir!r}: holds a run with other settings "
                     f"{ {k: v[0] for k, v in differing.items()} }, not "
                     f"{ {k: v[1] for k, v in differing.items()} }; use another --logdir.")


CHECKPOINT_STATE = "checkpoint"  # CheckpointManager's state file, written after each save


def _checkpoint_number(name):
  """ckpt-12.index, ckpt-12_temp, ckpt-12.data-… → 12."""
  return name[len("ckpt-"):].split(".")[0].split("_")[0].rstrip("/")


def _set_aside_incomplete_first_checkpoint(logdir, directory, leftovers):
  """Moves the files of a first save that never finished out of the way; returns where.

  CheckpointManager writes the state file (atomically) only after a save's files are
  complete, so with no state file no save of this directory ever finished: the files
  are provably incomplete. Moved, not deleted.
  """
  aside = files.unique_sibling(directory, "incomplete-")
  files.gfile.makedirs(aside)
  for name in leftovers:
    source, target = f"{directory}/{name.rstrip('/')}", f"{aside}/{name.rstrip('/')}"
    if files.gfile.isdir(source):
      files.move_tree(source, target)
    else:
      files.gfile.rename(source, target)
  logging.warning("logdir=%r: the first checkpoint (%s) was never completed (the run was "
                  "stopped while saving it); moved it to %s and starting from step 0.",
                  logdir, ", ".join(sorted(leftovers)), aside)
  return aside


def _restore_latest(checkpoint, config):
  """Restores the logdir's latest checkpoint (True if there was one); a foreign or
  unreadable one is a clear error. A first checkpoint whose save never finished is set
  aside (see `_set_aside_incomplete_first_checkpoint`)."""
  logdir = config.resolved_logdir
  _check_recorded_settings(config)
  directory = f"{files.absolute(logdir)}/{CHECKPOINT_SUBDIR}"
  latest = tf.train.latest_checkpoint(directory)
  if latest is None:
    leftovers = ([name for name in files.gfile.listdir(directory) if name.startswith("ckpt-")]
                 if files.gfile.isdir(directory) else [])
    if not leftovers:
      return False
    numbers = {_checkpoint_number(name) for name in leftovers}
    if files.gfile.exists(f"{directory}/{CHECKPOINT_STATE}") or len(numbers) != 1:
      raise ValueError(f"logdir={logdir!r}: has checkpoint files but no readable checkpoint "
                       "state; refusing to start over on top of them.")
    _set_aside_incomplete_first_checkpoint(logdir, directory, leftovers)
    return False
  try:
    checkpoint.restore(latest).assert_existing_objects_matched()
  except Exception as error:  # pylint: disable=broad-except  (TF raises many kinds here)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    raise ValueError(f"logdir={logdir!r}: checkpoint {os.path.basename(latest)} does not fit "
                     f"this run or is damaged ({first_line[:300]}).") from error
  return True


def run(config, strategy=None):
  """Trains (or resumes) the run of `config` in its logdir, then exports the generator.

  Under `strategy` (default: the current one) the model and optimizers are built in
  its scope. Under MultiWorkerMirroredStrategy every task trains, but only the chief
  writes into the logdir and the export; the others write to a temporary directory.
  """
  config.validate()
  strategy = strategy or tf.distribute.get_strategy()
  distribution.check_batch(config.batch_size, strategy)
  # Opening the data (lazily: no sample is read) fails on missing or unprepared data
  # before anything is built or written.
  _phase_dataset(config, 0, 0, 0, config.critic_steps)
  chief = distribution.is_chief(strategy)
  logdir = config.resolved_logdir if chief else tempfile.mkdtemp(prefix="tfwgan-worker-")
  if chief:
    for path in export.recover_interrupted_export(config.resolved_export_dir):
      logging.info("Removed the leftovers of an interrupted export: %s", path)
  keras.utils.set_random_seed(config.seed)
  if config.deterministic:
    tf.config.experimental.enable_op_determinism()
  sample_shape = config.sample_shape
  with strategy.scope():
    gan = build_gan(config, sample_shape)
    clock = callbacks_lib.Clock()
  checkpoint = tf.train.Checkpoint(**gan.checkpoint_items(), elapsed_seconds=clock.variable)
  manager = tf.train.CheckpointManager(checkpoint, os.path.join(logdir, CHECKPOINT_SUBDIR),
                                       max_to_keep=3)
  if _restore_latest(checkpoint, config):
    # The learning rate is checkpointed optimizer state; the flags' value wins on resume.
    for optimizer in (gan.generator_optimizer, gan.critic_optimizer, gan.potential_optimizer):
      if optimizer is not None:
        optimizer.learning_rate = config.learning_rate
  if chief:
    _record_run_config(config)
  resumed_from = int(gan.outer_iterations.numpy())
  writer = tf.summary.create_file_writer(logdir)
  _write_config(writer, config)
  clock.start()
  summaries = [callbacks_lib.ScalarSummaries(writer, clock)]
  if config.dataset in data.TOY_DATASETS:
    summaries.append(callbacks_lib.ToySummaries(
        writer, lambda n, step: data.sample_toy(config.dataset, n, [config.seed, step + 1]),
        num_samples=config.num_eval_samples))
  else:
    summaries.append(callbacks_lib.ImageSummaries(writer, config.latent_dim, seed=config.seed))
    if config.eval_every:
      summaries.append(fid_callback(config, writer, clock))
  for index, (start, end, critic_steps) in enumerate(_phases(config)):
    step = int(gan.outer_iterations.numpy())
    if step >= end:
      continue
    gan.set_critic_steps(critic_steps)
    dataset = _phase_dataset(config, index, start, step, critic_steps)
    gan.fit(dataset, shuffle=False, epochs=math.ceil((end - step) / config.log_every),
            steps_per_epoch=config.log_every, verbose=config.verbose,
            callbacks=[callbacks_lib.StopAtStep(end), callbacks_lib.NonFiniteGuard(),
                       callbacks_lib.Checkpointing(manager, clock, config.checkpoint_every),
                       *summaries])
    # fit leaves its tf.data iterator (not the dataset) in a reference cycle, prefetch
    # threads running. Collected here, not at interpreter exit (where its teardown stalled
    # 36 s in 2 of 10 measured runs).
    gc.collect()
  writer.close()
  final_step = int(gan.outer_iterations.numpy())
  callbacks_lib.check_finite_weights({"generator": gan.generator})
  export_dir = config.resolved_export_dir if chief else os.path.join(logdir, "export")
  export_dir = export.export_generator(
      gan.generator, export_dir, latent_dim=config.latent_dim,
      metadata={"method": config.method, "dataset": config.dataset, "proximal": config.proximal,
                "step": final_step, "config": dataclasses.asdict(config)})
  return RunResult(gan, export_dir, resumed_from, final_step)
