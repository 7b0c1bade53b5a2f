"""How long a run would take, before running it, from measured step times.

`measure` times a few outer iterations of any config on this machine (`--measure_time`).
`step_times.json` (next to this module) holds, per preset, the median seconds of one outer
iteration at the preset's critic steps and of one more critic update, measured by
`bench/preset_times.py` on the machine it names. Everything that sets an iteration's cost
is in the measured figure: the networks, the method's penalty, RWP's ℓ generator steps
and SBE's potential steps. The warm-ups' longer critic phases (WGAN's 100 critic steps)
are added per critic step.
"""

import json
import os

STEP_TIMES_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "step_times.json")
# Fields that change what one outer iteration costs, compared with the measured preset's.
COST_FIELDS = ("method", "resolved_network", "sample_shape", "hidden_units", "base_filters",
               "latent_dim", "batch_size", "generator_batch_size", "generator_steps",
               "proximal", "potential_steps", "rwp_latents", "precision", "jit_compile",
               "lp_sampling", "wwgan_graph", "ema_decay", "conditioning", "augment")


def step_times(path=STEP_TIMES_PATH):
  """The measured record ({} when there is none)."""
  if not os.path.exists(path):
    return {}
  with open(path, encoding="utf-8") as handle:
    return json.load(handle)


def _cost_key(config):
  key = {}
  for name in COST_FIELDS:
    value = getattr(config, name)
    key[name] = tuple(value) if isinstance(value, (list, tuple)) else value
  key["ema_decay"] = key["ema_decay"] is not None
  return key


def machine():
  """This machine's CPU model and core count: what measured figures are valid for."""
  import platform  # pylint: disable=g-import-not-at-top
  model = platform.processor() or platform.machine()
  try:
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
      model = next((line.split(":", 1)[1].strip() for line in handle
                    if line.startswith("model name")), model)
  except OSError:
    pass
  return {"cpu": model, "cores": os.cpu_count()}


def measure(config, *, repeats=5, extra_critic_steps=5):
  """Times outer iterations of `config`'s GAN, built as the launcher builds it, through
  Keras' compiled train function (`train_on_batch`) on uniform noise of its sample shape:
  the median of `repeats` at its critic steps and, interleaved, at `extra_critic_steps`
  more (their difference gives one critic update), after 2 untimed calls of each (the
  traces). Returns the figures `estimate_from` takes."""
  import statistics  # pylint: disable=g-import-not-at-top
  import time  # pylint: disable=g-import-not-at-top
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  gan = training.build_gan(config, config.sample_shape)
  rng = np.random.default_rng(0)
  steps = {"own": config.critic_steps, "more": config.critic_steps + extra_critic_steps}
  data = {kind: tf.constant(rng.uniform(-1, 1, (config.batch_size * count,)
                                        + tuple(config.sample_shape)).astype(np.float32))
          for kind, count in steps.items()}
  if gan.num_classes:   # a conditional GAN's steps take (samples, labels)
    data = {kind: (samples, tf.range(len(samples)) % gan.num_classes)
            for kind, samples in data.items()}

  def step(kind):
    gan.set_critic_steps(steps[kind])
    samples, labels = data[kind] if gan.num_classes else (data[kind], None)
    gan.train_on_batch(samples, labels)

  for kind in steps:
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
          "seconds_per_critic_step": max(more - own, 0.0) / extra_critic_steps,
          "repeats": repeats}


def estimate_from(config, figures):
  """Seconds `config` trains for at `figures` (`measure`'s): every phase's iterations at
  the measured iteration time, plus or minus its critic steps' difference (warm-ups)."""
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  per_iteration = figures["seconds_per_iteration"]
  per_critic_step = figures["seconds_per_critic_step"]
  return sum((end - start) * (per_iteration
                              + (critic_steps - figures["critic_steps"]) * per_critic_step)
             for start, end, critic_steps in training.phases(config))


def estimate_seconds(config, preset_name, record=None):
  """Seconds `config` (made from preset `preset_name`) trains for on the measured machine,
  or None when that preset was not measured or `config` changes an iteration's cost."""
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  record = step_times() if record is None else record
  figures = record.get("presets", {}).get(preset_name)
  if figures is None or _cost_key(config) != _cost_key(
      config_lib.RunConfig.from_preset(preset_name)):
    return None
  return estimate_from(config, figures)


def describe(seconds):
  """'3.2 days', '41 minutes', '12 seconds'."""
  for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
    if seconds >= 2 * size:
      return f"{seconds / size:.1f} {unit}"
  return f"{seconds:.0f} seconds"


def estimate_line(config, preset_name, record=None):
  """One line: the estimated training time and the machine it was measured on."""
  record = step_times() if record is None else record
  seconds = estimate_seconds(config, preset_name, record)
  if seconds is None:
    reason = ("this preset was not measured" if preset_name not in record.get("presets", {})
              else "these settings (networks, image shape, batch, steps or method) change "
                   "an iteration's cost from the measured preset's")
    return (f"estimated training time: unknown ({reason}); add --measure_time to time "
            "this command's outer iterations here")
  figures = record["presets"][preset_name]
  where = figures.get("machine", record.get("machine", {}))
  return (f"estimated training time: {describe(seconds)} for {config.train_steps} outer "
          f"iterations (from step times measured on {where.get('cores')} cores of "
          f"{where.get('cpu')}, {figures.get('measured', record.get('measured'))}; "
          "bench/preset_times.py; evaluations not included)")


def measured_line(config, figures):
  """One line: the estimated training time from `measure`'s figures, taken here now."""
  here = machine()
  return (f"estimated training time: {describe(estimate_from(config, figures))} for "
          f"{config.train_steps} outer iterations (from {figures['repeats']} outer iterations "
          f"timed now on this machine, {here['cores']} cores of {here['cpu']}: "
          f"{figures['seconds_per_iteration']:.3g} s each; evaluations not included)")
