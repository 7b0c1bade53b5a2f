"""An exponential moving average of the generator's weights (Yazıcı et al. 2019), the
recipe peers report with WGAN-GP: compare_gan and StudioGAN offer it (decay 0.9999).

Updated once per outer iteration, after the generator phase: before `start_step` the
average is a copy of θ; from then on θ_ema ← decay·θ_ema + (1 − decay)·θ. Batch-norm
moving statistics: `statistics="copy"` (default) takes the live generator's at each
update; `"average"` averages them like the weights (StudioGAN's choice). compare_gan
instead recomputes them over generated batches before evaluating. Copying is exact at
decay 0 and while the weights barely move; early in training, when the average lags the
live weights, the live statistics do not fit the averaged weights (measured in
experiments/results/resnet_recipe.md). At decay 0 the EMA generator is the live one.
"""

import keras
import tensorflow as tf

from tfwgan import copies
from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of


STATISTICS = ("copy", "average")


class GeneratorEMA:
  """`decay` ∈ [0, 1), `start_step` ≥ 0 (outer iterations before averaging starts),
  `statistics`: what happens to batch-norm moving statistics ('copy' or 'average')."""

  def __init__(self, decay=0.9999, start_step=0, statistics="copy"):
    if not 0.0 <= decay < 1.0:
      raise ValueError(f"decay={decay!r}: must be a number in [0, 1).")
    self.statistics = one_of("statistics", statistics, STATISTICS)
    self.decay = float(decay)
    self.start_step = integer_at_least("start_step", start_step, 0)
    self.generator = None
    self.weights = []
    self._model = None

  def attach(self, generator):
    """Starts the average at the generator's current weights (all of them, including
    batch-norm statistics)."""
    self.generator = generator
    self.weights = copies.replica_synced_copies(generator.weights, "ema")
    return self

  def update(self, step):
    """One update after outer iteration `step` (counted from 1)."""
    averaging = tf.cast(step > self.start_step, tf.float32)
    decay = averaging * self.decay
    averaged = {id(v) for v in (self.generator.weights if self.statistics == "average"
                                else self.generator.trainable_variables)}
    for average, variable in zip(self.weights, self.generator.weights):
      if id(variable) in averaged and "float" in str(variable.dtype):
        average.assign(tf.cast(decay, average.dtype) * average
                       + tf.cast(1.0 - decay, average.dtype) * variable)
      else:  # batch-norm moving statistics ('copy'), counters: copied
        average.assign(variable)

  def model(self):
    """A Keras model with the averaged weights (for sampling, evaluation and export)."""
    if self._model is None:
      self._model = keras.models.clone_model(self.generator)
      self._model.build(self.generator.input_shape)
    self._model.set_weights([average.numpy() for average in self.weights])
    return self._model
