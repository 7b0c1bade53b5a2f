"""tfwgan: Wasserstein-type GANs as Keras models (WGAN, WGAN-GP, WGAN-LP, DRAGAN, RWP, SBE)."""

from tfwgan import activations
from tfwgan import augment
from tfwgan import callbacks
from tfwgan import conditioning
from tfwgan import critic_terms
from tfwgan import config
from tfwgan import data
from tfwgan import distribution
from tfwgan import ema
from tfwgan import evaluation
from tfwgan import export
from tfwgan import losses
from tfwgan import networks
from tfwgan import penalties
from tfwgan import presets
from tfwgan import proximal
from tfwgan import sampling
from tfwgan import schedules
from tfwgan import spectral_norm
from tfwgan import training
from tfwgan.gan import GAN
from tfwgan.methods import DRAGAN, StandardGAN, WGANClip, WGANGP, WGANLP, WWGAN
from tfwgan.proximal import RWP, SBE

__version__ = "0.1.0"
