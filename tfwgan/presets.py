"""Paper settings as data: one frozen `Preset` per named setting of the seed papers."""

import dataclasses
import os

import keras

from tfwgan import penalties
from tfwgan import validation

# The evaluation classifier shipped with the repository (trained on MNIST's digits by
# launchers/train_classifier.py): the default of every MNIST preset.
MNIST_CLASSIFIER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "saved_models", "mnist_classifier")

METHODS = ("wgan_clip", "wgan_gp", "wgan_lp", "wwgan", "dragan", "standard", "r1", "r2")
PROXIMALS = ("none", "rwp", "sbe")
OPTIMIZERS = ("adam", "rmsprop", "sgd")


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
  """An optimizer setting; `build()` makes a fresh Keras optimizer from it."""

  name: str
  learning_rate: float
  beta_1: float = 0.9
  beta_2: float = 0.999
  rho: float = 0.9          # RMSprop's decay (Keras' default; PyTorch's is 0.99)
  epsilon: float = 1e-7     # Keras' default (PyTorch's and TF 1's Adam/RMSprop: 1e-8)

  def __post_init__(self):
    validation.one_of("optimizer name", self.name, OPTIMIZERS)
    validation.positive_number("learning_rate", self.learning_rate)
    validation.positive_number("epsilon", self.epsilon)
    if not 0.0 <= self.rho < 1.0:
      raise ValueError(f"rmsprop_rho={self.rho!r}: must be a number in [0, 1).")

  def build(self, learning_rate=None):
    """A fresh optimizer; `learning_rate`: a value or schedule replacing the spec's."""
    rate = self.learning_rate if learning_rate is None else learning_rate
    if self.name == "rmsprop":
      return keras.optimizers.RMSprop(rate, rho=self.rho, epsilon=self.epsilon)
    if self.name == "sgd":   # plain SGD: its update is linear in the gradient (tests, studies)
      return keras.optimizers.SGD(rate)
    return keras.optimizers.Adam(rate, beta_1=self.beta_1, beta_2=self.beta_2,
                                 epsilon=self.epsilon)


@dataclasses.dataclass(frozen=True)
class Preset:
  """One paper setting. Values not given by a paper are marked in `notes`."""

  name: str
  source: str
  method: str
  dataset: str
  optimizer: OptimizerSpec
  batch_size: int = 64
  latent_dim: int = 100
  critic_steps: int = 1
  generator_steps: int = 1
  penalty_weight: float = 10.0
  gamma: float = 1.0
  clip_value: float = 0.01
  proximal: str = "none"
  h: float = 0.0
  rwp_latents: str = "per_step"
  rwp_distance: str = "sum"
  lp_sampling: str = "interpolate"
  lp_perturbation_std: float = penalties.DEFAULT_PERTURBATION_STD
  potential_steps: int = 0
  warmup_critic_steps: int = 0
  warmup_generator_iterations: int = 0
  warmup_critic_every: int = 0     # also every N-th outer iteration (WGAN's code: 500)
  train_steps: int = 2000
  train_steps_source: str = "our choice"
  network: str = "auto"
  base_filters: int = 0            # 0: the library default (DCGAN DIM 64)
  generator_batch_size: int | None = None
  lr_decay: str = "none"
  ema_decay: float | None = None
  ema_start_step: int = 0
  # The final evaluation's protocol (`final/*`): samples scored once at the end, the real
  # split they are compared with (tfds sets) and how batch norm samples.
  final_eval_samples: int = 10_000
  eval_split: str = "train"
  eval_batch_norm: str = "moving"
  eval_source: str = (
      "RWP paper §3.1: FID on 10,000 generated images; it names neither the real split nor "
      "the batch-norm mode (the training split and Keras' inference mode here)")
  penalty_weights_studied: tuple = ()
  conditioning: str = "none"       # 'projection' or 'acgan': a class-conditional GAN
  augment: str = ""                # DiffAugment policies ('' off)
  loss: str = "auto"               # the method's own loss, or hinge / least_squares / …
  spectral_norm: str = "none"      # 'critic' or 'both' (Miyato et al. 2018)
  penalty_every: int = 1           # r1/r2: lazy regularisation every N critic updates
  classifier: str = "inception"    # the evaluation's classifier (MNIST: the shipped one)
  notes: str = ""

  def __post_init__(self):
    validation.one_of("method", self.method, METHODS)
    validation.one_of("network", self.network, ("auto", "mlp", "dcgan", "resnet"))
    validation.one_of("proximal", self.proximal, PROXIMALS)
    validation.one_of("conditioning", self.conditioning, ("none", "projection", "acgan"))
    validation.one_of("spectral_norm", self.spectral_norm, ("none", "critic", "both"))
    if self.proximal != "none" and not self.h > 0:
      raise ValueError(f"h={self.h!r}: must be > 0 with proximal={self.proximal!r}.")


