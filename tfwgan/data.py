"""tf.data pipelines: tfds image sets, image folders, .npz arrays and the 2-D toy sets.

Batch sizes: `batch_size` is always the *global* batch of one critic update (the
papers' batch). A fit step holds critic_steps × batch_size samples; under a
tf.distribute strategy Keras splits that step batch over the replicas.
"""

import collections
import contextlib
import io
import math

import keras
import numpy as np
import tensorflow as tf

from tfwgan import files
from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of

gfile = tf.io.gfile

TOY_DATASETS = ("8gaussians", "25gaussians", "swissroll")
# name → image shape produced (CelebA and LSUN at 64×64, as in the RWP and WGAN papers).
EVAL_SPLITS = ("train", "test")   # the real set scores compare with (tfds sets; others: all)
TFDS_DATASETS = {
    "mnist": (28, 28, 1),
    "fashion_mnist": (28, 28, 1),
    "cifar10": (32, 32, 3),
    "celeb_a": (64, 64, 3),
    "lsun/bedroom": (64, 64, 3),
}
FILE_DATASETS = ("folder", "npz")
DATASETS = TOY_DATASETS + tuple(TFDS_DATASETS) + FILE_DATASETS
# Decoded sizes small enough to cache in memory after the first pass.
_CACHED = ("mnist", "fashion_mnist", "cifar10")
_CELEBA_CROP = 108  # central crop of the aligned 218×178 faces before resizing to 64.
# What keras.utils.image_dataset_from_directory reads; other files are ignored.
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


TOY_CLASSES = {"8gaussians": 8, "25gaussians": 25}   # labels: the mixture component


def sample_toy(name, num_samples, seed, *, labels=False):
  """`num_samples` points of a toy set, in-graph and stateless (WGAN-GP's gan_toy.py recipe).

  8gaussians: 8 modes at radius 2, std 0.02, divided by 1.414.
  25gaussians: a 5×5 grid of spacing 2, std 0.05, divided by 2.828.
  swissroll: sklearn's swiss roll (noise 0.25), coordinates (x, z), divided by 7.5.
  `labels`: also return each point's mixture component (the Gaussians only).
  """
  if labels:
    check_labelled(name)
    points, components = _sample_toy(name, num_samples, seed)
    return points, components
  return _sample_toy(name, num_samples, seed)[0]


def check_labelled(name):
  """ValueError unless dataset `name` can give class labels."""
  if name in TOY_DATASETS and name not in TOY_CLASSES:
    raise ValueError(f"dataset={name!r}: has no classes; labelled toy sets are "
                     f"{sorted(TOY_CLASSES)} (the mixture component).")
  if name in TFDS_DATASETS and name not in TFDS_CLASSES:
    raise ValueError(f"dataset={name!r}: tfds gives it no class label; labelled tfds sets "
                     f"are {sorted(TFDS_CLASSES)}.")


def _sample_toy(name, num_samples, seed):
  """(points, mixture component or None) of a toy set."""
  seeds = tf.random.split(tf.cast(seed, tf.int64), 3)
  if name == "8gaussians":
    angles = tf.range(8, dtype=tf.float32) * (math.pi / 4)
    centers = 2.0 * tf.stack([tf.cos(angles), tf.sin(angles)], axis=1)
    index = tf.random.stateless_uniform([num_samples], seeds[0], maxval=8, dtype=tf.int32)
    noise = 0.02 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (tf.gather(centers, index) + noise) / 1.414, index
  if name == "25gaussians":
    grid = tf.range(-2, 3, dtype=tf.float32) * 2.0
    centers = tf.reshape(tf.stack(tf.meshgrid(grid, grid), axis=-1), [25, 2])
    index = tf.random.stateless_uniform([num_samples], seeds[0], maxval=25, dtype=tf.int32)
    noise = 0.05 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (tf.gather(centers, index) + noise) / 2.828, index
  if name == "swissroll":
    t = 1.5 * math.pi * (1.0 + 2.0 * tf.random.stateless_uniform([num_samples], seeds[0]))
    roll = tf.stack([t * tf.cos(t), t * tf.sin(t)], axis=1)
    noise = 0.25 * tf.random.stateless_normal([num_samples, 2], seeds[1])
    return (roll + noise) / 7.5, None
  raise ValueError(f"dataset={name!r}: allowed toy datasets are {TOY_DATASETS}.")


