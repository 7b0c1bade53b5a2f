"""Adversarial losses on critic outputs: pure functions plus thin objects for the model.

Each function takes critic outputs (shape [batch] or [batch, 1]) and returns the
batch mean, or per-example values with `reduction="none"`.
"""

import tensorflow as tf

from tfwgan import reduction as reductions


def _flat(scores):
  return tf.reshape(scores, [-1])


def wasserstein_critic_loss(real_scores, fake_scores, *, reduction="mean"):
  """E f(fake) − E f(real): the negated W1 estimate (WGAN paper, eq. 3)."""
  return reductions.reduce_per_example(_flat(fake_scores) - _flat(real_scores), reduction)


def wasserstein_generator_loss(fake_scores, *, reduction="mean"):
  """−E f(g(z)) (WGAN paper, Alg. 1 line 10)."""
  return reductions.reduce_per_example(-_flat(fake_scores), reduction)


def non_saturating_critic_loss(real_logits, fake_logits, *, reduction="mean"):
  """−log D(x) − log(1 − D(g(z))) with D = sigmoid(logits) (Goodfellow et al. 2014, eq. 1)."""
  per_example = tf.nn.softplus(-_flat(real_logits)) + tf.nn.softplus(_flat(fake_logits))
  return reductions.reduce_per_example(per_example, reduction)


def non_saturating_generator_loss(fake_logits, *, reduction="mean"):
  """−log D(g(z)), the non-saturating generator loss (Goodfellow et al. 2014, §3)."""
  return reductions.reduce_per_example(tf.nn.softplus(-_flat(fake_logits)), reduction)


def hinge_critic_loss(real_scores, fake_scores, *, reduction="mean"):
  """E[relu(1 − D(x))] + E[relu(1 + D(g(z)))]: the hinge loss (Lim & Ye 2017, eq. 12;
  Miyato et al. 2018, eq. 16)."""
  per_example = tf.nn.relu(1.0 - _flat(real_scores)) + tf.nn.relu(1.0 + _flat(fake_scores))
  return reductions.reduce_per_example(per_example, reduction)


def hinge_generator_loss(fake_scores, *, reduction="mean"):
  """−E D(g(z)): the hinge loss's generator objective (Miyato et al. 2018, eq. 17)."""
  return reductions.reduce_per_example(-_flat(fake_scores), reduction)


# LSGAN's 0-1 coding (Mao et al. 2017, eq. 9: a = 0, b = c = 1), which their experiments use.
LSGAN_FAKE, LSGAN_REAL = 0.0, 1.0


def least_squares_critic_loss(real_scores, fake_scores, *, reduction="mean"):
  """½E[(D(x) − 1)²] + ½E[D(g(z))²] (Mao et al. 2017, eq. 9)."""
  per_example = 0.5 * (tf.square(_flat(real_scores) - LSGAN_REAL)
                       + tf.square(_flat(fake_scores) - LSGAN_FAKE))
  return reductions.reduce_per_example(per_example, reduction)


def least_squares_generator_loss(fake_scores, *, reduction="mean"):
  """½E[(D(g(z)) − 1)²] (Mao et al. 2017, eq. 9)."""
  return reductions.reduce_per_example(0.5 * tf.square(_flat(fake_scores) - LSGAN_REAL),
                                       reduction)


class Loss:
  """A pair of per-example functions (critic, generator) under a name: the object the
  model takes. Subclasses name their two functions."""

  name = None
  estimates_wasserstein = False   # whether E f(real) − E f(fake) estimates W1 (logged)
  critic_loss = generator_loss = None

  def critic(self, real_scores, fake_scores):
    return self.critic_loss(real_scores, fake_scores, reduction="none")

  def generator(self, fake_scores):
    return self.generator_loss(fake_scores, reduction="none")

  def get_config(self):
    return {"name": self.name}


class Wasserstein(Loss):
  """The WGAN loss; the critic's scores estimate W1."""

  name = "wasserstein"
  estimates_wasserstein = True
  critic_loss = staticmethod(wasserstein_critic_loss)
  generator_loss = staticmethod(wasserstein_generator_loss)


class NonSaturating(Loss):
  """The standard GAN loss with the non-saturating generator objective."""

  name = "non_saturating"
  critic_loss = staticmethod(non_saturating_critic_loss)
  generator_loss = staticmethod(non_saturating_generator_loss)


class Hinge(Loss):
  """The hinge loss (Lim & Ye 2017; SNGAN's and the projection critic's, Miyato et al.)."""

  name = "hinge"
  critic_loss = staticmethod(hinge_critic_loss)
  generator_loss = staticmethod(hinge_generator_loss)


class LeastSquares(Loss):
  """The least-squares loss, 0-1 coding (Mao et al. 2017, eq. 9)."""

  name = "least_squares"
  critic_loss = staticmethod(least_squares_critic_loss)
  generator_loss = staticmethod(least_squares_generator_loss)


_BY_NAME = {cls.name: cls for cls in (Wasserstein, NonSaturating, Hinge, LeastSquares)}
NAMES = tuple(_BY_NAME)


def get(identifier):
  """A loss object from a name ('wasserstein' | 'non_saturating' | 'hinge' |
  'least_squares') or an instance."""
  if isinstance(identifier, str):
    if identifier not in _BY_NAME:
      raise ValueError(f"loss={identifier!r}: allowed values are {sorted(_BY_NAME)}.")
    return _BY_NAME[identifier]()
  if hasattr(identifier, "critic") and hasattr(identifier, "generator"):
    return identifier
  raise ValueError(f"loss={identifier!r}: allowed values are {sorted(_BY_NAME)} "
                   "or an object with critic() and generator() methods.")