_WGAN_PAPER = "Arjovsky, Chintala, Bottou 2017, Alg. 1"
_RWP_C = "Lin, Li, Osher, Montúfar (RWP paper), App. C"
_RWP_G = ("Lin, Li, Osher, Montúfar (RWP paper), App. G (SBE); the potential ascends Alg. 2 "
          "line 6's (1/h)·E[...]")
_LP_PAPER = "Petzka, Fischer, Lukovnikov 2018, §6 (toy experiments)"
_WWGAN = ("Dukler, Li, Lin, Montúfar 2019 (WWGAN): WGAN-GP's CIFAR-10 setting with the W2 norm; "
          "γ = 1 and the 'diamond' pixel graph (adjacent, two-apart and diagonal neighbours) "
          "as in the authors' code (calc_wgp, buildL_diamond; the poster gives no graph)")

_RESNET_CODE = (
    "; where the paper is silent, their tflib code: the residual 3×3 convolutions' he_init "
    "(uniform, std √(4/(fan_in + fan_out))), ε 1e-5 in batch/layer norm, Adam's ε 1e-8 "
    "(tf.train.AdamOptimizer)")
_RESNET_CIFAR = (
    "Gulrajani et al. 2017 (WGAN-GP), their gan_cifar_resnet.py: ResNet DIM 128, Adam 2e-4 "
    "β (0, 0.9), 5 critic updates at batch 64, generator batch 128, λ = 10, latent 128, "
    "100,000 generator iterations, learning rate decayed linearly to 0" + _RESNET_CODE)
# Their Inception score (gan_cifar_resnet.py get_inception_score(50000), tflib's
# inception_score.py splits=10) samples 500 batches of 100 with batch norm in training mode.
_RESNET_EVAL = dict(
    final_eval_samples=50_000, eval_batch_norm="batch",
    eval_source="WGAN-GP's gan_cifar_resnet.py: Inception score of 50,000 samples in 10 "
                "splits (tflib/inception_score.py), sampled in batches of 100 with batch "
                "statistics (their batch norm always runs in training mode)")
_ADAM_TF1_EPSILON = 1e-8   # the authors' tf.train.AdamOptimizer default
_RESNET_64 = (
    "Gulrajani et al. 2017 (WGAN-GP), their gan_64x64.py ResNet (DIM 64, batch norm in the "
    "generator, layer norm in the critic): Adam 1e-4 β (0, 0.9), 5 critic updates at batch "
    "64, λ = 10, 200,000 generator iterations; on CelebA here (their 64×64 runs used "
    "ImageNet)" + _RESNET_CODE)
_RMSPROP_5E5 = OptimizerSpec("rmsprop", 5e-5)
# WGAN's reference code (main.py) builds optim.RMSprop(params, lr=5e-5): PyTorch's
# defaults, decay (alpha) 0.99 and ε 1e-8 added to √v. Keras adds its ε inside the root,
# lr·g/√(v + ε), so PyTorch's ε is (1e-8)² = 1e-16 here.
_RMSPROP_WGAN = OptimizerSpec("rmsprop", 5e-5, rho=0.99, epsilon=1e-16)
_ADAM_GP = OptimizerSpec("adam", 1e-4, 0.5, 0.9)
_ADAM_CIFAR = OptimizerSpec("adam", 2e-4, 0.1, 0.999)
_ADAM_CELEBA = OptimizerSpec("adam", 2e-4, 0.5, 0.999)
_ONE_CRITIC_STEP = "critic_steps=1 is our choice: App. C gives none for Standard/DRAGAN."
# Run lengths in outer iterations. The RWP paper gives none (App. C); it evaluates FID every
# 1,000 (CIFAR-10) or 10,000 (CelebA) outer iterations (§3.1) and runs its Fig. 4 to 1,000,000.
_LENGTH_CIFAR = dict(train_steps=200_000, train_steps_source=(
    "WGAN-GP's reference DCGAN code (gan_cifar.py: ITERS = 200000), on which the RWP "
    "experiments build; the RWP paper gives no length"))
