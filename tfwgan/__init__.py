"""tfwgan: Wasserstein-type GANs as Keras models (WGAN, WGAN-GP, WGAN-LP, DRAGAN, RWP, SBE)."""

from tfwgan import augment
from tfwgan import conditioning
from tfwgan import data
from tfwgan import ema
from tfwgan import evaluation
from tfwgan import losses
from tfwgan import networks
from tfwgan import penalties
from tfwgan import presets
from tfwgan import proximal
from tfwgan.gan import GAN
from tfwgan.methods import DRAGAN, StandardGAN, WGANClip, WGANGP, WGANLP, WWGAN
from tfwgan.proximal import RWP, SBE

__version__ = "0.1.0"
