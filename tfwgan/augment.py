"""Differentiable augmentation of every critic input (DiffAugment: Zhao, Liu, Lin, Zhu, Han
2020, "Differentiable Augmentation for Data-Efficient GAN Training", arXiv:2006.10738).

The same random transformation family T is applied to real and generated samples in the
critic's steps and to generated samples in the generator's steps (paper §3.2, Fig. 4:
"D(T(x))" and "D(T(G(z)))" in both losses); every transformation is differentiable in the
image, so the generator's gradient flows through T. The policies and their ranges follow
the paper's Table/§3.2 and its official TensorFlow code (`DiffAugment_tf.py`):

- 'color': brightness + U[−0.5, 0.5), saturation × U[0, 2), contrast × U[0.5, 1.5), each
  one draw per sample (saturation around the pixel's channel mean, contrast around the
  image's mean);
- 'translation': a shift of up to 1/8 of the image side in each direction, an integer
  per sample and axis, the uncovered pixels 0 (mid-grey in [−1, 1]);
- 'cutout': a square of half the image side set to 0, its centre uniform per sample
  (squares partly outside the image are cut at its border);
- 'flip' (not DiffAugment's): a left-right mirror of each sample with probability ½;
- 'rotate90' (not DiffAugment's): a rotation by k · 90°, k uniform on {0, 1, 2, 3} per
  sample (square images only).

'flip', 'rotate90' and 'translation' are ADA's 'blit' group (Karras et al. 2020, App. B.1:
xflip, rotate90, xint), with two differences: this translation fills with 0 (DiffAugment's;
ADA pads by reflection) and draws an integer uniform on {−s, …, s} (ADA rounds a uniform
draw on [−s, s], so its end values are half as likely); and 'color' is gated as one op
(ADA gates brightness, contrast and saturation each on its own), so a p here is not ADA's
augmentation strength.
With `probability` (ADA's p, fixed or `tfwgan.ada.AdaptiveProbability`) each op is applied
to each sample with probability p, its own draw per sample and op after the op's own draws
(the official `training/augment.py` gates every op this way); without it every op applies
to every sample (DiffAugment).

Every draw is one value per sample from the stream passed in (`tfwgan.noise.ReplicaNoise`
in training, so replicas and resumed runs draw what one device would).
"""

import tensorflow as tf

from tfwgan.validation import number_at_least
from tfwgan.validation import one_of

# 'flip' last: the draws of the three DiffAugment policies stay what they were without it.
POLICIES = ("color", "translation", "cutout", "flip", "rotate90")
# Where a gradient penalty is taken with DiffAugment (the paper is silent; its official
# StyleGAN2 code has both, `ns_DiffAugment_r1` as the default loss): 'original', the
# penalty's points made from the samples themselves and the gradient of x ↦ D(T(x)) (the
# function the critic's loss trains, so its Lipschitz constraint), with a fresh draw of
# T; 'augmented', points made from the augmented samples the loss scored, the gradient of D.
PENALTY_POINTS = ("original", "augmented")
TRANSLATION_RATIO = 0.125
CUTOUT_RATIO = 0.5


def parse_policy(policy):
  """'color,translation' → ('color', 'translation'); '' or None → () (augmentation off)."""
  if policy is None:
    return ()
  names = tuple(name.strip() for name in str(policy).split(",") if name.strip())
  unknown = [name for name in names if name not in POLICIES]
  if unknown or len(set(names)) != len(names):
    raise ValueError(f"augment={policy!r}: a comma-separated subset of {list(POLICIES)} "
                     "(each at most once), or '' for none.")
  return names


def _per_sample(images, rng):
  """U[0, 1) of shape [batch, 1, 1, 1]: one draw per sample."""
  return rng.uniform(tf.stack([tf.shape(images)[0], 1, 1, 1]), dtype=images.dtype)


def _integers(uniform, low, high):
  """U[0, 1) draws → integers uniform on {low, …, high}."""
  return tf.cast(tf.floor(uniform * tf.cast(high - low + 1, uniform.dtype)), tf.int32) + low


def color(images, rng):
  """Brightness, saturation and contrast, in that order (the official code's order)."""
  images = images + (_per_sample(images, rng) - 0.5)
  channel_mean = tf.reduce_mean(images, axis=3, keepdims=True)
  images = (images - channel_mean) * (2.0 * _per_sample(images, rng)) + channel_mean
  image_mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
  return (images - image_mean) * (_per_sample(images, rng) + 0.5) + image_mean


def _shift_axis(images, shifts, axis):
  """images[b, i + shifts[b]] along `axis` (1 rows, 2 columns); 0 where that is outside."""
  size = tf.shape(images)[axis]
  source = tf.range(size)[tf.newaxis, :] + shifts[:, tf.newaxis]   # [batch, size]
  inside = tf.logical_and(source >= 0, source < size)
  gathered = tf.gather(images, tf.clip_by_value(source, 0, size - 1), axis=axis, batch_dims=1)
  mask_shape = [-1, size, 1, 1] if axis == 1 else [-1, 1, size, 1]
  return gathered * tf.reshape(tf.cast(inside, images.dtype), mask_shape)


def translation(images, rng, ratio=TRANSLATION_RATIO):
  """Each sample shifted by an integer in [−s, s] per axis, s = round(ratio × side)."""
  for axis in (1, 2):
    side = tf.shape(images)[axis]
    limit = tf.cast(tf.cast(side, tf.float32) * ratio + 0.5, tf.int32)
    shifts = _integers(tf.reshape(_per_sample(images, rng), [-1]), -limit, limit)
    images = _shift_axis(images, shifts, axis)
  return images


