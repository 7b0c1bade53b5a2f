"""Tables and plots of experiments/wgan_lp_toy.py's runs (one JSON per run).

Writes to the output directory:
  wgan_lp_toy.md               tables: EMD, its oscillation, critic loss, penalty split;
                               precision/recall, density/coverage of the stored samples
  wgan_lp_toy_<set>.png        EMD, critic loss and penalty parts against generator iterations
  wgan_lp_toy_levels_<set>.png the first seed's critic level sets (rows: method, λ)
Medians over seeds with [min, max] in tables; median lines with min–max bands in plots.
"""

import collections
import glob
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
import numpy as np

import compare  # pylint: disable=g-bad-import-order  (next to this script)

METHOD_NAMES = {"wgan_lp": "WGAN-LP", "wgan_gp": "WGAN-GP"}
LAST_FRACTION = 0.2   # "late" statistics use the last 20 % of the EMD evaluations


def load(runs_dir):
  """(dataset, method, λ) → list of run records, in seed order."""
  groups = collections.defaultdict(list)
  for path in sorted(glob.glob(os.path.join(runs_dir, "*.json"))):
    with open(path) as handle:
      record = json.load(handle)
    groups[record["dataset"], record["method"], record["penalty_weight"]].append(record)
  for runs in groups.values():
    runs.sort(key=lambda record: record["seed"])
  return groups


def late(values):
  values = np.asarray(values)
  return values[-max(1, int(round(LAST_FRACTION * len(values)))):]


def run_statistics(record):
  """Per-run numbers: final EMD, late mean EMD, late EMD oscillation, late critic loss, penalty parts."""
  emd = np.asarray(record["emd"])
  late_emd = late(emd)
  critic_loss = np.asarray(record["critic_loss"])
  return {
      "final EMD": emd[-1],
      "late mean EMD": late_emd.mean(),
      # Mean |change| between consecutive EMD evaluations: a method that oscillates has
      # large jumps even when its mean is fine.
      "late EMD jumps": np.abs(np.diff(late_emd)).mean() if len(late_emd) > 1 else 0.0,
      "late critic loss": late(critic_loss).mean(),
      # A good critic's E f(real) − E f(fake) is close to W1 (the EMD, itself biased up
      # by the 500-sample estimate); a poor one under-estimates it.
      "late W1 estimate / EMD": late(
          np.asarray(record["wasserstein_estimate"])[np.asarray(record["eval_iterations"]) - 1]
          / emd).mean(),
      "penalty ‖∇f‖>1": np.mean(record["penalty_above_1"]),
      "penalty ‖∇f‖<1": np.mean(record["penalty_below_1"]),
  }


def real_vs_real_emd(dataset, pairs=5):
  """EMDs between two independent 500-sample real sets: the floor a perfect generator reaches."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import emd  # pylint: disable=g-import-not-at-top
  return [float(emd(data.sample_toy(dataset, 500, [pair, 1]).numpy(),
                    data.sample_toy(dataset, 500, [pair, 2]).numpy())) for pair in range(pairs)]


def summary(values):
  values = np.asarray(values)
  return f"{np.median(values):.3f} [{values.min():.3f}, {values.max():.3f}]"


def table(groups, dataset, columns):
  lines = ["| method | λ | seeds | " + " | ".join(columns) + " |",
           "|---|---|---|" + "---|" * len(columns)]
  for (set_name, method, weight), runs in sorted(groups.items()):
    if set_name != dataset:
      continue
    stats = [run_statistics(record) for record in runs]
    cells = [summary([s[column] for s in stats]) for column in columns]
    lines.append(f"| {METHOD_NAMES[method]} | {weight:g} | {len(runs)} | " + " | ".join(cells)
                 + " |")
  return "\n".join(lines)


NEIGHBOUR_SCORES = ("precision", "recall", "density", "coverage")


def neighbour_scores(points):
  """P/R (k = 3) and D/C (k = 5) of stored generated points against stored real ones."""
  from tfwgan.evaluation import neighbours  # pylint: disable=g-import-not-at-top
  return neighbours.neighbour_scores(real_features=np.asarray(points["real"]),
                                     generated_features=np.asarray(points["generated"]))


def real_vs_real_neighbour_scores(dataset, count=300):
  """The scores of a perfect generator at this sample size: two independent real sets."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  return neighbour_scores({"real": data.sample_toy(dataset, count, [0, 1]).numpy(),
                           "generated": data.sample_toy(dataset, count, [0, 2]).numpy()})


