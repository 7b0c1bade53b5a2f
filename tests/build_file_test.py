"""The Bazel BUILD file lists every module and every test (it is not run by Bazel here)."""

import ast
import pathlib

import test_utils  # pylint: disable=unused-import

import tensorflow as tf

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _build_calls():
  """(rule, name, srcs) for every call in BUILD, read with Python's parser (Starlark subset)."""
  tree = ast.parse((ROOT / "BUILD").read_text())
  for node in ast.walk(tree):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
      kwargs = {k.arg: k.value for k in node.keywords}
      if "name" in kwargs and "srcs" in kwargs and isinstance(kwargs["srcs"], ast.List):
        yield (node.func.id, ast.literal_eval(kwargs["name"]),
               [ast.literal_eval(s) for s in kwargs["srcs"].elts])


class BuildFileTest(tf.test.TestCase):

  def test_every_module_and_test_has_a_target(self):
    calls = list(_build_calls())
    library_srcs = {src for rule, _, srcs in calls if rule == "py_library" for src in srcs}
    tests = {name: srcs for rule, name, srcs in calls if rule == "py_test"}
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "tfwgan").rglob("*.py")}
    self.assertEqual(modules - library_srcs, set())
    test_files = {p.stem: str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("*_test.py")}
    self.assertEqual(set(tests), set(test_files))
    for name, srcs in tests.items():
      self.assertEqual(srcs, [test_files[name]])

  def test_rules_python_loads_are_explicit(self):
    text = (ROOT / "BUILD").read_text()
    self.assertIn('load("@rules_python//python:py_library.bzl", "py_library")', text)
    self.assertIn('load("@rules_python//python:py_test.bzl", "py_test")', text)
    self.assertIn('bazel_dep(name = "rules_python"', (ROOT / "MODULE.bazel").read_text())


if __name__ == "__main__":
  tf.test.main()
