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
from tfwgan import conditioning

OUTPUT_DTYPE = "float32"

DCGAN_SIZES = (28, 32, 64)
CRITIC_NORMALIZATIONS = ("none", "layer", "batch")


def mlp_generator(latent_dim=2, output_dim=2, *, hidden_units=512, hidden_layers=3,
                  num_classes=None):
  """Toy generator: 3 hidden LeakyReLU layers of 512 (WGAN-LP paper, §6). With
  `num_classes`: inputs [z, label], z joined with the label's one-hot code."""
  if num_classes:
    return conditioning.one_hot_conditioned(
        mlp_generator(latent_dim + num_classes, output_dim, hidden_units=hidden_units,
                      hidden_layers=hidden_layers), latent_dim, num_classes,
        name="conditional_mlp_generator")
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


def dcgan_generator(latent_dim, image_shape, *, base_filters=64, num_classes=None):
  """DCGAN generator (Radford et al. 2016): dense → stride-2 transposed convs with BN/ReLU → tanh.

  Batch norm is synchronized over replicas, so its statistics are the global batch's.
  With `num_classes`: inputs [z, label], z joined with the label's one-hot code.

  For 32×32×3 with base_filters=64 this is the WGAN-GP paper's DCGAN-32 (DIM = 64).
  """
  size, _, channels = _check_image_shape(image_shape)
  if num_classes:
    return conditioning.one_hot_conditioned(
        dcgan_generator(latent_dim + num_classes, image_shape, base_filters=base_filters),
        latent_dim, num_classes, name=f"conditional_dcgan_generator_{size}")
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


# --- The WGAN-GP authors' residual networks (Gulrajani et al. 2017, App. F; their
# gan_cifar_resnet.py and gan_64x64.py). -------------------------------------------------------

RESNET_SIZES = (28, 32, 64)   # 28×28 (MNIST) runs the 32×32 networks, padded by 2 pixels
# Initialisation of the residual branches' 3×3 convolutions: "authors" is their tflib
# `he_init`, uniform with std √(4/(fan_in + fan_out)) (√2 × Glorot's); "glorot" is Keras'
# default. Shortcuts, the stem, the head and dense layers are Glorot-uniform in both (as
# in their code, where those pass he_init=False or are Linear).
RESNET_INITS = ("authors", "glorot")
AUTHORS_NORM_EPSILON = 1e-5   # tflib's batch norm and layer norm; Keras' default is 1e-3


def _conv(filters, kernel_size, name, initializer="glorot_uniform"):
  return keras.layers.Conv2D(filters, kernel_size, padding="same", name=name,
                             kernel_initializer=initializer)


def _residual_initializer(init):
  """The residual convolutions' kernel initializer for `init` (see RESNET_INITS)."""
  if init not in RESNET_INITS:
    raise ValueError(f"init={init!r}: allowed values are {RESNET_INITS}.")
  if init == "glorot":
    return "glorot_uniform"
  # Variance scaling over fan_avg = (fan_in + fan_out)/2: std √(scale / fan_avg).
  return keras.initializers.VarianceScaling(2.0, mode="fan_avg", distribution="uniform")


def _residual_block(x, filters, *, resample, normalization, name, activation,
                    initializer):
  """Shortcut + [norm → act → conv → norm → act → conv]; `resample` 'up' (nearest
  upsampling before the first conv and the 1×1 shortcut), 'down' (2×2 mean-pool after the
  second conv and the shortcut's 1×1 conv) or None (identity shortcut if widths match)."""
  shortcut = x
  if resample == "up":
    shortcut = keras.layers.UpSampling2D(name=f"{name}_shortcut_up")(shortcut)
  if resample is not None or x.shape[-1] != filters:
    shortcut = _conv(filters, 1, f"{name}_shortcut_conv")(shortcut)
  if resample == "down":
    shortcut = keras.layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(shortcut)
  y = x
  for index in (1, 2):
    if normalization is not None:
      y = normalization(f"{name}_norm{index}")(y)
    y = activation(f"{name}_act{index}")(y)
    if resample == "up" and index == 1:
      y = keras.layers.UpSampling2D(name=f"{name}_up")(y)
    y = _conv(x.shape[-1] if (resample == "down" and index == 1) else filters, 3,
              f"{name}_conv{index}", initializer)(y)
  if resample == "down":
    y = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(y)
  return keras.layers.Add(name=f"{name}_add")([shortcut, y])


def _batch_norm(epsilon):
  return lambda name: keras.layers.BatchNormalization(synchronized=True, epsilon=epsilon,
                                                      name=name)


def _conditional_batch_norm(epsilon, num_classes, labels):
  """Batch norm with a scale and offset per class of `labels` (the authors' cond_batchnorm)."""
  return lambda name: lambda x: conditioning.ConditionalBatchNormalization(
      num_classes, epsilon=epsilon, name=name)([x, labels])


def _layer_norm(epsilon):
  """Per-sample normalisation over height, width and channels with per-channel scale and
  offset (the authors' Layernorm over axes [1, 2, 3]); no statistic crosses samples."""
  return lambda name: keras.layers.GroupNormalization(groups=1, epsilon=epsilon, name=name)


def _relu(name):
  return keras.layers.ReLU(name=name)


