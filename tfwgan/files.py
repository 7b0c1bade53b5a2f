"""File operations on logdirs, exports, caches and data, all through `tf.io.gfile`.

Local paths, gs:// and TensorFlow's other filesystems (its in-memory ram://, which the
tests use) behave alike. Only a directory rename differs: it is atomic on a local disk
and not offered elsewhere (GCS has no directories; ram:// renames the directory entry
but not its files), so `move_tree` copies there.
"""

import io
import json
import os
import uuid

import numpy as np
import tensorflow as tf

gfile = tf.io.gfile


def is_local(path):
  """True for a path on the local disk (no `scheme://`)."""
  return "://" not in os.fspath(path)


def absolute(path):
  """`path` made absolute if local; a URL as it is (`os.path.abspath` would mangle gs://)."""
  path = os.fspath(path)
  return os.path.abspath(path) if is_local(path) else path.rstrip("/")


def parent(path):
  """The directory that holds `path` (posix dirname: gs://bucket/run → gs://bucket)."""
  return os.path.dirname(absolute(path))


def unique_sibling(path, prefix):
  """A fresh name beside `path`: <parent>/<prefix><basename>-<random>."""
  return f"{parent(path)}/{prefix}{os.path.basename(absolute(path))}-{uuid.uuid4().hex[:8]}"


def unused_names(directory, stems, extension):
  """`stems` + `extension` in `directory`, or with the first suffix -2, -3, … that none of
  them has yet: a new result never replaces an earlier one."""
  number = 1
  while True:
    suffix = "" if number == 1 else f"-{number}"
    paths = [f"{directory.rstrip('/')}/{stem}{suffix}{extension}" for stem in stems]
    if not any(gfile.exists(path) for path in paths):
      return paths
    number += 1


def check_writable(path, *, name):
  """ValueError naming `name` when the directory `path` (made later if absent) cannot be
  written: a probe file is created and removed in `path` or, where it does not exist
  yet, in its deepest existing ancestor. Writes nothing that stays."""
  existing = absolute(path)
  try:
    while not gfile.exists(existing):
      above = parent(existing)
      if above == existing or (not is_local(existing) and "://" not in above):
        break                           # a URL's bucket stops the walk (gs://b, not gs:)
      existing = above
    if not gfile.isdir(existing):
      raise ValueError(f"{name}={path!r}: cannot be written ({existing} is "
                       f"{'a file' if gfile.exists(existing) else 'missing'}, not a directory).")
  except tf.errors.OpError as error:
    raise ValueError(f"{name}={path!r}: cannot be written ({existing}: "
                     f"{error.message.strip().splitlines()[0][:200]}).") from None
  probe = f"{existing.rstrip('/')}/.tfwgan-write-probe-{uuid.uuid4().hex[:8]}"
  try:
    with gfile.GFile(probe, "w") as handle:
      handle.write("")
    gfile.remove(probe)
  except (tf.errors.OpError, OSError) as error:
    reason = str(getattr(error, "message", error)).strip().splitlines()
    raise ValueError(f"{name}={path!r}: cannot be written ({existing}: "
                     f"{(reason or [type(error).__name__])[0][:200]}).") from None


def read_json(path):
  with gfile.GFile(path, "r") as handle:
    return json.load(handle)


def _write_atomically(path, content, mode):
  """Writes `content` to a temporary sibling, then renames it onto `path`."""
  gfile.makedirs(parent(path))
  staging = unique_sibling(path, ".tmp-")
  with gfile.GFile(staging, mode) as handle:
    handle.write(content)
  gfile.rename(staging, path, overwrite=True)


def write_json_atomically(path, value):
  """Writes `value` as JSON to a temporary sibling, then renames it onto `path`."""
  _write_atomically(path, json.dumps(value, indent=2, sort_keys=True), "w")


def load_npz(path):
  """{name: array} of an .npz file (object arrays refused: allow_pickle=False)."""
  with gfile.GFile(path, "rb") as handle:
    with np.load(handle, allow_pickle=False) as archive:
      return {name: archive[name] for name in archive.files}


NPZ_LABELS = "y"   # beside the samples: the optional array of one integer label per sample


def npz_first_shape(path):
  """Shape of the first array of an .npz file other than its labels (NPZ_LABELS; a file
  whose only array is named so holds samples), reading only its header."""
  with gfile.GFile(path, "rb") as handle:
    with np.load(handle, allow_pickle=False) as archive:
      name = next((name for name in archive.files if name != NPZ_LABELS), archive.files[0])
      with archive.zip.open(name + ".npy") as member:
        version = np.lib.format.read_magic(member)
        header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                  else np.lib.format.read_array_header_2_0)(member)
        return tuple(header[0])


def save_npz_atomically(path, **arrays):
  """Writes an .npz (built in memory: gfile writers cannot seek) under a temporary name,
  then renames it onto `path`."""
  buffer = io.BytesIO()
  np.savez(buffer, **arrays)
  _write_atomically(path, buffer.getvalue(), "wb")


def move_tree(source, target, *, last=None):
  """Moves directory `source` to the absent `target`.

  Local: one atomic rename. Elsewhere: every file is copied (the file named `last`, if
  given, after all others, so a reader that waits for it sees a whole tree), then
  `source` is removed.
  """
  if is_local(source) and is_local(target):
    os.rename(source, target)
    return
  source, target = source.rstrip("/"), target.rstrip("/")
  files = []
  for directory, _, names in gfile.walk(source):
    gfile.makedirs(target + directory.rstrip("/")[len(source):])
    files += [f"{directory.rstrip('/')}/{name}" for name in names]
  files.sort(key=lambda name: os.path.basename(name) == last)
  for name in files:
    gfile.copy(name, target + name[len(source):], overwrite=True)
  gfile.rmtree(source)


def remove_tree(path):
  """Removes `path` and everything under it, if it exists."""
  if gfile.exists(path):
    gfile.rmtree(path)
