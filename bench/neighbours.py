r"""Precision, recall, density and coverage: tfwgan vs the `prdc` package of Naeem et al.

  pip install prdc==0.2    # the reference; not a tfwgan dependency
  python bench/neighbours.py [--samples=10000] [--dimension=2048] [--repeats=10]

The same Inception-like features as bench/fid.py (`common.inception_like_features`:
non-negative, correlated; a shifted second set) in every worker. Each implementation runs
in its own process (own peak RSS), from features to the four scores; runs are interleaved
and each row is the median. prdc
computes all four with one k (its README's k = 5), so tfwgan runs with k = 5 for both
pairs too; a last row shows tfwgan's defaults (precision/recall at k = 3, density/coverage
at k = 5, still one cross pass). Every worker imports TensorFlow, as tfwgan does, so the
peak RSS compare the metric's own memory.
"""

import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_integer("samples", 10000, "Features per set.")
flags.DEFINE_integer("dimension", 2048, "Feature size (Inception pool_3: 2048).")
flags.DEFINE_integer("repeats", 10, "Timed repeats of each implementation (interleaved).")
FLAGS = flags.FLAGS
NAMES = ("precision", "recall", "density", "coverage")


def tfwgan_scores(samples, dimension, precision_recall_k=5):
  from tfwgan.evaluation import neighbours  # pylint: disable=g-import-not-at-top
  real, generated = common.inception_like_features(samples, dimension)
  return lambda: neighbours.neighbour_scores(
      real_features=real, generated_features=generated,
      precision_recall_k=precision_recall_k, density_coverage_k=5)


def tfwgan_default_scores(samples, dimension):
  return tfwgan_scores(samples, dimension, precision_recall_k=3)


def prdc_scores(samples, dimension):
  import contextlib  # pylint: disable=g-import-not-at-top
  import io  # pylint: disable=g-import-not-at-top
  import prdc  # pylint: disable=g-import-not-at-top
  import tensorflow  # pylint: disable=g-import-not-at-top,unused-import  (same baseline RSS)
  real, generated = common.inception_like_features(samples, dimension)

  def scores():
    with contextlib.redirect_stdout(io.StringIO()):   # it prints the set sizes
      values = prdc.compute_prdc(real_features=real, fake_features=generated, nearest_k=5)
    return {name: float(values[name]) for name in NAMES}
  return scores


def main(argv):
  del argv
  factories = {"prdc 0.2 (k = 5)": prdc_scores, "tfwgan (k = 5)": tfwgan_scores,
               "tfwgan (k = 3 / 5)": tfwgan_default_scores}
  # prdc runs as its users run it: in a process that may start joblib workers (its
  # pairwise distances ask for n_jobs=8).
  workers = {name: common.Worker(factory, FLAGS.samples, FLAGS.dimension,
                                 daemon=factory is not prdc_scores)
             for name, factory in factories.items()}
  timed = {name: common.RememberingCall(worker) for name, worker in workers.items()}
  medians = common.interleaved_medians(timed, repeats=FLAGS.repeats, warmup=1)
  reference_name = "prdc 0.2 (k = 5)"
  reference = timed[reference_name].value
  print(f"Precision, recall, density, coverage of {FLAGS.samples} × {FLAGS.dimension} "
        f"features per set, {FLAGS.repeats} interleaved repeats\n"
        "| implementation | " + " | ".join(NAMES) + " | seconds (median) | speed vs prdc | "
        "peak RSS |\n|---|---|---|---|---|---|---|---|")
  for name, seconds in medians.items():
    values = " | ".join(f"{timed[name].value[score]:.4f}" for score in NAMES)
    print(f"| {name} | {values} | {seconds:.2f} s | {medians[reference_name] / seconds:.2f}× | "
          f"{workers[name].peak_rss_mib():.0f} MiB |")
  differences = {score: abs(timed["tfwgan (k = 5)"].value[score] - reference[score])
                 for score in NAMES}
  print("tfwgan (k = 5) − prdc: " + ", ".join(f"{score} {value:.1e}"
                                               for score, value in differences.items()))
  for worker in workers.values():
    worker.close()


if __name__ == "__main__":
  app.run(main)
