"""TF-GAN's evaluation math on TF >= 2.16, where `import tensorflow_gan` fails.

The package `__init__` imports its estimator code, which touches the removed
`tf.estimator`. Its `python/eval` modules need only TensorFlow (and TF Probability),
so this module registers empty stand-ins for the two package levels and imports
`tensorflow_gan.python.eval.classifier_metrics` from the installed files.
"""

import importlib
import importlib.util
import os
import sys
import types

_PACKAGES = ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval")
REQUIRED = ("frechet_classifier_distance_from_activations", "classifier_score_from_logits",
            "kernel_classifier_distance_from_activations")


class TFGANLayoutError(ImportError):
  """The installed tensorflow-gan does not have the layout this compat layer expects."""


def _package_root():
  spec = importlib.util.find_spec("tensorflow_gan")
  if spec is None or not spec.submodule_search_locations:
    raise TFGANLayoutError("tensorflow-gan is not installed: pip install tensorflow-gan==2.1.0")
  return list(spec.submodule_search_locations)[0]


def classifier_metrics():
  """`tensorflow_gan.python.eval.classifier_metrics`, imported without the package __init__."""
  loaded = sys.modules.get("tensorflow_gan.python.eval.classifier_metrics")
  if loaded is None:
    root = _package_root()
    for name in _PACKAGES:
      if name not in sys.modules or not getattr(sys.modules[name], "_tfwgan_stub", False):
        path = os.path.join(root, *name.split(".")[1:])
        if not os.path.isdir(path):
          raise TFGANLayoutError(f"tensorflow-gan layout changed: no package directory {path}; "
                                 "tfwgan.evaluation.tfgan_compat expects tensorflow-gan 2.1.0.")
        stub = types.ModuleType(name)
        stub.__path__ = [path]
        stub._tfwgan_stub = True  # pylint: disable=protected-access
        sys.modules[name] = stub
    try:
      loaded = importlib.import_module("tensorflow_gan.python.eval.classifier_metrics")
    except ImportError as error:
      raise TFGANLayoutError(f"cannot import TF-GAN's classifier_metrics: {error}") from error
  missing = [name for name in REQUIRED if not hasattr(loaded, name)]
  if missing:
    raise TFGANLayoutError(f"TF-GAN's classifier_metrics lacks {missing}; tfwgan expects "
                           "tensorflow-gan 2.1.0.")
  return loaded
