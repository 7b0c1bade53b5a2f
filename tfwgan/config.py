"""The run configuration: a frozen dataclass that flags or code fill, checked before any work."""

import dataclasses
import hashlib
import json
import os
import re
import tempfile

import tensorflow as tf

from tfwgan import ada
from tfwgan import augment as augment_lib
from tfwgan import conditioning as conditioning_lib
from tfwgan import data
from tfwgan import ema
from tfwgan import losses
from tfwgan import networks
from tfwgan import penalties
from tfwgan import precision
from tfwgan import presets
from tfwgan import proximal
from tfwgan import sampling
from tfwgan import schedules
from tfwgan.evaluation import resize
from tfwgan.evaluation import scoring
from tfwgan.validation import integer_at_least
from tfwgan.validation import number_at_least
from tfwgan.validation import one_of
from tfwgan.validation import positive_number

NETWORKS = ("auto", "mlp", "dcgan", "resnet")
SPECTRAL_NORMS = ("none", "critic", "both")   # which networks tfwgan.spectral_norm.apply wraps
LOSSES = ("auto",) + losses.NAMES   # auto: the method's own (training._regularizer)
LAZY_PENALTIES = ("r1", "r2")   # methods whose penalty can be lazy (penalty_every > 1)
CONDITIONINGS = ("none",) + conditioning_lib.CRITICS
ON_NAN = ("stop", "skip_batch")
JIT_COMPILE = ("auto", "on", "off")
# Fields a resumed run may change: how long it runs, its learning rate (which applies
# on resume), what a NaN does (the stop message proposes skip_batch), how often it logs,
# checkpoints and evaluates (and with which metrics), and where files go. Every other field
# is part of the run's identity: resuming with another value is an error.
RESUME_SAFE_FIELDS = ("train_steps", "learning_rate", "on_nan", "log_every",
                      "checkpoint_every", "eval_every", "eval_metrics", "eval_split",
                      "eval_batch_norm", "inception_score_splits", "final_eval_samples",
                      "verbose", "run_name", "logdir", "export_dir", "eval_cache_dir",
                      "download")
PATH_FIELDS = ("data_dir", "logdir", "export_dir", "eval_cache_dir", "classifier",
               "inception_path", "dinov2_path")
_VALUE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                              "._-+")
_LONGEST_VALUE = 32          # longer values are named by a hash
_LONGEST_SUFFIX = 200        # a file name stays under the usual 255-byte limit


def _short_hash(value):
  return hashlib.sha1(str(value).encode()).hexdigest()[:8]


def _name_part(field, value):
  """`field=value` for a run name: a path by its last component and a hash of the whole
  path; a value too long or with other characters by a hash."""
  if field in PATH_FIELDS and isinstance(value, str):
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(value.rstrip("/")))[:24]
    return f"{field}={stem or 'root'}_{_short_hash(value)}"
  # A list, or a comma-separated one (--augment=translation,cutout), joined with '+'.
  text = ("+".join(map(str, value)) if isinstance(value, (list, tuple))
          else str(value).replace(",", "+"))
  if len(text) > _LONGEST_VALUE or not set(text) <= _VALUE_CHARACTERS:
    return f"{field}=h{_short_hash(text)}"
  return f"{field}={text}"


def run_name_with_overrides(base, overrides):
  """`base`, plus a suffix naming the identity fields that `overrides` changed, so an
  overridden preset never lands in (and resumes) the base run's logdir.

  `wgan_lp_swissroll` + {penalty_weight: 5.0} → `wgan_lp_swissroll-penalty_weight=5.0`;
  a path is named by its last component and a hash (`data_dir=faces_1a2b3c4d`), a list
  (or a comma-separated one) with its items joined by '+' (`augment=translation+cutout`), a
  value over 32 characters or with characters other than letters, digits and `._-+` by a
  hash; past 200 characters, the
  remaining changes by one hash (`…,and_4_more_1a2b3c4d`).
  """
  changed = {k: v for k, v in sorted(overrides.items()) if k not in RESUME_SAFE_FIELDS}
  if not changed:
    return base
  parts = [_name_part(k, v) for k, v in changed.items()]
  suffix = ",".join(parts)
  if len(suffix) > _LONGEST_SUFFIX:   # the first changes by name, the rest by one hash
    kept = []
    while len(",".join(kept + [parts[len(kept)]])) <= _LONGEST_SUFFIX - 30:
      kept.append(parts[len(kept)])
    rest = json.dumps(dict(list(changed.items())[len(kept):]), sort_keys=True, default=str)
    suffix = ",".join(kept + [f"and_{len(parts) - len(kept)}_more_{_short_hash(rest)}"])
  return f"{base}-{suffix}"


