"""pytest glue for tf.test / absl tests."""

import gc
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import flags  # pylint: disable=g-import-not-at-top
import pytest  # pylint: disable=g-import-not-at-top

# One process runs hundreds of tests, and their models, traced functions and datasets pile up
# (4 million tracked objects by the end). training.run's gc.collect() after each phase (it
# releases fit's data iterator) then scanned all of them: up to 2 s a call, 180 s of the
# suite's wiring table alone. So each test starts from a frozen heap (out of every
# collection): before freezing, one collection frees the previous test's garbage, scanning
# only the objects made since the last freeze.


def pytest_configure(config):
  del config
  import test_utils  # pylint: disable=g-import-not-at-top,unused-import  (2 logical CPUs)
  # absl flags are unparsed under pytest; tests that read them would raise.
  flags.FLAGS.mark_as_parsed()


def _expected_cost(items):
  """Each test class's rank: 0 the launchers' subprocess tests (20–100 s each), 1 the
  other slow-marked classes, 2 the rest (most under a second)."""
  ranks = {}
  for item in items:
    key = (item.path, item.cls)
    rank = 2 if item.get_closest_marker("slow") is None else 1
    if item.path.name == "launchers_test.py":
      rank = 0
    ranks[key] = min(rank, ranks.get(key, 2))
  return lambda item: ranks[(item.path, item.cls)]


def pytest_collection_modifyitems(config, items):
  del config
  # tf.test.TestCase.test_session is a deprecated helper, not a test.
  items[:] = [item for item in items if item.name != "test_session"]
  # The longest tests first (a stable sort by class, so a class's tests stay together for
  # its setUpClass): pytest-xdist hands out tests in this order, and a 90 s test started
  # last would leave the other process idle at the end (longest-first scheduling).
  items.sort(key=_expected_cost(items))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
  del item
  gc.collect()
  gc.freeze()
