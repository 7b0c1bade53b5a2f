"""Named entry points of the seed papers: thin `GAN` configurations sharing one train_step."""

from tfwgan import penalties
from tfwgan.gan import GAN


class WGANClip(GAN):
  """WGAN with weight clipping (Arjovsky et al. 2017, Alg. 1)."""

  def __init__(self, generator, critic, latent_dim, *, clip_value=0.01, critic_steps=5,
               **kwargs):
    super().__init__(generator, critic, latent_dim, loss="wasserstein",
                     penalty=penalties.WeightClipping(clip_value), critic_steps=critic_steps,
                     **kwargs)


class WGANGP(GAN):
  """WGAN-GP: two-sided gradient penalty on interpolates (Gulrajani et al. 2017, Alg. 1)."""

  def __init__(self, generator, critic, latent_dim, *, penalty_weight=10.0, critic_steps=5,
               **kwargs):
    super().__init__(generator, critic, latent_dim, loss="wasserstein",
                     penalty=penalties.GradientPenalty(), penalty_weight=penalty_weight,
                     critic_steps=critic_steps, **kwargs)


class WGANLP(GAN):
  """WGAN-LP: one-sided Lipschitz penalty (Petzka et al. 2018, eq. 8).

  `sampling`: 'interpolate' | 'perturb_real' | 'perturb_both' (App. D.4).
  """

  def __init__(self, generator, critic, latent_dim, *, penalty_weight=10.0,
               sampling="interpolate", perturbation_std=penalties.DEFAULT_PERTURBATION_STD,
               critic_steps=5, **kwargs):
    super().__init__(generator, critic, latent_dim, loss="wasserstein",
                     penalty=penalties.LipschitzPenalty(sampling, perturbation_std),
                     penalty_weight=penalty_weight, critic_steps=critic_steps, **kwargs)


class WWGAN(GAN):
  """WWGAN: WGAN-GP with the critic's gradient in the Wasserstein-2 metric of the pixel grid.

  Dukler, Li, Lin, Montúfar 2019. `gamma` adds γ‖∇f‖²₂ inside the root (the authors'
  code uses γ = 1; γ = 0 is the pure W2 norm); `one_sided` penalises only norms > 1.
  """

  def __init__(self, generator, critic, latent_dim, *, penalty_weight=10.0, gamma=1.0,
               one_sided=False, critic_steps=5, **kwargs):
    super().__init__(generator, critic, latent_dim, loss="wasserstein",
                     penalty=penalties.Wasserstein2Penalty(gamma, one_sided),
                     penalty_weight=penalty_weight, critic_steps=critic_steps, **kwargs)


class DRAGAN(GAN):
  """DRAGAN: standard GAN loss + gradient penalty around perturbed data (Kodali et al. 2017)."""

  def __init__(self, generator, critic, latent_dim, *, penalty_weight=10.0,
               perturbation_scale=0.5, critic_steps=1, **kwargs):
    super().__init__(generator, critic, latent_dim, loss="non_saturating",
                     penalty=penalties.DraganPenalty(perturbation_scale),
                     penalty_weight=penalty_weight, critic_steps=critic_steps, **kwargs)


class StandardGAN(GAN):
  """The non-saturating GAN (Goodfellow et al. 2014), the baseline RWP is applied to."""

  def __init__(self, generator, critic, latent_dim, *, critic_steps=1, **kwargs):
    super().__init__(generator, critic, latent_dim, loss="non_saturating", penalty=None,
                     critic_steps=critic_steps, **kwargs)
