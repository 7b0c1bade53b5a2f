"""Hides TensorFlow's C++ start-up chatter in the launchers (imported before TensorFlow).

TF 2.21 prints about 15 INFO/WARNING lines at import and device start-up (oneDNN, CUDA
stubs, CPU features, a harmless cuInit "UNKNOWN ERROR (303)" on machines without a GPU),
most of them before its C++ logging is initialised, so TF_CPP_MIN_LOG_LEVEL does not
hide them. They are captured from file descriptor 2 while TensorFlow starts, and only
other lines are passed on; TensorFlow's Python INFO lines are dropped too. A
TF_CPP_MIN_LOG_LEVEL set by the user, or absl's --verbosity / -v on the command line,
keeps everything. tfwgan's own INFO lines (resume, data, evaluations) print bare, without
absl's prefix, unless --verbosity is given.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile

_NOISE = re.compile(r"^(I|W)\d{4} |^WARNING: All log messages before absl::InitializeLog|"
                    r"^To enable the following instructions|failed call to cuInit")


def _wanted(argv):
  return "TF_CPP_MIN_LOG_LEVEL" not in os.environ and not any(
      arg.startswith(("--verbosity", "-v")) for arg in argv[1:])


QUIET = _wanted(sys.argv)
if QUIET:
  os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # INFO and WARNING once logging is initialised


@contextlib.contextmanager
def hidden_startup_logs():
  """Drops TensorFlow's start-up INFO/WARNING lines written to stderr inside the block."""
  if not QUIET:
    yield
    return
  sys.stderr.flush()
  saved = os.dup(2)
  with tempfile.TemporaryFile(mode="w+b") as capture:
    os.dup2(capture.fileno(), 2)
    try:
      yield
    finally:
      sys.stderr.flush()
      os.dup2(saved, 2)
      os.close(saved)
      capture.seek(0)
      for line in capture.read().decode(errors="replace").splitlines(keepends=True):
        if not _NOISE.search(line):
          sys.stderr.write(line)
      sys.stderr.flush()


with hidden_startup_logs():
  import tensorflow  # pylint: disable=g-import-not-at-top,wrong-import-position
  # Probes the GPUs (the cuInit line) as TF's absl init callback would after flag
  # parsing; listing physical devices leaves the logical-device split possible.
  tensorflow.config.list_physical_devices()


def start_devices():
  """Initialises TensorFlow's devices (after any logical-device split) with their
  start-up lines hidden."""
  with hidden_startup_logs():
    tensorflow.config.list_logical_devices()


class _DropLibraryInfo(logging.Filter):
  """Drops INFO records logged from inside TensorFlow's or Keras' packages (saver
  sharding, SavedModel assets, fingerprints); tfwgan's console lines (resume,
  evaluations) stay."""

  def filter(self, record):
    return record.levelno >= logging.WARNING or not _LIBRARY_PATH.search(record.pathname)


class _BareOwnInfo(logging.Formatter):
  """tfwgan's own INFO lines (resume, data, evaluations) print as bare text, as the
  README shows them; other records keep absl's prefix (level, time, file:line)."""

  def __init__(self, prefixed):
    super().__init__()
    self._prefixed = prefixed

  def format(self, record):
    if record.levelno == logging.INFO and _OWN_PATH.search(record.pathname):
      return record.getMessage()
    return self._prefixed.format(record)


_LIBRARY_PATH = re.compile(r"[/\\]site-packages[/\\](tensorflow|tensorflow_hub|"
                           r"tensorflow_datasets|keras|tf_keras)[/\\]")
_OWN_PATH = re.compile(r"[/\\](tfwgan|tfwgan[/\\]evaluation|launchers)[/\\]\w+\.py$")
if QUIET:
  from absl import logging as absl_logging  # pylint: disable=g-import-not-at-top
  absl_logging.get_absl_handler().addFilter(_DropLibraryInfo())
  _handler = absl_logging.get_absl_handler().python_handler
  _handler.setFormatter(_BareOwnInfo(_handler.formatter))
  logging.getLogger("tensorflow").setLevel(logging.WARNING)
