"""Generator proximal regularisers of the RWP paper (Lin, Li, Osher, Montúfar).

RWP (Alg. 1, eq. 4): ℓ generator steps on F(θ) + 1/(2h)·E_z‖g_θ(z) − g_θk−1(z)‖².
SBE (Alg. 2, App. G): a potential Φ ascends (line 6)
    (1/h)·E_z[Φ(g_θ(z)) − Φ(g_θk−1(z)) − ½‖∇ₓΦ(g_θk−1(z))‖²]
and the generator descends F(θ) + (1/h)·E_z[...] (line 10), whose gradient in θ flows
only through Φ(g_θ(z)). Alg. 2 line 6's 1/h is the default; without it (an option)
the potential's gradient is h times smaller, which Adam's scale invariance hides and
SGD does not. The functions below hold the math, `GeneratorAnchor` is g_θk−1,
and `tfwgan.gan.GAN` runs the phases.

Where the paper reads two ways (journal version, `../shared/papers/rwp_journal.txt`):
- The coefficient: Alg. 1 writes 1/h, eq. 4 and App. D write 1/(2h). We use eq. 4's
  1/(2h) (the proximal operator's definition); Alg. 1's reading is h/2 here.
- App. D (4) prints a minus sign before the distance term; eq. 4 is an argmin of
  F + distance, so the term is added (a minus would push g_θ away from g_θk−1).
- When z is drawn: Alg. 1 samples fresh z at each of the ℓ generator steps
  (`latents="per_step"`, the default); App. D samples z once, then takes ℓ Adam steps
  (`latents="per_phase"`).
- The distance: eq. 4's squared norm over the whole sample (`distance="sum"`, the
  default); `distance="mean"` averages over the sample's dimensions, which equals
  h × (number of dimensions) with "sum" (what a mean-reduced MSE in code computes).
"""

import math

import tensorflow as tf

from tfwgan import copies

from tfwgan import reduction as reductions
from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of


LATENTS = ("per_step", "per_phase")
DISTANCES = ("sum", "mean")


def _squared_distance(a, b, distance="sum"):
  """‖a − b‖² per example: summed over the sample's dimensions, or their mean."""
  axes = list(range(1, a.shape.rank))
  reduce = tf.reduce_sum if one_of("distance", distance, DISTANCES) == "sum" else tf.reduce_mean
  return reduce(tf.square(a - b), axis=axes)


def rwp_proximal_term(generated, anchor_generated, h, *, distance="sum", reduction="mean"):
  """1/(2h)·‖g_θ(z) − g_θk−1(z)‖² (RWP eq. 4), summed over the whole sample.

  `distance="mean"` averages the squared difference over the sample's dimensions
  instead (equal to "sum" with h × dimensions). `h = math.inf` gives exactly 0,
  the unregularised update.
  """
  generated = tf.convert_to_tensor(generated)
  anchor_generated = tf.stop_gradient(tf.convert_to_tensor(anchor_generated, generated.dtype))
  per_example = _squared_distance(generated, anchor_generated, distance) * (0.5 / h)
  return reductions.reduce_per_example(per_example, reduction)


def potential_gradient_energy(potential, points):
  """½‖∇ₓΦ(x)‖² per example, differentiable in Φ's weights (double backprop)."""
  points = tf.convert_to_tensor(points)
  with tf.GradientTape() as tape:
    tape.watch(points)
    values = potential(points, training=True)
  gradients = tape.gradient(values, points)
  return 0.5 * _squared_distance(gradients, tf.zeros_like(gradients))


