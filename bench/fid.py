r"""FID from activations: tfwgan vs TF-GAN's function vs a scipy `sqrtm` reference.

  python bench/fid.py [--samples=10000] [--dimension=2048] [--repeats=3]

Two sets of Inception-like activations (non-negative, correlated: ReLU of a random linear
map of Gaussians, a shifted second set), the same in every worker. Each implementation
runs in its own process (own peak RSS), from activations to the distance, covariances
included; runs are interleaved and each row is the median. Prints time, speed-up over
TF-GAN, and the relative difference of the value from the scipy reference.
"""

import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_integer("samples", 10000, "Activations per set.")
flags.DEFINE_integer("dimension", 2048, "Activation size (Inception pool_3: 2048).")
flags.DEFINE_integer("repeats", 3, "Timed repeats of each implementation (interleaved).")
FLAGS = flags.FLAGS


def tfwgan_fid(samples, dimension):
  from tfwgan.evaluation import metrics  # pylint: disable=g-import-not-at-top
  a, b = common.inception_like_features(samples, dimension)
  return lambda: metrics.fid_from_activations(a, b)


def tfgan_fid(samples, dimension):
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import tfgan_compat  # pylint: disable=g-import-not-at-top
  a, b = (tf.constant(x) for x in common.inception_like_features(samples, dimension))
  fid = tfgan_compat.classifier_metrics().frechet_classifier_distance_from_activations
  return lambda: float(fid(a, b))


def scipy_sqrtm_fid(samples, dimension):
  import numpy as np  # pylint: disable=g-import-not-at-top
  from scipy import linalg  # pylint: disable=g-import-not-at-top
  a, b = (x.astype(np.float64) for x in common.inception_like_features(samples, dimension))

  def fid():
    covariance_a, covariance_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(covariance_a @ covariance_b).real
    return float(np.sum((a.mean(0) - b.mean(0)) ** 2)
                 + np.trace(covariance_a + covariance_b - 2.0 * root))
  return fid


def main(argv):
  del argv
  factories = {"tfwgan": tfwgan_fid, "TF-GAN": tfgan_fid, "scipy sqrtm": scipy_sqrtm_fid}
  workers = {name: common.Worker(factory, FLAGS.samples, FLAGS.dimension)
             for name, factory in factories.items()}
  timed = {name: common.RememberingCall(worker) for name, worker in workers.items()}
  medians = common.interleaved_medians(timed, repeats=FLAGS.repeats, warmup=1)
  reference = timed["scipy sqrtm"].value
  print(f"FID of {FLAGS.samples} × {FLAGS.dimension} activations per set "
        f"(value {reference:.4f} by scipy sqrtm)\n"
        "| implementation | seconds (median) | speed vs TF-GAN | relative difference from "
        "scipy | peak RSS |\n|---|---|---|---|---|")
  for name, seconds in medians.items():
    difference = abs(timed[name].value - reference) / abs(reference)
    print(f"| {name} | {seconds:.2f} s | {medians['TF-GAN'] / seconds:.2f}× | "
          f"{difference:.1e} | {workers[name].peak_rss_mib():.0f} MiB |")
  for worker in workers.values():
    worker.close()


if __name__ == "__main__":
  app.run(main)
