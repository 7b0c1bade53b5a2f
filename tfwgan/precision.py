"""Compute precision of the networks: float32, or mixed bfloat16 (for bfloat16 hardware).

Under "mixed_bfloat16" the layers compute in bfloat16 with float32 variables (Keras
mixed precision); the networks' last layers, the samples, losses, penalties and
gradient norms stay float32. bfloat16 has float32's exponent range, so no loss
scaling is needed (unlike float16).
"""

import contextlib

import keras

from tfwgan.validation import one_of

PRECISIONS = ("float32", "mixed_bfloat16")


@contextlib.contextmanager
def policy(precision):
  """Networks built inside use the `precision` dtype policy; the global policy is restored."""
  one_of("precision", precision, PRECISIONS)
  previous = keras.mixed_precision.global_policy()
  keras.mixed_precision.set_global_policy(precision)
  try:
    yield
  finally:
    keras.mixed_precision.set_global_policy(previous)
