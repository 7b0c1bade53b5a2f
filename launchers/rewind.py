r"""Makes an older checkpoint of a logdir the one a rerun resumes from.

  python launchers/rewind.py --logdir=/tmp/tfwgan/my_run --checkpoint=ckpt-800

For a damaged newest checkpoint (the training launcher's error names the intact ones).
The newer checkpoints are moved into <logdir>/set-aside-checkpoints-*; nothing is deleted.
"""

import sys

import quiet_tensorflow  # pylint: disable=unused-import  (first: hides TF's start-up logs)
from absl import app
from absl import flags

flags.DEFINE_string("logdir", None, "The run's logdir.", required=True)
flags.DEFINE_string("checkpoint", None, "The checkpoint to resume from, e.g. ckpt-800.",
                    required=True)
FLAGS = flags.FLAGS


def main(argv):
  if len(argv) > 1:
    sys.exit(f"rewind.py: error: unexpected arguments {argv[1:]}")
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  try:
    aside = training.rewind(FLAGS.logdir, FLAGS.checkpoint)
  except ValueError as error:
    sys.exit(f"rewind.py: error: --{error}")
  print(f"{FLAGS.logdir} now resumes from {FLAGS.checkpoint}; newer checkpoints moved to "
        f"{aside}")


if __name__ == "__main__":
  app.run(main)
