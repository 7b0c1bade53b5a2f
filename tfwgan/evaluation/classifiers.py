"""Classifiers whose features and logits FID/KID/IS are computed on.

A classifier here is a callable: images in [−1, 1] → (features [n, d], logits [n, k]).
"""

import hashlib
import os

import keras
import tensorflow as tf

INCEPTION_HANDLE = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"
INCEPTION_SIZE = 299


def inception(path=INCEPTION_HANDLE):
  """TF-GAN's Inception (TF-Hub): 2048-d pool_3 features and logits, images resized to 299.

  `path`: the hub handle (downloads once into TFHUB_CACHE_DIR) or a local copy of the
  module for machines without internet. This replaces TF-GAN's
  `classifier_fn_from_tfhub`, which breaks under Keras 3.
  """
  import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
  module = hub.load(path)

  def classify(images):
    images = tf.convert_to_tensor(images, tf.float32)
    if images.shape[-1] == 1:
      images = tf.image.grayscale_to_rgb(images)
    images = tf.image.resize(images, [INCEPTION_SIZE, INCEPTION_SIZE], method="bilinear")
    outputs = module(images)
    return (tf.reshape(outputs["pool_3"], [tf.shape(images)[0], -1]),
            tf.reshape(outputs["logits"], [tf.shape(images)[0], -1]))
  return classify


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
  return lambda images: tuple(both(tf.convert_to_tensor(images, tf.float32), training=False))


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
  return classify


def load(identifier, *, feature_layer="features", logits_layer="logits", inception_path=None):
  """A classifier from 'inception', a hub handle/path, a .keras file, a SavedModel or a model.

  `inception_path`: where 'inception' loads the module from (a local copy for offline
  machines); the TF-Hub handle when None.
  """
  if callable(identifier) and not isinstance(identifier, (str, os.PathLike)):
    if isinstance(identifier, keras.Model):
      return from_keras(identifier, feature_layer=feature_layer, logits_layer=logits_layer)
    return identifier
  if identifier == "inception":
    return inception(inception_path or INCEPTION_HANDLE)
  path = os.fspath(identifier)
  if path.endswith(".keras"):
    return from_keras(keras.models.load_model(path, safe_mode=True),
                      feature_layer=feature_layer, logits_layer=logits_layer)
  for saved_model in (path, os.path.join(path, "saved_model")):  # a SavedModel or an export
    if os.path.isfile(os.path.join(saved_model, "saved_model.pb")):
      return from_saved_model(saved_model, feature_key=feature_layer, logits_key=logits_layer)
  if path.startswith(("http://", "https://")) or os.path.isdir(path):
    return inception(path)
  raise ValueError(f"classifier={identifier!r}: not 'inception', a TF-Hub handle, a .keras file "
                   "or a SavedModel directory.")


def _sha256_of_files(paths, root):
  digest = hashlib.sha256()
  for path in paths:
    if root is not None:
      digest.update(os.path.relpath(path, root).encode())
    with tf.io.gfile.GFile(path, "rb") as handle:
      for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
  return digest.hexdigest()


def weights_sha256(identifier, *, inception_path=None):
  """SHA-256 identifying a classifier's weights: of its .keras file, or over the files of
  its directory (SavedModel, export or Inception module: relative paths and contents, in
  sorted order). 'inception' without `inception_path` hashes TF-Hub's cached copy.
  None for a classifier given as a Python object."""
  if callable(identifier) and not isinstance(identifier, (str, os.PathLike)):
    return None
  path = os.fspath(identifier)
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
