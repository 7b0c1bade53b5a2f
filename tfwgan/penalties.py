"""Critic regularisers: gradient penalties (GP, LP, DRAGAN, WWGAN, R1, R2) and weight
clipping.

One helper, `penalty_at(critic, points, one_sided=..., norm=...)`, serves every
gradient penalty; the methods differ only in where the points are drawn and in
the norm of ∇f (Euclidean, or WWGAN's Wasserstein-2 norm on the pixel grid). The
public functions return the *unweighted* penalty (TF-GAN `losses` style).
"""

import tensorflow as tf

from tfwgan import reduction as reductions
from tfwgan.validation import integer_at_least
from tfwgan.validation import number_at_least
from tfwgan.validation import one_of
from tfwgan.validation import positive_number

NORM_EPSILON = 1e-12
LP_SAMPLINGS = ("interpolate", "perturb_real", "perturb_both")
# σ of WGAN-LP's local perturbation N(0, σ²). App. D.4 says only "adding random noise",
# and contrasts it with DRAGAN's "asymmetric" noise, so a symmetric Gaussian. No scale is
# given: 0.5 is half the per-coordinate std of the toy sets (1.0 for 8 and 25 Gaussians),
# the size DRAGAN's default perturbation has relative to its data (0.5 · std).
DEFAULT_PERTURBATION_STD = 0.5


def _rng(rng):
  return rng if rng is not None else tf.random.get_global_generator()


def _per_sample_shape(x):
  """[batch, 1, 1, ...]: one draw per sample, broadcast over the sample's entries."""
  return tf.concat([tf.shape(x)[:1], tf.ones([tf.rank(x) - 1], tf.int32)], axis=0)


def _sum_per_example(values):
  return tf.reduce_sum(values, axis=list(range(1, values.shape.rank)))


def l2_norm(gradients, points=None):
  """Per-example ‖g‖₂ with the epsilon inside the root (finite gradient at g = 0)."""
  del points  # The Euclidean norm does not depend on where it is taken.
  gradients = tf.convert_to_tensor(gradients)
  return tf.sqrt(_sum_per_example(tf.square(gradients)) + NORM_EPSILON)


# Edge classes of WWGAN's pixel graphs, as (row, column) offsets from a pixel to its
# neighbour; each edge counted once, per channel. "grid": the 4 adjacent neighbours.
# "diamond": the authors' code (dukleryoni/WWGAN, wwgan_utils.buildL_diamond, used by
# calc_wgp): also the neighbours two pixels away along rows and columns, and both
# diagonals, every edge with the same weight. (Their 3-tap adjacent-pixel convolution
# leaves out the last adjacent pair of each row and column; every pair is an edge here.)
W2_GRAPHS = ("diamond", "grid")
W2_EDGE_OFFSETS = {
    "grid": ((0, 1), (1, 0)),
    "diamond": ((0, 1), (1, 0), (0, 2), (2, 0), (1, 1), (1, -1)),
}


def _edge_ends(images, offset):
  """(values at i, values at j) for every edge i → j = i + offset of the pixel grid."""
  rows, columns = offset
  height, width = images.shape[1], images.shape[2]
  first_column, last_column = max(0, -columns), width - max(0, columns)
  tail = images[:, :height - rows, first_column:last_column]
  head = images[:, rows:, first_column + columns:last_column + columns]
  return tail, head


def wasserstein2_squared_norm(gradients, points, *, graph="diamond"):
  """‖g‖²_W2(x) = Σ_(i,j) θ_ij(x)·(g_i − g_j)² over the edges of a pixel graph, per channel.

  Dukler, Li, Lin, Montúfar 2019 (WWGAN): the metric of optimal transport on the
  pixel graph, ⟨g, −Δ_x g⟩ with the graph Laplacian weighted by x. For images in
  [−1, 1], θ_ij = 1 + (x_i + x_j)/2, as in the authors' `calc_wgp` (the sum of the two
  pixels' masses (1 + x)/2). `graph`: 'diamond' (the authors' code) or 'grid' (the 4
  adjacent neighbours); see W2_EDGE_OFFSETS.
  """
  gradients = tf.convert_to_tensor(gradients)
  points = tf.convert_to_tensor(points, gradients.dtype)
  if gradients.shape.rank != 4:
    raise ValueError(f"points: the W2 norm on the pixel grid needs images [batch, height, "
                     f"width, channels]; got shape {tuple(gradients.shape)}.")
  total = 0.0
  for offset in W2_EDGE_OFFSETS[one_of("graph", graph, W2_GRAPHS)]:
    gradient_tail, gradient_head = _edge_ends(gradients, offset)
    point_tail, point_head = _edge_ends(points, offset)
    weight = 1.0 + 0.5 * (point_tail + point_head)
    total += _sum_per_example(weight * tf.square(gradient_tail - gradient_head))
  return total