def cutout(images, rng, ratio=CUTOUT_RATIO):
  """A square of side c = round(ratio × side) set to 0 in each sample. Its first row and
  column are o − c//2 with o uniform on {0, …, side − c mod 2} (the official ranges)."""
  masks = []
  for axis in (1, 2):
    side = tf.shape(images)[axis]
    size = tf.cast(tf.cast(side, tf.float32) * ratio + 0.5, tf.int32)
    start = _integers(tf.reshape(_per_sample(images, rng), [-1]), 0,
                      side - size % 2) - size // 2
    index = tf.range(side)[tf.newaxis, :]
    masks.append(tf.logical_and(index >= start[:, tf.newaxis],
                                index < start[:, tf.newaxis] + size))
  cut = tf.logical_and(masks[0][:, :, tf.newaxis], masks[1][:, tf.newaxis, :])
  return images * tf.cast(tf.logical_not(cut), images.dtype)[..., tf.newaxis]


def flip(images, rng):
  """Each sample mirrored left-right with probability ½, one draw per sample: the
  horizontal flip of balanced consistency regularisation's T (Zhao et al. 2021) and of
  ADA's 'xflip'; differentiable (a permutation of the pixels)."""
  mirrored = _per_sample(images, rng) < 0.5
  return tf.where(mirrored, tf.reverse(images, axis=[2]), images)


def rotate90(images, rng):
  """Each sample rotated by k · 90° counter-clockwise, k uniform on {0, …, 3}, one draw
  per sample (ADA's rotate90); needs square images."""
  turns = _integers(tf.reshape(_per_sample(images, rng), [-1]), 0, 3)
  rotated = tf.stack([tf.image.rot90(images, k) for k in range(4)], axis=1)
  return tf.gather(rotated, turns, axis=1, batch_dims=1)


_TRANSFORMS = {"color": color, "translation": translation, "cutout": cutout, "flip": flip,
               "rotate90": rotate90}


def check_probability(probability):
  """None (every op always), a p in [0, 1], or an `AdaptiveProbability`."""
  if probability is None or hasattr(probability, "observe"):
    return probability
  if (isinstance(probability, bool) or not isinstance(probability, (int, float))
      or not 0.0 <= probability <= 1.0):
    raise ValueError(f"augment_p={probability!r}: a probability in [0, 1], an "
                     "ada.AdaptiveProbability, or None (every op on every sample).")
  return float(probability)


class DiffAugment:
  """T: the policies of `policy` applied in the order color → translation → cutout.

  Args:
    policy: 'color,translation,cutout' or any subset (paper's default for few-shot and
      CIFAR-10 with little data: all three); '' is the identity.
    translation_ratio, cutout_ratio: the paper's 1/8 and 1/2 of the image side.
    penalty_points: 'original' or 'augmented' (see PENALTY_POINTS).
    probability: None (every op on every sample, DiffAugment), ADA's p as a number, or a
      `tfwgan.ada.AdaptiveProbability` (ADA; the GAN then feeds it the critic's scores).
  """

  def __init__(self, policy="color,translation,cutout", *, translation_ratio=TRANSLATION_RATIO,
               cutout_ratio=CUTOUT_RATIO, penalty_points="original", probability=None):
    chosen = parse_policy(policy)
    self.probability = check_probability(probability)
    self.penalty_points = one_of("penalty_points", penalty_points, PENALTY_POINTS)
    self.policies = tuple(name for name in POLICIES if name in chosen)
    self.translation_ratio = number_at_least("translation_ratio", translation_ratio)
    self.cutout_ratio = number_at_least("cutout_ratio", cutout_ratio)

  @property
  def policy(self):
    return ",".join(self.policies)

  @property
  def adaptive(self):
    """The `AdaptiveProbability` whose p gates the ops, or None."""
    return self.probability if hasattr(self.probability, "observe") else None

  def check_sample_shape(self, sample_shape):
    if self.policies and len(sample_shape) != 3:
      raise ValueError(f"augment={self.policy!r}: DiffAugment transforms images [height, "
                       f"width, channels]; the samples have shape {tuple(sample_shape)}.")
    if "rotate90" in self.policies and sample_shape[0] != sample_shape[1]:
      raise ValueError(f"augment={self.policy!r}: rotate90 needs square images; the samples "
                       f"have shape {tuple(sample_shape)}.")

  def _gate(self):
    """p as a tensor, or None when every op applies to every sample."""
    if self.probability is None:
      return None
    if self.adaptive is not None:
      return tf.convert_to_tensor(self.adaptive.probability)
    return tf.constant(self.probability)

  def __call__(self, images, rng):
    images = tf.convert_to_tensor(images)
    ratios = {"translation": self.translation_ratio, "cutout": self.cutout_ratio}
    probability = self._gate()
    for name in self.policies:
      transformed = _TRANSFORMS[name](images, rng, *([ratios[name]] if name in ratios else []))
      if probability is None:
        images = transformed
      else:   # ADA: this op on this sample with probability p
        applied = _per_sample(images, rng) < tf.cast(probability, images.dtype)
        images = tf.where(applied, transformed, images)
    return images

  def get_config(self):
    probability = (self.adaptive.get_config() if self.adaptive is not None
                   else self.probability)
    return {"policy": self.policy, "translation_ratio": self.translation_ratio,
            "cutout_ratio": self.cutout_ratio, "penalty_points": self.penalty_points,
            "probability": probability}


def get(identifier):
  """None / '' (off), a policy string, or a DiffAugment → a DiffAugment or None."""
  if isinstance(identifier, DiffAugment):
    return identifier if identifier.policies else None
  augment = DiffAugment(identifier or "")
  return augment if augment.policies else None