def _critic_relu(name):
  return activations.LeakyReLU(0.0, name=name)


def _check_resnet_shape(image_shape):
  image_shape = tuple(image_shape)
  if len(image_shape) != 3 or image_shape[0] != image_shape[1] or \
      image_shape[0] not in RESNET_SIZES:
    raise ValueError(f"image_shape={image_shape}: the ResNets make square images of size "
                     f"{RESNET_SIZES} (28×28 runs the 32×32 networks, padded).")
  return image_shape


def resnet_generator(latent_dim, image_shape, *, width=128, init="authors",
                     norm_epsilon=AUTHORS_NORM_EPSILON, num_classes=None):
  """The WGAN-GP authors' ResNet generator (`init`, `norm_epsilon`: their code's
  initialisation and normalisation ε by default; see RESNET_INITS).

  32×32: dense → 4×4×width, three upsampling residual blocks at `width`, then BN → ReLU →
  3×3 conv → tanh. 64×64: dense → 4×4×8d, upsampling blocks 8d→8d→4d→2d→d (d = width),
  then the same head. Batch norm is synchronized over replicas. 28×28: the 32×32 network,
  its output cropped by 2 pixels on each side. With `num_classes` (the authors'
  CONDITIONAL=True): inputs [z, label], the residual blocks' batch norms conditional
  (a scale and offset per class), the output block's norm not.
  """
  size, _, channels = _check_resnet_shape(image_shape)
  initializer, batch_norm = _residual_initializer(init), _batch_norm(norm_epsilon)
  widths = [width] * 4 if size <= 32 else [8 * width, 8 * width, 4 * width, 2 * width, width]
  z = keras.Input((latent_dim,), name="z" if num_classes else None)
  inputs, block_norm = z, batch_norm
  if num_classes:
    labels = conditioning.label_input()
    inputs = [z, labels]
    block_norm = _conditional_batch_norm(norm_epsilon, num_classes, labels)
  x = keras.layers.Dense(4 * 4 * widths[0], name="dense")(z)
  x = keras.layers.Reshape((4, 4, widths[0]))(x)
  for index, filters in enumerate(widths[1:]):
    x = _residual_block(x, filters, resample="up", normalization=block_norm,
                        name=f"block{index + 1}", activation=_relu, initializer=initializer)
  x = batch_norm("head_norm")(x)
  x = _relu("head_act")(x)
  x = keras.layers.Conv2D(channels, 3, padding="same", dtype=OUTPUT_DTYPE, name="head_conv")(x)
  x = keras.layers.Activation("tanh", dtype=OUTPUT_DTYPE)(x)
  if size == 28:
    x = keras.layers.Cropping2D(2, dtype=OUTPUT_DTYPE, name="crop_to_28")(x)
  return keras.Model(inputs, x, name=f"{'conditional_' if num_classes else ''}"
                     f"resnet_generator_{size}")


def resnet_critic(image_shape, *, width=128, init="authors", norm_epsilon=AUTHORS_NORM_EPSILON):
  """The WGAN-GP authors' ResNet critic; no cross-sample statistic anywhere (`init`,
  `norm_epsilon`: as in `resnet_generator`).

  32×32: an optimised first block (3×3 conv → ReLU → 3×3 conv → mean-pool; shortcut
  mean-pool → 1×1 conv), one downsampling and two plain blocks at `width`, then ReLU →
  global mean pool → dense. No normalisation. 64×64: 3×3 conv to d, downsampling blocks
  d→2d→4d→8d→8d with layer norm, then dense on the 4×4×8d features. 28×28: the 32×32
  critic on the images zero-padded by 2 pixels.
  """
  size, _, _ = _check_resnet_shape(image_shape)
  initializer = _residual_initializer(init)
  images = keras.Input(tuple(image_shape))
  if size <= 32:
    padded = (keras.layers.ZeroPadding2D(2, name="pad_to_32")(images) if size == 28
              else images)
    shortcut = keras.layers.AveragePooling2D(2, name="block0_shortcut_pool")(padded)
    shortcut = _conv(width, 1, "block0_shortcut_conv")(shortcut)
    y = _conv(width, 3, "block0_conv1", initializer)(padded)
    y = _critic_relu("block0_act")(y)
    y = _conv(width, 3, "block0_conv2", initializer)(y)
    y = keras.layers.AveragePooling2D(2, name="block0_pool")(y)
    x = keras.layers.Add(name="block0_add")([shortcut, y])
    for index, resample in enumerate(("down", None, None)):
      x = _residual_block(x, width, resample=resample, normalization=None,
                          name=f"block{index + 1}", activation=_critic_relu,
                          initializer=initializer)
    x = _critic_relu("head_act")(x)
    x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
  else:
    x = _conv(width, 3, "stem_conv")(images)
    for index, filters in enumerate((2 * width, 4 * width, 8 * width, 8 * width)):
      x = _residual_block(x, filters, resample="down", normalization=_layer_norm(norm_epsilon),
                          name=f"block{index + 1}", activation=_critic_relu,
                          initializer=initializer)
    x = keras.layers.Flatten()(x)
  x = keras.layers.Dense(1, dtype=OUTPUT_DTYPE, name="head_dense")(x)
  return keras.Model(images, x, name=f"resnet_critic_{size}")
