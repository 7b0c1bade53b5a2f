import contextlib
import io
import re
import types

import test_utils

import keras
import numpy as np
import tensorflow as tf

import evaluation_scoring_test
import training_test
import tfwgan
from tfwgan import callbacks
from tfwgan.evaluation import scoring


class ClockTest(tf.test.TestCase):

  def test_paused_time_is_not_counted(self):
    now = [100.0]
    with tf.compat.v1.test.mock.patch.object(callbacks.time, "perf_counter", lambda: now[0]):
      clock = callbacks.Clock()
      clock.start()
      now[0] += 3.0
      with clock.paused():
        now[0] += 50.0
      now[0] += 2.0
      self.assertAllClose(clock.elapsed(), 5.0)


class OuterIterationProgressTest(tf.test.TestCase):

  def test_an_evaluation_line_during_the_bar_starts_on_its_own_line(self):
    self._fit(1, resumed_at=0, last_step=100, epochs=1, steps_per_epoch=1)  # bar left open
    with contextlib.redirect_stdout(io.StringIO()) as printed:
      callbacks.log_evaluation(2, {"fid": 1.0}, 10)
      callbacks.log_evaluation(3, {"fid": 1.0}, 10)
    self.assertEqual(printed.getvalue(), "\n")          # the bar's line ended, once

  def _fit(self, verbose, *, resumed_at, last_step, epochs, steps_per_epoch):
    generator, critic = test_utils.tiny_mlp_pair(hidden_units=4)
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=1)
    gan.compile(generator_optimizer=keras.optimizers.Adam(), critic_optimizer=keras.optimizers.Adam())
    gan.outer_iterations.assign(resumed_at)                 # as restored from a checkpoint
    progress = callbacks.OuterIterationProgress(last_step, verbose)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
      for _ in range(2):                                    # two phases: one bar
        gan.fit(tf.data.Dataset.from_tensors(tf.zeros([4, 2])).repeat(), epochs=epochs,
                steps_per_epoch=steps_per_epoch, verbose=0, callbacks=[progress])
    return re.findall(r"(\d+)/(\d+)", re.sub(r"\x1b\[[0-9;]*m", "", printed.getvalue()))

  def test_counts_outer_iterations_from_the_resumed_step_to_the_runs_end(self):
    shown = self._fit(1, resumed_at=5, last_step=9, epochs=1, steps_per_epoch=2)
    self.assertEqual({total for _, total in shown}, {"9"})
    self.assertEqual(int(shown[-1][0]), 9)
    self.assertGreaterEqual(min(int(step) for step, _ in shown), 6)   # never 1/…: the real step
    lines = self._fit(2, resumed_at=5, last_step=9, epochs=2, steps_per_epoch=1)
    self.assertEqual(lines, [("6", "9"), ("7", "9"), ("8", "9"), ("9", "9")])   # one per epoch


def _fit_with_fid(logdir, *, every, steps, learning_rate, ema=None,
                  metrics=scoring.DEFAULT_IMAGE_METRICS):
  """A tiny DCGAN-28 WGAN-GP fitted `steps` steps with an FIDCallback every `every` steps;
  returns (gan, generator, stand-in classifier, real outputs, callback)."""
  generator = tfwgan.networks.dcgan_generator(4, (28, 28, 1), base_filters=4)
  critic = tfwgan.networks.dcgan_critic((28, 28, 1), base_filters=4)
  gan = tfwgan.WGANGP(generator, critic, 4, critic_steps=1, seed=0, generator_ema=ema)
  gan.compile(generator_optimizer=keras.optimizers.Adam(learning_rate),
              critic_optimizer=keras.optimizers.Adam(learning_rate))
  classifier = evaluation_scoring_test.stand_in_classifier()
  real = scoring.ClassifierOutputs.collect(
      (np.tanh(np.random.default_rng(i).normal(size=(20, 28, 28, 1))) for i in range(3)),
      classifier, 60, keep_images=True)
  writer = tf.summary.create_file_writer(logdir)
  fid = callbacks.FIDCallback(writer, classifier, real, every=every, num_samples=60,
                              batch_size=20, metrics=metrics)
  images = tf.random.uniform([4, 28, 28, 1], -1, 1, seed=1)
  gan.fit(tf.data.Dataset.from_tensors(images).repeat(), epochs=1, steps_per_epoch=steps,
          verbose=0, callbacks=[fid])
  writer.close()
  return gan, generator, classifier, real, fid