@dataclasses.dataclass(frozen=True)
class RunConfig:
  """Everything `tfwgan.training.run` needs. Field names are the launcher's flag names."""

  run_name: str = "run"
  method: str = "wgan_lp"
  loss: str = "auto"
  dataset: str = "8gaussians"
  data_dir: str | None = None
  download: bool = False
  image_size: int | None = None
  channels: int = 3
  network: str = "auto"
  spectral_norm: str = "none"
  hidden_units: int = 512
  base_filters: int = 64
  resnet_init: str = "authors"
  resnet_norm_epsilon: float = 1e-5
  latent_dim: int = 2
  batch_size: int = 256
  generator_batch_size: int | None = None
  critic_steps: int = 5
  generator_steps: int = 1
  penalty_weight: float = 10.0
  penalty_every: int = 1
  lecam_weight: float = 0.0
  lecam_decay: float = 0.99
  lecam_one_sided: bool = False
  consistency_weight: float = 0.0
  consistency_policy: str = "translation,flip"
  gamma: float = 1.0
  w2_one_sided: bool = False
  wwgan_graph: str = "diamond"
  clip_value: float = 0.01
  lp_sampling: str = "interpolate"
  lp_perturbation_std: float = penalties.DEFAULT_PERTURBATION_STD
  proximal: str = "rwp"
  h: float = 0.1
  rwp_latents: str = "per_step"
  rwp_distance: str = "sum"
  potential_steps: int = 5
  sbe_potential_over_h: bool = True
  conditioning: str = "none"
  label_distribution: str = "uniform"
  num_classes: int | None = None
  acgan_critic_weight: float = 1.0
  acgan_generator_weight: float = 0.1
  augment: str = ""
  augment_penalty_points: str = "original"
  augment_p: float | None = None
  ada_target: float | None = None
  ada_speed_images: int = ada.SPEED_IMAGES
  mirror_real: bool = False
  optimizer: str = "adam"
  learning_rate: float = 1e-4
  beta1: float = 0.5
  beta2: float = 0.9
  rmsprop_rho: float = 0.9
  optimizer_epsilon: float = 1e-7
  lr_decay: str = "none"
  ema_decay: float | None = None
  ema_start_step: int = 0
  ema_statistics: str = "copy"
  warmup_critic_steps: int = 0
  warmup_generator_iterations: int = 0
  warmup_critic_every: int = 0
  train_steps: int = 2000
  log_every: int = 100
  checkpoint_every: int = 500
  num_eval_samples: int = 500
  eval_every: int = 0
  eval_metrics: tuple[str, ...] | None = None
  eval_split: str = "train"
  eval_batch_norm: str = "moving"
  inception_score_splits: int = 10
  final_eval_samples: int = 0
  classifier: str = "inception"
  inception_path: str | None = None
  dinov2_path: str | None = None
  feature_layer: str = "features"
  eval_resize: str = "bilinear"
  eval_cache_dir: str | None = None
  seed: int = 0
  deterministic: bool = False
  precision: str = "float32"
  jit_compile: str = "auto"
  on_nan: str = "stop"
  logdir: str | None = None
  export_dir: str | None = None
  verbose: int = 1

  def __post_init__(self):
    if isinstance(self.eval_metrics, list):   # from a list flag
      object.__setattr__(self, "eval_metrics", tuple(self.eval_metrics))
    # `~` in a path, which the shell does not expand after `--flag=`.
    for name in PATH_FIELDS:
      value = getattr(self, name)
      if isinstance(value, str) and value.startswith("~"):
        object.__setattr__(self, name, os.path.expanduser(value))

  @classmethod
  def from_preset(cls, name, **overrides):
    """The config of a paper preset, with `overrides` (None values are ignored).

    `name` None: `presets.default_name` of the dataset (the toy default, or the image
    default for image data). A toy preset (2-D MLPs) with image data is a ValueError.
    """
    dataset, data_dir = overrides.get("dataset"), overrides.get("data_dir")
    if isinstance(data_dir, str) and data_dir.startswith("~"):
      data_dir = os.path.expanduser(data_dir)
    preset = presets.get(presets.default_name(dataset, data_dir=data_dir) if name is None
                         else name)
    if (preset.dataset in data.TOY_DATASETS and dataset is not None
        and data.holds_images(dataset, data_dir=data_dir)):
      raise ValueError(
          f"preset={preset.name!r}: a 2-D toy setting (MLPs, latent_dim={preset.latent_dim}) "
          f"cannot train on images (dataset={dataset!r}); leave --preset out for the image "
          f"default ({presets.IMAGE_DEFAULT_PRESET}) or name an image preset "
          "(--list_presets).")
    fields = {
        "run_name": preset.name, "method": preset.method, "dataset": preset.dataset, "latent_dim": preset.latent_dim,
        "batch_size": preset.batch_size, "critic_steps": preset.critic_steps,
        "generator_steps": preset.generator_steps, "penalty_weight": preset.penalty_weight,
        "gamma": preset.gamma,
        "clip_value": preset.clip_value, "proximal": preset.proximal,
        "h": preset.h if preset.proximal != "none" else cls.h,
        "rwp_latents": preset.rwp_latents, "rwp_distance": preset.rwp_distance,
        "lp_sampling": preset.lp_sampling, "lp_perturbation_std": preset.lp_perturbation_std,
        "potential_steps": preset.potential_steps or cls.potential_steps,
        "optimizer": preset.optimizer.name, "learning_rate": preset.optimizer.learning_rate,
        "beta1": preset.optimizer.beta_1, "beta2": preset.optimizer.beta_2,
        "rmsprop_rho": preset.optimizer.rho, "optimizer_epsilon": preset.optimizer.epsilon,
        "warmup_critic_steps": preset.warmup_critic_steps,
        "warmup_generator_iterations": preset.warmup_generator_iterations,
        "warmup_critic_every": preset.warmup_critic_every,
        "final_eval_samples": preset.final_eval_samples, "eval_split": preset.eval_split,
        "eval_batch_norm": preset.eval_batch_norm,
        "train_steps": preset.train_steps, "network": preset.network,
        "base_filters": preset.base_filters or cls.base_filters,
        "generator_batch_size": preset.generator_batch_size, "lr_decay": preset.lr_decay,
        "ema_decay": preset.ema_decay, "ema_start_step": preset.ema_start_step,
        "conditioning": preset.conditioning, "augment": preset.augment,
        "loss": preset.loss, "spectral_norm": preset.spectral_norm,
        "penalty_every": preset.penalty_every, "classifier": preset.classifier,
    }
    given = {k: os.path.expanduser(v) if k in PATH_FIELDS and isinstance(v, str) else v
             for k, v in overrides.items() if v is not None}   # ~/x and /home/u/x: one run
    changed = {k: v for k, v in given.items()
               if v != fields.get(k, cls.__dataclass_fields__[k].default)}
    fields.update(given)
    if "run_name" not in given:
      fields["run_name"] = run_name_with_overrides(preset.name, changed)
    return cls(**fields)

  @property
  def resolved_network(self):
    if self.network != "auto":
      return self.network
    return "mlp" if self.dataset in data.TOY_DATASETS else "dcgan"

  @property
  def sample_shape(self):
    return data.sample_shape(self.dataset, data_dir=self.data_dir,
                             image_size=self.image_size, channels=self.channels)

  @property
  def resolved_logdir(self):
    return self.logdir or os.path.join(tempfile.gettempdir(), "tfwgan", self.run_name)

  @property
  def resolved_eval_cache_dir(self):
    return self.eval_cache_dir or os.path.join(tempfile.gettempdir(), "tfwgan", "eval_cache")

  @property
  def resolved_export_dir(self):
    """--export_dir, else <logdir>/export: a run writes nothing outside its logdir."""
    return self.export_dir or f"{self.resolved_logdir.rstrip('/')}/export"

  def identity_differences(self, recorded):
    """{field: (recorded value, this value)} for the identity fields (all but
    RESUME_SAFE_FIELDS) where `recorded` (a run's run_config.json) differs. Fields an
    older record lacks are not compared."""
    mine = dataclasses.asdict(self)
    return {name: (recorded[name], value) for name, value in mine.items()
            if name not in RESUME_SAFE_FIELDS and name in recorded and recorded[name] != value}

  def validate(self):
    """Raises ValueError naming the first bad field and what it allows. Reads no data."""
    one_of("method", self.method, presets.METHODS)
    one_of("loss", self.loss, LOSSES)
    one_of("dataset", self.dataset, data.DATASETS)
    one_of("network", self.network, NETWORKS)
    one_of("spectral_norm", self.spectral_norm, SPECTRAL_NORMS)
    one_of("proximal", self.proximal, presets.PROXIMALS)
    one_of("optimizer", self.optimizer, presets.OPTIMIZERS)
    one_of("lp_sampling", self.lp_sampling, penalties.LP_SAMPLINGS)
    one_of("rwp_latents", self.rwp_latents, proximal.LATENTS)
    one_of("rwp_distance", self.rwp_distance, proximal.DISTANCES)
    one_of("on_nan", self.on_nan, ON_NAN)
    one_of("lr_decay", self.lr_decay, schedules.LR_DECAYS)
    one_of("ema_statistics", self.ema_statistics, ema.STATISTICS)
    one_of("eval_batch_norm", self.eval_batch_norm, sampling.BATCH_NORM_MODES)
    one_of("eval_split", self.eval_split, data.EVAL_SPLITS)
    one_of("eval_resize", self.eval_resize, resize.RESIZES)
    one_of("resnet_init", self.resnet_init, networks.RESNET_INITS)
    one_of("wwgan_graph", self.wwgan_graph, penalties.W2_GRAPHS)
    one_of("conditioning", self.conditioning, CONDITIONINGS)
    one_of("label_distribution", self.label_distribution, conditioning_lib.LABEL_DISTRIBUTIONS)
    one_of("augment_penalty_points", self.augment_penalty_points, augment_lib.PENALTY_POINTS)
    augment_lib.parse_policy(self.augment)
    self.augment_probability()
    number_at_least("acgan_critic_weight", self.acgan_critic_weight)
    number_at_least("acgan_generator_weight", self.acgan_generator_weight)
    toy = self.dataset in data.TOY_DATASETS
    metrics = scoring.resolve_metrics(self.eval_metrics, points=toy, name="eval_metrics",
                                      logits=self.classifier != "dinov2")
    if toy or self.eval_every:
      scoring.check_sample_count(metrics, self.num_eval_samples, name="num_eval_samples")
    if self.final_eval_samples:
      scoring.check_sample_count(metrics, self.final_eval_samples, name="final_eval_samples")
    if self.generator_batch_size is not None:
      integer_at_least("generator_batch_size", self.generator_batch_size, 1)
    if self.spectral_norm == "both" and self.ema_decay is not None:
      raise ValueError(f"ema_decay={self.ema_decay!r}: not with spectral_norm='both' (the "
                       "average's σ would use the live generator's power-iteration vectors).")
    if self.num_classes is not None:
      integer_at_least("num_classes", self.num_classes, 2)
    if self.ema_decay is not None and not 0.0 <= self.ema_decay < 1.0:
      raise ValueError(f"ema_decay={self.ema_decay!r}: must be a number in [0, 1) (or unset "
                       "for no generator EMA).")
    one_of("jit_compile", self.jit_compile, JIT_COMPILE)
    one_of("precision", self.precision, precision.PRECISIONS)
    for name in ("latent_dim", "batch_size", "critic_steps", "generator_steps", "penalty_every",
                 "potential_steps", "train_steps", "log_every", "checkpoint_every",
                 "hidden_units", "base_filters", "num_eval_samples",
                 "inception_score_splits"):
      integer_at_least(name, getattr(self, name), 1)
    for name in ("warmup_critic_steps", "warmup_generator_iterations", "seed", "verbose",
                 "eval_every", "ema_start_step", "warmup_critic_every",
                 "final_eval_samples"):
      integer_at_least(name, getattr(self, name), 0)
    number_at_least("penalty_weight", self.penalty_weight)
    number_at_least("lecam_weight", self.lecam_weight)
    if not 0.0 < self.lecam_decay < 1.0:
      raise ValueError(f"lecam_decay={self.lecam_decay!r}: must be a number in (0, 1).")
    number_at_least("consistency_weight", self.consistency_weight)
    if not augment_lib.parse_policy(self.consistency_policy):
      raise ValueError(f"consistency_policy={self.consistency_policy!r}: needs at least one "
                       f"of {list(augment_lib.POLICIES)}.")
    number_at_least("gamma", self.gamma)
    for name in ("learning_rate", "clip_value", "lp_perturbation_std", "optimizer_epsilon",
                 "resnet_norm_epsilon"):
      positive_number(name, getattr(self, name))
    if not 0.0 <= self.rmsprop_rho < 1.0:
      raise ValueError(f"rmsprop_rho={self.rmsprop_rho!r}: must be a number in [0, 1).")
    if self.proximal != "none" and not self.h > 0:
      raise ValueError(f"h={self.h!r}: must be a number > 0 with proximal={self.proximal!r}.")
    self.check_data_source()
    self._check_networks_fit_data()

  def augment_probability(self):
    """DiffAugment's `probability`: None (every op always), `augment_p`, or ADA's adaptive
    p (`ada_target` set; `augment_p` its start, default 0)."""
    if self.ada_target is None:
      return augment_lib.check_probability(self.augment_p)
    return ada.AdaptiveProbability(self.ada_target, speed_images=self.ada_speed_images,
                                   initial=self.augment_p or 0.0)

  def _data_dir_kind(self):
    """'folder', 'file' or None (absent), asked of the path's filesystem (gs:// too); an
    unreachable filesystem is a one-line error naming the flag."""
    try:
      if not tf.io.gfile.exists(self.data_dir):
        return None
      return "folder" if tf.io.gfile.isdir(self.data_dir) else "file"
    except tf.errors.OpError as error:
      reason = (error.message.strip().splitlines() or [""])[0][:200]
      raise ValueError(f"data_dir={self.data_dir!r}: cannot be read ({reason}).") from error

  def check_data_source(self):
    """The data part of `validate`: the source exists and its options fit it."""
    if self.dataset in ("folder", "npz"):
      if not self.data_dir:
        raise ValueError(f"data_dir: required with dataset={self.dataset!r}.")
      expected = "folder" if self.dataset == "folder" else "file"
      if self._data_dir_kind() != expected:
        kind = "a directory of images" if self.dataset == "folder" else "an .npz file"
        raise ValueError(f"data_dir={self.data_dir!r}: not found; dataset={self.dataset!r} "
                         f"needs {kind}.")
      if self.dataset == "npz" and not data.holds_images(self.dataset, data_dir=self.data_dir):
        raise ValueError(f"data_dir={self.data_dir!r}: holds [samples, features] points; the "
                         "launcher trains and evaluates images from an .npz ([samples, height, "
                         "width, 1 or 3 channels]) and 2-D points from the toy sets; train "
                         "other points with the Python API (README: 'Use').")
    elif self.data_dir is not None and self._data_dir_kind() != "folder":
      raise ValueError(f"data_dir={self.data_dir!r}: not a directory (tfds data_dir).")
    if self.eval_split != "train" and self.dataset not in data.TFDS_DATASETS:
      raise ValueError(f"eval_split={self.eval_split!r}: only tfds datasets have splits; "
                       f"dataset={self.dataset!r} is scored against its one set ('train').")
    if self.dataset == "folder":
      one_of("image_size", self.image_size, networks.DCGAN_SIZES)
      one_of("channels", self.channels, (1, 3))

  def _check_networks_fit_data(self):
    shape = self.sample_shape
    if self.resolved_network in ("dcgan", "resnet"):
      sizes = networks.DCGAN_SIZES if self.resolved_network == "dcgan" else networks.RESNET_SIZES
      if len(shape) != 3 or shape[0] != shape[1] or shape[0] not in sizes:
        raise ValueError(f"network={self.resolved_network!r}: cannot make samples of shape "
                         f"{shape} (dataset={self.dataset!r}); allowed image sizes are "
                         f"{sizes}.")
    elif self.method == "wwgan":
      raise ValueError(f"method='wwgan': its W2 norm lives on a pixel grid; dataset="
                       f"{self.dataset!r} has samples of shape {shape}.")
    elif len(shape) != 1:
      raise ValueError(f"network='mlp': makes flat vectors, but dataset={self.dataset!r} has "
                       f"samples of shape {shape}; use network='dcgan'.")
    if self.consistency_weight and len(shape) != 3:
      raise ValueError(f"consistency_weight={self.consistency_weight}: consistency "
                       f"regularisation transforms images; dataset={self.dataset!r} has "
                       f"samples of shape {shape}.")
    if self.mirror_real and len(shape) != 3:
      raise ValueError(f"mirror_real: mirrors images; dataset={self.dataset!r} has samples "
                       f"of shape {shape}.")
    if self.augment and len(shape) != 3:
      raise ValueError(f"augment={self.augment!r}: DiffAugment transforms images; dataset="
                       f"{self.dataset!r} has samples of shape {shape}.")
    if self.conditioning != "none":
      data.check_labelled(self.dataset)
    self._check_unused_options()

  def _check_unused_options(self):
    """Options of a feature that is off are refused rather than silently ignored."""
    defaults = {field.name: field.default for field in dataclasses.fields(self)}
    needs = {"label_distribution": ("conditioning", self.conditioning != "none"),
             "num_classes": ("conditioning", self.conditioning != "none"),
             "acgan_critic_weight": ("conditioning=acgan", self.conditioning == "acgan"),
             "acgan_generator_weight": ("conditioning=acgan", self.conditioning == "acgan"),
             "augment_penalty_points": ("augment", bool(self.augment)),
             "augment_p": ("augment", bool(self.augment)),
             "ada_target": ("augment", bool(self.augment)),
             "ada_speed_images": ("ada_target", self.ada_target is not None),
             "penalty_every": ("method=r1 or r2", self.method in LAZY_PENALTIES),
             "consistency_policy": ("consistency_weight > 0", self.consistency_weight > 0),
             "lecam_decay": ("lecam_weight > 0", self.lecam_weight > 0),
             "lecam_one_sided": ("lecam_weight > 0", self.lecam_weight > 0)}
    for name, (feature, used) in needs.items():
      if getattr(self, name) != defaults[name] and not used:
        raise ValueError(f"{name}={getattr(self, name)!r}: only used with {feature}; it is "
                         "off in this run.")
    for name in ("warmup_generator_iterations", "warmup_critic_every"):
      if getattr(self, name) and not self.warmup_critic_steps:
        raise ValueError(f"warmup_critic_steps: must be >= 1 when {name}="
                         f"{getattr(self, name)}.")

