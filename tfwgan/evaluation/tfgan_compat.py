"""TF-GAN's evaluation math on TF >= 2.16, where `import tensorflow_gan` fails.

The package `__init__` imports its estimator code, which touches the removed
`tf.estimator`. Its `python/eval` modules need only TensorFlow (and TF Probability),
so this module registers empty stand-ins for the package levels and imports
`tensorflow_gan.python.eval.classifier_metrics` and `.sliced_wasserstein` from the
installed files.
"""

import contextlib
import importlib
import importlib.util
import os
import sys
import types

_PACKAGES = ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval")
REQUIRED = {"classifier_metrics": ("frechet_classifier_distance_from_activations",
                                  "classifier_score_from_logits",
                                  "kernel_classifier_distance_from_activations"),
            "sliced_wasserstein": ("sliced_wasserstein_distance",)}


class TFGANLayoutError(ImportError):
  """The installed tensorflow-gan does not have the layout this compat layer expects."""


def _package_root():
  spec = importlib.util.find_spec("tensorflow_gan")
  if spec is None or not spec.submodule_search_locations:
    raise TFGANLayoutError("tensorflow-gan is not installed: pip install tensorflow-gan==2.1.0")
  return list(spec.submodule_search_locations)[0]


@contextlib.contextmanager
def deprecations_silenced():
  """TF-GAN 2.1 calls `tf.map_fn(back_prop=False)` (KID, classifier score) and
  `tf.compat.v1.py_func` (SWD), which TF logs as deprecated (14 lines, at every
  evaluation): silenced around its calls."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tensorflow.python.util import deprecation  # pylint: disable=g-import-not-at-top
  logger = tf.get_logger()
  level = logger.level
  logger.setLevel("ERROR")
  try:
    with deprecation.silence():
      yield
  finally:
    logger.setLevel(level)


def classifier_metrics():
  """`tensorflow_gan.python.eval.classifier_metrics`, imported without the package __init__."""
  return _eval_module("classifier_metrics")


def sliced_wasserstein():
  """`tensorflow_gan.python.eval.sliced_wasserstein`, imported without the package __init__."""
  return _eval_module("sliced_wasserstein")


def _eval_module(name):
  full_name = f"tensorflow_gan.python.eval.{name}"
  loaded = sys.modules.get(full_name)
  if loaded is None:
    _register_package_stubs()
    try:
      loaded = importlib.import_module(full_name)
    except ImportError as error:
      raise TFGANLayoutError(f"cannot import TF-GAN's {name}: {error}") from error
  missing = [attribute for attribute in REQUIRED[name] if not hasattr(loaded, attribute)]
  if missing:
    raise TFGANLayoutError(f"TF-GAN's {name} lacks {missing}; tfwgan expects "
                           "tensorflow-gan 2.1.0.")
  return loaded


def _register_package_stubs():
  """Stand-ins for the package levels not stubbed yet (the root is found only then: once
  `tensorflow_gan` is a stub, `find_spec` cannot locate it)."""
  missing = [name for name in _PACKAGES
             if not getattr(sys.modules.get(name), "_tfwgan_stub", False)]
  if not missing:
    return
  root = _package_root()
  for name in missing:
    path = os.path.join(root, *name.split(".")[1:])
    if not os.path.isdir(path):
      raise TFGANLayoutError(f"tensorflow-gan layout changed: no package directory {path}; "
                             "tfwgan.evaluation.tfgan_compat expects tensorflow-gan 2.1.0.")
    stub = types.ModuleType(name)
    stub.__path__ = [path]
    stub._tfwgan_stub = True  # pylint: disable=protected-access
    sys.modules[name] = stub