def toy_dataset(name, *, batch_size, critic_steps=1, seed=0, labels=False):
  """An endless dataset of [critic_steps × batch_size, 2] toy batches, one per fit step
  (with `labels`: (points, mixture components))."""
  if name not in TOY_DATASETS:
    raise ValueError(f"dataset={name!r}: allowed toy datasets are {TOY_DATASETS}.")
  integer_at_least("batch_size", batch_size)
  integer_at_least("critic_steps", critic_steps)
  step_size = batch_size * critic_steps
  seeds = tf.data.Dataset.random(seed=seed).batch(2)
  return seeds.map(lambda s: sample_toy(name, step_size, s, labels=labels),
                   num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def critic_batches(dataset, *, batch_size, critic_steps):
  """Batches an *unbatched* dataset of samples into critic_steps × batch_size per fit step.

  Each fit step then gives every critic update a fresh real batch (WGAN Alg. 1,
  WGAN-GP Alg. 1). `drop_remainder=True` keeps the shape static.
  """
  integer_at_least("batch_size", batch_size)
  integer_at_least("critic_steps", critic_steps)
  return dataset.batch(batch_size * critic_steps, drop_remainder=True).prefetch(
      tf.data.AUTOTUNE)


def to_unit_range(images):
  """uint8 pixels [0, 255] → float32 in [−1, 1] (the generators' tanh range)."""
  return tf.cast(images, tf.float32) / 127.5 - 1.0


def _center_crop_resize(image, crop, size):
  height, width = tf.shape(image)[0], tf.shape(image)[1]
  crop = tf.minimum(crop, tf.minimum(height, width))
  image = tf.image.crop_to_bounding_box(image, (height - crop) // 2, (width - crop) // 2,
                                        crop, crop)
  return tf.image.resize(image, [size, size], antialias=True)


def _tfds_preprocess(name, labels=False):
  """Per-example map: image → float32 in [−1, 1] of shape TFDS_DATASETS[name]; with
  `labels`, (image, its tfds 'label' as int32)."""
  size = TFDS_DATASETS[name][0]

  def preprocess(example):
    if labels:
      return unlabelled(example), tf.cast(example["label"], tf.int32)
    return unlabelled(example)

  def unlabelled(example):
    image = example["image"]
    if name == "celeb_a":
      image = _center_crop_resize(image, _CELEBA_CROP, size)
    elif name == "lsun/bedroom":
      image = _center_crop_resize(image, tf.reduce_min(tf.shape(image)[:2]), size)
    return tf.ensure_shape(to_unit_range(image), TFDS_DATASETS[name])
  return preprocess


def load_tfds(name, *, split="train", data_dir=None, download=False, labels=False):
  """An unbatched dataset of images in [−1, 1] from tensorflow-datasets.

  CelebA: aligned & cropped faces, central 108×108 crop resized to 64×64 (RWP paper).
  Its Google-Drive download often fails (quota, checksum): put the files in
  `<data_dir>/downloads/manual` and pass download=True. LSUN bedroom: shorter side
  cropped to a square, resized to 64×64 (WGAN paper); tfds prepares LSUN with
  tensorflow-io, which does not load on TF >= 2.18, so use dataset='folder' with
  exported JPEGs there.
  """
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  if name not in TFDS_DATASETS:
    raise ValueError(f"dataset={name!r}: allowed tfds datasets are {sorted(TFDS_DATASETS)}.")
  try:
    dataset = tfds.load(name, split=split, data_dir=data_dir, download=download,
                        shuffle_files=True)
  except AssertionError as error:  # tfds raises AssertionError when the data is missing
    reason = (str(error).strip().splitlines() or [""])[0][:200]
    hint = "add --download to let tfds download and prepare it" if not download else reason
    raise ValueError(f"dataset={name!r}: no prepared data under data_dir={data_dir!r}; "
                     f"{hint}.") from error
  return dataset.map(_tfds_preprocess(name, labels), num_parallel_calls=tf.data.AUTOTUNE)


def image_files(path):
  """The image files under `path` (any depth), by extension, as Keras reads them."""
  return [f"{directory.rstrip('/')}/{name}" for directory, _, names in gfile.walk(path)
          for name in sorted(names) if name.lower().endswith(IMAGE_EXTENSIONS)]


def check_image_files(path):
  """Opens every image file under `path` (header check); ValueError naming a bad one.
  Returns {(width, height): count} of the images.

  Files with other extensions are ignored, as Keras ignores them.
  """
  from PIL import Image  # pylint: disable=g-import-not-at-top
  images = image_files(path)
  if not images:
    raise ValueError(f"data_dir={path!r}: no image files {IMAGE_EXTENSIONS} found.")
  key = (path, tuple(images))   # a run reads its folder once per phase and evaluation
  if key in _CHECKED_FOLDERS:
    return dict(_CHECKED_FOLDERS[key])
  sizes = collections.Counter()
  for name in images:
    try:
      with gfile.GFile(name, "rb") as handle, Image.open(handle) as image:
        sizes[image.size] += 1
        image.verify()
    except Exception as error:  # pylint: disable=broad-except  (PIL raises many kinds)
      raise ValueError(f"data_dir={path!r}: {name} is not a readable image ({error}).") from error
  _CHECKED_FOLDERS[key] = dict(sizes)
  return dict(sizes)


_CHECKED_FOLDERS = {}   # (path, its image files) → {(width, height): count}


def describe(name, *, data_dir=None, image_size=None, split="train"):
  """One line saying what a run trains on; for an image folder, its images' sizes and the
  resize to --image_size that `image_folder` applies."""
  if name == "folder":
    sizes = check_image_files(data_dir)
    shown = ", ".join(f"{width}×{height}: {count}" for (width, height), count in
                      sorted(sizes.items(), key=lambda item: -item[1])[:3])
    shown += ", …" if len(sizes) > 3 else ""
    kept = sizes.keys() == {(image_size, image_size)}
    square = all(width == height for width, height in sizes)
    action = (f"used at {image_size}×{image_size}" if kept else
              f"{'resized' if square else 'center-cropped to squares and resized'} to "
              f"{image_size}×{image_size} (--image_size)")
    return (f"data: {sum(sizes.values())} images in {data_dir} ({shown}), {action}.")
  if name == "npz":
    shape = files.npz_first_shape(data_dir)
    return f"data: {shape[0]} samples of shape {tuple(shape[1:])} from {data_dir}."
  if name in TFDS_DATASETS:
    count = sample_count(name, data_dir=data_dir, split=split)
    return (f"data: tfds {name}, {'' if count is None else f'{count} '}images of shape "
            f"{TFDS_DATASETS[name]}.")
  return f"data: {name}, fresh samples at every step."


def image_folder(path, *, image_size, channels=3, labels=False):
  """An unbatched dataset of the images under `path` (any depth), resized, in [−1, 1].

  Every image is converted to `channels` (grayscale ↔ RGB, alpha dropped), so a folder
  mixing grayscale and colour images is read consistently; non-image files are ignored
  and an unreadable image file is a ValueError before training starts. `labels`:
  (image, class) with one class per sub-folder, numbered in `folder_class_names` order.
  """
  if not gfile.isdir(path):
    raise ValueError(f"data_dir={path!r}: not a directory of images.")
  check_image_files(path)
  names = folder_class_names(path) if labels else None
  with contextlib.redirect_stdout(io.StringIO()):   # Keras' "Found N files." at every call
    dataset = keras.utils.image_dataset_from_directory(
        path, labels="inferred" if labels else None, class_names=names,
        color_mode={1: "grayscale", 3: "rgb", 4: "rgba"}[channels],
        image_size=(image_size, image_size), batch_size=None, shuffle=False,
        crop_to_aspect_ratio=True)
  if labels:
    return dataset.map(lambda image, label: (to_unit_range(image), tf.cast(label, tf.int32)),
                       num_parallel_calls=tf.data.AUTOTUNE)
  return dataset.map(to_unit_range, num_parallel_calls=tf.data.AUTOTUNE)


def folder_class_names(path):
  """The class names of an image folder: its sub-folders, sorted (class i is the i-th);
  ValueError when it has fewer than two, images outside them, or a sub-folder without
  images (an empty class would be a class the generator draws but never saw)."""
  names = sorted(entry.rstrip("/") for entry in gfile.listdir(path)   # Keras skips dot-folders
                 if gfile.isdir(f"{path.rstrip('/')}/{entry}") and not entry.startswith("."))
  empty = [name for name in names if not image_files(f"{path.rstrip('/')}/{name}")]
  if empty:
    raise ValueError(f"data_dir={path!r}: class folder {empty[0]!r} holds no images "
                     f"{IMAGE_EXTENSIONS} (each sub-folder is a class; remove it or add its "
                     "images).")
  loose = [name for name in gfile.listdir(path)
           if name.lower().endswith(IMAGE_EXTENSIONS)]
  if len(names) < 2 or loose:
    raise ValueError(f"data_dir={path!r}: labels need one sub-folder of images per class "
                     f"(at least two); found {len(names)} sub-folder(s) with images"
                     f"{f' and {len(loose)} image(s) outside them' if loose else ''}.")
  return names


def npz_labels(path, num_samples):
  """The int32 labels (array NPZ_LABELS) of an .npz file's `num_samples` samples, checked."""
  arrays = files.load_npz(path)
  if files.NPZ_LABELS not in arrays:
    raise ValueError(f"data_dir={path!r}: labels need an array {files.NPZ_LABELS!r} of one "
                     f"integer class per sample; it holds {list(arrays)}.")
  labels = arrays[files.NPZ_LABELS]
  if (labels.shape != (num_samples,) or not np.issubdtype(labels.dtype, np.integer)
      or (labels.size and labels.min() < 0)):
    raise ValueError(f"data_dir={path!r}: its {files.NPZ_LABELS!r} array has shape "
                     f"{labels.shape} and dtype {labels.dtype}; expected ({num_samples},) "
                     "integers >= 0, one class per sample.")
  return labels.astype(np.int32)


def check_classes(labels, *, source, num_classes=None):
  """The class count of integer `labels`: `num_classes` when given (every label below
  it), else K where the labels are exactly 0 … K−1, each with samples. A label outside
  or a class without samples (a gap) is a ValueError naming the label and a sample, so
  a stray `y = 99` never makes a 100-class model. `source`: how the error names the data."""
  labels = np.asarray(labels)
  if num_classes is not None:
    outside = np.flatnonzero(labels >= num_classes)
    if outside.size:
      raise ValueError(f"{source}: label {labels[outside[0]]} (sample {outside[0]}) is "
                       f"outside the num_classes={num_classes} classes 0 … {num_classes - 1}.")
    return num_classes
  present = np.unique(labels)
  if present.size and present[-1] != present.size - 1:
    missing = sorted(set(range(int(present[-1]) + 1)) - set(present.tolist()))
    largest = int(present[-1])
    raise ValueError(
        f"{source}: labels must be the classes 0 … K−1, each with samples; class "
        f"{missing[0]} has none{f' (nor {len(missing) - 1} others)' if len(missing) > 1 else ''}"
        f" while label {largest} (sample {int(np.flatnonzero(labels == largest)[0])}) makes "
        f"{largest + 1} classes. Relabel the data, or give --num_classes to keep empty "
        "classes.")
  return int(present.size)


def npz_array(path, *, key=None):
  """An unbatched dataset from an array in an .npz file (uint8 → [−1, 1]; floats as they are)."""
  return tf.data.Dataset.from_tensor_slices(npz_array_values(path, key=key))


def npz_array_values(path, *, key=None):
  """The float32 samples of an .npz file (uint8 → [−1, 1]; floats as they are), checked."""
  if not gfile.exists(path) or gfile.isdir(path):
    raise ValueError(f"data_dir={path!r}: no such .npz file.")
  arrays = files.load_npz(path)
  if len(arrays) > 1:   # NPZ_LABELS beside other arrays holds labels, not samples
    arrays = {name: array for name, array in arrays.items()
              if name != files.NPZ_LABELS or name == key}
  if key is None and len(arrays) != 1:
    raise ValueError(f"data_dir={path!r}: holds arrays {list(arrays)} besides the labels "
                     f"{files.NPZ_LABELS!r}; name one with key=.")
  array = arrays[key or next(iter(arrays))]
  if array.ndim not in (2, 4) or (array.ndim == 4 and array.shape[-1] not in (1, 3)):
    raise ValueError(f"data_dir={path!r}: array of shape {array.shape}; use [samples, height, "
                     "width, channels] images with 1 or 3 channels, or [samples, features].")
  if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
    bad = np.flatnonzero(~np.isfinite(array.reshape(len(array), -1)).all(axis=1))
    raise ValueError(f"data_dir={path!r}: {len(bad)} samples hold NaN/Inf values (the first "
                     f"is sample {bad[0]}).")
  if array.dtype == np.uint8:
    array = array.astype(np.float32) / 127.5 - 1.0
  elif not np.issubdtype(array.dtype, np.floating):
    raise ValueError(f"data_dir={path!r}: array of dtype {array.dtype}; use uint8 pixels "
                     "(scaled from [0, 255]) or floats in [−1, 1].")
  elif array.size and (array.min() < -1.0 or array.max() > 1.0):
    raise ValueError(f"data_dir={path!r}: float values span [{array.min():g}, {array.max():g}]"
                     "; float arrays must already be in [−1, 1] (uint8 pixels are scaled).")
  return array.astype(np.float32)


def check_sample_count(name, *, data_dir, samples_needed):
  """An .npz array or image folder with fewer samples than one outer iteration uses (with
  drop_remainder, such a dataset would yield no batch at all) is a ValueError."""
  if name == "npz":
    count = files.npz_first_shape(data_dir)[0]
  elif name == "folder":   # a listing: `image_folder` opens every file once, not here
    count = len(image_files(data_dir))
  else:
    return
  if count < samples_needed:
    raise ValueError(f"data_dir={data_dir!r}: {count} samples, fewer than the "
                     f"{samples_needed} (batch_size × critic_steps) of one outer iteration.")


def replayable_order(num_samples, *, seed, start=0):
  """Endless sample indices, one permutation per epoch keyed by (seed, epoch), from
  position `start`: a resumed run continues exactly where it stopped, in O(1)."""
  first_epoch, offset = divmod(start, num_samples)
  permutation = lambda epoch: tf.data.Dataset.from_tensor_slices(
      tf.random.experimental.stateless_shuffle(tf.range(num_samples, dtype=tf.int64),
                                               seed=tf.stack([tf.cast(seed, tf.int64), epoch])))
  return tf.data.Dataset.range(first_epoch, 2**62).flat_map(permutation).skip(offset)


def training_dataset(name, *, batch_size, critic_steps, seed=0, start=0, data_dir=None,
                     download=False, image_size=None, channels=3, shuffle_buffer=10_000,
                     split="train", labels=False, mirror=False):
  """The endless training pipeline of fit steps of critic_steps × batch_size samples.

  `start` fit steps are skipped; `split`: the tfds split (other sources have one set). Toy sets and .npz arrays replay exactly, so a resumed
  run sees the data an uninterrupted one would have seen; tfds sets and image folders
  are reshuffled with a seed derived from (seed, start) instead. `labels`: steps of
  (samples, labels), each label with its sample (see `class_count` for where they come
  from); the samples are those of the unlabelled pipeline. `mirror`: see `mirrored`.
  """
  if name not in DATASETS:
    raise ValueError(f"dataset={name!r}: allowed values are {list(DATASETS)}.")
  if labels:
    check_labelled(name)
  if name in TOY_DATASETS:
    return sharded_by_element(toy_dataset(name, batch_size=batch_size, labels=labels,
                                          critic_steps=critic_steps, seed=seed).skip(start))
  if name == "npz":
    values = npz_array_values(data_dir)
    array = tf.constant(values)
    classes = tf.constant(npz_labels(data_dir, len(values))) if labels else None
    order = replayable_order(len(array), seed=seed, start=start * batch_size * critic_steps)
    take = ((lambda indices: (tf.gather(array, indices), tf.gather(classes, indices)))
            if labels else (lambda indices: tf.gather(array, indices)))
    return sharded_by_element(mirrored(critic_batches(
        order, batch_size=batch_size, critic_steps=critic_steps).map(take),
        mirror=mirror, seed=seed, start=start))
  if name in TFDS_DATASETS:
    samples = load_tfds(name, split=split, data_dir=data_dir, download=download,
                        labels=labels)
    if name in _CACHED:
      samples = samples.cache()
  else:
    samples = image_folder(data_dir, image_size=image_size, channels=channels,
                           labels=labels)
  samples = samples.shuffle(shuffle_buffer, seed=seed + 1_000_003 * start,
                            reshuffle_each_iteration=True).repeat()
  return sharded_by_element(mirrored(
      critic_batches(samples, batch_size=batch_size, critic_steps=critic_steps),
      mirror=mirror, seed=seed, start=start))


def mirrored(steps, *, mirror, seed, start):
  """`steps` (fit steps of images, or of (images, labels)) with each image mirrored
  left-right with probability ½ when `mirror`: the real data's mirror augmentation of the
  DiffAugment authors' CIFAR-10 runs (DiffAugment-stylegan2 `run_cifar.py --mirror-augment`,
  default on; `training/misc.py apply_mirror_augment`: one draw per image). The draws are
  keyed by (seed, fit step), so a resumed run mirrors what an uninterrupted one would.
  Their metrics also mirror the real set scores compare with; tfwgan's do not (scores of
  runs with and without stay comparable)."""
  if not mirror:
    return steps

  def flip(step, element):
    images = element[0] if isinstance(element, tuple) else element
    draws = tf.random.stateless_uniform(
        tf.shape(images)[:1], seed=tf.stack([tf.cast(seed, tf.int64) + 7_919, step]))
    flipped = tf.where(tf.reshape(draws < 0.5, [-1, 1, 1, 1]),
                       tf.reverse(images, axis=[2]), images)
    return (flipped, *element[1:]) if isinstance(element, tuple) else flipped
  return steps.enumerate(start).map(flip)


def sharded_by_element(dataset):
  """`dataset` with tf.distribute's DATA auto-sharding: under MultiWorkerMirroredStrategy
  every worker reads the same pipeline and keeps its part of each global batch, so the
  workers' parts together are the one-device batch (AUTO would shard tfds' files
  instead, giving each worker other samples than one device would see)."""
  options = tf.data.Options()
  options.experimental_distribute.auto_shard_policy = (
      tf.data.experimental.AutoShardPolicy.DATA)
  return dataset.with_options(options)


def evaluation_batches(name, *, num_samples, batch_size=100, seed=0, data_dir=None,
                       download=False, image_size=None, channels=3, split="train",
                       labels=False):
  """Real samples for evaluation as numpy batches.

  Toy sets: one batch of `num_samples` fresh points drawn with `seed`. Others: the
  `split` (tfds) in the training pipeline's order with a fixed shuffle seed 0, so cached
  real statistics never depend on a run's seed; the first pass is every sample once.
  """
  one_of("split", split, EVAL_SPLITS)
  if name in TOY_DATASETS:
    drawn = sample_toy(name, num_samples, [seed, 99], labels=labels)
    return [tuple(t.numpy() for t in drawn) if labels else drawn.numpy()]
  return training_dataset(name, batch_size=batch_size, critic_steps=1, seed=0,
                          data_dir=data_dir, download=download, image_size=image_size,
                          channels=channels, split=split, labels=labels).as_numpy_iterator()


TFDS_CLASSES = {"mnist": 10, "fashion_mnist": 10, "cifar10": 10}   # tfds 'label' feature


def class_count(name, *, data_dir=None, num_classes=None):
  """Classes of a labelled dataset: the toy mixtures' components, tfds' 'label' feature,
  an image folder's sub-folders, an .npz file's labels (0 … K−1, each present:
  `check_classes`); `num_classes`, when given, instead (every label must be below it)."""
  check_labelled(name)
  if name == "npz":
    return check_classes(npz_labels(data_dir, files.npz_first_shape(data_dir)[0]),
                         source=f"data_dir={data_dir!r}", num_classes=num_classes)
  found = (TOY_CLASSES.get(name) or TFDS_CLASSES.get(name)
           or (len(folder_class_names(data_dir)) if name == "folder" else None))
  if found is None:
    raise ValueError(f"dataset={name!r}: allowed values are {list(DATASETS)}.")
  if num_classes is not None and num_classes < found:
    raise ValueError(f"num_classes={num_classes}: dataset={name!r} has {found} classes.")
  return num_classes or found


def class_names(name, *, data_dir=None, num_classes=None):
  """The class names, index i the i-th: an image folder's sub-folders, tfds' label names
  (where its metadata has them), else the numbers '0', '1', …"""
  count = class_count(name, data_dir=data_dir, num_classes=num_classes)
  if name == "folder":
    names = folder_class_names(data_dir)
  elif name in TFDS_CLASSES:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    try:
      names = list(tfds.builder(name, data_dir=data_dir).info.features["label"].names)
    except Exception:  # pylint: disable=broad-except  (metadata unavailable: numbers)
      names = []
  else:
    names = []
  return names + [str(index) for index in range(len(names), count)]


def label_counts(name, *, data_dir=None, num_classes=None, download=False):
  """Training samples per class (a list, class i at i); the toy mixtures' are endless,
  counted as equal shares (None)."""
  classes = class_count(name, data_dir=data_dir, num_classes=num_classes)
  if name in TOY_CLASSES:
    return None
  if name == "npz":
    labels = npz_labels(data_dir, files.npz_first_shape(data_dir)[0])
  elif name == "folder":
    counts = [len(image_files(f"{data_dir.rstrip('/')}/{folder}"))
              for folder in folder_class_names(data_dir)]
    return counts + [0] * (classes - len(counts))   # a --num_classes beyond the folders
  else:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    examples = tfds.load(name, split="train", data_dir=data_dir, download=download,
                         decoders={"image": tfds.decode.SkipDecoding()})
    labels = np.concatenate([batch for batch in examples.map(lambda e: e["label"]).batch(
        10_000).as_numpy_iterator()])
  return np.bincount(labels, minlength=classes).tolist()


def describe_classes(names, counts, *, shown=10):
  """'3 classes: cats 480, dogs 563, …' (the first `shown`) for the data line."""
  parts = [f"{label} {count}" if counts is not None else label
           for label, count in zip(names, counts or names)][:shown]
  more = f", … ({len(names) - shown} more)" if len(names) > shown else ""
  return f"{len(names)} classes: {', '.join(parts)}{more}"


def class_frequencies(name, *, data_dir=None, download=False, num_classes=None):
  """Each class's share of the training set: the toy mixtures' (equal), else counted over
  one pass of the labels (an image folder's files per sub-folder)."""
  counts = label_counts(name, data_dir=data_dir, download=download, num_classes=num_classes)
  if counts is None:
    classes = class_count(name, num_classes=num_classes)
    return [1.0 / classes] * classes
  counts = np.asarray(counts, np.float64)
  return list(counts / counts.sum())


def real_set_name(name, split="train"):
  """What an evaluation's real samples are: fresh toy draws, the tfds split, or 'all'."""
  if name in TOY_DATASETS:
    return "fresh draws"
  return split if name in TFDS_DATASETS else "all"


def sample_count(name, *, data_dir=None, split="train"):
  """Samples in one pass of a dataset (of its tfds `split`); None for the endless toy sets
  and where tfds does not know it."""
  if name in TOY_DATASETS:
    return None
  if name == "npz":
    return files.npz_first_shape(data_dir)[0]
  if name == "folder":
    return len(image_files(data_dir))
  import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
  try:
    return tfds.builder(name, data_dir=data_dir).info.splits[split].num_examples or None
  except Exception:  # pylint: disable=broad-except  (unprepared or unknown split: not known)
    return None


def holds_images(name, *, data_dir=None):
  """Whether `name` is image data: tfds sets and folders are, the toy sets are not, an
  .npz file unless its array is [samples, features] points (an unreadable file or another
  shape counts as images; `RunConfig.validate` and the data check name the problem)."""
  if name in TOY_DATASETS:
    return False
  if name != "npz":
    return True
  try:
    return len(files.npz_first_shape(data_dir)) != 2   # other shapes: refused as images
  except Exception:  # pylint: disable=broad-except  (missing or damaged: validated later)
    return True


def sample_shape(name, *, data_dir=None, image_size=None, channels=3):
  """The shape of one sample of `name`, known before any data is read where possible."""
  if name in TOY_DATASETS:
    return (2,)
  if name in TFDS_DATASETS:
    return TFDS_DATASETS[name]
  if name == "folder":
    return (image_size, image_size, channels)
  if name == "npz":
    return files.npz_first_shape(data_dir)[1:]
  raise ValueError(f"dataset={name!r}: allowed values are {list(DATASETS)}.")