def wasserstein2_norm(gradients, points, *, gamma=1.0, graph="diamond"):
  """√(‖g‖²_W2(x) + γ‖g‖²₂ + ε): WWGAN's norm (γ = 1 in the authors' code; γ = 0: pure W2)."""
  gradients = tf.convert_to_tensor(gradients)
  squared = wasserstein2_squared_norm(gradients, points, graph=graph)
  if gamma:
    squared += gamma * _sum_per_example(tf.square(gradients))
  return tf.sqrt(squared + NORM_EPSILON)


def input_gradients(critic, points, *, training=True):
  """∇ₓf(x) per example, with a nested tape (works eagerly and in tf.function)."""
  points = tf.convert_to_tensor(points)
  with tf.GradientTape() as tape:
    tape.watch(points)
    scores = critic(points, training=training)
  return tape.gradient(scores, points)


def penalty_at(critic, points, *, one_sided=False, norm=l2_norm, reduction="mean",
               training=True):
  """(‖∇f(x̂)‖ − 1)² at the given points; max(0, ‖∇f(x̂)‖ − 1)² when one-sided.

  Two-sided: WGAN-GP paper, eq. 3. One-sided: WGAN-LP paper, eq. 8.
  `norm(gradients, points)` gives per-example norms (`l2_norm`, `wasserstein2_norm`).
  """
  points = tf.convert_to_tensor(points)
  excess = norm(input_gradients(critic, points, training=training), points) - 1.0
  if one_sided:
    excess = tf.nn.relu(excess)
  return reductions.reduce_per_example(tf.square(excess), reduction)


def squared_gradient_norm_at(critic, points, *, reduction="mean", training=True):
  """½‖∇f(x)‖² at the given points, no epsilon (R1/R2 of Mescheder et al. 2018, eq. 9 and
  10, without their γ: the model multiplies by `penalty_weight` = γ)."""
  gradients = input_gradients(critic, tf.convert_to_tensor(points), training=training)
  return reductions.reduce_per_example(0.5 * _sum_per_example(tf.square(gradients)), reduction)


def r1_penalty(critic, real, *, reduction="mean"):
  """R1: ½E‖∇D(x)‖² at the real samples (Mescheder et al. 2018, eq. 9)."""
  return squared_gradient_norm_at(critic, real, reduction=reduction)


def r2_penalty(critic, fake, *, reduction="mean"):
  """R2: ½E‖∇D(x̃)‖² at the generated samples (Mescheder et al. 2018, eq. 10)."""
  return squared_gradient_norm_at(critic, fake, reduction=reduction)


def interpolates(real, fake, *, rng=None):
  """x̂ = εx + (1 − ε)x̃ with ε ~ U[0, 1] drawn per sample (WGAN-GP Alg. 1, line 6)."""
  epsilon = _rng(rng).uniform(_per_sample_shape(real), dtype=real.dtype)
  return epsilon * real + (1.0 - epsilon) * fake


def gaussian_perturbation(x, *, std, rng=None):
  """x + N(0, std²): the local perturbation of the WGAN-LP paper (App. D.4)."""
  return x + std * _rng(rng).normal(tf.shape(x), dtype=x.dtype)


def dragan_points(real, *, scale=0.5, rng=None):
  """x̂ = x + α·δ, δ = scale·std(x)·U[0, 1] per entry, α ~ U[0, 1] per sample (DRAGAN)."""
  generator = _rng(rng)
  delta = scale * _batch_std(real) * generator.uniform(tf.shape(real), dtype=real.dtype)
  alpha = generator.uniform(_per_sample_shape(real), dtype=real.dtype)
  return real + alpha * delta


