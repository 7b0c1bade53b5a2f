"""`run(config)`: build the GAN a `RunConfig` describes, train it with fit, checkpoint, export."""

import dataclasses
import gc
import hashlib
import math
import os

from absl import logging
import keras
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api

from tfwgan import augment
from tfwgan import callbacks as callbacks_lib
from tfwgan import conditioning
from tfwgan import critic_terms
from tfwgan import config as config_lib
from tfwgan import data
from tfwgan import distribution
from tfwgan import ema as ema_lib
from tfwgan import export
from tfwgan import files
from tfwgan import networks
from tfwgan import penalties
from tfwgan import precision
from tfwgan import presets
from tfwgan import proximal as proximal_lib
from tfwgan import schedules
from tfwgan import spectral_norm
from tfwgan.evaluation import domain_classifier
from tfwgan.evaluation import scoring
from tfwgan.gan import GAN
from tfwgan.gan import loops_critic_updates

CHECKPOINT_SUBDIR = "checkpoints"


@dataclasses.dataclass
class RunResult:
  gan: GAN
  export_dir: str
  resumed_from_step: int
  final_step: int
  training_seconds: float = 0.0
  metrics: dict = dataclasses.field(default_factory=dict)   # the last evaluation's
  final_metrics: dict = dataclasses.field(default_factory=dict)   # the final evaluation's
  final_protocol: dict = dataclasses.field(default_factory=dict)
  protocol: dict = dataclasses.field(default_factory=dict)   # the training evaluations'.


def describe_protocol(protocol):
  """'500 generated vs 500 real (train), classifier mnist_classifier sha256 3f2a…, ema
  generator, batch norm moving, IS 10 splits': how a score was taken, in one phrase."""
  pixels = set(protocol["metrics"]) <= set(scoring.PIXEL_METRICS)
  classifier = (("pixels" if pixels else "raw points") if protocol["classifier"] is None else
                f"classifier {os.path.basename(os.path.normpath(protocol['classifier']))} "
                f"sha256 {(protocol['classifier_sha256'] or 'unknown')[:12]}")
  trained = protocol.get("classifier_training")
  if trained and classifier.startswith("classifier "):   # train_classifier.py's record
    classifier += (f" (trained on {trained.get('dataset')}, {trained.get('samples')} samples, "
                   f"held-out accuracy {trained['held_out_accuracy']:.3f})")
  splits = (f", IS {protocol['inception_score_splits']} splits"
            if "inception_score" in protocol["metrics"] else "")
  distinct = protocol.get("real_distinct_samples", protocol["real_samples"])
  repeats = f", {distinct} distinct" if distinct != protocol["real_samples"] else ""
  return (f"{protocol['generated_samples']} generated vs {protocol['real_samples']} real "
          f"({protocol['real_split']}{repeats}), {classifier}, {protocol['generator']} "
          f"generator, batch norm {protocol['batch_norm']}{splits}")


def summary_line(result, *, replicas=1):
  """The one line a run ends with: steps, training time, the last evaluation's metrics,
  the final evaluation and its protocol, the export path."""
  metrics = callbacks_lib.format_scores(result.metrics)
  same = (result.protocol and result.final_protocol
          and describe_protocol(result.protocol) == describe_protocol(result.final_protocol))
  if metrics and result.protocol and not same:
    metrics += f" [{describe_protocol(result.protocol)}]"
  resumed = f" (resumed at step {result.resumed_from_step})" if result.resumed_from_step else ""
  final = (f"; final: {callbacks_lib.format_scores(result.final_metrics)} "
           f"[{'both: ' if same and metrics else ''}{describe_protocol(result.final_protocol)}]"
           if result.final_protocol else "")
  return (f"trained to step {result.final_step}{resumed} in {result.training_seconds:.0f} s "
          f"of training on {replicas} replica(s); {metrics or 'no evaluation'}{final}; "
          f"generator exported to {result.export_dir}")


