"""pytest glue for tf.test / absl tests."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import flags  # pylint: disable=g-import-not-at-top


def pytest_configure(config):
  del config
  import test_utils  # pylint: disable=g-import-not-at-top,unused-import  (2 logical CPUs)
  # absl flags are unparsed under pytest; tests that read them would raise.
  flags.FLAGS.mark_as_parsed()


def pytest_collection_modifyitems(config, items):
  del config
  # tf.test.TestCase.test_session is a deprecated helper, not a test.
  items[:] = [item for item in items if item.name != "test_session"]