_LENGTH_CELEBA = dict(train_steps=200_000, train_steps_source=(
    "our choice, as for CIFAR-10: the RWP paper gives no length (FID every 10,000 "
    "outer iterations, §3.1)"))


def _pair(name, *, h, generator_steps, **fields):
  """The baseline setting and the same setting with RWP on top."""
  base = Preset(name=name, **fields)
  with_rwp = dataclasses.replace(base, name=f"rwp_{name}", proximal="rwp", h=h,
                                 generator_steps=generator_steps)
  return [base, with_rwp]


def _toy(method, dataset):
  return Preset(
      name=f"{method}_{dataset}", source=_LP_PAPER, method=method, dataset=dataset,
      optimizer=_RMSPROP_5E5, batch_size=256, latent_dim=2, critic_steps=10,
      warmup_critic_steps=100, warmup_generator_iterations=25,
      penalty_weights_studied=(1.0, 5.0, 10.0, 100.0), train_steps=500,
      train_steps_source="WGAN-LP §6: EMD every 10th of 500 iterations",
      final_eval_samples=500,
      eval_source="WGAN-LP §6: the EMD between sets of 500 real and generated samples",
      notes="Networks: 3×512 LeakyReLU MLPs.")


DEFAULT_PRESET = "toy_wgan_lp_rwp"
# Images without --preset: the RWP paper's WGAN-GP setting with RWP (App. C: WGAN-GP's
# DCGAN networks, Adam 1e-4 β (0.5, 0.9), 5 critic steps, h = 0.1, ℓ = 10), the image
# counterpart of the toy default's Wasserstein loss + RWP, on the paper's most common
# baseline. Its DCGANs make 28×28, 32×32 and 64×64 images.
IMAGE_DEFAULT_PRESET = "rwp_wgan_gp_cifar10"


