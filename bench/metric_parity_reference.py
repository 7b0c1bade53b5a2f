r"""The reference side of bench/metric_parity.py, run by a Python that has torch-fidelity
0.4.0 and clean-fid 0.1.35 (and torch): reads the features .npz, prints their metrics as JSON.

  python bench/metric_parity_reference.py FEATURES.npz

torchvision is not needed by the feature-level functions used here; both packages import it
at module level, so a stand-in module is put in its place when it is not installed (PyPI's
torchvision does not load beside the CPU torch build these machines have).
"""

import json
import sys
import types


class _StandIn(types.ModuleType):
  """An empty module whose attributes are empty modules (imports succeed, nothing runs)."""

  def __getattr__(self, name):
    if name.startswith("__"):
      raise AttributeError(name)
    value = _StandIn(f"{self.__name__}.{name}")
    sys.modules[value.__name__] = value
    setattr(self, name, value)
    return value

  def __call__(self, *args, **kwargs):
    return _StandIn("call")

  def __mro_entries__(self, bases):
    return (object,)


def _without_torchvision():
  try:
    import torchvision  # pylint: disable=g-import-not-at-top,unused-import
  except Exception:  # pylint: disable=broad-except  (missing, or fails beside this torch)
    for name in ("torchvision", "torchvision.transforms", "torchvision.datasets",
                 "torchvision.transforms.functional", "torchvision.models", "torchvision.utils",
                 "torchvision.io"):
      sys.modules[name] = _StandIn(name)


def main(path):
  _without_torchvision()
  import numpy as np  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  from cleanfid import fid as clean_fid  # pylint: disable=g-import-not-at-top
  from torch_fidelity import metric_fid, metric_isc, metric_kid, metric_prc  # pylint: disable=g-import-not-at-top
  arrays = np.load(path)
  generated, real, logits = arrays["generated"], arrays["real"], arrays["logits"]
  as_tensor = lambda array: torch.from_numpy(np.asarray(array))
  out = {}
  stats = [metric_fid.fid_features_to_statistics(as_tensor(x)) for x in (generated, real)]
  out["torch_fidelity/fid"] = metric_fid.fid_statistics_to_metric(*stats, verbose=False)[
      "frechet_inception_distance"]
  kid = metric_kid.kid_features_to_metric(as_tensor(generated), as_tensor(real), verbose=False,
                                          kid_subsets=100, kid_subset_size=1000, rng_seed=2020)
  out["torch_fidelity/kid"], out["torch_fidelity/kid_std"] = (
      kid["kernel_inception_distance_mean"], kid["kernel_inception_distance_std"])
  for shuffle in (False, True):
    isc = metric_isc.isc_features_to_metric(as_tensor(logits), splits=10, shuffle=shuffle)
    suffix = "_shuffled" if shuffle else ""
    out[f"torch_fidelity/inception_score{suffix}"] = isc["inception_score_mean"]
    out[f"torch_fidelity/inception_score_std{suffix}"] = isc["inception_score_std"]
  for order, (first, second) in {"generated_first": (generated, real),
                                 "real_first": (real, generated)}.items():
    prc = metric_prc.prc_features_to_metric(as_tensor(first), as_tensor(second), verbose=False,
                                            prc_neighborhood=3, prc_batch_size=10000,
                                            save_cpu_ram=False)
    out[f"torch_fidelity/precision_{order}"] = prc["precision"]
    out[f"torch_fidelity/recall_{order}"] = prc["recall"]
  mu = [np.mean(x, axis=0) for x in (generated, real)]
  sigma = [np.cov(x, rowvar=False) for x in (generated, real)]
  out["clean_fid/fid"] = float(clean_fid.frechet_distance(mu[0], sigma[0], mu[1], sigma[1]))
  out["clean_fid/kid"] = float(clean_fid.kernel_distance(generated, real, num_subsets=100,
                                                         max_subset_size=1000))
  print(json.dumps(out))


if __name__ == "__main__":
  main(sys.argv[1])
