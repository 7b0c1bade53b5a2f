"""Networks of the seed papers: toy MLPs, DCGANs for 28/32/64-pixel images, the SBE potential.

Critics and the potential, which the penalties differentiate twice, use
`tfwgan.activations.LeakyReLU` (Keras' values and gradients, cheaper double backprop);
generators use Keras' own layers, so an exported generator loads with plain Keras.

Under a mixed-precision policy (`tfwgan.precision`) hidden layers compute in bfloat16;
every network's last layer is float32, so samples and scores keep float32 precision
(Keras mixed-precision guide: the model's outputs in float32).
"""

import keras

from tfwgan import activations

OUTPUT_DTYPE = "float32"

DCGAN_SIZES = (28, 32, 64)
CRITIC_NORMALIZATIONS = ("none", "layer", "batch")


def mlp_generator(latent_dim=2, output_dim=2, *, hidden_units=512, hidden_layers=3):
  """Toy generator: 3 hidden LeakyReLU layers of 512 (WGAN-LP paper, §6)."""
  return _mlp(latent_dim, output_dim, hidden_units, hidden_layers, keras.layers.LeakyReLU,
              name="mlp_generator")


def mlp_critic(input_dim=2, *, hidden_units=512, hidden_layers=3):
  """Toy critic: 3 hidden LeakyReLU layers of 512, one linear output (WGAN-LP paper, §6)."""
  return _mlp(input_dim, 1, hidden_units, hidden_layers, activations.LeakyReLU,
              name="mlp_critic")


def _mlp(input_dim, output_dim, hidden_units, hidden_layers, activation, *, name):
  layers = [keras.Input((input_dim,))]
  for _ in range(hidden_layers):
    layers += [keras.layers.Dense(hidden_units), activation(0.2)]
  layers.append(keras.layers.Dense(output_dim, dtype=OUTPUT_DTYPE))
  return keras.Sequential(layers, name=name)


def _check_image_shape(image_shape):
  image_shape = tuple(image_shape)
  if (len(image_shape) != 3 or image_shape[0] != image_shape[1]
      or image_shape[0] not in DCGAN_SIZES or image_shape[2] < 1):
    raise ValueError(f"image_shape={image_shape}: the DCGAN networks make square images of "
                     f"size {DCGAN_SIZES} with >= 1 channels, e.g. (32, 32, 3).")
  return image_shape


def _upsampling_plan(size):
  """Start resolution and number of stride-2 stages: 28 = 7·2², 32 = 4·2³, 64 = 4·2⁴."""
  start = 7 if size == 28 else 4
  stages = {28: 2, 32: 3, 64: 4}[size]
  return start, stages


def dcgan_generator(latent_dim, image_shape, *, base_filters=64):
  """DCGAN generator (Radford et al. 2016): dense → stride-2 transposed convs with BN/ReLU → tanh.

  Batch norm is synchronized over replicas, so its statistics are the global batch's.

  For 32×32×3 with base_filters=64 this is the WGAN-GP paper's DCGAN-32 (DIM = 64).
  """
  size, _, channels = _check_image_shape(image_shape)
  start, stages = _upsampling_plan(size)
  filters = base_filters * 2 ** (stages - 1)
  layers = [keras.Input((latent_dim,)),
            keras.layers.Dense(start * start * filters, use_bias=False),
            keras.layers.BatchNormalization(synchronized=True), keras.layers.ReLU(),
            keras.layers.Reshape((start, start, filters))]
  for _ in range(stages - 1):
    filters //= 2
    layers += [keras.layers.Conv2DTranspose(filters, 5, strides=2, padding="same", use_bias=False),
               keras.layers.BatchNormalization(synchronized=True), keras.layers.ReLU()]
  layers += [keras.layers.Conv2DTranspose(channels, 5, strides=2, padding="same",
                                          dtype=OUTPUT_DTYPE),
             keras.layers.Activation("tanh", dtype=OUTPUT_DTYPE)]
  return keras.Sequential(layers, name=f"dcgan_generator_{size}")


def dcgan_critic(image_shape, *, base_filters=64, normalization="none"):
  """DCGAN critic: stride-2 convs with LeakyReLU(0.2) and one linear output.

  `normalization`: 'none' (required with a gradient penalty: batch norm mixes the
  samples whose per-sample gradients are penalised), 'layer', or 'batch'.
  """
  size, _, _ = _check_image_shape(image_shape)
  if normalization not in CRITIC_NORMALIZATIONS:
    raise ValueError(f"normalization={normalization!r}: allowed values are "
                     f"{CRITIC_NORMALIZATIONS}.")
  _, stages = _upsampling_plan(size)
  layers = [keras.Input(tuple(image_shape))]
  filters = base_filters
  for stage in range(stages):
    layers.append(keras.layers.Conv2D(filters, 5, strides=2, padding="same"))
    if stage > 0 and normalization == "layer":
      layers.append(keras.layers.LayerNormalization(axis=[1, 2, 3]))
    elif stage > 0 and normalization == "batch":
      layers.append(keras.layers.BatchNormalization(synchronized=True))
    layers.append(activations.LeakyReLU(0.2))
    filters *= 2
  layers += [keras.layers.Flatten(), keras.layers.Dense(1, dtype=OUTPUT_DTYPE)]
  return keras.Sequential(layers, name=f"dcgan_critic_{size}")


def potential_mlp(sample_shape, *, hidden_units=128):
  """SBE potential Φ: one hidden layer with layer normalisation on flattened samples (App. G)."""
  return keras.Sequential([
      keras.Input(tuple(sample_shape)), keras.layers.Flatten(),
      keras.layers.Dense(hidden_units), keras.layers.LayerNormalization(),
      activations.LeakyReLU(0.2), keras.layers.Dense(1, dtype=OUTPUT_DTYPE)],
      name="sbe_potential")
