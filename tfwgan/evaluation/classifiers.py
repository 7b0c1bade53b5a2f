"""Classifiers whose features and logits FID/KID/IS are computed on.

A classifier here is a callable: images in [−1, 1] → (features [n, d], logits [n, k]).
"""

import hashlib
import os

import keras
import tensorflow as tf

from tfwgan.evaluation import resize as resize_lib

INCEPTION_HANDLE = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"
INCEPTION_SIZE = 299
# DINOv2 as dgm-eval takes it (Stein et al. 2023; `dgm_eval/models/dinov2.py`): ViT-L/14
# ('dinov2_vitl14' there, keras-hub's 'dinov2_large'), images resized to 224 × 224 and
# normalised by ImageNet's mean and std, the features the final layer norm's CLS token.
DINOV2_PRESET = "dinov2_large"
DINOV2_SIZE = 224
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# The classifiers that resize samples themselves (the others take them at their input size).
RESIZING = ("inception", "dinov2")


def inception(path=INCEPTION_HANDLE, *, resize="bilinear"):
  """TF-GAN's Inception (TF-Hub): 2048-d pool_3 features and logits, images resized to 299.

  `path`: the hub handle (downloads once into TFHUB_CACHE_DIR) or a local copy of the
  module for machines without internet. `resize`: 'bilinear' or 'clean'
  (`tfwgan.evaluation.resize`). This replaces TF-GAN's `classifier_fn_from_tfhub`, which
  breaks under Keras 3.
  """
  import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
  resize_lib.check(resize)
  module = hub.load(path)

  def classify(images):
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
      images = tf.image.grayscale_to_rgb(images)
    images = resize_lib.resize(images, INCEPTION_SIZE, resize)
    outputs = module(images)
    return (tf.reshape(outputs["pool_3"], [tf.shape(images)[0], -1]),
            tf.reshape(outputs["logits"], [tf.shape(images)[0], -1]))
  classify.input_shape = (None, None, 3)   # any size; grey images become RGB
  return classify


def dinov2(preset=DINOV2_PRESET, *, resize="bilinear"):
  """DINOv2 features through keras-hub's `DINOV2Backbone` (`pip install tfwgan[dinov2]`):
  the CLS token of the final layer norm, 1,024-d for ViT-L/14, the features Stein et al.
  (2023) recommend in place of Inception's for FD, KID, precision/recall and
  density/coverage. `preset`: a keras-hub preset name (downloaded from Kaggle once) or a
  local preset directory (`backbone.save_to_preset(path)`, for offline machines).
  `resize`: how the samples reach 224 × 224 ('bilinear' or 'clean', as for Inception;
  dgm-eval resizes with torchvision's bicubic). No logits: no Inception score or class
  accuracy on these features."""
  import keras_hub  # pylint: disable=g-import-not-at-top  (the optional 'dinov2' extra)
  resize_lib.check(resize)
  backbone = keras_hub.models.DINOV2Backbone.from_preset(
      preset, image_shape=(DINOV2_SIZE, DINOV2_SIZE, 3))
  mean, std = (tf.constant(v, tf.float32) for v in (IMAGENET_MEAN, IMAGENET_STD))

  def classify(images):
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
      images = tf.image.grayscale_to_rgb(images)
    unit = resize_lib.pixels(images, DINOV2_SIZE, resize) / 255.0
    tokens = backbone({"images": (unit - mean) / std}, training=False)
    return tokens[:, 0], tf.zeros([tf.shape(images)[0], 0])   # the CLS token; no logits
  classify.input_shape = (None, None, 3)   # any size; grey images become RGB
  classify.has_logits = False
  return classify


def feature_extractor(identifier, *, dinov2_path=None):
  """What the protocol records of a pretrained feature extractor beyond its hash: for
  'dinov2' the backbone, preset (or local preset directory), input and token; else None."""
  if identifier != "dinov2":
    return None
  return {"backbone": "keras_hub.models.DINOV2Backbone", "preset": dinov2_path or DINOV2_PRESET,
          "input": f"{DINOV2_SIZE}x{DINOV2_SIZE}, ImageNet mean/std",
          "features": "CLS token after the final layer norm"}


def pixels_only(images):
  """The 'classifier' of pixel-only scores (SWD): one constant feature and logit per image,
  so the images pass through the same collection (and cache) without a network."""
  count = tf.shape(tf.convert_to_tensor(images))[0]
  return tf.zeros([count, 1]), tf.zeros([count, 1])


