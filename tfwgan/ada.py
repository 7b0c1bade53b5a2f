"""Adaptive augmentation probability (ADA: Karras, Aittala, Hellsten, Laine, Lehtinen, Aila
2020, "Training Generative Adversarial Networks with Limited Data", §3 and App. C).

Every augmentation op is applied to a sample with probability p (its own draw per sample
and op), and p follows the overfitting heuristic r_t = E[sign(D_train)]: the sign of the
critic's scores of the augmented real batches. Every `interval` critic updates
(the paper's "every four minibatches"), with r_t the mean over those updates' global
batches,

    p ← max(0, p + sign(r_t − target) · images / speed_images),

`images` the real samples those updates scored (batch × interval) and `speed_images` the
number of images over which p can move by 1 (the paper's 500k). This is the official code's
rule (stylegan2-ada-pytorch, `training/training_loop.py`, lines 312–315: `adjust =
np.sign(signs - ada_target) * (batch_size * ada_interval) / (ada_kimg * 1000)`, p floored at
0 and not capped). target 0.6 is the paper's (§3.2).

r_t counts the scores of the critic loss's real batches; the official code also counts the
real scores of its lazy R1 pass (every 16th minibatch, a fresh augmentation), which weighs
them slightly differently when R1 is lazy.

r_t assumes the critic's scores have a meaningful sign (a logit, as with the
non-saturating and hinge losses). A Wasserstein critic is defined up to a constant, so its
sign carries no overfitting signal; the library allows it and says so here.

The state (p, the interval's sign sum and image count, and its update count) is
checkpointed and equal on every replica: the signs are summed over the global batch.
"""

import keras
import tensorflow as tf

from tfwgan.reduction import cross_replica_sum
from tfwgan.validation import integer_at_least
from tfwgan.validation import number_at_least

TARGET = 0.6
INTERVAL = 4
SPEED_IMAGES = 500_000


class AdaptiveProbability:
  """p of `tfwgan.augment.DiffAugment(probability=...)`, adjusted from r_t (module doc).

  Args:
    target: the r_t p steers toward (the paper's 0.6).
    interval: critic updates between adjustments (the paper's 4).
    speed_images: real images over which p can move by 1 (the paper's 500,000).
    initial: p at the start (the paper's 0).
  """

  def __init__(self, target=TARGET, *, interval=INTERVAL, speed_images=SPEED_IMAGES,
               initial=0.0):
    self.target = float(target)
    if not -1.0 <= self.target <= 1.0:
      raise ValueError(f"ada_target={target!r}: must be a number in [−1, 1] (E[sign D]).")
    self.interval = integer_at_least("ada_interval", interval)
    self.speed_images = number_at_least("ada_speed_images", speed_images, 1)
    self.initial = number_at_least("augment_p", initial)
    self.state = None
    self._pending = None

  def build(self):
    """p and the interval's accumulators (checkpointed): one set per GAN."""
    if self.state is not None:
      raise ValueError("augment: this AdaptiveProbability already belongs to a GAN; give "
                       "each its own.")
    make = lambda name, value: keras.Variable(value, dtype="float32", trainable=False,
                                              name=name, aggregation="only_first_replica")
    self.state = {"probability": make("ada_probability", self.initial),
                  "sign_sum": make("ada_sign_sum", 0.0),
                  "images": make("ada_images", 0.0),
                  "updates": make("ada_updates", 0.0)}
    return self.state

  @property
  def probability(self):
    """p now (a variable: read inside a traced step, it is the step's current value)."""
    if self.state is None:
      raise ValueError("augment: the AdaptiveProbability is not built (pass it to a GAN).")
    return self.state["probability"]

  def observe(self, real_scores):
    """Takes one critic update's scores of its augmented real batch (stored by
    `after_critic_update`)."""
    scores = tf.cast(tf.reshape(tf.stop_gradient(real_scores), [-1]), tf.float32)
    self._pending = (cross_replica_sum(tf.reduce_sum(tf.sign(scores))),
                     cross_replica_sum(tf.cast(tf.size(scores), tf.float32)))

  def after_critic_update(self, kept):
    """Adds the observed update to the interval (where it was kept); at the interval's
    end adjusts p by the rule and starts a new interval."""
    signs, images = self._pending
    kept = tf.cast(kept > 0, tf.float32)
    sign_sum = self.state["sign_sum"] + kept * signs
    image_count = self.state["images"] + kept * images
    updates = self.state["updates"] + kept
    due = tf.logical_and(kept > 0, updates >= self.interval)
    r_t = sign_sum / tf.maximum(image_count, 1.0)
    adjusted = tf.maximum(0.0, self.state["probability"]
                          + tf.sign(r_t - self.target) * image_count / self.speed_images)
    self.state["probability"].assign(tf.where(due, adjusted, self.state["probability"]))
    for key, value in (("sign_sum", sign_sum), ("images", image_count), ("updates", updates)):
      self.state[key].assign(tf.where(due, 0.0, value))

  def get_config(self):
    return {"target": self.target, "interval": self.interval,
            "speed_images": self.speed_images, "initial": self.initial}
