"""Generator export: a SavedModel with a `z -> samples` serving signature, plus a .keras file.

Layout of an export directory:
  saved_model/      tf.saved_model.load(...).signatures["serving_default"](z=...)
                    (a class-conditional generator: (z=..., label=...), int32 labels)
  generator.keras   keras.models.load_model(..., safe_mode=True)
  metadata.json     latent_dim, sample_shape and how the generator was made
The directory is written under a temporary name and renamed into place, so a
reader never sees a partial export (on filesystems without directory renames, such as
gs://, metadata.json arrives last). A killed export's leftovers are cleaned up by the
next export to the same directory.
"""

import contextlib
import json
import os
import tempfile

import keras
import tensorflow as tf

from tfwgan import conditioning  # pylint: disable=unused-import  (registers its layers)
from tfwgan import files
from tfwgan import sampling

SAVED_MODEL = "saved_model"
KERAS_FILE = "generator.keras"
METADATA = "metadata.json"


RUN_CONFIG = "run_config.json"   # what tfwgan.training writes into a run's logdir
STAGING_PREFIX = ".export-"
RETIRED_PREFIX = ".retired-"


def _leftovers(target, prefix):
  """`prefix` siblings of `target` left by a killed export of the same target."""
  return sorted(files.gfile.glob(f"{files.parent(target)}/{prefix}"
                                 f"{os.path.basename(target)}-*"))


def recover_interrupted_export(target):
  """Cleans up after an export killed mid-way: removes staging directories of `target`;
  puts back a retired previous export if the kill came between the two renames, else
  removes it. Returns the paths removed or restored."""
  target = files.absolute(target)
  touched = []
  for retired in _leftovers(target, RETIRED_PREFIX):
    old = f"{retired}/old"
    if not files.gfile.exists(target) and files.gfile.exists(f"{old}/{METADATA}"):
      files.move_tree(old, target, last=METADATA)
    files.remove_tree(retired)
    touched.append(retired)
  for staging in _leftovers(target, STAGING_PREFIX):
    files.remove_tree(staging)
    touched.append(staging)
  return touched


@contextlib.contextmanager
def atomic_directory(target):
  """Yields a staging directory beside `target`, moved onto `target` if the block succeeds.

  Leftovers of an earlier killed export of the same target are cleaned up first.
  """
  target = files.absolute(target)
  recover_interrupted_export(target)
  staging = files.unique_sibling(target, STAGING_PREFIX)
  files.gfile.makedirs(staging)
  try:
    yield staging
    _replace_directory(staging, target)
  except BaseException:
    files.remove_tree(staging)
    raise


def write_model(model, directory, *, input_signature, serve, metadata, keras_file=KERAS_FILE,
                keras_model=None):
  """SavedModel (signature `serving_default`, `serve` over `model`'s variables) + .keras
  (`keras_model`, default `model`) + metadata.json into `directory`."""
  archive = keras.export.ExportArchive()
  archive.track(model)
  archive.add_endpoint("serve", serve, input_signature=input_signature)
  archive.write_out(os.path.join(directory, SAVED_MODEL), verbose=False)
  (keras_model or model).save(os.path.join(directory, keras_file))
  with files.gfile.GFile(f"{directory}/{METADATA}", "w") as handle:
    handle.write(json.dumps(metadata, indent=2, sort_keys=True))


def export_generator(generator, export_dir, *, latent_dim, metadata=None, batch_norm="moving",
                     seed=0, num_classes=None):
  """Writes `generator` to `export_dir` atomically; returns `export_dir`.

  `batch_norm` (`tfwgan.sampling`): how the signature runs batch norm, recorded in the
  metadata: 'standing' runs a copy with recomputed statistics, 'batch' normalises each
  call's batch by its own statistics (so a call needs a batch of several latents). The
  `generator.keras` file is always `generator` itself, with its moving statistics.
  A conditional generator (`num_classes` classes) gets the signature (z, label).
  """
  conditional = sampling.is_conditional(generator)
  if conditional and not num_classes:
    raise ValueError("num_classes: required to export a conditional generator.")
  sampler = sampling.Sampler(generator, batch_norm, latent_dim=latent_dim, seed=seed,
                             num_classes=num_classes)
  signature = [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]
  probe = [tf.zeros([2, latent_dim])]
  if conditional:
    signature.append(tf.TensorSpec([None], tf.int32, name="label"))
    probe.append(tf.constant([0, num_classes - 1]))
  sample_shape = list(sampler(*probe).shape[1:])
  labelled = {"num_classes": num_classes} if conditional else {}
  with atomic_directory(export_dir) as staging:
    write_model(sampler.model, staging, input_signature=signature, serve=sampler,
                keras_model=generator,
                metadata={"latent_dim": latent_dim, "sample_shape": sample_shape, **labelled,
                          **(metadata or {}), "batch_norm": batch_norm})
  return files.absolute(export_dir)