def from_keras(model, *, feature_layer, logits_layer=None):
  """A Keras classifier: features from the named layer, logits from `logits_layer` or the output."""
  try:
    features = model.get_layer(feature_layer).output
  except ValueError as error:
    names = [layer.name for layer in model.layers]
    raise ValueError(f"feature_layer={feature_layer!r}: not a layer of the classifier; its "
                     f"layers are {names}.") from error
  logits = model.get_layer(logits_layer).output if logits_layer else model.outputs[0]
  both = keras.Model(model.inputs, [features, logits])

  def classify(images):
    return tuple(both(tf.convert_to_tensor(images, tf.float32), training=False))
  classify.input_shape = tuple(model.input_shape[1:])
  return classify


def from_saved_model(path, *, feature_key="features", logits_key="logits"):
  """A SavedModel whose serving signature returns `feature_key` and `logits_key` tensors."""
  signature = tf.saved_model.load(path).signatures["serving_default"]
  input_name = list(signature.structured_input_signature[1])[0]

  def classify(images):
    outputs = signature(**{input_name: tf.convert_to_tensor(images, tf.float32)})
    for key in (feature_key, logits_key):
      if key not in outputs:
        raise ValueError(f"classifier={path!r}: its signature returns {sorted(outputs)}, "
                         f"not {key!r}.")
    return outputs[feature_key], outputs[logits_key]
  spec = signature.structured_input_signature[1][input_name]
  classify.input_shape = (tuple(spec.shape[1:]) if spec.shape.rank is not None else None)
  return classify


def load(identifier, *, feature_layer="features", logits_layer="logits", inception_path=None,
         resize="bilinear", dinov2_path=None):
  """A classifier from 'inception', 'dinov2', a hub handle/path, a .keras file, a
  SavedModel or a model.

  `inception_path`: where 'inception' loads the module from (a local copy for offline
  machines); the TF-Hub handle when None. `dinov2_path`: the same for 'dinov2' (a local
  keras-hub preset directory; `DINOV2_PRESET` when None). `resize`: how Inception and
  DINOv2 resize the samples (`tfwgan.evaluation.resize`); the other classifiers take
  samples at their input size, so they accept only the default.
  """
  resize_lib.check(resize)
  if identifier == "inception":
    return inception(inception_path or INCEPTION_HANDLE, resize=resize)
  if identifier == "dinov2":
    return dinov2(dinov2_path or DINOV2_PRESET, resize=resize)
  path = (None if callable(identifier) and not isinstance(identifier, (str, os.PathLike))
          else os.fspath(identifier))
  saved_model = None if path is None else _saved_model_of(path)
  if path is not None and not path.endswith(".keras") and saved_model is None and (
      path.startswith(("http://", "https://")) or os.path.isdir(path)):
    return inception(path, resize=resize)
  if resize != "bilinear":
    raise ValueError(f"resize={resize!r}: only Inception and DINOv2 resize samples; classifier="
                     f"{identifier!r} takes them at its input size (leave resize unset).")
  if path is None:
    if isinstance(identifier, keras.Model):
      return from_keras(identifier, feature_layer=feature_layer, logits_layer=logits_layer)
    return identifier
  if path.endswith(".keras"):
    return from_keras(keras.models.load_model(path, safe_mode=True),
                      feature_layer=feature_layer, logits_layer=logits_layer)
  if saved_model is not None:   # a SavedModel or an export
    return from_saved_model(saved_model, feature_key=feature_layer, logits_key=logits_layer)
  raise ValueError(f"classifier={identifier!r}: not 'inception', a TF-Hub handle, a .keras file "
                   "or a SavedModel directory.")


def _saved_model_of(path):
  """The SavedModel directory at `path` or its `saved_model` sub-folder (an export), or None."""
  for saved_model in (path, os.path.join(path, "saved_model")):
    if os.path.isfile(os.path.join(saved_model, "saved_model.pb")):
      return saved_model
  return None