def sbe_potential_objective(potential, generated, anchor_generated, *, h=1.0, reduction="mean"):
  """(1/h)·(Φ(g_θ(z)) − Φ(g_θk−1(z)) − ½‖∇ₓΦ(g_θk−1(z))‖²): the quantity Φ ascends
  (Alg. 2, line 6); h = 1 gives the bracket alone."""
  generated = tf.stop_gradient(tf.convert_to_tensor(generated))
  anchor_generated = tf.stop_gradient(tf.convert_to_tensor(anchor_generated, generated.dtype))
  per_example = (tf.reshape(potential(generated, training=True), [-1])
                 - tf.reshape(potential(anchor_generated, training=True), [-1])
                 - potential_gradient_energy(potential, anchor_generated)) / h
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
  """Relaxed Wasserstein Proximal (RWP paper, Alg. 1, eq. 4): a drop-in generator regulariser.

  Args:
    h: proximal step size; the term is 1/(2h)·E‖g_θ(z) − g_θk−1(z)‖² (eq. 4).
    generator_steps: ℓ, generator updates per outer iteration.
    latents: 'per_step' (Alg. 1: fresh z for each of the ℓ steps) or 'per_phase'
      (App. D: one z batch for all ℓ steps of an outer iteration).
    distance: 'sum' (eq. 4: squared norm over the whole sample) or 'mean' (averaged
      over the sample's dimensions).
  """

  name = "rwp"

  def __init__(self, h, generator_steps, *, latents="per_step", distance="sum"):
    self.h = _positive_step_size(h, allow_inf=True)
    self.generator_steps = integer_at_least("generator_steps", generator_steps)
    self.latents = one_of("latents", latents, LATENTS)
    self.distance = one_of("distance", distance, DISTANCES)

  def generator_term(self, generated, anchor_generated):
    return rwp_proximal_term(generated, anchor_generated, self.h, distance=self.distance,
                             reduction="none")

  def get_config(self):
    return {"name": self.name, "h": self.h, "generator_steps": self.generator_steps,
            "latents": self.latents, "distance": self.distance}


class SBE:
  """Semi-Backward Euler (RWP paper, Alg. 2, App. G).

  Args:
    potential: a Keras model Φ mapping samples to one value each; None builds
      `tfwgan.networks.potential_mlp` for the data's sample shape.
    h: step size of the generator term (1/h)·E[...].
    potential_steps: potential updates per outer iteration.
    generator_steps: generator updates per outer iteration.
    potential_objective_over_h: the potential ascends (1/h)·E[...] (Alg. 2, line 6);
      False: E[...] without the 1/h.
  """

  name = "sbe"

  def __init__(self, potential=None, h=0.2, potential_steps=5, generator_steps=1, *,
               potential_objective_over_h=True):
    self.potential = potential
    self.h = _positive_step_size(h, allow_inf=False)
    self.potential_steps = integer_at_least("potential_steps", potential_steps)
    self.generator_steps = integer_at_least("generator_steps", generator_steps)
    self.potential_objective_over_h = bool(potential_objective_over_h)

  @property
  def potential_objective_h(self):
    """The h dividing the potential's objective (1 without Alg. 2's 1/h)."""
    return self.h if self.potential_objective_over_h else 1.0

  def get_config(self):
    return {"name": self.name, "h": self.h, "potential_steps": self.potential_steps,
            "generator_steps": self.generator_steps,
            "potential_objective_over_h": self.potential_objective_over_h}


class GeneratorAnchor:
  """g_θk−1 (RWP eq. 4, SBE Alg. 2): the generator's own layers run on stored weights θk−1.

  Only the trainable weights θ are stored. A call runs `generator.stateless_call` with
  them and the live generator's non-trainable state, without side effects. So at
  θ = θk−1 the anchor computes exactly what the generator computes, in either mode:
  batch norm in training mode uses the same batch statistics (a non-trainable clone
  would use its moving statistics, Keras 3 `if training and self.trainable`), and a
  layer with its own randomness (dropout) draws the same values as the generator's
  next call, since the anchor reads the seed state without advancing it. The anchor
  never moves batch norm's moving statistics.
  """

  def __init__(self, generator):
    self.generator = generator
    self.weights = copies.replica_synced_copies(generator.trainable_variables, "anchor")

  def refresh(self):
    """θk−1 ← θ."""
    for anchor, variable in zip(self.weights, self.generator.trainable_variables):
      anchor.assign(variable)

  def __call__(self, z, *, training):
    outputs, _ = self.generator.stateless_call(
        self.weights, self.generator.non_trainable_variables, z, training=training)
    return tf.stop_gradient(outputs)


def check(proximal):
  """Validates the `proximal=` argument: None, an RWP or an SBE."""
  if proximal is None or isinstance(proximal, (RWP, SBE)):
    return proximal
  raise ValueError(f"proximal={proximal!r}: allowed values are None, tfwgan.RWP(h, "
                   "generator_steps) or tfwgan.SBE(potential, h, potential_steps).")
