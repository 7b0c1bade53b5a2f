"""Argument checks shared by the library: each raises ValueError naming the argument and the rule."""


def integer_at_least(name, value, minimum=1):
  """`value` if it is an int (not a bool) >= minimum."""
  if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
    raise ValueError(f"{name}={value!r}: must be an integer >= {minimum}.")
  return value


def number_at_least(name, value, minimum=0.0):
  """`value` as a float if it is a number >= minimum (NaN fails)."""
  if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= minimum:
    raise ValueError(f"{name}={value!r}: must be a number >= {minimum:g}.")
  return float(value)


def one_of(name, value, allowed):
  """`value` if it is one of `allowed`."""
  if value not in allowed:
    raise ValueError(f"{name}={value!r}: allowed values are {list(allowed)}.")
  return value


def positive_number(name, value):
  """`value` as a float if it is a number > 0 (NaN fails)."""
  if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
    raise ValueError(f"{name}={value!r}: must be a number > 0.")
  return float(value)
