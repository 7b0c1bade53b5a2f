"""pytest glue for tf.test / absl tests."""

from absl import flags


def pytest_configure(config):
  del config
  # absl flags are unparsed under pytest; tests that read them would raise.
  flags.FLAGS.mark_as_parsed()


def pytest_collection_modifyitems(config, items):
  del config
  # tf.test.TestCase.test_session is a deprecated helper, not a test.
  items[:] = [item for item in items if item.name != "test_session"]