def load_checked(identifier, *, feature_layer="features", logits_layer="logits",
                 inception_path=None, sample_shape=None, resize="bilinear", dinov2_path=None):
  """`load`, with every failure a one-line ValueError naming the flag (and, for TF-Hub's
  Inception and DINOv2, the offline alternatives); with `sample_shape`, also `check_fits`."""
  try:
    classifier = load(identifier, feature_layer=feature_layer, logits_layer=logits_layer,
                      inception_path=inception_path, resize=resize, dinov2_path=dinov2_path)
  except Exception as error:  # pylint: disable=broad-except  (hub, SavedModel, Keras errors)
    if isinstance(error, ValueError) and str(error).startswith(("classifier=", "feature_layer=",
                                                               "resize=")):
      raise  # already names the flag
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    offline = ("--classifier=saved_models/mnist_classifier (28×28 grey digits), "
               "--classifier=<a classifier for your images, from launchers/"
               "train_classifier.py>, or score the pixels without a classifier: "
               "--eval_metrics=swd (evaluate.py: --metrics=swd)")
    if identifier == "dinov2" and isinstance(error, ImportError):
      raise ValueError("classifier='dinov2': needs keras-hub (pip install -e \".[dinov2]\"; "
                       f"{reason}).") from error
    if identifier == "dinov2" and dinov2_path:
      raise ValueError(f"dinov2_path={dinov2_path!r}: cannot be loaded as a keras-hub "
                       f"DINOV2Backbone preset ({reason}).") from error
    if identifier == "dinov2":
      raise ValueError(
          f"classifier='dinov2': keras-hub's {DINOV2_PRESET!r} (Kaggle) cannot be loaded "
          f"({reason}); pass --dinov2_path=<a local preset directory> (save one with "
          f"keras_hub.models.DINOV2Backbone.from_preset({DINOV2_PRESET!r}).save_to_preset("
          f"path) where there is internet), {offline}.") from error
    if identifier == "inception" and inception_path:
      raise ValueError(f"inception_path={inception_path!r}: cannot be loaded "
                       f"({reason}).") from error
    if identifier == "inception":
      raise ValueError(
          f"classifier='inception': TF-Hub's Inception ({INCEPTION_HANDLE}) cannot be "
          f"loaded ({reason}); without internet, pass --inception_path=<a local copy> (the "
          f"README's 'Offline machines' says how to make one), {offline}.") from error
    raise ValueError(f"classifier={identifier!r}: cannot be loaded ({reason}).") from error
  if sample_shape is not None:
    check_fits(classifier, sample_shape, identifier)
  return classifier


def check_fits(classifier, sample_shape, identifier="classifier"):
  """ValueError (one line) when `classifier` cannot take samples of `sample_shape`: a
  fixed input shape that differs, or Inception and images without 1 or 3 channels."""
  expected = getattr(classifier, "input_shape", None)
  if expected is None:
    return
  shape = tuple(sample_shape)
  inception_like = tuple(expected) == (None, None, 3)
  fits = (len(shape) == 3 and shape[-1] in (1, 3) if inception_like else
          len(shape) == len(expected) and all(
              want is None or want == have for want, have in zip(expected, shape)))
  if not fits:
    takes = ("images with 1 or 3 channels" if inception_like
             else "samples of shape " + "×".join(str(d) for d in expected))
    raise ValueError(
        f"classifier={identifier!r}: takes {takes}, but the generator makes samples of shape "
        f"{'×'.join(str(d) for d in shape)}; --classifier=inception (any image size, 1 or 3 "
        "channels) fits them, saved_models/mnist_classifier fits 28×28×1 digits.")


def _sha256_of_files(paths, root):
  digest = hashlib.sha256()
  for path in paths:
    if root is not None:
      digest.update(os.path.relpath(path, root).encode())
    with tf.io.gfile.GFile(path, "rb") as handle:
      for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
  return digest.hexdigest()


def _keras_hub_preset_directory(preset):
  """The local directory of a downloaded keras-hub preset (its cached copy)."""
  from keras_hub.src.utils import preset_utils  # pylint: disable=g-import-not-at-top
  return os.path.dirname(preset_utils.get_file(preset, preset_utils.CONFIG_FILE))


def weights_sha256(identifier, *, inception_path=None, dinov2_path=None):
  """SHA-256 identifying a classifier's weights: of its .keras file, or over the files of
  its directory (SavedModel, export, Inception module or keras-hub preset: relative paths
  and contents, in sorted order). 'inception' without `inception_path` hashes TF-Hub's
  cached copy, 'dinov2' without `dinov2_path` keras-hub's. None for a classifier given as
  a Python object."""
  if callable(identifier) and not isinstance(identifier, (str, os.PathLike)):
    return None
  path = os.fspath(identifier)
  if path == "dinov2":
    path = dinov2_path or _keras_hub_preset_directory(DINOV2_PRESET)
  if path == "inception":
    path = inception_path or INCEPTION_HANDLE
  if path.startswith(("http://", "https://")):
    import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
    path = hub.resolve(path)
  if not tf.io.gfile.isdir(path):
    return _sha256_of_files([path], None)
  names = sorted(f"{directory}/{name}" for directory, _, names in tf.io.gfile.walk(path)
                 for name in names)
  return _sha256_of_files(names, path)