def _batch_std(x):
  """Std of all entries of the global batch (all-reduced under tf.distribute)."""
  mean = reductions.cross_replica_mean(x)
  return tf.sqrt(tf.maximum(reductions.cross_replica_mean(tf.square(x)) - tf.square(mean), 0.0))


def gradient_penalty(critic, real, fake, *, rng=None, reduction="mean", norm=l2_norm):
  """WGAN-GP: E[(‖∇f(x̂)‖ − 1)²] on random interpolates (Gulrajani et al. 2017, eq. 3)."""
  return penalty_at(critic, interpolates(real, fake, rng=rng), norm=norm, reduction=reduction)


def lipschitz_penalty(critic, real, fake, *, sampling="interpolate",
                      perturbation_std=DEFAULT_PERTURBATION_STD,
                      rng=None, reduction="mean", norm=l2_norm):
  """WGAN-LP: E[max(0, ‖∇f(x̂)‖ − 1)²] (Petzka et al. 2018, eq. 8).

  `sampling`: 'interpolate' (as WGAN-GP), 'perturb_real' (x + noise) or
  'perturb_both' (the mean of the penalties at x + noise and x̃ + noise; each half drawn
  and scored on its own, so replicas draw what one device draws).
  """
  one_of("sampling", sampling, LP_SAMPLINGS)
  at = lambda points: penalty_at(critic, points, one_sided=True, norm=norm, reduction="none")
  if sampling == "interpolate":
    per_example = at(interpolates(real, fake, rng=rng))
  elif sampling == "perturb_real":
    per_example = at(gaussian_perturbation(real, std=perturbation_std, rng=rng))
  else:
    per_example = 0.5 * (at(gaussian_perturbation(real, std=perturbation_std, rng=rng))
                         + at(gaussian_perturbation(fake, std=perturbation_std, rng=rng)))
  return reductions.reduce_per_example(per_example, reduction)


def dragan_penalty(critic, real, *, scale=0.5, rng=None, reduction="mean", norm=l2_norm):
  """DRAGAN: E[(‖∇D(x̂)‖ − 1)²] around perturbed real data (Kodali et al. 2017, eq. 2)."""
  return penalty_at(critic, dragan_points(real, scale=scale, rng=rng), norm=norm,
                    reduction=reduction)


def wasserstein2_gradient_penalty(critic, real, fake, *, gamma=1.0, one_sided=False, rng=None,
                                  reduction="mean", graph="diamond"):
  """WWGAN: E[(‖∇f(x̂)‖_W2(x̂) − 1)²] on interpolates (Dukler et al. 2019), one-sided optional."""
  norm = lambda gradients, points: wasserstein2_norm(gradients, points, gamma=gamma,
                                                     graph=graph)
  return penalty_at(critic, interpolates(real, fake, rng=rng), one_sided=one_sided, norm=norm,
                    reduction=reduction)


def clip_weights(critic, clip_value):
  """Clips every trainable critic weight to [−c, c] (WGAN paper, Alg. 1 line 7)."""
  for variable in critic.trainable_variables:
    variable.assign(tf.clip_by_value(variable, -clip_value, clip_value))


class Regularizer:
  """A critic regulariser: an optional per-example penalty and a post-update hook.

  `every`: the penalty enters every `every`-th critic update only, multiplied by `every`
  (lazy regularisation, Karras et al. 2020, StyleGAN2 App. C); 1 in every update.
  """

  name = "none"
  penalised = False
  every = 1

  def per_example(self, critic, real, fake, rng):
    """Per-example unweighted penalty, shape [batch]."""
    raise NotImplementedError(f"{type(self).__name__} adds no penalty term.")

  def after_critic_update(self, critic):
    """Runs after every critic optimizer step."""

  def get_config(self):
    return {"name": self.name}


class NoPenalty(Regularizer):
  """No critic regularisation (the standard GAN)."""


class WeightClipping(Regularizer):
  """Weight clipping to [−c, c] after each critic update (WGAN paper, Alg. 1)."""

  name = "clip"

  def __init__(self, clip_value=0.01):
    self.clip_value = positive_number("clip_value", clip_value)

  def after_critic_update(self, critic):
    clip_weights(critic, self.clip_value)

  def get_config(self):
    return {"name": self.name, "clip_value": self.clip_value}


