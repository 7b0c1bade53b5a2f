import dataclasses

import test_utils  # pylint: disable=unused-import

import tensorflow as tf

from tfwgan import config as config_lib
from tfwgan import presets
from tfwgan import run_time

RunConfig = config_lib.RunConfig
RECORD = {"machine": {"cpu": "Test CPU", "cores": 2}, "measured": "2026-12-02",
          "presets": {"wgan_clip_lsun": {"seconds_per_iteration": 2.0, "critic_steps": 5,
                                         "seconds_per_critic_step": 0.25},
                      "rwp_wgan_gp_cifar10": {"seconds_per_iteration": 3.0, "critic_steps": 5,
                                              "seconds_per_critic_step": 0.2}}}


class RunTimeTest(tf.test.TestCase):

  def test_iterations_times_step_time_plus_the_warm_ups_extra_critic_steps(self):
    # WGAN's schedule over 1,002 iterations: 100 critic steps for the first 25 and at
    # iterations 500 and 1000 (27 iterations), 5 for the other 975.
    config = RunConfig.from_preset("wgan_clip_lsun", train_steps=1002)
    expected = 975 * 2.0 + 27 * (2.0 + 95 * 0.25)
    self.assertAllClose(run_time.estimate_seconds(config, "wgan_clip_lsun", RECORD), expected)
    more = dataclasses.replace(config, critic_steps=7)      # two more per normal iteration
    self.assertAllClose(run_time.estimate_seconds(more, "wgan_clip_lsun", RECORD),
                        expected + 975 * 2 * 0.25)

  def test_settings_that_change_an_iterations_cost_have_no_estimate(self):
    image_default = RunConfig.from_preset(None, dataset="cifar10", train_steps=10)
    self.assertAllClose(run_time.estimate_seconds(image_default, "rwp_wgan_gp_cifar10",
                                                  RECORD), 30.0)
    for change in ({"generator_steps": 3}, {"base_filters": 8}, {"batch_size": 32},
                   {"proximal": "none"}, {"method": "wgan_lp"}):
      config = dataclasses.replace(image_default, **change)
      self.assertIsNone(run_time.estimate_seconds(config, "rwp_wgan_gp_cifar10", RECORD),
                        change)
    self.assertIsNone(run_time.estimate_seconds(image_default, "wgan_gp_cifar10", RECORD))
    line = run_time.estimate_line(dataclasses.replace(image_default, base_filters=8),
                                  "rwp_wgan_gp_cifar10", RECORD)
    self.assertIn("unknown (these settings (networks, image shape, batch, steps or method) "
                  "change an iteration's cost", line)
    self.assertIn("add --measure_time", line)

  def test_the_line_names_the_time_and_the_machine(self):
    config = RunConfig.from_preset("rwp_wgan_gp_cifar10")
    self.assertEqual(
        run_time.estimate_line(config, "rwp_wgan_gp_cifar10", RECORD),
        "estimated training time: 6.9 days for 200000 outer iterations (from step times "
        "measured on 2 cores of Test CPU, 2026-12-02; bench/preset_times.py; evaluations not "
        "included)")
    self.assertEqual([run_time.describe(s) for s in (30, 150, 7300, 200000)],
                     ["30 seconds", "2.5 minutes", "2.0 hours", "2.3 days"])

  def test_measure_times_the_configs_own_iterations(self):
    config = RunConfig.from_preset("toy_wgan_lp_rwp", hidden_units=8, batch_size=16,
                                   train_steps=100, jit_compile="off")
    figures = run_time.measure(config, repeats=2, extra_critic_steps=2)
    self.assertEqual((figures["critic_steps"], figures["repeats"]), (5, 2))
    self.assertGreater(figures["seconds_per_iteration"], 0.0)
    self.assertGreaterEqual(figures["seconds_per_critic_step"], 0.0)
    self.assertAllClose(run_time.estimate_from(config, figures),
                        100 * figures["seconds_per_iteration"])
    line = run_time.measured_line(config, figures)
    self.assertRegex(line, r"^estimated training time: [0-9.]+ (seconds|minutes) for 100 outer "
                           r"iterations \(from 2 outer iterations timed now on this machine, "
                           rf"{run_time.machine()['cores']} cores of ")

  def test_the_shipped_figures_cover_every_preset_and_include_rwp_and_sbe_steps(self):
    record = run_time.step_times()
    self.assertEqual(sorted(record["presets"]), sorted(presets.PRESETS))
    for name in presets.PRESETS:
      self.assertIsNotNone(run_time.estimate_seconds(RunConfig.from_preset(name), name, record),
                           name)
    seconds = lambda name: record["presets"][name]["seconds_per_iteration"]
    # ℓ = 10 RWP generator steps cost more than WGAN-GP's one; SBE's potential steps too.
    self.assertGreater(seconds("rwp_wgan_gp_cifar10"), seconds("wgan_gp_cifar10"))
    self.assertGreater(seconds("sbe_wgan_gp_cifar10"), seconds("wgan_gp_cifar10"))


if __name__ == "__main__":
  tf.test.main()
