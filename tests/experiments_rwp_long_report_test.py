"""The pre-registered definitions of experiments/rwp_long.py's report, on made-up curves."""

import json
import os
import sys

import test_utils  # pylint: disable=unused-import

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "experiments"))
import rwp_long_report  # pylint: disable=g-import-not-at-top,wrong-import-position


def _record(name, seed, fid_values, *, h=None, generator_steps=1, second_draw=None, every=1000):
  evaluations = [{"outer_iteration": 1 if index == 0 else index * every, "fid": value,
                  "kid": 0.01, "precision": 0.5, "recall": 0.5,
                  "training_seconds": 0.01 * index * every}
                 for index, value in enumerate(fid_values)]
  return {"name": name, "seed": seed, "h": h, "generator_steps_per_iteration": generator_steps,
          "critic_steps_per_iteration": 5, "outer_iterations": evaluations[-1]["outer_iteration"],
          "training_seconds": evaluations[-1]["training_seconds"], "evaluations": evaluations,
          "second_latent_draw": {"fid": fid_values[-1] + (second_draw or 0.0)}}


class RwpLongReportTest(tf.test.TestCase):

  def test_plateau_level_and_time_to_plateau_follow_the_definitions(self):
    falling = _record("wgan_gp", 0, [100 - 4 * i for i in range(21)])   # still falling
    flat = _record("wgan_gp", 1, [80, 40, 20, 12, 11] + [10, 10.5, 9.5] * 5 + [10])
    self.assertFalse(rwp_long_report.plateau(falling)[2])
    self.assertTrue(rwp_long_report.plateau(flat)[2])
    self.assertEqual(rwp_long_report.level(flat), 10.0)
    # The first FID within 10 % of the level (11 ≤ 11.0): the 5th evaluation, iteration 4,000.
    self.assertEqual(rwp_long_report.time_to_plateau(flat),
                     {"outer_iterations": 4000, "critic_updates": 20000,
                      "generator_updates": 4000, "seconds": 40.0})
    rwp = _record("rwp", 0, [80, 11] + [10] * 19, h=10.0, generator_steps=10)
    self.assertEqual(rwp_long_report.time_to_plateau(rwp)["generator_updates"], 10000)
    # Within 10 % above *or below*: a run that dips far below the level it then settles at
    # (the diverging control) reaches it when it gets there, not at the dip.
    diverging = _record("control", 0, [230, 60, 150, 195] + [200] * 17, generator_steps=10)
    self.assertEqual(rwp_long_report.time_to_plateau(diverging)["outer_iterations"], 3000)

  def test_rises_count_only_increases_above_the_floor_after_iteration_5000(self):
    record = _record("wgan_gp", 0, [50, 10, 30, 10, 10, 10, 12, 10, 16, 10, 10.5])
    # Before 5,000 the jump 10 → 30 is not counted; after it 10 → 12 and 10 → 16 are
    # increases, of which only the second exceeds a floor of 3.
    self.assertEqual(rwp_long_report.rises(record, 3.0), 1)
    self.assertEqual(rwp_long_report.rises(record, 0.1), 3)
    self.assertAllClose(rwp_long_report.latent_draw_floor(
        [_record("a", 0, [10], second_draw=2.0), _record("a", 1, [10], second_draw=-1.0)]), 1.5)

  def test_holm_adjusts_in_rank_order_and_stays_monotone(self):
    self.assertAllClose(rwp_long_report.holm([0.01, 0.04, 0.03, 0.2]),
                        [0.04, 0.09, 0.09, 0.2])
    self.assertEqual(rwp_long_report.verdict(-3.0, 0.2), "no difference detected")
    self.assertEqual(rwp_long_report.verdict(-3.0, 0.01), "lower")
    self.assertEqual(rwp_long_report.verdict(+3.0, 0.01, "sooner"), "later")

  def test_the_report_regenerates_byte_identically(self):
    root = self.create_tempdir().full_path
    runs = os.path.join(root, "runs")
    os.makedirs(runs)
    rng = np.random.default_rng(0)
    for seed in (0, 1, 2, 3, 4, 100, 101):
      for name, h, steps, start in (("wgan_gp", None, 1, 12.0), ("rwp", 10.0, 10, 10.0),
                                    ("control", None, 10, 11.0), ("rwp", 1.0, 10, 11.5)):
        if (seed >= 100) != (name == "rwp" and h == 1.0) and not (seed >= 100 and h):
          continue
        curve = [60, 30, 20] + list(start + rng.normal(0, 0.3, 18))
        record = _record(name, seed, curve, h=h, generator_steps=steps, second_draw=0.5)
        label = f"rwp_h{h:g}" if h else name
        with open(os.path.join(runs, f"{label}-seed{seed}.json"), "w") as handle:
          json.dump(record, handle)
    rwp_long_report.write(runs, root)
    with open(os.path.join(root, "rwp_long.md")) as handle:
      first = handle.read()
    rwp_long_report.write(runs, root)
    with open(os.path.join(root, "rwp_long.md")) as handle:
      self.assertEqual(handle.read(), first)
    self.assertIn("Chosen by the rule (lowest mean level): **rwp_h10**.", first)
    self.assertIn("| wgan_gp | level |", first)
    # Point 7's SNGAN runs: RWP on SNGAN at h = 1 is its own run, not a seed of WGAN-GP's
    # rwp_h1 (the sweep's), and gets its own section after the WGAN-GP one, unchanged.
    for seed in (0, 1, 2):
      for name, h, steps in (("sngan", None, 1), ("rwp_sngan_h1", 1.0, 10),
                             ("sngan_control", None, 10)):
        record = _record(name, seed, [60, 30, 20] + list(9.0 + rng.normal(0, 0.3, 18)), h=h,
                         generator_steps=steps, second_draw=0.5)
        with open(os.path.join(runs, f"{name}-seed{seed}.json"), "w") as handle:
          json.dump({**record, "baseline": "sngan"}, handle)
    self.assertLen(rwp_long_report.load(runs)["rwp_h1"], 2)   # the sweep's seeds 100, 101
    rwp_long_report.write(runs, root)
    with open(os.path.join(root, "rwp_long.md")) as handle:
      with_sngan = handle.read()
    self.assertTrue(with_sngan.startswith(first.rstrip("\n")))
    self.assertIn("## rwp_sngan_h1 against SNGAN and the ℓ-step control", with_sngan)
    self.assertIn("| sngan_control | level |", with_sngan)


if __name__ == "__main__":
  tf.test.main()
