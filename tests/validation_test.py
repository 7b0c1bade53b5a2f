import test_utils  # pylint: disable=unused-import

import tensorflow as tf

from tfwgan import validation


class ValidationTest(tf.test.TestCase):

  def test_accepts_and_returns_valid_values(self):
    self.assertEqual(validation.integer_at_least("steps", 3), 3)
    self.assertEqual(validation.integer_at_least("seed", 0, 0), 0)
    self.assertEqual(validation.number_at_least("weight", 0), 0.0)
    self.assertEqual(validation.positive_number("h", 2), 2.0)
    self.assertEqual(validation.one_of("loss", "a", ("a", "b")), "a")

  def test_messages_name_argument_and_rule(self):
    for call, message in (
        (lambda: validation.integer_at_least("steps", True), r"steps=True: must be an integer >= 1"),
        (lambda: validation.integer_at_least("steps", 2.0), r"steps=2.0: must be an integer"),
        (lambda: validation.number_at_least("weight", float("nan")), r"weight=nan: must be a number >= 0"),
        (lambda: validation.positive_number("h", 0), r"h=0: must be a number > 0"),
        (lambda: validation.one_of("loss", "c", ("a", "b")), r"loss='c': allowed values are \['a', 'b'\]")):
      with self.assertRaisesRegex(ValueError, message):
        call()


if __name__ == "__main__":
  tf.test.main()
