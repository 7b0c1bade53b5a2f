r"""Writes samples and a latent-space walk of an exported generator as PNG files.

  python launchers/sample.py                                  # the shipped toy generator
  python launchers/sample.py --export_dir=saved_models/my_run --output_dir=/tmp/samples

Needs only the export (SavedModel + metadata.json), no training code or checkpoint.
Image generators: a grid of samples and a walk between 4 latent points (RWP paper,
App. F). 2-D generators: a scatter plot with the walk drawn over it. Files are named after
the export's step and the seed; an existing file is never replaced (a -2, -3, … suffix).
"""

import sys

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags
import numpy as np

flags.DEFINE_string("export_dir", "saved_models/toy_wgan_lp_rwp", "A tfwgan export directory.")
flags.DEFINE_string("output_dir", None, "Where the PNG files are written (default: <the run's "
                    "logdir>/samples when the export is in its logdir, else "
                    "<tmp>/tfwgan/samples/<run name>); files already there are kept.")
flags.DEFINE_integer("num_samples", 64, "Samples in the grid (2-D: points in the plot).",
                     lower_bound=1)
flags.DEFINE_integer("walk_steps", 8, "Grid size of the latent walk.", lower_bound=2)
flags.DEFINE_integer("seed", 0, "Seed of the latent draws.", lower_bound=0)
flags.DEFINE_string("label", None, "A class-conditional generator's class for every sample "
                    "and the walk: its name (an image folder's sub-folder, recorded in the "
                    "export) or number (default: classes drawn uniformly; the walk: class 0).")
flags.DEFINE_enum("batch_norm", None, ("moving", "batch", "standing"), "How batch norm "
                  "samples (tfwgan/sampling.py); default: the export's own mode, recorded in "
                  "its metadata.json.")

FLAGS = flags.FLAGS


def main(argv):
  if len(argv) > 1:
    sys.exit(f"sample.py: error: unexpected arguments {argv[1:]}")
  from tfwgan import export, files, latent, plots  # pylint: disable=g-import-not-at-top
  try:
    generator = export.ExportedGenerator(FLAGS.export_dir)
  except ValueError as error:
    sys.exit(f"sample.py: error: --{error}")
  label = None
  if FLAGS.label is not None:
    try:
      label = generator.label_index(FLAGS.label)
    except ValueError as error:
      sys.exit(f"sample.py: error: --label={FLAGS.label}: {error}")
  output_dir = FLAGS.output_dir or export.results_directory(FLAGS.export_dir, "samples",
                                                             generator.metadata)
  try:
    files.check_writable(output_dir, name="output_dir")
  except ValueError as error:
    sys.exit(f"sample.py: error: --{error}")
  files.gfile.makedirs(output_dir)
  generate = generator.sampler(FLAGS.batch_norm)
  samples = generator.sample(FLAGS.num_samples, seed=FLAGS.seed, batch_norm=FLAGS.batch_norm,
                             labels=label).numpy()
  corners = np.random.default_rng(FLAGS.seed).normal(size=(4, generator.latent_dim))
  path = latent.bilinear_walk(corners, FLAGS.walk_steps)
  walk_labels = (None if not generator.num_classes else
                 np.full(len(path), label or 0, np.int32))
  walk = np.asarray(generate(path, walk_labels) if walk_labels is not None else generate(path))
  step = generator.metadata.get("step")
  tag = ("" if step is None else f"-step{step}") + f"-seed{FLAGS.seed}"
  if label is not None:
    tag += f"-label{label}"
  samples_path, walk_path = files.unused_names(
      output_dir, [f"samples{tag}", f"latent_walk{tag}"], ".png")
  if samples.ndim == 2:
    plots.save_png(plots.figure_to_array(plots.scatter_figure(
        samples, title=f"{FLAGS.num_samples} samples")), samples_path)
    plots.save_png(plots.figure_to_array(plots.scatter_figure(
        samples, path=walk, title="latent walk between 4 points")), walk_path)
  else:
    columns = int(np.ceil(np.sqrt(len(samples))))
    plots.save_png(plots.image_grid(samples, columns=columns), samples_path)
    plots.save_png(plots.image_grid(walk, columns=FLAGS.walk_steps), walk_path)
  print(f"wrote {samples_path} and {walk_path}")


if __name__ == "__main__":
  app.run(main)
