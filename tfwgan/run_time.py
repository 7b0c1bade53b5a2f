"""How long a run would take, before running it, from measured step times.

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
               "lp_sampling", "wwgan_graph", "ema_decay")


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


def estimate_seconds(config, preset_name, record=None):
  """Seconds `config` (made from preset `preset_name`) trains for on the measured machine,
  or None when that preset was not measured or `config` changes an iteration's cost."""
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  record = step_times() if record is None else record
  figures = record.get("presets", {}).get(preset_name)
  if figures is None or _cost_key(config) != _cost_key(
      config_lib.RunConfig.from_preset(preset_name)):
    return None
  per_iteration = figures["seconds_per_iteration"]
  per_critic_step = figures["seconds_per_critic_step"]
  return sum((end - start) * (per_iteration
                              + (critic_steps - figures["critic_steps"]) * per_critic_step)
             for start, end, critic_steps in training.phases(config))


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
              else "these settings change an iteration's cost from the measured preset's")
    return (f"estimated training time: unknown ({reason}; python bench/preset_times.py "
            f"--presets={preset_name} measures it)")
  machine = record.get("machine", {})
  return (f"estimated training time: {describe(seconds)} for {config.train_steps} outer "
          f"iterations (from step times measured on {machine.get('cores')} cores of "
          f"{machine.get('cpu')}, {record.get('measured')}; bench/preset_times.py; "
          "evaluations not included)")
