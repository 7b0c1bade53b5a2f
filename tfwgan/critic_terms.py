"""Critic regularisers that add to any loss and penalty: LeCam and balanced consistency.

Each term takes the critic's scores of the step's real and generated samples (as the
critic's loss saw them, augmented or not) and returns per-sample values; the model adds
`weight` × them to the critic's objective (`GAN(critic_terms=[...])`) and logs their mean
under the term's `name` (LeCam: unweighted, λ is its `weight`; balanced consistency: its
two weights inside, `weight` 1).
"""

import keras
import tensorflow as tf

from tfwgan import augment as augment_lib
from tfwgan.reduction import cross_replica_sum
from tfwgan.validation import number_at_least


def _flat(scores):
  return tf.reshape(scores, [-1])


def lecam_regularizer(real_scores, fake_scores, *, real_anchor, fake_anchor,
                      one_sided=False):
  """‖D(x) − α_F‖² + ‖D(G(z)) − α_R‖² per sample (Tseng et al. 2021, eq. 3): the real
  scores pulled toward the generated scores' moving average α_F and back. `one_sided`:
  relu(D(x) − α_F)² + relu(α_R − D(G(z)))², the authors' code (lecam_loss.py)."""
  real_gap = _flat(real_scores) - fake_anchor
  fake_gap = real_anchor - _flat(fake_scores)
  if one_sided:
    real_gap, fake_gap = tf.nn.relu(real_gap), tf.nn.relu(fake_gap)
  return tf.square(real_gap) + tf.square(fake_gap)


class LeCam:
  """LeCam regularisation (Tseng et al. 2021, eq. 3) with its anchors α_R, α_F: moving
  averages of the critic's mean real and generated scores, decay 0.99 and bias-corrected
  as the authors' code (`assign_moving_average(..., zero_debias=True)`), updated with the
  global batch's means before each term. The anchors are checkpointed and equal on every
  replica. `weight`: λ (the paper: 0.3 on CIFAR-10 with BigGAN)."""

  name = "lecam"

  def __init__(self, weight, *, decay=0.99, one_sided=False):
    self.weight = number_at_least("lecam_weight", weight)
    self.decay = float(decay)
    if not 0.0 < self.decay < 1.0:
      raise ValueError(f"decay={decay!r}: must be a number in (0, 1).")
    self.one_sided = bool(one_sided)
    self.state = None

  def build(self):
    """The anchors' state: biased averages and the update count (checkpointed)."""
    if self.state is not None:
      raise ValueError("critic_terms: this LeCam already belongs to a GAN; give each its own.")
    make = lambda name, dtype: keras.Variable(0, dtype=dtype, trainable=False, name=name,
                                              aggregation="only_first_replica")
    self.state = {"real_average": make("lecam_real_average", "float32"),
                  "fake_average": make("lecam_fake_average", "float32"),
                  "updates": make("lecam_updates", "float32")}
    return self.state

  def anchors(self, state=None):
    """(α_R, α_F): the bias-corrected averages of `state` (default: the stored one; 0
    before any update)."""
    state = self.state if state is None else state
    correction = 1.0 - tf.pow(self.decay, tf.maximum(state["updates"], 1.0))
    return (state["real_average"] / correction, state["fake_average"] / correction)

  def _updated(self, real_scores, fake_scores):
    """The state after this step's global-batch mean scores (not yet stored)."""
    new = {"updates": self.state["updates"] + 1.0}
    for key, scores in (("real_average", real_scores), ("fake_average", fake_scores)):
      scores = tf.cast(_flat(tf.stop_gradient(scores)), tf.float32)
      mean = cross_replica_sum(tf.reduce_sum(scores)) / cross_replica_sum(
          tf.cast(tf.size(scores), tf.float32))
      new[key] = self.decay * self.state[key] + (1.0 - self.decay) * mean
    return new

  def __call__(self, real_scores, fake_scores, score, real, fake, rng):
    """The term with the anchors updated by this step's scores (as the authors' code:
    the moving average first, then the loss); stored by `after_critic_update`."""
    del score, real, fake, rng
    self._pending = self._updated(real_scores, fake_scores)
    real_anchor, fake_anchor = self.anchors(self._pending)
    return lecam_regularizer(real_scores, fake_scores, real_anchor=real_anchor,
                             fake_anchor=fake_anchor, one_sided=self.one_sided)

  def after_critic_update(self, kept):
    """Stores the step's anchors where its update was kept (a reverted, non-finite update
    leaves them as they were)."""
    for key, value in self._pending.items():
      self.state[key].assign(tf.where(kept > 0, value, self.state[key]))


def consistency_regularizer(scores, augmented_scores):
  """‖D(x) − D(T(x))‖² per sample (Zhang et al. 2020, eq. 1)."""
  return tf.square(_flat(scores) - _flat(augmented_scores))


class BalancedConsistency:
  """Balanced consistency regularisation (Zhao et al. 2021, eq. 3): λ_real‖D(x) − D(T(x))‖²
  + λ_fake‖D(G(z)) − D(T(G(z)))‖², T a draw per sample of `tfwgan.augment`'s `policy`
  (the paper's: translation and flipping, the default here; both weights 10). The
  gradient flows through both scores."""

  name = "consistency"

  def __init__(self, *, real_weight=10.0, fake_weight=10.0, policy="translation,flip"):
    self.real_weight = number_at_least("consistency_real_weight", real_weight)
    self.fake_weight = number_at_least("consistency_fake_weight", fake_weight)
    self.transform = augment_lib.DiffAugment(policy)
    if self.transform.policies == ():
      raise ValueError("consistency_policy: needs at least one of "
                       f"{list(augment_lib.POLICIES)}.")
    self.weight = 1.0
    self.state = None

  def build(self):
    self.state = {}
    return self.state

  def after_critic_update(self, kept):
    del kept   # no state

  def __call__(self, real_scores, fake_scores, score, real, fake, rng):
    real_term = consistency_regularizer(real_scores, score(self.transform(real, rng)))
    fake_term = consistency_regularizer(fake_scores, score(self.transform(fake, rng)))
    return self.real_weight * real_term + self.fake_weight * fake_term


def check(terms):
  """`critic_terms=`: None or a list of LeCam / BalancedConsistency, each name once."""
  terms = list(terms or [])
  for term in terms:
    if not isinstance(term, (LeCam, BalancedConsistency)):
      raise ValueError(f"critic_terms: {term!r} is not a tfwgan.critic_terms.LeCam or "
                       "BalancedConsistency.")
  names = [term.name for term in terms]
  if len(set(names)) != len(names):
    raise ValueError(f"critic_terms: each term at most once; got {names}.")
  return terms
