r"""FID, KID, IS and precision/recall from identical features: tfwgan against torch-fidelity
0.4.0 and clean-fid 0.1.35 (issue #43). Not in CI: the reference packages need PyTorch.

  python3 -m venv /tmp/parity && /tmp/parity/bin/pip install torch==2.13.0 numpy scipy \
      pillow tqdm requests && /tmp/parity/bin/pip install --no-deps torch-fidelity==0.4.0 \
      clean-fid==0.1.35
  python bench/metric_parity.py --reference_python=/tmp/parity/bin/python     # about 1 min

Two Inception-like feature sets (`bench.common.inception_like_features`: 2,048-d, 5,000
each, the second shifted) and random logits over 1,008 classes are written to an .npz;
tfwgan scores them here, bench/metric_parity_reference.py scores them in the other Python,
and the differences go to bench/results/metric_parity-<date>.json. Precision/recall is
scored by torch-fidelity in both argument orders: its convention is (generated, real)
(torch-fidelity#58 was a swapped order), tfwgan names its arguments.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

flags.DEFINE_string("reference_python", "/tmp/parity/bin/python", "A Python with torch, "
                    "torch-fidelity 0.4.0 and clean-fid 0.1.35.")
flags.DEFINE_integer("samples", 5000, "Features per set.", lower_bound=1000)
flags.DEFINE_integer("dimension", 2048, "Feature dimension.", lower_bound=2)
flags.DEFINE_string("output_dir", os.path.join(os.path.dirname(__file__), "results"),
                    "Where the JSON goes.")
FLAGS = flags.FLAGS


def main(argv):
  del argv
  import numpy as np  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import metrics  # pylint: disable=g-import-not-at-top
  from tfwgan.evaluation import neighbours  # pylint: disable=g-import-not-at-top
  generated, real = common.inception_like_features(FLAGS.samples, FLAGS.dimension)
  logits = np.random.default_rng(1).normal(scale=3.0, size=(FLAGS.samples, 1008)).astype(
      np.float32)
  path = os.path.join(tempfile.mkdtemp(prefix="tfwgan-parity-"), "features.npz")
  np.savez(path, generated=generated, real=real, logits=logits)
  kid = metrics.kid_over_subsets(generated, real)
  inception = metrics.inception_score_from_logits(logits, splits=10)
  ours = {"fid": metrics.fid_from_activations(generated, real), "kid": kid.mean,
          "kid_std": kid.std, "inception_score": inception.mean,
          "inception_score_std": inception.std,
          **neighbours.neighbour_scores(real_features=real, generated_features=generated,
                                        precision_recall_k=3, density_coverage_k=None)}
  completed = subprocess.run([FLAGS.reference_python, os.path.join(
      os.path.dirname(os.path.abspath(__file__)), "metric_parity_reference.py"), path],
                             capture_output=True, text=True, check=False)
  if completed.returncode:
    sys.exit(f"metric_parity.py: the reference Python failed:\n{completed.stderr[-3000:]}")
  theirs = json.loads(completed.stdout.strip().splitlines()[-1])
  pairs = {
      "fid": ("torch_fidelity/fid", "clean_fid/fid"),
      "kid": ("torch_fidelity/kid", "clean_fid/kid"),
      "kid_std": ("torch_fidelity/kid_std",),
      "inception_score": ("torch_fidelity/inception_score",
                          "torch_fidelity/inception_score_shuffled"),
      "inception_score_std": ("torch_fidelity/inception_score_std",
                              "torch_fidelity/inception_score_std_shuffled"),
      "precision": ("torch_fidelity/precision_generated_first",
                    "torch_fidelity/precision_real_first"),
      "recall": ("torch_fidelity/recall_generated_first", "torch_fidelity/recall_real_first"),
  }
  rows = []
  for name, references in pairs.items():
    for reference in references:
      difference = ours[name] - theirs[reference]
      rows.append({"metric": name, "tfwgan": ours[name], "reference": reference,
                   "value": theirs[reference], "difference": difference,
                   "relative": difference / abs(theirs[reference]) if theirs[reference] else None})
      print(f"{name:20s} tfwgan {ours[name]:.8g}  {reference:42s} {theirs[reference]:.8g}  "
            f"relative difference {rows[-1]['relative']:.2e}", flush=True)
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  output = os.path.join(FLAGS.output_dir,
                        f"metric_parity-{datetime.date.today().isoformat()}.json")
  with open(output, "w", encoding="utf-8") as handle:
    json.dump({"samples": FLAGS.samples, "dimension": FLAGS.dimension, "rows": rows,
               "command": "python bench/metric_parity.py " + " ".join(sys.argv[1:])},
              handle, indent=2)
    handle.write("\n")
  print(f"wrote {output}")


if __name__ == "__main__":
  app.run(main)
