"""experiments/multiplicity.py: Holm per claim family and the wording it leaves."""

import os
import sys

import test_utils  # pylint: disable=unused-import

import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "experiments"))
import multiplicity  # pylint: disable=g-import-not-at-top,wrong-import-position


class MultiplicityTest(tf.test.TestCase):

  def test_holm_per_family_and_the_wording_it_leaves(self):
    tests = [("a", 0.01, "lower", True), ("b", 0.04, "higher", False),
             ("c", 0.03, "inconclusive", True), ("d", 0.2, "no difference detected", False)]
    rows = {row[0]: row[1:] for row in multiplicity.rows(tests)}
    # Section family (4): 0.01·4, then max(0.04, 0.03·3 = 0.09), 0.04·2 → 0.09, 0.2.
    self.assertAllClose([rows[name][1] for name in "abcd"], [0.04, 0.09, 0.09, 0.2])
    # Claim family (a, c): 0.01·2 = 0.02, 0.03.
    self.assertAllClose([rows["a"][2], rows["c"][2]], [0.02, 0.03])
    self.assertIsNone(rows["b"][2])
    self.assertEqual(rows["a"][4:], ("lower", "lower"))
    self.assertEqual(rows["b"][4], "no difference detected")    # 0.09 after Holm
    self.assertEqual(rows["c"][4:], ("inconclusive", "inconclusive"))  # no direction to lose

  def test_p_values_are_probabilities_and_comparisons_unique(self):
    for title, _, tests in multiplicity.FAMILIES:
      self.assertTrue(all(0.0 < p <= 1.0 for _, p, _, _ in tests), title)
      self.assertLen({name for name, _, _, _ in tests}, len(tests), title)

  def test_the_report_regenerates_byte_identically(self):
    directory = self.create_tempdir().full_path
    multiplicity.write(directory)
    with open(os.path.join(directory, "multiplicity.md"), encoding="utf-8") as handle:
      regenerated = handle.read()
    with open(os.path.join(ROOT, "experiments", "results", "multiplicity.md"),
              encoding="utf-8") as handle:
      self.assertEqual(regenerated, handle.read())


if __name__ == "__main__":
  tf.test.main()