def neighbour_table(groups, dataset):
  """One row per (method, λ, iteration) of the first seed's stored level-set samples."""
  lines = ["| method | λ | iteration | " + " | ".join(NEIGHBOUR_SCORES) + " |",
           "|---|---|---|" + "---|" * len(NEIGHBOUR_SCORES)]
  for (set_name, method, weight), runs in sorted(groups.items()):
    stored = runs[0]["level_set_samples"] if set_name == dataset else {}
    for iteration in sorted(stored, key=int):
      scores = neighbour_scores(stored[iteration])
      lines.append(f"| {METHOD_NAMES[method]} | {weight:g} | {iteration} | "
                   + " | ".join(f"{scores[name]:.2f}" for name in NEIGHBOUR_SCORES) + " |")
  floor = real_vs_real_neighbour_scores(dataset)
  lines.append("| real vs real | | | " + " | ".join(f"{floor[name]:.2f}"
                                                    for name in NEIGHBOUR_SCORES) + " |")
  return "\n".join(lines)


def _band(ax, x, curves, label, **style):
  length = min(len(curve) for curve in curves)
  curves = np.asarray([curve[:length] for curve in curves])
  x = np.asarray(x[:length])
  line, = ax.plot(x, np.median(curves, axis=0), label=label, **style)
  if len(curves) > 1:
    ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), color=line.get_color(),
                    alpha=0.15, linewidth=0)


def curves_figure(groups, dataset, path):
  weights = sorted({weight for (set_name, _, weight) in groups if set_name == dataset})
  colors = dict(zip(weights, plt.cm.viridis(np.linspace(0, 0.9, len(weights)))))
  figure, axes = plt.subplots(2, 3, figsize=(16, 9))
  for row, method in enumerate(("wgan_gp", "wgan_lp")):
    for weight in weights:
      runs = groups.get((dataset, method, weight))
      if not runs:
        continue
      label = f"λ = {weight:g} ({len(runs)} seeds)"
      style = dict(color=colors[weight], linewidth=1.2)
      _band(axes[row, 0], runs[0]["eval_iterations"], [r["emd"] for r in runs], label, **style)
      iterations = np.arange(1, len(runs[0]["critic_loss"]) + 1)
      _band(axes[row, 1], iterations, [r["critic_loss"] for r in runs], label, **style)
      _band(axes[row, 2], runs[0]["eval_iterations"], [r["penalty_above_1"] for r in runs],
            f"λ = {weight:g}: ‖∇f‖ > 1", **style)
      _band(axes[row, 2], runs[0]["eval_iterations"], [r["penalty_below_1"] for r in runs],
            f"λ = {weight:g}: ‖∇f‖ < 1", linestyle="--", **style)
    name = METHOD_NAMES[method]
    axes[row, 0].set(title=f"{name}: EMD (500 samples)", xlabel="generator iteration",
                     yscale="log")
    axes[row, 1].set(title=f"{name}: critic loss without penalty", xlabel="generator iteration")
    axes[row, 2].set(title=f"{name}: (‖∇f‖ − 1)² split at interpolates",
                     xlabel="generator iteration", yscale="symlog")
    axes[row, 2].set_yscale("symlog", linthresh=1e-4)
    for ax in axes[row]:
      ax.legend(fontsize=7)
  figure.suptitle(f"{dataset}: median over seeds, band = min–max")
  figure.tight_layout()
  figure.savefig(path, dpi=80)
  plt.close(figure)


def level_sets_figure(groups, dataset, path):
  rows = [(method, weight, runs[0]) for (set_name, method, weight), runs in sorted(groups.items())
          if set_name == dataset and runs[0]["level_sets"]]
  if not rows:
    return False
  steps = sorted({int(step) for _, _, record in rows for step in record["level_sets"]})
  figure, axes = plt.subplots(len(rows), len(steps), figsize=(2.6 * len(steps), 2.6 * len(rows)),
                              squeeze=False)
  for row, (method, weight, record) in enumerate(rows):
    for column, step in enumerate(steps):
      ax = axes[row, column]
      ax.set_xticks([])
      ax.set_yticks([])
      if str(step) not in record["level_sets"]:
        continue
      values = np.asarray(record["level_sets"][str(step)])
      extent = 2.0
      axis = np.linspace(-extent, extent, values.shape[0])
      ax.contour(axis, axis, values, levels=15, cmap="viridis", linewidths=0.6)
      samples = record["level_set_samples"][str(step)]
      ax.scatter(*np.asarray(samples["real"]).T, s=1, c="tab:orange")
      ax.scatter(*np.asarray(samples["generated"]).T, s=1, c="tab:green")
      ax.set_xlim(-extent, extent)
      ax.set_ylim(-extent, extent)
      ax.set_aspect("equal")
      if row == 0:
        ax.set_title(f"iteration {step}", fontsize=9)
      if column == 0:
        ax.set_ylabel(f"{METHOD_NAMES[method]} λ={weight:g}", fontsize=9)
  figure.suptitle(f"{dataset}: critic level sets, seed {rows[0][2]['seed']} "
                  "(orange real, green generated)")
  figure.tight_layout(rect=(0, 0, 1, 0.985))
  figure.savefig(path, dpi=55)
  plt.close(figure)
  return True


