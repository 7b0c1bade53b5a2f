"""Generator export: a SavedModel with a `z -> samples` serving signature, plus a .keras file.

Layout of an export directory:
  saved_model/      tf.saved_model.load(...).signatures["serving_default"](z=...)
  generator.keras   keras.models.load_model(..., safe_mode=True)
  metadata.json     latent_dim, sample_shape and how the generator was made
The directory is written under a temporary name and renamed into place, so a
reader never sees a partial export.
"""

import contextlib
import json
import os
import shutil
import tempfile

import keras
import tensorflow as tf

SAVED_MODEL = "saved_model"
KERAS_FILE = "generator.keras"
METADATA = "metadata.json"


@contextlib.contextmanager
def atomic_directory(target):
  """Yields a staging directory beside `target`, renamed onto `target` if the block succeeds."""
  target = os.path.abspath(target)
  parent = os.path.dirname(target)
  os.makedirs(parent, exist_ok=True)
  staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
  os.chmod(staging, 0o755)  # mkdtemp makes it private; an export is meant to be shared
  try:
    yield staging
    _replace_directory(staging, target)
  except BaseException:
    shutil.rmtree(staging, ignore_errors=True)
    raise


def write_model(model, directory, *, input_signature, serve, metadata, keras_file=KERAS_FILE):
  """SavedModel (signature `serving_default`) + .keras + metadata.json into `directory`."""
  archive = keras.export.ExportArchive()
  archive.track(model)
  archive.add_endpoint("serve", serve, input_signature=input_signature)
  archive.write_out(os.path.join(directory, SAVED_MODEL), verbose=False)
  model.save(os.path.join(directory, keras_file))
  with open(os.path.join(directory, METADATA), "w") as handle:
    json.dump(metadata, handle, indent=2, sort_keys=True)


def export_generator(generator, export_dir, *, latent_dim, metadata=None):
  """Writes `generator` to `export_dir` atomically; returns `export_dir`."""
  sample_shape = list(generator(tf.zeros([1, latent_dim]), training=False).shape[1:])
  with atomic_directory(export_dir) as staging:
    write_model(generator, staging,
                input_signature=[tf.TensorSpec([None, latent_dim], tf.float32, name="z")],
                serve=lambda z: generator(z, training=False),
                metadata={"latent_dim": latent_dim, "sample_shape": sample_shape,
                          **(metadata or {})})
  return os.path.abspath(export_dir)


def _replace_directory(source, target):
  """Moves `source` to `target`; an existing `target` is swapped out, then removed."""
  if os.path.exists(target):
    retired = tempfile.mkdtemp(prefix=".retired-", dir=os.path.dirname(target))
    os.rename(target, os.path.join(retired, "old"))
    os.rename(source, target)
    shutil.rmtree(retired, ignore_errors=True)
  else:
    os.rename(source, target)


class ExportedGenerator:
  """A loaded export: `generate(z)` runs the SavedModel signature; no tfwgan code needed."""

  def __init__(self, export_dir):
    metadata_path = os.path.join(export_dir, METADATA)
    if not os.path.isfile(metadata_path):
      raise ValueError(f"export_dir={export_dir!r}: no {METADATA}; not a tfwgan export.")
    with open(metadata_path) as handle:
      self.metadata = json.load(handle)
    self.latent_dim = int(self.metadata["latent_dim"])
    self._serve = tf.saved_model.load(os.path.join(export_dir, SAVED_MODEL)).signatures[
        "serving_default"]

  def generate(self, z):
    outputs = self._serve(z=tf.convert_to_tensor(z, tf.float32))
    return next(iter(outputs.values()))

  def sample(self, num_samples, *, seed=0):
    z = tf.random.stateless_normal([num_samples, self.latent_dim], seed=[seed, 0])
    return self.generate(z)