class FIDCallbackTest(tf.test.TestCase):

  def test_writes_fid_kid_is_against_steps_and_wallclock(self):
    logdir = self.create_tempdir().full_path
    gan, generator, classifier, real, fid = _fit_with_fid(logdir, every=2, steps=4,
                                                          learning_rate=1e-3)
    tags = training_test.event_steps(logdir)
    for name in ("eval/fid", "eval/kid", "eval/inception_score", "eval/inception_score_std"):
      self.assertEqual(tags[name], [2, 4])
    self.assertLen(tags["eval/fid_by_wallclock"], 2)
    self.assertEqual(sorted(fid.results), [2, 4])
    # The scores are those of the generator at step 4, recomputed from scratch.
    generated = scoring.ClassifierOutputs.collect(scoring.generated_batches(
        lambda z: generator(z, training=False), 4, num_samples=60, batch_size=20, seed=0),
        classifier, 60)
    self.assertAllClose(fid.results[4]["fid"], tfwgan.evaluation.fid_from_activations(
        generated.features, real.features), rtol=1e-6)
    inception = tfwgan.evaluation.inception_score_from_logits(generated.logits)
    self.assertAllClose((fid.results[4]["inception_score"],
                         fid.results[4]["inception_score_std"]),
                        (inception.mean, inception.std), rtol=1e-6)
    self.assertEqual(inception.splits, 10)
    self.assertNotAllClose(fid.results[2]["fid"], fid.results[4]["fid"])   # it trained
    fid_events = training_test.event_values(logdir, "eval/fid")
    self.assertAllClose(fid_events, [fid.results[2]["fid"], fid.results[4]["fid"]])

  def test_writes_every_chosen_metric(self):
    logdir = self.create_tempdir().full_path
    _, generator, classifier, real, fid = _fit_with_fid(
        logdir, every=2, steps=2, learning_rate=1e-3,
        metrics=["precision_recall", "density_coverage", "swd"])
    self.assertEqual(set(fid.results[2]), {"precision", "recall", "density", "coverage",
                                           "swd/28", "training_seconds"})
    tags = training_test.event_steps(logdir)
    for name in ("precision", "recall", "density", "coverage", "swd/28"):
      self.assertEqual(tags[f"eval/{name}"], [2])
    self.assertNotIn("eval/fid", tags)
    self.assertNotIn("eval/fid_by_wallclock", tags)
    generated = scoring.ClassifierOutputs.collect(scoring.generated_batches(
        lambda z: generator(z, training=False), 4, num_samples=60, batch_size=20, seed=0),
        classifier, 60)
    expected = tfwgan.evaluation.neighbours.neighbour_scores(
        real_features=real.features, generated_features=generated.features)
    self.assertEqual({k: fid.results[2][k] for k in expected}, expected)
    self.assertGreater(fid.results[2]["swd/28"], 0.0)

  def test_swd_needs_the_real_images(self):
    real = scoring.ClassifierOutputs.collect(
        [np.zeros((10, 16, 16, 1), np.float32)], evaluation_scoring_test.stand_in_classifier(),
        10)
    with self.assertRaisesRegex(ValueError, r"real: metrics holds 'swd', which needs the real "
                                r"images"):
      callbacks.FIDCallback(None, None, real, every=1, num_samples=10, metrics=["swd"])

  def test_with_an_ema_the_average_is_scored_and_the_live_generator_too(self):
    logdir = self.create_tempdir().full_path
    gan, _, classifier, real, fid = _fit_with_fid(
        logdir, every=3, steps=3, learning_rate=1e-2, ema=tfwgan.ema.GeneratorEMA(0.5))
    score = lambda g: scoring.score(generated=scoring.ClassifierOutputs.collect(
        scoring.generated_batches(lambda z: g(z, training=False), 4, num_samples=60,
                                  batch_size=20, seed=0), classifier, 60), real=real)["fid"]
    self.assertAllClose(fid.results[3]["fid"], score(gan.sampling_generator()), rtol=1e-6)
    self.assertAllClose(fid.results[3]["fid_live"], score(gan.generator), rtol=1e-6)
    self.assertNotAllClose(fid.results[3]["fid"], fid.results[3]["fid_live"])
    tags = training_test.event_steps(logdir)
    self.assertEqual(tags["eval/fid_live"], [3])

  def test_evaluation_time_is_not_training_time(self):
    now = [0.0]
    def slow_classifier(images):   # every call takes 10 s of wall-clock time
      now[0] += 10.0
      return evaluation_scoring_test.stand_in_classifier()(images)
    generator = tfwgan.networks.mlp_generator(2, 16, hidden_units=4, hidden_layers=1)
    model = types.SimpleNamespace(generator=lambda z, training=False: tf.reshape(
        generator(z, training=training), [-1, 4, 4, 1]), latent_dim=2)
    real = scoring.ClassifierOutputs.collect(
        [np.tanh(np.random.default_rng(0).normal(size=(30, 4, 4, 1)))],
        evaluation_scoring_test.stand_in_classifier(), 30)
    with tf.compat.v1.test.mock.patch.object(callbacks.time, "perf_counter", lambda: now[0]):
      clock = callbacks.Clock()
      clock.start()
      fid = callbacks.FIDCallback(
          tf.summary.create_file_writer(self.create_tempdir().full_path), slow_classifier,
          real, every=1, num_samples=30, batch_size=10, clock=clock)
      fid.set_model(model)
      now[0] += 3.0                         # 3 s of training
      fid.evaluate(1)                       # 3 classifier calls: 30 s of evaluation
      self.assertEqual(now[0], 33.0)
      self.assertAllClose(clock.elapsed(), 3.0)
      self.assertAllClose(fid.results[1]["training_seconds"], 3.0)

  def test_every_seconds_evaluates_after_each_multiple_of_training_time(self):
    # Steps end at training seconds 4, 8, ..., 32: the first to reach 10, 20 and 30 are
    # steps 3 (12 s), 5 (20 s) and 8 (32 s).
    now = [0.0]
    with tf.compat.v1.test.mock.patch.object(callbacks.time, "perf_counter", lambda: now[0]):
      clock = callbacks.Clock()
      clock.start()
      fid = callbacks.FIDCallback(None, None, None, every_seconds=10, num_samples=1,
                                  clock=clock)
      fid.evaluate = lambda step: fid.results.setdefault(step, clock.elapsed())
      fid.set_model(types.SimpleNamespace(outer_iterations=tf.Variable(0)))
      fid.on_train_begin()
      for _ in range(8):
        now[0] += 4.0
        fid.model.outer_iterations.assign_add(1)
        fid.on_train_batch_end(0)
    self.assertEqual(fid.results, {3: 12.0, 5: 20.0, 8: 32.0})

  def test_exactly_one_valid_schedule(self):
    for schedule in ({}, {"every": 2, "every_seconds": 5.0}):
      with self.assertRaisesRegex(ValueError, "every_seconds"):
        callbacks.FIDCallback(None, None, None, num_samples=1, **schedule)
    for schedule, name in (({"every": 0}, "every=0"), ({"every_seconds": -1.0}, "every_seconds")):
      with self.assertRaisesRegex(ValueError, name):
        callbacks.FIDCallback(None, None, None, num_samples=1, **schedule)



class PreemptionCheckpointTest(tf.test.TestCase):

  def test_a_notice_stops_at_the_iteration_it_arrived_in_with_a_checkpoint_there(self):
    class Model:   # what the callbacks read of a tfwgan GAN
      stop_training = False
      outer_iterations = tf.Variable(0, dtype=tf.int64)

    saved = []
    class Saver:
      def save_now(self):
        saved.append(int(Model.outer_iterations.numpy()))

    notice = callbacks.PreemptionNotice()
    callback = callbacks.PreemptionCheckpoint(notice, Saver(), tf.distribute.get_strategy())
    callback.set_model(Model())
    for step in (1, 2, 3):
      Model.outer_iterations.assign(step)
      if step == 2:
        notice.received = True    # SIGTERM during outer iteration 2
      callback.on_train_batch_end(step)
      if step == 2:               # stopped at once: none trains further
        self.assertTrue(callback.model.stop_training)
        break
    self.assertEqual(callback.step, 2)
    self.assertEqual(saved, [2])


if __name__ == "__main__":
  tf.test.main()