def comparison_table(groups, dataset):
  """GP against LP at each λ (final EMD, late EMD jumps): mean ± std over seeds, the
  difference of the means and Welch's p; then LP across the four λ (one-way ANOVA)."""
  from scipy import stats  # pylint: disable=g-import-not-at-top
  lines = ["| λ | statistic | WGAN-LP | WGAN-GP | GP − LP | Welch p |",
           "|---|---|---|---|---|---|"]
  weights = sorted({weight for d, _, weight in groups if d == dataset})
  for weight in weights:
    for column in ("final EMD", "late EMD jumps"):
      lp, gp = ([run_statistics(r)[column] for r in groups.get((dataset, method, weight), [])]
                for method in ("wgan_lp", "wgan_gp"))
      if lp and gp:
        difference, p = compare.welch(gp, lp)
        lines.append(f"| {weight:g} | {column} | {compare.mean_std(lp, 3)} | "
                     f"{compare.mean_std(gp, 3)} | {difference:+.3f} | {p:.2g} |")
  lp_final = [[run_statistics(r)["final EMD"] for r in groups[dataset, "wgan_lp", weight]]
              for weight in weights if (dataset, "wgan_lp", weight) in groups]
  if len(lp_final) > 1 and all(len(runs) > 1 for runs in lp_final):
    means = [np.mean(runs) for runs in lp_final]
    lines.append(f"\nWGAN-LP's final EMD across λ: means {min(means):.3f}–{max(means):.3f}, "
                 f"one-way ANOVA p = {stats.f_oneway(*lp_final).pvalue:.2g}.")
  return "\n".join(lines)


def write(runs_dir, output_dir):
  groups = load(runs_dir)
  datasets = sorted({dataset for dataset, _, _ in groups})
  columns = ["final EMD", "late mean EMD", "late EMD jumps", "late critic loss",
             "late W1 estimate / EMD", "penalty ‖∇f‖>1", "penalty ‖∇f‖<1"]
  sections = []
  for dataset in datasets:
    curves_figure(groups, dataset, os.path.join(output_dir, f"wgan_lp_toy_{dataset}.png"))
    level_sets_figure(groups, dataset, os.path.join(output_dir,
                                                    f"wgan_lp_toy_levels_{dataset}.png"))
    seconds = [record["seconds"] for (d, _, _), runs in groups.items() if d == dataset
               for record in runs]
    floor = real_vs_real_emd(dataset)
    sections.append(f"### {dataset}\n\n{table(groups, dataset, columns)}\n\n"
                    f"{len(seconds)} runs, median {np.median(seconds):.0f} s each. EMD between "
                    f"two independent sets of 500 real samples ({len(floor)} pairs, the floor "
                    f"of the EMD column): {summary(floor)}.\n\n"
                    f"Mean ± std over seeds, GP against LP:\n\n"
                    f"{comparison_table(groups, dataset)}\n\n"
                    f"Precision/recall (k = 3), density/coverage (k = 5) of the first seed's "
                    f"stored samples (300 generated vs 300 real points, those of the level-set "
                    f"plots), on the raw points; the last row is two independent real sets "
                    f"(a perfect generator at this size):\n\n"
                    f"{neighbour_table(groups, dataset)}\n")
  with open(os.path.join(output_dir, "wgan_lp_toy.md"), "w") as handle:
    handle.write(
        "Median over seeds [min, max]. 'late' = the last 20 % of the run (EMD evaluations every "
        "10 iterations; the critic loss of every iteration). 'EMD jumps' = mean |change| "
        "between consecutive EMD evaluations. 'W1 estimate / EMD': the critic's "
        "E f(real) − E f(fake) at an evaluated iteration over that iteration's EMD. Penalty parts: means over the run of "
        "(‖∇f(x̂)‖ − 1)² at 2,048 fresh interpolates, split by ‖∇f‖ > 1 and < 1.\n\n"
        + "\n".join(sections))
