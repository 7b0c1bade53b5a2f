"""tfwgan: Wasserstein-type GANs as Keras models (WGAN, WGAN-GP, WGAN-LP, DRAGAN, RWP, SBE)."""

import importlib

from tfwgan import ada
from tfwgan import augment
from tfwgan import conditioning
from tfwgan import critic_terms
from tfwgan import data
from tfwgan import ema
from tfwgan import evaluation
from tfwgan import losses
from tfwgan import networks
from tfwgan import penalties
from tfwgan import presets
from tfwgan import proximal
from tfwgan import spectral_norm
from tfwgan.gan import GAN
from tfwgan.methods import DRAGAN, StandardGAN, WGANClip, WGANGP, WGANLP, WWGAN
from tfwgan.proximal import RWP, SBE

__version__ = "0.1.0"

# The launcher's machinery, imported on first use (`tfwgan.training.run(...)`): TensorBoard's
# HParams plugin and the rest cost every process that only builds a GAN about a second.
_ON_FIRST_USE = ("activations", "callbacks", "config", "distribution", "export", "files",
                 "sampling", "schedules", "training")


def __getattr__(name):
  if name in _ON_FIRST_USE:
    return importlib.import_module(f"tfwgan.{name}")
  raise AttributeError(f"module 'tfwgan' has no attribute {name!r}")