def _regularizer(config):
  """method → (adversarial loss, critic regulariser); `config.loss` replaces the method's
  loss unless 'auto'."""
  loss, regularizer = {
      "wgan_clip": ("wasserstein", lambda: penalties.WeightClipping(config.clip_value)),
      "wgan_gp": ("wasserstein", penalties.GradientPenalty),
      "wgan_lp": ("wasserstein", lambda: penalties.LipschitzPenalty(
          config.lp_sampling, config.lp_perturbation_std)),
      "wwgan": ("wasserstein",
                lambda: penalties.Wasserstein2Penalty(config.gamma, config.w2_one_sided,
                                                      graph=config.wwgan_graph)),
      "dragan": ("non_saturating", penalties.DraganPenalty),
      "standard": ("non_saturating", penalties.NoPenalty),
      # Mescheder et al. 2018 train R1/R2 with the non-saturating loss (their §4).
      "r1": ("non_saturating", lambda: penalties.R1Penalty(every=config.penalty_every)),
      "r2": ("non_saturating", lambda: penalties.R2Penalty(every=config.penalty_every)),
  }[config.method]
  return (loss if config.loss == "auto" else config.loss), regularizer


GRADIENT_PENALTY_METHODS = ("wgan_gp", "wgan_lp", "wwgan", "dragan", "r1", "r2")


def build_networks(config, sample_shape):
  """Generator and critic for the config's network family and the data's sample shape;
  with `config.conditioning`, the family's conditional generator and the critic wrapped
  for 'projection' or 'acgan' (`tfwgan.conditioning`)."""
  classes = class_count(config)
  if config.resolved_network == "mlp":
    generator = networks.mlp_generator(config.latent_dim, sample_shape[0],
                                       hidden_units=config.hidden_units, num_classes=classes)
    critic = networks.mlp_critic(sample_shape[0], hidden_units=config.hidden_units)
  elif config.resolved_network == "resnet":   # width: base_filters (the authors' DIM)
    details = dict(width=config.base_filters, init=config.resnet_init,
                   norm_epsilon=config.resnet_norm_epsilon)
    generator = networks.resnet_generator(config.latent_dim, sample_shape, **details,
                                          num_classes=classes)
    critic = networks.resnet_critic(sample_shape, **details)
  else:
    # Batch norm mixes the samples whose per-sample gradients a penalty constrains; a
    # spectrally normalised critic has no other normalisation (SNGAN).
    normalization = ("none" if config.method in GRADIENT_PENALTY_METHODS
                     or config.spectral_norm != "none" else "batch")
    generator = networks.dcgan_generator(config.latent_dim, sample_shape,
                                         base_filters=config.base_filters, num_classes=classes)
    critic = networks.dcgan_critic(sample_shape, base_filters=config.base_filters,
                                   normalization=normalization)
  if classes:
    wrap = (conditioning.acgan_critic if config.conditioning == "acgan"
            else conditioning.projection_critic)
    critic = wrap(critic, classes)
  # After the conditioning: the projection's class embedding is normalised too (Miyato &
  # Koyama 2018).
  if config.spectral_norm != "none":
    critic = spectral_norm.apply(critic)
  if config.spectral_norm == "both":
    generator = spectral_norm.apply(generator)
  return generator, critic


def class_count(config):
  """The data's classes for a conditional config, else None."""
  if config.conditioning == "none":
    return None
  return data.class_count(config.dataset, data_dir=config.data_dir,
                          num_classes=config.num_classes)


def class_names(config):
  """The class names of a conditional config's data (folder names, tfds' names, else
  '0', '1', …), else None."""
  if config.conditioning == "none":
    return None
  return data.class_names(config.dataset, data_dir=config.data_dir,
                          num_classes=config.num_classes)


def data_line(config):
  """The run's first line: what it trains on; for a conditional run, its classes and
  how many samples each has."""
  line = data.describe(config.dataset, data_dir=config.data_dir, image_size=config.image_size,
                       split=config.eval_split)
  if config.conditioning == "none":
    return line
  counts = data.label_counts(config.dataset, data_dir=config.data_dir,
                             num_classes=config.num_classes, download=config.download)
  return f"{line.rstrip('.')}; {data.describe_classes(class_names(config), counts)}."


def class_conditioning(config):
  """The config's `tfwgan.conditioning.ClassConditioning`, or None."""
  if config.conditioning == "none":
    return None
  frequencies = None
  if config.label_distribution == "frequencies":
    frequencies = data.class_frequencies(config.dataset, data_dir=config.data_dir,
                                         download=config.download,
                                         num_classes=config.num_classes)
  return conditioning.ClassConditioning(
      class_count(config), config.conditioning, label_distribution=config.label_distribution,
      class_frequencies=frequencies, acgan_critic_weight=config.acgan_critic_weight,
      acgan_generator_weight=config.acgan_generator_weight)