def default_name(dataset, *, data_dir=None):
  """The preset a run of `dataset` starts from when none is named: the toy default for
  the 2-D sets (or no dataset) and point arrays, the image default for image data."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  return (IMAGE_DEFAULT_PRESET if dataset is not None
          and data.holds_images(dataset, data_dir=data_dir) else DEFAULT_PRESET)

_ALL = [
    Preset(name=DEFAULT_PRESET, method="wgan_lp", dataset="8gaussians",
           source="WGAN-GP toy recipe (gan_toy.py: Adam 1e-4, β (0.5, 0.9), batch 256, "
                  "5 critic steps) with WGAN-LP and RWP on top",
           optimizer=_ADAM_GP, batch_size=256, latent_dim=2, critic_steps=5,
           proximal="rwp", h=0.1, generator_steps=5, train_steps=2000,
           train_steps_source="our choice: a few minutes on 2 CPU cores",
           final_eval_samples=500, eval_source="WGAN-LP §6's EMD protocol: 500 samples",
           notes="The launcher's embedded default; h and ℓ are our choice for the toy run."),
    Preset(name="wgan_clip_lsun", source=_WGAN_PAPER + (
               "; where the paper is silent, its reference code (main.py): 100 critic steps "
               "for the first 25 generator iterations and at every 500th (gen_iterations < 25 "
               "or gen_iterations % 500 == 0), RMSprop with PyTorch's decay 0.99 and ε 1e-8 outside "
               "the root (1e-16 inside Keras' root)"),
           method="wgan_clip", dataset="lsun/bedroom",
           optimizer=_RMSPROP_WGAN, batch_size=64, latent_dim=100, critic_steps=5,
           clip_value=0.01, warmup_critic_steps=100, warmup_generator_iterations=25,
           warmup_critic_every=500,
           train_steps=100_000, train_steps_source=(
               "our choice: the WGAN paper's text gives no length; the warm-up (100 critic "
               "steps for the first 25 generator iterations) is its reference code's"),
           eval_source="our choice (the WGAN paper reports no sample score): 10,000 "
                       "samples as the RWP paper's FID"),
    *_pair("wgan_gp_cifar10", **_LENGTH_CIFAR, source=_RWP_C,
           method="wgan_gp", dataset="cifar10",
           optimizer=_ADAM_GP, latent_dim=128, critic_steps=5, h=0.1, generator_steps=10),
    *_pair("standard_cifar10", **_LENGTH_CIFAR, source=_RWP_C,
           method="standard", dataset="cifar10",
           optimizer=_ADAM_CIFAR, latent_dim=100, h=0.2, generator_steps=5,
           notes=_ONE_CRITIC_STEP),
    *_pair("dragan_cifar10", **_LENGTH_CIFAR, source=_RWP_C,
           method="dragan", dataset="cifar10",
           optimizer=_ADAM_CIFAR, latent_dim=100, h=0.2, generator_steps=5,
           notes=_ONE_CRITIC_STEP),
    *_pair("standard_celeba", **_LENGTH_CELEBA, source=_RWP_C,
           method="standard", dataset="celeb_a",
           optimizer=_ADAM_CELEBA, latent_dim=100, h=0.2, generator_steps=5,
           notes=_ONE_CRITIC_STEP),
    *_pair("wwgan_cifar10", **_LENGTH_CIFAR, source=_WWGAN,
           method="wwgan", dataset="cifar10",
           optimizer=_ADAM_GP, latent_dim=128, critic_steps=5, gamma=1.0, h=0.1,
           generator_steps=10),
    Preset(name="sbe_wgan_gp_cifar10", source=_RWP_G, method="wgan_gp", dataset="cifar10",
           optimizer=_ADAM_CIFAR, latent_dim=100, critic_steps=5, generator_steps=1,
           proximal="sbe", h=0.2, potential_steps=5, **_LENGTH_CIFAR,
           notes="The same Adam setting trains generator, critic and potential."),
    *_pair("wgan_gp_resnet_cifar10", source=_RESNET_CIFAR, method="wgan_gp",
           dataset="cifar10", optimizer=OptimizerSpec("adam", 2e-4, 0.0, 0.9,
                                                      epsilon=_ADAM_TF1_EPSILON),
           latent_dim=128, **_RESNET_EVAL,
           batch_size=64, generator_batch_size=128, critic_steps=5, network="resnet",
           base_filters=128, lr_decay="linear", train_steps=100_000,
           train_steps_source="WGAN-GP's gan_cifar_resnet.py (ITERS = 100000)",
           h=0.1, generator_steps=10,
           notes="The rwp_ variant adds RWP with the RWP paper's App. C WGAN-GP values "
                 "(h = 0.1, ℓ = 10). No generator EMA in the authors' recipe: --ema_decay."),
    Preset(name="wgan_gp_resnet_celeba64", source=_RESNET_64, method="wgan_gp",
           dataset="celeb_a", optimizer=OptimizerSpec("adam", 1e-4, 0.0, 0.9,
                                                      epsilon=_ADAM_TF1_EPSILON),
           latent_dim=128, final_eval_samples=50_000, eval_batch_norm="batch",
           eval_source="our choice: gan_64x64.py computes no score; their CIFAR-10 "
                       "protocol (50,000 samples, batch statistics in batches of 100)",
           batch_size=64, critic_steps=5, network="resnet", base_filters=64,
           train_steps=200_000, train_steps_source="WGAN-GP's gan_64x64.py (ITERS = 200000)"),
    *[_toy(method, dataset) for method in ("wgan_lp", "wgan_gp")
      for dataset in ("8gaussians", "25gaussians", "swissroll")],
]
# Class-conditional settings (issue #31).
_ACGAN_CIFAR = (
    "Gulrajani et al. 2017 (WGAN-GP), their gan_cifar_resnet.py as it ships: CONDITIONAL = "
    "True, ACGAN = True (a linear class head on the critic's pooled features, conditional "
    "batch norm in the generator's residual blocks), ACGAN_SCALE = 1 on the critic's "
    "cross-entropy of the real labels, ACGAN_SCALE_G = 0.1 on the generator's of its "
    "uniformly drawn labels; fakes of a critic step take the real batch's labels; the "
    "paper's Table 3 reports its conditional Inception score, 8.42. Otherwise as "
    "wgan_gp_resnet_cifar10: ")
_MNIST_DCGAN = (
    "Gulrajani et al. 2017 (WGAN-GP), their gan_mnist.py: DIM 64, batch 50, 5 critic "
    "updates, λ = 10, Adam 1e-4 β (0.5, 0.9), latent 128, 200,000 generator iterations")
# DiffAugment (Zhao et al. 2020): the official CIFAR-10 scripts (DiffAugment-biggan-cifar/
# scripts/DiffAugment-biggan-cifar10*.sh, at 100 %, 20 % and 10 % of the data) all pass
# --DiffAugment translation,cutout; color is their StyleGAN2 runs' addition.
_DIFFAUGMENT_CIFAR = "translation,cutout"
_DIFFAUGMENT_SOURCE = ("; DiffAugment (Zhao et al. 2020) on every critic input with the "
                       "official CIFAR-10 scripts' policy, translation,cutout "
                       "(DiffAugment-biggan-cifar10*.sh)")


def _conditional_and_augmented():
  base = {preset.name: preset for preset in _ALL}
  resnet = base["wgan_gp_resnet_cifar10"]
  made = [
      dataclasses.replace(resnet, name="acwgan_gp_resnet_cifar10", conditioning="acgan",
                          source=_ACGAN_CIFAR + resnet.source,
                          eval_source=resnet.eval_source + "; labels drawn uniformly",
                          notes="No generator EMA in the authors' recipe: --ema_decay."),
      Preset(name="cwgan_gp_mnist", source=_MNIST_DCGAN + (
                 "; conditioned with the projection critic (Miyato & Koyama 2018) and z "
                 "joined with the label's one-hot code (our choice: the authors' MNIST "
                 "script is unconditional)"),
             method="wgan_gp", dataset="mnist", conditioning="projection",
             classifier=MNIST_CLASSIFIER,
             optimizer=_ADAM_GP, batch_size=50, latent_dim=128, critic_steps=5,
             network="dcgan", base_filters=64, train_steps=200_000,
             train_steps_source="WGAN-GP's gan_mnist.py (ITERS = 200000)",
             eval_source="our choice: FID and class accuracy of 10,000 samples with the "
                         "shipped MNIST classifier (saved_models/mnist_classifier, the "
                         "preset's classifier), intra-class FID against the labelled digits"),
  ]
  for name in ("wgan_gp_cifar10", "rwp_wgan_gp_cifar10", "wgan_gp_resnet_cifar10",
               "rwp_wgan_gp_resnet_cifar10"):
    made.append(dataclasses.replace(base[name], name=f"diffaugment_{name}",
                                    augment=_DIFFAUGMENT_CIFAR,
                                    source=base[name].source + _DIFFAUGMENT_SOURCE))
  return made


_ALL += _conditional_and_augmented()

# The baselines of issue #42, each with RWP on top (App. C's WGAN-GP h = 0.1, ℓ = 10, our
# choice for these settings: the RWP paper has none with them).
_SNGAN_DCGAN = (
    "Miyato, Kataoka, Koyama, Yoshida 2018 (SNGAN): spectral normalisation of every critic "
    "layer (one power iteration per update, Alg. 1) and the hinge loss of their Table 2's "
    "'SN-GANs (hinge)'; of their six Adam settings (Table 1) we take A (α 1e-4, β (0.5, 0.9), "
    "n_dis 5: WGAN-GP's, the RWP paper's App. C), so this differs from wgan_gp_cifar10 only "
    "in the critic's Lipschitz device and the loss; the networks are tfwgan's DCGANs "
    "(WGAN-GP's), not their 'standard CNN' (Table 3)")
_SN_RESNET = (
    "Miyato & Koyama 2018, their code's configs/sn_cifar10_{}.yml (pfnet-research/"
    "sngan_projection): SN-ResNet critic, hinge loss, Adam 2e-4 β (0, 0.9) (Chainer's ε "
    "1e-8), 5 critic updates at batch 64, generator batch 128 (n_gen_samples), latent 128, "
    "50,000 generator iterations with the learning rate decayed linearly to 0 "
    "(train.py LinearShift from iteration_decay_start 0); tfwgan's ResNets (WGAN-GP's) at "
    "width 128 for both networks (theirs: generator 256, critic 128)")
_R1_RECIPE = (
    "Mescheder, Geiger, Nowozin 2018, their code's configs/default.yaml (LMescheder/"
    "GAN_stability): the non-saturating loss with R1 at γ = 10 (reg_type real, reg_param "
    "10) in every critic update, RMSprop 1e-4 for both networks (PyTorch's decay 0.99 and ε "
    "1e-8 outside the root), 1 critic update at batch 64, latent 256, a generator average "
    "of decay 0.999 (take_model_average); on CIFAR-10 with tfwgan's 32×32 ResNets (theirs "
    "are for 256×256 and larger), width 128 as the other ResNet presets")
_ADAM_SN_RESNET = OptimizerSpec("adam", 2e-4, 0.0, 0.9, epsilon=_ADAM_TF1_EPSILON)
_LENGTH_SN_RESNET = dict(train_steps=50_000, train_steps_source=(
    "sngan_projection's configs/sn_cifar10_*.yml (iteration: 50000)"))
_ALL += [
    *_pair("sngan_cifar10", source=_SNGAN_DCGAN, method="standard", loss="hinge",
           spectral_norm="critic", dataset="cifar10", optimizer=_ADAM_GP, latent_dim=128,
           critic_steps=5, network="dcgan", h=0.1, generator_steps=10, train_steps=100_000,
           train_steps_source="our choice: SNGAN's text gives no length for the standard CNN",
           notes="method 'standard' with loss 'hinge': no penalty, spectral normalisation "
                 "instead."),
    *_pair("sn_resnet_hinge_cifar10", source=_SN_RESNET.format("unconditional"),
           method="standard", loss="hinge", spectral_norm="critic", dataset="cifar10",
           optimizer=_ADAM_SN_RESNET, latent_dim=128, batch_size=64,
           generator_batch_size=128, critic_steps=5, network="resnet", base_filters=128,
           lr_decay="linear", h=0.1, generator_steps=10, **_LENGTH_SN_RESNET),
    *_pair("sn_projection_resnet_cifar10", source=_SN_RESNET.format("conditional") + (
               "; the projection critic (Miyato & Koyama 2018, eq. 3) with its class "
               "embedding spectrally normalised, conditional batch norm in the generator"),
           method="standard", loss="hinge", spectral_norm="critic", dataset="cifar10",
           conditioning="projection", optimizer=_ADAM_SN_RESNET, latent_dim=128,
           batch_size=64, generator_batch_size=128, critic_steps=5, network="resnet",
           base_filters=128, lr_decay="linear", h=0.1, generator_steps=10,
           **_LENGTH_SN_RESNET),
    *_pair("r1_resnet_cifar10", source=_R1_RECIPE, method="r1", dataset="cifar10",
           optimizer=OptimizerSpec("rmsprop", 1e-4, rho=0.99, epsilon=1e-16),
           penalty_weight=10.0, latent_dim=256, batch_size=64, critic_steps=1,
           network="resnet", base_filters=128, ema_decay=0.999, h=0.1, generator_steps=10,
           train_steps=100_000, train_steps_source=(
               "our choice: GAN_stability's configs run until stopped (no length)"),
           notes="penalty_weight is R1's γ (the penalty is γ/2·E‖∇D(x)‖²)."),
]
PRESETS = {preset.name: preset for preset in _ALL}


def get(name):
  """The preset called `name`; ValueError listing the allowed names otherwise."""
  if name not in PRESETS:
    raise ValueError(f"preset={name!r}: allowed values are {sorted(PRESETS)}.")
  return PRESETS[name]
