"""Nothing in tfwgan or its launchers unpickles user files or loads .keras archives unsafely."""

import pathlib
import re

import test_utils  # pylint: disable=unused-import

import tensorflow as tf

ROOT = pathlib.Path(__file__).resolve().parent.parent
UNSAFE = re.compile(r"\bpickle\b|allow_pickle\s*=\s*True|safe_mode\s*=\s*False|\bdill\b|"
                    r"\bjoblib\.load\b|\bmarshal\.loads\b|enable_unsafe_deserialization")


class SafetyTest(tf.test.TestCase):

  def test_no_unsafe_deserialisation_in_the_package_or_launchers(self):
    sources = list((ROOT / "tfwgan").rglob("*.py")) + list((ROOT / "launchers").glob("*.py"))
    self.assertGreater(len(sources), 20)
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for path in sources
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if UNSAFE.search(line)]
    self.assertEqual(offenders, [])

  def test_every_load_of_user_files_is_explicitly_safe(self):
    text = "\n".join(p.read_text() for p in (ROOT / "tfwgan").rglob("*.py"))
    for call in re.findall(r"np\.load\([^)]*\)", text):
      self.assertIn("allow_pickle=False", call)
    for call in re.findall(r"load_model\([^)]*\)", text):
      self.assertIn("safe_mode=True", call)


if __name__ == "__main__":
  tf.test.main()