def build_critic_terms(config):
  """LeCam (weight λ) and balanced consistency (both weights `consistency_weight`, T of
  `consistency_policy`), where their weights are above 0."""
  terms = []
  if config.lecam_weight:
    terms.append(critic_terms.LeCam(config.lecam_weight, decay=config.lecam_decay,
                                    one_sided=config.lecam_one_sided))
  if config.consistency_weight:
    terms.append(critic_terms.BalancedConsistency(
        real_weight=config.consistency_weight, fake_weight=config.consistency_weight,
        policy=config.consistency_policy))
  return terms


def build_gan(config, sample_shape, networks=None):
  """The compiled GAN of `config` (call inside a strategy scope to distribute it).

  `networks`: (config, sample_shape) → (generator, critic), your own Keras networks;
  default `build_networks` (tfwgan's MLP/DCGAN families).
  """
  loss, regularizer = _regularizer(config)
  proximal = None
  generator_steps = config.generator_steps
  if config.proximal == "rwp":
    proximal = proximal_lib.RWP(config.h, config.generator_steps, latents=config.rwp_latents,
                                distance=config.rwp_distance)
    generator_steps = None
  elif config.proximal == "sbe":
    proximal = proximal_lib.SBE(h=config.h, potential_steps=config.potential_steps,
                                generator_steps=config.generator_steps,
                                potential_objective_over_h=config.sbe_potential_over_h)
    generator_steps = None
  with precision.policy(config.precision):  # networks, anchor copy and potential
    generator, critic = (networks or build_networks)(config, sample_shape)
    ema = (None if config.ema_decay is None else
           ema_lib.GeneratorEMA(config.ema_decay, config.ema_start_step,
                                config.ema_statistics))
    gan = GAN(generator, critic, config.latent_dim, loss=loss, penalty=regularizer(),
              penalty_weight=config.penalty_weight, proximal=proximal,
              critic_steps=config.critic_steps, generator_steps=generator_steps,
              skip_nonfinite_updates=config.on_nan == "skip_batch",
              generator_batch_size=config.generator_batch_size, generator_ema=ema,
              seed=config.seed, conditioning=class_conditioning(config),
              augment=augment.DiffAugment(config.augment,
                                          penalty_points=config.augment_penalty_points,
                                          probability=config.augment_probability()),
              critic_terms=build_critic_terms(config))
  optimizer = presets.OptimizerSpec(config.optimizer, config.learning_rate, config.beta1,
                                    config.beta2, rho=config.rmsprop_rho,
                                    epsilon=config.optimizer_epsilon)
  rate = schedules.learning_rate(config.lr_decay, config.learning_rate,
                                 total_steps=config.train_steps, counter=gan.outer_iterations)
  gan.compile(generator_optimizer=optimizer.build(rate), critic_optimizer=optimizer.build(rate),
              potential_optimizer=optimizer.build(rate) if config.proximal == "sbe" else None,
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


def critic_steps_at(config, step):
  """Critic updates of outer iteration `step` (counted from 0): `warmup_critic_steps`
  during the first `warmup_generator_iterations` and at every `warmup_critic_every`-th
  iteration (WGAN's reference code: `gen_iterations < 25 or gen_iterations % 500 == 0`,
  gen_iterations being the generator updates done), else `critic_steps`."""
  warm = step < config.warmup_generator_iterations or (
      config.warmup_critic_every and step % config.warmup_critic_every == 0)
  return config.warmup_critic_steps if warm else config.critic_steps


def phases(config):
  """(first step, last step, critic steps) of each training phase: runs of outer
  iterations with the same number of critic updates (`critic_steps_at`)."""
  boundaries = {0, config.train_steps, min(config.warmup_generator_iterations,
                                            config.train_steps)}
  if config.warmup_critic_every:
    for start in range(0, config.train_steps, config.warmup_critic_every):
      boundaries.update((start, min(start + 1, config.train_steps)))
  phases = []
  edges = sorted(boundaries)
  for start, end in zip(edges, edges[1:]):
    steps = critic_steps_at(config, start)
    if phases and phases[-1][2] == steps:
      phases[-1] = (phases[-1][0], end, steps)
    else:
      phases.append((start, end, steps))
  return phases


def _phase_dataset(config, phase_index, phase_start, step, critic_steps):
  """The phase's data, continued at `step` (see `data.training_dataset` for which sources
  replay exactly)."""
  return data.training_dataset(
      config.dataset, batch_size=config.batch_size, critic_steps=critic_steps,
      seed=config.seed + phase_index, start=step - phase_start, data_dir=config.data_dir,
      download=config.download, image_size=config.image_size, channels=config.channels,
      labels=config.conditioning != "none", mirror=config.mirror_real)


def _markdown_table(values, header):
  return f"| {header} | value |\n|---|---|\n" + "\n".join(
      f"| {k} | {v} |" for k, v in sorted(values.items()))


def _write_config(writer, config, training_protocol, *, step):
  """The run's settings (text and HParams) and its training evaluations' protocol, at
  `step`, where this process starts training (the final evaluation's protocol is written
  at its own step, by `final_evaluation`)."""
  values = {k: (v if isinstance(v, (bool, int, float, str)) else str(v))
            for k, v in dataclasses.asdict(config).items()}
  with writer.as_default(step=step):
    tf.summary.text("config", _markdown_table(values, "flag"))
    write_protocol(writer, "training", training_protocol, step=step)
    hparams_api.hparams(values)
  writer.flush()


def write_protocol(writer, kind, protocol, *, step):
  """The `evaluation_protocol/<kind>` text at `step`, the step its scores start (training)
  or were taken (final), with that step in the table."""
  with writer.as_default(step=step):
    tf.summary.text(f"evaluation_protocol/{kind}",
                    _markdown_table({**protocol, "step": step}, "field"))


def real_outputs_cache_name(config, num_samples=None):
  """File name of the cached real classifier outputs: one per data source and split,
  image size, classifier (its name, feature layer and weights' SHA-256), sample count
  (default `num_eval_samples`; a folder/.npz dataset is identified by its path) and
  resize (when not 'bilinear')."""
  source = config.dataset.replace("/", "_")
  if config.dataset in data.FILE_DATASETS:
    path = files.absolute(config.data_dir or "")
    source += "_" + hashlib.sha1(path.encode()).hexdigest()[:12]
  else:
    source += "_" + config.eval_split
  classifier = "-".join([os.path.basename(os.path.normpath(config.classifier)),
                        config.feature_layer, (_classifier_sha256(config) or "unhashed")[:12]])
  size = f"{config.image_size or 'native'}x{config.channels}"
  count = num_samples or config.num_eval_samples
  resize = [] if config.eval_resize == "bilinear" else [config.eval_resize]  # older names stay
  return "-".join([source, size, classifier, str(count)] + resize) + ".npz"


def _classifier_sha256(config):
  """The classifier's weights fingerprint for the protocol; None (with a warning) when its
  files cannot be read although it loaded (e.g. TF-Hub's cache not resolvable here), and
  None for pixel-only scores."""
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  if not scoring.needs_classifier(config_metrics(config)):
    return None
  try:
    return classifiers.weights_sha256(config.classifier, inception_path=config.inception_path,
                                      dinov2_path=config.dinov2_path)
  except Exception as error:  # pylint: disable=broad-except  (hub, filesystems raise many kinds)
    logging.warning("classifier=%r: its weights could not be hashed for the protocol (%s).",
                    config.classifier, str(error).splitlines()[0][:200] if str(error) else
                    type(error).__name__)
    return None


def config_metrics(config):
  """The run's evaluation metrics (`eval_metrics`, or the defaults for its kind of data)."""
  return scoring.resolve_metrics(config.eval_metrics, points=config.dataset in data.TOY_DATASETS,
                                 logits=config.classifier != "dinov2",
                                 name="eval_metrics")


def load_classifier(config, sample_shape=None):
  """The FID/KID/IS classifier of `config`; a path that does not load, or a classifier
  that does not take `sample_shape`, is a one-line ValueError naming the flag."""
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  if not scoring.needs_classifier(config_metrics(config)):
    return classifiers.pixels_only   # SWD only: no classifier to load (offline machines)
  try:
    return classifiers.load_checked(config.classifier, feature_layer=config.feature_layer,
                                    inception_path=config.inception_path,
                                    dinov2_path=config.dinov2_path,
                                    sample_shape=sample_shape, resize=config.eval_resize)
  except ValueError as error:
    skip = (" (--final_eval_samples=0 skips the final evaluation that needs it.)"
            if config.final_eval_samples and not config.eval_every else "")
    raise ValueError(f"{error}{skip}") from error


def fid_callback(config, writer, clock, *, every_seconds=None, classifier=None):
  """The eval_metrics every eval_every steps (or every_seconds of training) against real
  outputs cached per dataset/classifier/size."""
  classifier = classifier or load_classifier(config)
  metrics = config_metrics(config)
  real = _real_outputs(config, classifier, config.num_eval_samples, metrics)
  return callbacks_lib.FIDCallback(writer, classifier, real,
                                   every=None if every_seconds else config.eval_every,
                                   every_seconds=every_seconds,
                                   num_samples=config.num_eval_samples, clock=clock,
                                   seed=config.seed, metrics=metrics,
                                   batch_norm=config.eval_batch_norm,
                                   inception_score_splits=config.inception_score_splits)


def _real_batches(config, num_samples):
  """The real samples scores compare with; with their labels for a conditional run (its
  intra-class FID)."""
  labelled = config.conditioning != "none"
  batches = data.evaluation_batches(config.dataset, num_samples=num_samples, seed=config.seed,
                                    data_dir=config.data_dir, download=config.download,
                                    image_size=config.image_size, channels=config.channels,
                                    split=config.eval_split, labels=labelled)
  return scoring.LabelledBatches(batches) if labelled else batches


def _real_outputs(config, classifier, num_samples, metrics):
  """The real split's classifier outputs at `num_samples`, cached per data and count."""
  cache_path = os.path.join(config.resolved_eval_cache_dir,
                            real_outputs_cache_name(config, num_samples))
  return scoring.real_outputs(_real_batches(config, num_samples), classifier,
                              num_samples=num_samples, cache_path=cache_path,
                              keep_images="swd" in metrics)


def evaluation_protocol(config, num_samples, classifier_sha256, real_available=None):
  """How the run's scores at `num_samples` are taken (recorded next to them)."""
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  toy = config.dataset in data.TOY_DATASETS
  metrics = config_metrics(config)
  pixels = not toy and not scoring.needs_classifier(metrics)
  return scoring.protocol(
      num_samples=num_samples, real_available=real_available,
      real_split=data.real_set_name(config.dataset, config.eval_split),
      classifier=None if toy or pixels else config.classifier,
      classifier_sha256=classifier_sha256,
      generator="live" if config.ema_decay is None else "ema",
      batch_norm=config.eval_batch_norm, inception_score_splits=config.inception_score_splits,
      metrics=metrics, seed=config.seed, resize=None if toy else config.eval_resize,
      classifier_training=None if toy or pixels else domain_classifier.stamp(config.classifier),
      num_classes=class_count(config),
      feature_extractor=classifiers.feature_extractor(config.classifier,
                                                      dinov2_path=config.dinov2_path))


FINAL_EVALUATION = "final_evaluation.json"


def final_evaluation(config, export_dir, *, classifier, protocol, writer, step):
  """Scores the export once at `final_eval_samples` (the preset's paper protocol): writes
  final/<metric> at `step` and <logdir>/final_evaluation.json; returns (scores, protocol)."""
  count = config.final_eval_samples
  toy = config.dataset in data.TOY_DATASETS
  metrics = config_metrics(config)
  generator = export.ExportedGenerator(export_dir)
  real = (_real_batches(config, count) if toy else
          _real_outputs(config, classifier, count, metrics))
  scores = scoring.evaluate(generator, real, classifier=classifier, num_samples=count,
                            seed=config.seed, metrics=metrics, too_few_per_class="skip",
                            inception_score_splits=config.inception_score_splits)
  with writer.as_default(step=step):
    for name, value in scores.items():
      tf.summary.scalar(f"final/{name}", value)
  write_protocol(writer, "final", protocol, step=step)
  writer.flush()
  files.write_json_atomically(f"{files.absolute(config.resolved_logdir)}/{FINAL_EVALUATION}",
                              {"step": step, "export_dir": export_dir, "scores": scores,
                               "protocol": protocol})
  return scores, protocol


RUN_CONFIG = export.RUN_CONFIG


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
  differing = config.identity_differences(files.read_json(recorded_path))
  if differing:
    raise ValueError(f"logdir={logdir!r}: holds a run with other settings "
                     f"{ {k: v[0] for k, v in differing.items()} }, not "
                     f"{ {k: v[1] for k, v in differing.items()} }; only "
                     f"{', '.join(config_lib.RESUME_SAFE_FIELDS)} may change on resume. Use "
                     "another --logdir or --run_name.")


CHECKPOINT_STATE = "checkpoint"  # CheckpointManager's state file, written after each save


def _checkpoint_number(name):
  """ckpt-12.index, ckpt-12_temp, ckpt-12.data-… → 12."""
  return name[len("ckpt-"):].split(".")[0].split("_")[0].rstrip("/")


def _move_aside(directory, names, prefix):
  """Moves the entries `names` of `directory` (files, or `_temp` directories of a save)
  into a fresh sibling <directory's parent>/<prefix><directory name>-*; returns it."""
  aside = files.unique_sibling(directory, prefix)
  files.gfile.makedirs(aside)
  for name in names:
    source, target = f"{directory}/{name.rstrip('/')}", f"{aside}/{name.rstrip('/')}"
    if files.gfile.isdir(source):
      files.move_tree(source, target)
    else:
      files.gfile.rename(source, target)
  return aside


def _set_aside_incomplete_first_checkpoint(logdir, directory, leftovers):
  """Moves the files of a first save that never finished out of the way; returns where.

  CheckpointManager writes the state file (atomically) only after a save's files are
  complete, so with no state file no save of this directory ever finished: the files
  are provably incomplete. Moved, not deleted.
  """
  aside = _move_aside(directory, leftovers, "incomplete-")
  logging.warning("logdir=%r: the first checkpoint (%s) was never completed (the run was "
                  "stopped while saving it); moved it to %s and starting from step 0.",
                  logdir, ", ".join(sorted(leftovers)), aside)
  return aside


def _restore_latest(checkpoint, config):
  """Restores the logdir's latest checkpoint (its path, or None); a foreign or
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
      return None
    numbers = {_checkpoint_number(name) for name in leftovers}
    if files.gfile.exists(f"{directory}/{CHECKPOINT_STATE}") or len(numbers) != 1:
      raise ValueError(f"logdir={logdir!r}: has checkpoint files but no readable checkpoint "
                       "state; refusing to start over on top of them.")
    _set_aside_incomplete_first_checkpoint(logdir, directory, leftovers)
    return None
  try:
    checkpoint.restore(latest).assert_existing_objects_matched()
  except Exception as error:  # pylint: disable=broad-except  (TF raises many kinds here)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    intact = intact_checkpoints(directory, exclude=latest)
    how = (f" Intact older checkpoints: {', '.join(intact)}; to continue from one, run "
           f"launchers/rewind.py --logdir={logdir} --checkpoint={intact[0]} (moves the newer "
           "ones aside, deletes nothing), then rerun." if intact else
           " No intact older checkpoint.")
    raise ValueError(f"logdir={logdir!r}: checkpoint {os.path.basename(latest)} does not fit "
                     f"this run or is damaged ({first_line[:300]}).{how}") from error
  return latest


def _readable(path):
  """True if every tensor of the checkpoint at `path` reads back."""
  try:
    reader = tf.train.load_checkpoint(path)
    for name in reader.get_variable_to_shape_map():
      reader.get_tensor(name)
    return True
  except Exception:  # pylint: disable=broad-except  (truncated files raise many kinds)
    return False


def intact_checkpoints(directory, *, exclude=None):
  """Names of the readable checkpoints the state file of `directory` lists, newest first."""
  state = tf.train.get_checkpoint_state(directory)
  paths = list(state.all_model_checkpoint_paths) if state else []
  names = [os.path.basename(path) for path in reversed(paths)]
  return [name for name in names if name != os.path.basename(exclude or "")
          and _readable(f"{directory}/{name}")]


def rewind(logdir, checkpoint_name):
  """Makes `checkpoint_name` (e.g. 'ckpt-8') the latest checkpoint of `logdir`: the newer
  ones are moved into <logdir>/set-aside-checkpoints-*, nothing is deleted. Returns where."""
  directory = f"{files.absolute(logdir)}/{CHECKPOINT_SUBDIR}"
  state = tf.train.get_checkpoint_state(directory)
  names = [os.path.basename(path) for path in (state.all_model_checkpoint_paths if state else [])]
  if checkpoint_name not in names or not _readable(f"{directory}/{checkpoint_name}"):
    raise ValueError(f"checkpoint={checkpoint_name!r}: not an intact checkpoint of "
                     f"{directory}; intact: {intact_checkpoints(directory)}.")
  keep = names[:names.index(checkpoint_name) + 1]
  newer = {_checkpoint_number(name) for name in names[len(keep):]}
  aside = _move_aside(directory, [name for name in files.gfile.listdir(directory)
                                  if name.startswith("ckpt-")
                                  and _checkpoint_number(name) in newer], "set-aside-")
  tf.compat.v1.train.update_checkpoint_state(
      directory, f"{directory}/{checkpoint_name}",
      all_model_checkpoint_paths=[f"{directory}/{name}" for name in keep])
  return aside


def check_writable_paths(config, *, chief, evaluates_images):
  """The directories the run writes, each a one-line ValueError naming its flag when it
  cannot be written (a read-only mount, say), before anything is read or built: the
  chief's logdir and export directory, and the evaluation cache of an image run."""
  paths = {"logdir": config.resolved_logdir, "export_dir": config.resolved_export_dir}
  if not chief:
    paths = {}
  if evaluates_images:
    paths["eval_cache_dir"] = config.resolved_eval_cache_dir
  for name, path in paths.items():
    files.check_writable(path, name=name)


def run(config, strategy=None, networks=None):
  """Trains (or resumes) the run of `config` in its logdir, then exports the generator.

  `networks`: your own generator and critic, as in `build_gan`; everything else (data,
  checkpoints, resume, summaries, evaluation, export) is the launcher's.

  Under `strategy` (default: the current one) the model and optimizers are built in
  its scope. Under MultiWorkerMirroredStrategy every task trains, but only the chief
  writes into the logdir and the export; the others write to a temporary directory.
  """
  config.validate()
  strategy = strategy or tf.distribute.get_strategy()
  distribution.check_batch(config.batch_size, strategy)
  if config.generator_batch_size is not None:
    distribution.check_batch(config.generator_batch_size, strategy, name="generator_batch_size")
  chief = distribution.is_chief(strategy)
  evaluates_images = config.dataset not in data.TOY_DATASETS and (
      config.eval_every or config.final_eval_samples)
  check_writable_paths(config, chief=chief, evaluates_images=evaluates_images)
  # Opening the data (lazily: no sample is read) fails on missing or unprepared data
  # before anything is built or written; so do too few samples and a bad classifier.
  _phase_dataset(config, 0, 0, 0, config.critic_steps)
  class_count(config)   # labels: 0 … K−1 each present (or below --num_classes), before any work
  most_critic_steps = max(config.critic_steps, config.warmup_critic_steps)
  data.check_sample_count(config.dataset, data_dir=config.data_dir,
                          samples_needed=config.batch_size * most_critic_steps)
  real_available = data.sample_count(config.dataset, data_dir=config.data_dir,
                                     split=config.eval_split)
  if config.final_eval_samples and real_available is not None and (
      config.final_eval_samples > real_available):
    raise ValueError(f"final_eval_samples={config.final_eval_samples}: more than the "
                     f"{real_available} samples of the real set "
                     f"({data.real_set_name(config.dataset, config.eval_split)}), which the "
                     "final evaluation would repeat; use at most that many (0 skips it).")
  classifier = load_classifier(config, config.sample_shape) if evaluates_images else None
  classifier_sha256 = (_classifier_sha256(config) if evaluates_images else None)
  if chief:   # the data line and the progress bar on the chief's console only
    logging.info("%s", data_line(config))
    return _train(config, strategy, networks, config.resolved_logdir, chief=True,
                  classifier=classifier, classifier_sha256=classifier_sha256,
                  real_available=real_available)
  distribution.remove_stale_scratch_directories()
  scratch = distribution.make_scratch_directory()   # the non-chief's checkpoints, export
  try:
    return _train(config, strategy, networks, scratch, chief=False, classifier=classifier,
                  classifier_sha256=classifier_sha256, real_available=real_available)
  finally:
    files.remove_tree(scratch)


def _train(config, strategy, networks, logdir, *, chief, classifier, classifier_sha256,
           real_available):
  """`run` after its checks: builds, restores, trains, exports, evaluates. `logdir` is
  the run's (chief) or a scratch directory (other multi-worker tasks)."""
  if chief:
    for path in export.recover_interrupted_export(config.resolved_export_dir):
      logging.info("Removed the leftovers of an interrupted export: %s", path)
  keras.utils.set_random_seed(config.seed)
  if config.deterministic:
    tf.config.experimental.enable_op_determinism()
  sample_shape = config.sample_shape
  with strategy.scope():
    gan = build_gan(config, sample_shape, networks)
    clock = callbacks_lib.Clock()
  checkpoint = tf.train.Checkpoint(**gan.checkpoint_items(), elapsed_seconds=clock.variable)
  manager = tf.train.CheckpointManager(checkpoint, os.path.join(logdir, CHECKPOINT_SUBDIR),
                                       max_to_keep=3)
  restored = _restore_latest(checkpoint, config)
  if restored:
    logging.info("Resuming %s at step %d from checkpoint %s.", config.resolved_logdir,
                 int(gan.outer_iterations.numpy()), restored)
    # A constant learning rate is checkpointed optimizer state; the flags' value wins on
    # resume. A schedule is built from the flags and keyed on the restored step.
    for optimizer in (gan.generator_optimizer, gan.critic_optimizer, gan.potential_optimizer):
      if optimizer is not None and config.lr_decay == "none":
        optimizer.learning_rate = config.learning_rate
  if chief:
    _record_run_config(config)
  resumed_from = int(gan.outer_iterations.numpy())
  writer = tf.summary.create_file_writer(logdir)
  protocols = {"training": evaluation_protocol(config, config.num_eval_samples,
                                               classifier_sha256, real_available)}
  if config.final_eval_samples:
    protocols["final"] = evaluation_protocol(config, config.final_eval_samples,
                                             classifier_sha256, real_available)
  _write_config(writer, config, protocols["training"], step=resumed_from)
  clock.start()
  summaries = [callbacks_lib.ScalarSummaries(writer, clock)]
  if config.dataset in data.TOY_DATASETS:
    summaries.append(callbacks_lib.ToySummaries(
        writer, lambda n, step: data.sample_toy(config.dataset, n, [config.seed, step + 1]),
        num_samples=config.num_eval_samples, every=config.eval_every or config.log_every,
        metrics=config.eval_metrics))
  else:
    summaries.append(callbacks_lib.ImageSummaries(writer, config.latent_dim, seed=config.seed,
                                                  batch_norm=config.eval_batch_norm))
    if config.eval_every:
      summaries.append(fid_callback(config, writer, clock, classifier=classifier))
  # A SIGTERM (preemption notice) from here on: during training, every task checkpoints at
  # the current outer iteration and stops; during the export and the final evaluation,
  # they finish first.
  progress = callbacks_lib.OuterIterationProgress(config.train_steps,
                                                  config.verbose if chief else 0)
  with callbacks_lib.PreemptionNotice() as notice:
    for index, (start, end, critic_steps) in enumerate(phases(config)):
      step = int(gan.outer_iterations.numpy())
      if step >= end:
        continue
      gan.set_critic_steps(critic_steps)
      dataset = _phase_dataset(config, index, start, step, critic_steps)
      checkpointing = callbacks_lib.Checkpointing(manager, clock, config.checkpoint_every)
      preemption = callbacks_lib.PreemptionCheckpoint(notice, checkpointing, strategy)
      gan.fit(dataset, shuffle=False, epochs=math.ceil((end - step) / config.log_every),
              steps_per_epoch=config.log_every, verbose=0,
              # The notice is agreed on last, after the iteration's summaries and
              # evaluation: one that arrives during them stops at this iteration.
              callbacks=[callbacks_lib.StopAtStep(end), callbacks_lib.NonFiniteGuard(),
                         checkpointing, progress, *summaries, preemption])
      if preemption.step is not None:   # before collecting the iterator (next line):
        writer.close()                  # 6–7 s of a two-worker stop went there
        raise callbacks_lib.Preempted(preemption.step)
      # fit leaves its tf.data iterator (not the dataset) in a reference cycle, prefetch
      # threads running. Collected here, not at interpreter exit (where its teardown
      # stalled 36 s in 2 of 10 measured runs).
      gc.collect()
    final_step = int(gan.outer_iterations.numpy())
    callbacks_lib.check_finite_weights({"generator": gan.generator})
    export_dir = config.resolved_export_dir if chief else os.path.join(logdir, "export")
    export_dir = export.export_generator(
        gan.sampling_generator(), export_dir, latent_dim=config.latent_dim,
        batch_norm=config.eval_batch_norm, seed=config.seed, num_classes=gan.num_classes,
        metadata={"method": config.method, "dataset": config.dataset,
                  "proximal": config.proximal, "step": final_step,
                  **({"class_names": class_names(config)} if gan.num_classes else {}),
                  "config": dataclasses.asdict(config)})
    final_scores, final_protocol = {}, {}
    if config.final_eval_samples and chief:
      final_scores, final_protocol = final_evaluation(
          config, export_dir, classifier=classifier, protocol=protocols["final"],
          writer=writer, step=final_step)
  writer.close()
  evaluations = [callback.results for callback in summaries
                 if isinstance(callback, (callbacks_lib.ToySummaries, callbacks_lib.FIDCallback))]
  last = evaluations[0][max(evaluations[0])] if evaluations and evaluations[0] else {}
  return RunResult(gan, export_dir, resumed_from, final_step,
                   training_seconds=float(clock.variable.numpy()),
                   metrics={k: v for k, v in last.items() if k != "training_seconds"},
                   final_metrics=final_scores, final_protocol=final_protocol,
                   protocol=protocols["training"])
