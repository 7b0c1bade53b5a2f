"""Spectral normalisation as Miyato et al. 2018 define it (§2.1–2.2, Alg. 1).

W_SN(W) = W / σ(W), σ(W) = uᵀWv: W stays the parameter, and the gradient runs through
W/σ(W) with u and v held constant (their eq. 12; PyTorch's `spectral_norm` does the same).
One power iteration per update (Alg. 1: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖, then the SGD step),
run by the model at the start of each update of the network (`power_iteration`), never
inside a call: a WGAN-GP critic update calls the critic 3 times (real, fake, interpolates)
and would otherwise advance u three times, and evaluation, sampling and RWP/SBE's anchor
g_θk−1 would move it. (`keras.layers.SpectralNormalization` instead writes W/σ into the
kernel and stops the gradient there, and iterates in every training call; see
../shared/TRAPS.md.)

The matrix of a kernel has one column per output unit: Dense [in, out], Conv2D
[h, w, in, out] and Embedding [classes, features] use their last axis, Conv2DTranspose
[h, w, out, in] its second to last (PyTorch's dim=1 for transposed convolutions).
"""

import keras
from keras import ops

NORMALIZED_LAYERS = (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose,
                     keras.layers.Embedding)
_EPSILON = 1e-12


def _output_axis(layer):
  return -2 if isinstance(layer, keras.layers.Conv2DTranspose) else -1


def kernel_matrix(layer, kernel=None):
  """The kernel as a matrix [fan-in, outputs], one column per output unit."""
  kernel = layer.embeddings if isinstance(layer, keras.layers.Embedding) else (
      layer.kernel if kernel is None else kernel)
  if _output_axis(layer) == -2:
    kernel = ops.swapaxes(kernel, -1, -2)
  return ops.reshape(kernel, [-1, kernel.shape[-1]])


def _normalized(vector):
  return vector / (ops.sqrt(ops.sum(ops.square(vector))) + _EPSILON)


@keras.saving.register_keras_serializable(package="tfwgan")
class SpectralNormalization(keras.layers.Wrapper):
  """`layer` computing with W/σ(W) (Miyato et al. 2018, eq. 8), σ from the held u and v.

  The wrapped layer's own activation is applied after the normalisation; its kernel and
  its settings are never changed. u (outputs) and v (fan-in) are non-trainable weights, checkpointed with
  the network and equal on every replica (they change only in `power_iteration`).
  """

  def __init__(self, layer, **kwargs):
    if not isinstance(layer, NORMALIZED_LAYERS):
      raise ValueError(f"layer={layer.name!r}: spectral normalisation takes "
                       f"{[cls.__name__ for cls in NORMALIZED_LAYERS]}, not "
                       f"{type(layer).__name__}.")
    super().__init__(layer, **kwargs)

  def build(self, input_shape):
    if not self.layer.built:
      self.layer.build(input_shape)
    matrix = kernel_matrix(self.layer)
    fan_in, outputs = matrix.shape
    self.u = self.add_weight(shape=(outputs,), initializer="random_normal", trainable=False,
                             name="u", aggregation="only_first_replica")
    self.v = self.add_weight(shape=(fan_in,), initializer="zeros", trainable=False, name="v",
                             aggregation="only_first_replica")
    self.u.assign(_normalized(self.u))
    self.v.assign(_normalized(ops.matmul(matrix, self.u)))
    self.built = True

  def sigma(self):
    """σ(W) = uᵀWv with u, v held (no gradient through them)."""
    matrix = kernel_matrix(self.layer)
    u, v = ops.stop_gradient(self.u), ops.stop_gradient(self.v)
    return ops.sum(v * ops.matmul(matrix, ops.cast(u, matrix.dtype)))

  def power_iteration(self):
    """One step of Alg. 1: v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖ (W as [outputs, fan-in])."""
    matrix = ops.stop_gradient(kernel_matrix(self.layer))
    v = _normalized(ops.matmul(matrix, self.u))
    self.v.assign(v)
    self.u.assign(_normalized(ops.matmul(ops.transpose(matrix), v)))

  def call(self, inputs, training=None):
    del training   # σ comes from the held u, v in either mode
    # The layer's activation goes after W/σ: the layer runs linear for the call (its own
    # settings, and the model it came from, stay as they were).
    activation = getattr(self.layer, "activation", None) or keras.activations.linear
    if hasattr(self.layer, "activation"):
      self.layer.activation = keras.activations.linear
    try:
      outputs = self.layer(inputs)               # linear in W: L_W(x) + b
    finally:
      if hasattr(self.layer, "activation"):
        self.layer.activation = activation
    sigma = ops.cast(self.sigma(), outputs.dtype)
    bias = getattr(self.layer, "bias", None)
    if bias is None:
      outputs = outputs / sigma
    else:                                        # L_{W/σ}(x) + b = L_W(x)/σ + b
      bias = ops.cast(bias, outputs.dtype)
      outputs = (outputs - bias) / sigma + bias
    return activation(outputs)

  def compute_output_shape(self, input_shape):
    return self.layer.compute_output_shape(input_shape)


def layers_of(model):
  """Every SpectralNormalization layer of `model`, nested models included."""
  found = []
  for layer in model._flatten_layers(include_self=False, recursive=True):  # pylint: disable=protected-access
    if isinstance(layer, SpectralNormalization):
      found.append(layer)
  return found


def power_iteration(model):
  """One power iteration of every spectrally normalised layer of `model` (the start of
  each of its updates, Alg. 1)."""
  for layer in layers_of(model):
    layer.power_iteration()


def apply(model):
  """`model` with every Dense, Conv2D, Conv2DTranspose and Embedding layer spectrally
  normalised (the same layer objects, so the same weights; nested models too). A
  functional or Sequential Keras model, as the library builds or a user passes."""
  def wrap(layer):
    if isinstance(layer, NORMALIZED_LAYERS):
      return SpectralNormalization(layer, name=f"{layer.name}_sn")
    return layer
  return keras.models.clone_model(model, clone_function=wrap, recursive=True)