class GradientPenalty(Regularizer):
  """Two-sided gradient penalty on interpolates (WGAN-GP)."""

  name = "gp"
  penalised = True

  def per_example(self, critic, real, fake, rng):
    return gradient_penalty(critic, real, fake, rng=rng, reduction="none")


class LipschitzPenalty(Regularizer):
  """One-sided Lipschitz penalty (WGAN-LP) with a choice of sampling."""

  name = "lp"
  penalised = True

  def __init__(self, sampling="interpolate", perturbation_std=DEFAULT_PERTURBATION_STD):
    self.sampling = one_of("sampling", sampling, LP_SAMPLINGS)
    self.perturbation_std = positive_number("perturbation_std", perturbation_std)

  def per_example(self, critic, real, fake, rng):
    return lipschitz_penalty(critic, real, fake, sampling=self.sampling,
                             perturbation_std=self.perturbation_std, rng=rng, reduction="none")

  def get_config(self):
    return {"name": self.name, "sampling": self.sampling,
            "perturbation_std": self.perturbation_std}


class DraganPenalty(Regularizer):
  """Two-sided gradient penalty around perturbed real data (DRAGAN)."""

  name = "dragan"
  penalised = True

  def __init__(self, scale=0.5):
    self.scale = positive_number("scale", scale)

  def per_example(self, critic, real, fake, rng):
    del fake  # DRAGAN regularises around the data only.
    return dragan_penalty(critic, real, scale=self.scale, rng=rng, reduction="none")

  def get_config(self):
    return {"name": self.name, "scale": self.scale}


class Wasserstein2Penalty(Regularizer):
  """WWGAN: the gradient penalty with the critic's gradient in the W2 metric of the pixel grid."""

  name = "w2"
  penalised = True

  def __init__(self, gamma=1.0, one_sided=False, graph="diamond"):
    self.gamma = number_at_least("gamma", gamma)
    self.one_sided = bool(one_sided)
    self.graph = one_of("graph", graph, W2_GRAPHS)

  def per_example(self, critic, real, fake, rng):
    return wasserstein2_gradient_penalty(critic, real, fake, gamma=self.gamma,
                                         one_sided=self.one_sided, rng=rng, reduction="none",
                                         graph=self.graph)

  def get_config(self):
    return {"name": self.name, "gamma": self.gamma, "one_sided": self.one_sided,
            "graph": self.graph}


class R1Penalty(Regularizer):
  """R1 (Mescheder et al. 2018, eq. 9): ½‖∇D(x)‖² at the real samples; `every` > 1 is
  StyleGAN2's lazy R1 (every 16 minibatches there)."""

  name = "r1"
  penalised = True

  def __init__(self, every=1):
    self.every = integer_at_least("every", every, 1)

  def per_example(self, critic, real, fake, rng):
    del fake, rng
    return r1_penalty(critic, real, reduction="none")

  def get_config(self):
    return {"name": self.name, "every": self.every}


class R2Penalty(R1Penalty):
  """R2 (Mescheder et al. 2018, eq. 10): ½‖∇D(x̃)‖² at the generated samples."""

  name = "r2"

  def per_example(self, critic, real, fake, rng):
    del real, rng
    return r2_penalty(critic, fake, reduction="none")


_BY_NAME = {cls.name: cls for cls in (NoPenalty, WeightClipping, GradientPenalty,
                                      LipschitzPenalty, DraganPenalty, Wasserstein2Penalty,
                                      R1Penalty, R2Penalty)}


def get(identifier):
  """A regulariser from None, a name, a {'name': ..., **options} dict, or an instance."""
  if identifier is None:
    return NoPenalty()
  if isinstance(identifier, Regularizer):
    return identifier
  if isinstance(identifier, dict):
    options = dict(identifier)
    name = options.pop("name", None)
    return _from_name(name)(**options)
  if isinstance(identifier, str):
    return _from_name(identifier)()
  raise ValueError(f"penalty={identifier!r}: allowed values are None, {sorted(_BY_NAME)}, "
                   "a dict with 'name', or a penalties.Regularizer.")


def _from_name(name):
  if name not in _BY_NAME:
    raise ValueError(f"penalty={name!r}: allowed values are {sorted(_BY_NAME)}.")
  return _BY_NAME[name]