def _replace_directory(source, target):
  """Moves `source` to `target`; an existing `target` is moved aside first, then removed."""
  if files.gfile.exists(target):
    retired = files.unique_sibling(target, RETIRED_PREFIX)
    files.gfile.makedirs(retired)
    files.move_tree(target, f"{retired}/old", last=METADATA)
    files.move_tree(source, target, last=METADATA)
    files.remove_tree(retired)
  else:
    files.move_tree(source, target, last=METADATA)


def results_directory(export_dir, kind, metadata=None):
  """Where a launcher writes `kind` results ('evaluations', 'samples') of an export by
  default: <logdir>/<kind> when the export sits in its run's logdir (beside
  run_config.json), else <tmp>/tfwgan/<kind>/<run name or export name>; never inside the
  export, and each run its own directory."""
  export_dir = files.absolute(export_dir)
  logdir = files.parent(export_dir)
  if files.gfile.exists(f"{logdir}/{RUN_CONFIG}"):
    return f"{logdir}/{kind}"
  name = ((metadata or {}).get("config") or {}).get("run_name") or os.path.basename(export_dir)
  return os.path.join(tempfile.gettempdir(), "tfwgan", kind, name)


class ExportedGenerator:
  """A loaded export: `generate(z)` runs the SavedModel signature; no tfwgan code needed."""

  def __init__(self, export_dir):
    metadata_path = f"{files.absolute(export_dir)}/{METADATA}"
    if not files.gfile.exists(metadata_path):
      raise ValueError(f"export_dir={export_dir!r}: no {METADATA}; not a tfwgan export.")
    self.export_dir = export_dir
    self.metadata = files.read_json(metadata_path)
    self.latent_dim = int(self.metadata["latent_dim"])
    self.num_classes = self.metadata.get("num_classes")   # None: unconditional
    self.class_names = self.metadata.get("class_names") or (
        [str(index) for index in range(self.num_classes)] if self.num_classes else None)
    self.batch_norm = self.metadata.get("batch_norm", "moving")
    self._serve = tf.saved_model.load(os.path.join(export_dir, SAVED_MODEL)).signatures[
        "serving_default"]

  def sampler(self, batch_norm=None, *, seed=0):
    """z → samples with batch norm in mode `batch_norm` (`tfwgan.sampling`): the
    SavedModel signature for the export's own mode (or None), else `generator.keras` (the
    generator with the moving statistics it was exported with) run in that mode;
    `seed`: of the standing statistics' latents."""
    if batch_norm is None or batch_norm == self.batch_norm:
      return self.generate
    keras_file = os.path.join(self.export_dir, KERAS_FILE)
    model = keras.models.load_model(keras_file, safe_mode=True)
    return sampling.Sampler(model, batch_norm, latent_dim=self.latent_dim, seed=seed,
                            num_classes=self.num_classes)

  def generate(self, z, labels=None):
    """Samples of latents `z` (with their `labels`, 0 … num_classes − 1, when the
    generator is conditional)."""
    given = {"z": tf.convert_to_tensor(z, tf.float32)}
    if self.num_classes:
      if labels is None:
        raise ValueError(f"labels: this generator is class-conditional "
                         f"({self.num_classes} classes); give one label per latent.")
      given["label"] = tf.cast(labels, tf.int32)
    elif labels is not None:
      raise ValueError("labels: this generator is unconditional.")
    outputs = self._serve(**given)
    return next(iter(outputs.values()))

  def label_index(self, label):
    """The class index of `label`: a class name recorded in the export (an image folder's
    sub-folder, say 'cats') or a number 0 … num_classes − 1 (as an int or a string)."""
    if not self.num_classes:
      raise ValueError(f"labels: {self.export_dir} holds an unconditional generator.")
    if isinstance(label, str) and label in self.class_names:
      return self.class_names.index(label)
    if isinstance(label, int) or (isinstance(label, str) and label.isdigit()):
      if 0 <= int(label) < self.num_classes:
        return int(label)
    shown = ", ".join(self.class_names[:10]) + (", …" if self.num_classes > 10 else "")
    raise ValueError(f"labels: {label!r} is neither a class name ({shown}) nor a class "
                     f"number 0 … {self.num_classes - 1}.")

  def sample_labels(self, num_samples, labels=None, *, seed=0):
    """None (unconditional); `labels` (a class or one per sample), or uniform from `seed`."""
    if not self.num_classes:
      if labels is not None:
        raise ValueError(f"labels: {self.export_dir} holds an unconditional generator.")
      return None
    if labels is None:
      return sampling.uniform_labels(num_samples, self.num_classes, seed)
    return sampling.checked_labels(labels, num_samples, self.num_classes)

  def sample(self, num_samples, *, seed=0, batch_norm=None, labels=None):
    z = tf.random.stateless_normal([num_samples, self.latent_dim], seed=[seed, 0])
    return self.sampler(batch_norm)(z, self.sample_labels(num_samples, labels, seed=seed))
