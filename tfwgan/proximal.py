"""Generator proximal regularisers of the RWP paper (Lin, Li, Osher, Montúfar).

RWP (Alg. 1, eq. 4): ℓ generator steps on F(θ) + 1/(2h)·E_z‖g_θ(z) − g_θk−1(z)‖².
SBE (Alg. 2, App. G): a potential Φ ascends
    E_z[Φ(g_θ(z)) − Φ(g_θk−1(z)) − ½‖∇ₓΦ(g_θk−1(z))‖²]
and the generator descends F(θ) + (1/h)·(that), whose gradient in θ flows only
through Φ(g_θ(z)). The functions below hold the math; `tfwgan.gan.GAN` keeps the
frozen generator copy g_θk−1 and runs the phases.
"""

import math

import tensorflow as tf

from tfwgan import reduction as reductions
from tfwgan.validation import integer_at_least


def _squared_distance(a, b):
  axes = list(range(1, a.shape.rank))
  return tf.reduce_sum(tf.square(a - b), axis=axes)


def rwp_proximal_term(generated, anchor_generated, h, *, reduction="mean"):
  """1/(2h)·‖g_θ(z) − g_θk−1(z)‖², squared over the whole sample (RWP eq. 4).

  `h = math.inf` gives exactly 0, the unregularised update.
  """
  anchor_generated = tf.stop_gradient(anchor_generated)
  per_example = _squared_distance(generated, anchor_generated) * (0.5 / h)
  return reductions.reduce_per_example(per_example, reduction)


def potential_gradient_energy(potential, points):
  """½‖∇ₓΦ(x)‖² per example, differentiable in Φ's weights (double backprop)."""
  with tf.GradientTape() as tape:
    tape.watch(points)
    values = potential(points, training=True)
  gradients = tape.gradient(values, points)
  return 0.5 * _squared_distance(gradients, tf.zeros_like(gradients))


def sbe_potential_objective(potential, generated, anchor_generated, *, reduction="mean"):
  """Φ(g_θ(z)) − Φ(g_θk−1(z)) − ½‖∇ₓΦ(g_θk−1(z))‖²: the quantity Φ ascends (Alg. 2)."""
  generated = tf.stop_gradient(generated)
  anchor_generated = tf.stop_gradient(anchor_generated)
  per_example = (tf.reshape(potential(generated, training=True), [-1])
                 - tf.reshape(potential(anchor_generated, training=True), [-1])
                 - potential_gradient_energy(potential, anchor_generated))
  return reductions.reduce_per_example(per_example, reduction)


def sbe_anchor_baseline(potential, anchor_generated):
  """Mean of Φ(g_θk−1(z)) + ½‖∇ₓΦ(g_θk−1(z))‖²: the θ-independent part of SBE's term."""
  anchor_generated = tf.stop_gradient(anchor_generated)
  values = (tf.reshape(potential(anchor_generated, training=False), [-1])
            + potential_gradient_energy(potential, anchor_generated))
  return tf.stop_gradient(reductions.cross_replica_mean(values))


def sbe_generator_term(potential, generated, h, *, baseline=0.0, reduction="mean"):
  """(1/h)·(Φ(g_θ(z)) − baseline): the generator's SBE term; only Φ(g_θ(z)) depends on θ."""
  per_example = (tf.reshape(potential(generated, training=False), [-1]) - baseline) / h
  return reductions.reduce_per_example(per_example, reduction)


def _positive_step_size(value, *, allow_inf):
  if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or (
      math.isinf(value) and not allow_inf) or math.isnan(value):
    allowed = "a number > 0 (math.inf turns the term off)" if allow_inf else "a finite number > 0"
    raise ValueError(f"h={value!r}: must be {allowed}.")
  return float(value)


class RWP:
  """Relaxed Wasserstein Proximal (RWP paper, Alg. 1): a drop-in generator regulariser.

  Args:
    h: proximal step size; the term is 1/(2h)·E‖g_θ(z) − g_θk−1(z)‖².
    generator_steps: ℓ, generator updates per outer iteration.
  """

  name = "rwp"

  def __init__(self, h, generator_steps):
    self.h = _positive_step_size(h, allow_inf=True)
    self.generator_steps = integer_at_least("generator_steps", generator_steps)

  def generator_term(self, generated, anchor_generated):
    return rwp_proximal_term(generated, anchor_generated, self.h, reduction="none")

  def get_config(self):
    return {"name": self.name, "h": self.h, "generator_steps": self.generator_steps}


class SBE:
  """Semi-Backward Euler (RWP paper, Alg. 2, App. G).

  Args:
    potential: a Keras model Φ mapping samples to one value each; None builds
      `tfwgan.networks.potential_mlp` for the data's sample shape.
    h: step size of the generator term (1/h)·E[...].
    potential_steps: potential updates per outer iteration.
    generator_steps: generator updates per outer iteration.
  """

  name = "sbe"

  def __init__(self, potential=None, h=0.2, potential_steps=5, generator_steps=1):
    self.potential = potential
    self.h = _positive_step_size(h, allow_inf=False)
    self.potential_steps = integer_at_least("potential_steps", potential_steps)
    self.generator_steps = integer_at_least("generator_steps", generator_steps)

  def get_config(self):
    return {"name": self.name, "h": self.h, "potential_steps": self.potential_steps,
            "generator_steps": self.generator_steps}


def check(proximal):
  """Validates the `proximal=` argument: None, an RWP or an SBE."""
  if proximal is None or isinstance(proximal, (RWP, SBE)):
    return proximal
  raise ValueError(f"proximal={proximal!r}: allowed values are None, tfwgan.RWP(h, "
                   "generator_steps) or tfwgan.SBE(potential, h, potential_steps).")
