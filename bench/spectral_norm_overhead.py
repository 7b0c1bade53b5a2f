r"""Spectral normalisation's own cost: the same preset's outer iteration with and without SN.

  python bench/spectral_norm_overhead.py --repeats=15       # about 8 minutes on 2 cores

Each case builds one preset's GAN twice, exactly as the launcher builds it, once as the preset
says (`spectral_norm='critic'`: Miyato et al.'s u held, one power iteration per critic call
that advances u) and once with `spectral_norm='none'`; everything else (critic, loss, batch,
critic steps, optimizer) is the same. Their outer iterations (Keras' compiled train function,
`train_on_batch` on uniform noise of the sample shape) are timed interleaved after 2 untimed
calls each; reported are the medians, their ratio with a 95 % bootstrap interval (resampling
each side's repeats) and a Mann–Whitney U test of the two time samples.

Cases: 'mnist_sngan' is sitting D's SNGAN (experiments/mnist_fid.py: sngan_cifar10 on 28×28
digits, DCGAN width 32, one thread, as the experiment ran); 'sngan_cifar10' and
'sn_resnet_hinge_cifar10' are the presets as shipped. The result is appended to
bench/results/spectral_norm_overhead-<date>.jsonl.
"""

import datetime
import json
import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

CASES = {
    "mnist_sngan": ("sngan_cifar10", {"channels": 1, "base_filters": 32}, (28, 28, 1)),
    "sngan_cifar10": ("sngan_cifar10", {}, (32, 32, 3)),
    "sn_resnet_hinge_cifar10": ("sn_resnet_hinge_cifar10", {}, (32, 32, 3)),
}
flags.DEFINE_list("cases", sorted(CASES), f"Cases, from {sorted(CASES)}.")
flags.DEFINE_integer("repeats", 15, "Timed outer iterations of each side (interleaved).",
                     lower_bound=10)
flags.DEFINE_integer("threads", 1, "TensorFlow intra- and inter-op threads (the MNIST "
                     "experiments ran with 1).", lower_bound=1)
flags.DEFINE_string("output_dir", os.path.join(os.path.dirname(__file__), "results"),
                    "Where the JSON lines go.")
FLAGS = flags.FLAGS
BOOTSTRAP = 10_000


def _step(config, sample_shape):
  """A zero-argument outer iteration of `config`'s GAN on fixed uniform noise."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  gan = training.build_gan(config, sample_shape)
  samples = tf.constant(np.random.default_rng(0).uniform(
      -1, 1, (config.batch_size * config.critic_steps,) + sample_shape).astype(np.float32))
  return lambda: gan.train_on_batch(samples)


def ratio_interval(with_sn, without_sn, seed=0):
  """Median(with) / median(without) and a 95 % percentile-bootstrap interval."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(seed)
  a, b = np.asarray(with_sn), np.asarray(without_sn)
  ratios = (np.median(rng.choice(a, (BOOTSTRAP, len(a))), axis=1)
            / np.median(rng.choice(b, (BOOTSTRAP, len(b))), axis=1))
  return float(np.median(a) / np.median(b)), [float(q) for q in np.percentile(ratios, [2.5, 97.5])]


def main(argv):
  del argv
  import statistics  # pylint: disable=g-import-not-at-top
  import time  # pylint: disable=g-import-not-at-top
  from scipy import stats  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import run_time  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(FLAGS.threads)
  tf.config.threading.set_inter_op_parallelism_threads(FLAGS.threads)
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  path = os.path.join(FLAGS.output_dir,
                      f"spectral_norm_overhead-{datetime.date.today().isoformat()}.jsonl")
  for name in FLAGS.cases:
    preset, overrides, shape = CASES[name]
    sides = {}
    for spectral_norm in ("critic", "none"):
      config = config_lib.RunConfig.from_preset(preset, **overrides,
                                                spectral_norm=spectral_norm)
      config.validate()
      sides[spectral_norm] = _step(config, shape)
    times = {side: [] for side in sides}
    for _ in range(2):
      for step in sides.values():
        step()
    for _ in range(FLAGS.repeats):
      for side, step in sides.items():
        start = time.perf_counter()
        step()
        times[side].append(time.perf_counter() - start)
    ratio, interval = ratio_interval(times["critic"], times["none"])
    p_value = float(stats.mannwhitneyu(times["critic"], times["none"]).pvalue)
    record = {"case": name, "preset": preset, "overrides": overrides,
              "critic_steps": config.critic_steps, "batch_size": config.batch_size,
              "median_seconds": {side: statistics.median(v) for side, v in times.items()},
              "seconds": times, "ratio": ratio, "ratio_95": interval,
              "mann_whitney_p": p_value, "repeats": FLAGS.repeats, "threads": FLAGS.threads,
              "machine": run_time.machine(), "peak_rss_mib": common.peak_rss_mib(),
              "command": "python bench/spectral_norm_overhead.py " + " ".join(sys.argv[1:])}
    with open(path, "a", encoding="utf-8") as handle:
      handle.write(json.dumps(record) + "\n")
    print(f"{name}: SN {record['median_seconds']['critic'] * 1e3:.1f} ms, no SN "
          f"{record['median_seconds']['none'] * 1e3:.1f} ms per outer iteration: "
          f"{ratio:.3f}× (95 % {interval[0]:.3f}–{interval[1]:.3f}), Mann–Whitney "
          f"p = {p_value:.2g}", flush=True)
  print(f"appended to {path}")


if __name__ == "__main__":
  app.run(main)
