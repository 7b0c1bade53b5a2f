"""Shared test helpers: analytic critics and tiny networks."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # pylint: disable=g-import-not-at-top
import numpy as np
import tensorflow as tf

LOGICAL_CPUS = 2


def configure_logical_cpus():
  """Splits the CPU into LOGICAL_CPUS devices, before TensorFlow initialises (conftest)."""
  cpu = tf.config.list_physical_devices("CPU")[0]
  if len(tf.config.get_logical_device_configuration(cpu) or []) < LOGICAL_CPUS:
    try:
      tf.config.set_logical_device_configuration(
          cpu, [tf.config.LogicalDeviceConfiguration()] * LOGICAL_CPUS)
    except RuntimeError:  # already initialised: tests needing 2 devices will say so
      pass


def logical_cpus(count):
  """Names of `count` logical CPU devices for a MirroredStrategy."""
  devices = [d.name for d in tf.config.list_logical_devices("CPU")]
  if len(devices) < count:
    raise RuntimeError(f"need {count} logical CPUs, have {devices}: run under pytest "
                       "(tests/conftest.py configures them before TensorFlow starts).")
  return devices[:count]


configure_logical_cpus()

_MIRRORED = []


def mirrored_strategy():
  """The process's one 2-replica MirroredStrategy (a second one collides on collective keys)."""
  if not _MIRRORED:
    _MIRRORED.append(tf.distribute.MirroredStrategy(logical_cpus(LOGICAL_CPUS)))
  return _MIRRORED[0]


def linear_critic(weights):
  """f(x) = w·x as a Keras model: ∇f = w everywhere, so every penalty is analytic."""
  weights = np.asarray(weights, dtype=np.float32)
  layer = keras.layers.Dense(1, use_bias=False)
  model = keras.Sequential([keras.Input((len(weights),)), layer])
  layer.kernel.assign(weights.reshape(-1, 1))
  return model


def compile_gan(gan, learning_rate=1e-3, optimizer=None):
  """Compiles `gan` with a fresh optimizer per network (a potential optimizer for SBE)."""
  optimizer = optimizer or keras.optimizers.Adam
  optimizers = {"generator_optimizer": optimizer(learning_rate),
                "critic_optimizer": optimizer(learning_rate)}
  if gan.potential is not None:
    optimizers["potential_optimizer"] = optimizer(learning_rate)
  gan.compile(**optimizers)
  return gan


# Every generator family tfwgan.networks ships, tiny; a property of the training loop is
# tested over all of them. Each entry: () → (generator, critic, latent_dim, sample_shape).
NETWORK_FAMILIES = ("mlp", "dcgan28", "dcgan32", "dcgan64", "resnet28")
# resnet28 runs the 32×32 ResNets; the 64×64 ResNet generator (5× slower here) is covered by
# proximal_test's anchor test instead.


def network_family(name):
  """Tiny generator and critic of the family `name` (see NETWORK_FAMILIES)."""
  from tfwgan import networks  # pylint: disable=g-import-not-at-top
  if name == "mlp":
    generator, critic = tiny_mlp_pair(latent_dim=3, data_dim=2, hidden_units=8)
    return generator, critic, 3, (2,)
  if name.startswith("resnet"):   # resnet28 runs the 32×32 networks, padded
    size = int(name[len("resnet"):])
    shape = (size, size, 1 if size == 28 else 3)
    return (networks.resnet_generator(4, shape, width=2),
            networks.resnet_critic(shape, width=2), 4, shape)
  size = int(name[len("dcgan"):])
  shape = (size, size, 3 if size == 32 else 1)
  return (networks.dcgan_generator(4, shape, base_filters=2),
          networks.dcgan_critic(shape, base_filters=2), 4, shape)


# A conditional case of every family: (family, critic conditioning, proximals tested). The
# generators take [z, label] (one-hot joined to z; the ResNet's conditional batch norm).
# The conditional ResNet runs RWP only: its 2-replica cases take about 25 s each.
CONDITIONAL_FAMILIES = (("mlp", "projection", ("rwp", "sbe")),
                        ("dcgan28", "acgan", ("rwp", "sbe")),
                        ("resnet28", "projection", ("rwp",)))
CLASSES = 3


def conditional_network_family(name, critic_kind):
  """Like `network_family`, conditional on CLASSES classes, plus its ClassConditioning."""
  from tfwgan import conditioning  # pylint: disable=g-import-not-at-top
  from tfwgan import networks  # pylint: disable=g-import-not-at-top
  _, critic, latent_dim, shape = network_family(name)
  if name == "mlp":
    generator = networks.mlp_generator(latent_dim, 2, hidden_units=8, hidden_layers=2,
                                       num_classes=CLASSES)
  elif name.startswith("resnet"):
    generator = networks.resnet_generator(latent_dim, shape, width=2, num_classes=CLASSES)
  else:
    generator = networks.dcgan_generator(latent_dim, shape, base_filters=2, num_classes=CLASSES)
  wrap = conditioning.acgan_critic if critic_kind == "acgan" else conditioning.projection_critic
  return (generator, wrap(critic, CLASSES), latent_dim, shape,
          conditioning.ClassConditioning(CLASSES, critic_kind))


def assert_restored_from_checkpoint(test, gan, state, scratch_value=7.0):
  """Saves `gan.checkpoint_items()`, overwrites the `state` variables (a dict) with
  `scratch_value`, restores, and asserts `state` holds its saved values again."""
  import os  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  path = tf.train.Checkpoint(**gan.checkpoint_items()).save(
      os.path.join(test.create_tempdir().full_path, "ckpt"))
  saved = [float(v) for v in state.values()]
  for variable in state.values():
    variable.assign(scratch_value)
  tf.train.Checkpoint(**gan.checkpoint_items()).restore(path).assert_existing_objects_matched()
  test.assertEqual([float(v) for v in state.values()], saved)


def tiny_mlp_pair(latent_dim=2, data_dim=2, hidden_units=16):
  """A small MLP generator and critic for fast model tests."""
  from tfwgan import networks  # pylint: disable=g-import-not-at-top
  return (networks.mlp_generator(latent_dim, data_dim, hidden_units=hidden_units,
                                 hidden_layers=2),
          networks.mlp_critic(data_dim, hidden_units=hidden_units, hidden_layers=2))


def wgan_lp_eight_gaussians_emd(compute_precision="float32"):
  """Exact EMD to 500 data points before and after 200 WGAN-LP outer iterations (tiny MLPs)."""
  import tfwgan  # pylint: disable=g-import-not-at-top
  from tfwgan import precision  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  with precision.policy(compute_precision):
    generator, critic = tiny_mlp_pair(hidden_units=64)
    gan = tfwgan.WGANLP(generator, critic, 2, critic_steps=5, seed=0)
  gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
              critic_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9))
  data = tfwgan.data.sample_toy("8gaussians", 500, [0, 7]).numpy()
  before = tfwgan.evaluation.emd(gan.sample(500, seed=1), data)
  gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=64, critic_steps=5), epochs=1,
          steps_per_epoch=200, verbose=0)
  return before, tfwgan.evaluation.emd(gan.sample(500, seed=1), data)
