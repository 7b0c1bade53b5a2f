"""Keras callbacks of a training run: TensorBoard summaries, checkpoints, a step limit.

Every summary is written at the model's outer-iteration counter, so curves from a
resumed run continue where the previous one stopped.
"""

import contextlib
import signal
import sys
import threading
import time

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from tfwgan import plots
from tfwgan import sampling
from tfwgan.evaluation import metrics as metrics_lib
from tfwgan.evaluation import scoring
from tfwgan.validation import integer_at_least
from tfwgan.validation import one_of
from tfwgan.validation import positive_number


def _step(model):
  return int(model.outer_iterations.numpy())


def format_scores(results):
  """'emd 0.131' / 'fid 12.3, inception_score 8.1, kid 0.01': every score, sorted."""
  return ", ".join(f"{name} {value:.4g}" for name, value in sorted(results.items())
                   if name != "training_seconds")


def log_evaluation(step, results, num_samples):
  """One console line per evaluation: the step, the sample count and every score."""
  end_progress_line()
  logging.info("step %d (%d samples): %s", step, num_samples, format_scores(results))


_OPEN_PROGRESS_LINE = threading.Event()   # a progress bar line without its newline yet


def end_progress_line():
  """Ends the progress bar's current line (it is rewritten in place) so that a console
  line printed now stands on its own line, not glued to the bar."""
  if _OPEN_PROGRESS_LINE.is_set():
    sys.stdout.write("\n")
    sys.stdout.flush()
    _OPEN_PROGRESS_LINE.clear()


class NonFiniteError(RuntimeError):
  """Training produced NaN/Inf; nothing non-finite was checkpointed or exported."""


def check_finite_weights(networks):
  """Raises NonFiniteError naming the first network with a NaN/Inf weight."""
  for name, network in networks.items():
    for weight in network.weights:
      if not bool(tf.reduce_all(tf.math.is_finite(weight))):
        raise NonFiniteError(f"{name} weight {weight.path!r} is not finite; refusing to "
                             "save it.")


class NonFiniteGuard(keras.callbacks.Callback):
  """Stops training at the first step whose logged terms are NaN/Inf (--on_nan=stop).

  Listed before Checkpointing, so the bad step is never checkpointed.
  """

  def on_train_batch_end(self, batch, logs=None):
    for name, value in (logs or {}).items():
      if not np.all(np.isfinite(np.asarray(value, np.float64))):
        raise NonFiniteError(f"step {_step(self.model)}: {name} is {float(value)}; training "
                             "stopped, the last good checkpoint is kept (--on_nan=skip_batch "
                             "skips such updates instead).")


class Clock:
  """Wall-clock seconds of training, carried across resumes in a checkpointed variable."""

  def __init__(self):
    self.variable = tf.Variable(0.0, dtype=tf.float64, trainable=False, name="elapsed_seconds")
    self._base = None
    self._start = None

  def start(self):
    self._base, self._start = float(self.variable.numpy()), time.perf_counter()

  def elapsed(self):
    return self._base + time.perf_counter() - self._start

  @contextlib.contextmanager
  def paused(self):
    """Time spent inside is not counted (evaluation is not training time)."""
    before = self.elapsed()
    try:
      yield
    finally:
      self._base, self._start = before, time.perf_counter()

  def sync(self):
    self.variable.assign(self.elapsed())


class StopAtStep(keras.callbacks.Callback):
  """Stops `fit` once the model has done `last_step` outer iterations."""

  def __init__(self, last_step):
    super().__init__()
    self.last_step = last_step

  def on_train_batch_end(self, batch, logs=None):
    if _step(self.model) >= self.last_step:
      self.model.stop_training = True


class _ProgbarFrom(keras.utils.Progbar):
  """Keras' progress bar over steps first_step … target: the time per step (its ETA)
  counts only the steps shown since `first_step`, not those of an earlier process."""

  def __init__(self, target, first_step, **kwargs):
    super().__init__(target, **kwargs)
    self._first_step = first_step

  def _estimate_step_duration(self, current, now):
    return super()._estimate_step_duration(current - self._first_step, now)


class OuterIterationProgress(keras.callbacks.Callback):
  """Keras' progress bar counting outer iterations: the model's real step, after a resume
  too, up to `last_step` (the run's end), across every fit call of the run (warm-up
  phases). `verbose=2`: one line per fit epoch (every log_every iterations) instead."""

  def __init__(self, last_step, verbose=1):
    super().__init__()
    self.last_step, self.verbose = last_step, verbose
    self._bar = None

  def on_train_begin(self, logs=None):
    if self._bar is None and self.verbose:
      names = [metric.name for metric in self.model.metrics]
      self._bar = _ProgbarFrom(self.last_step, _step(self.model), verbose=self.verbose,
                               stateful_metrics=names, unit_name="step")

  def on_train_batch_end(self, batch, logs=None):
    if self._bar is not None and self.verbose == 1:
      step = min(_step(self.model), self.last_step)
      self._bar.update(step, _values(logs))
      if step < self.last_step:
        _OPEN_PROGRESS_LINE.set()
      else:                                     # the final update ends its line
        _OPEN_PROGRESS_LINE.clear()

  def on_epoch_end(self, epoch, logs=None):
    if self._bar is not None and self.verbose == 2:
      self._bar.update(min(_step(self.model), self.last_step), _values(logs), finalize=True)


def _values(logs):
  return [(name, float(value)) for name, value in (logs or {}).items()]


class Preempted(RuntimeError):
  """A termination notice (SIGTERM) reached a task: every task saved a checkpoint at
  outer iteration `step` and stopped; rerunning the same command resumes there."""

  def __init__(self, step):
    super().__init__(f"preempted (SIGTERM) at step {step}: saved a checkpoint at that step")
    self.step = step


class PreemptionNotice:
  """Catches SIGTERM (a scheduler's preemption notice) while a run trains, instead of
  dying with up to `checkpoint_every` iterations lost. A context manager that installs
  the handler (main thread only) and restores the previous one."""

  def __init__(self):
    self.received = False
    self._previous = None

  def _handle(self, signum, frame):
    del signum, frame
    self.received = True

  def __enter__(self):
    if threading.current_thread() is threading.main_thread():
      self._previous = signal.signal(signal.SIGTERM, self._handle)
    return self

  def __exit__(self, *exc_info):
    if self._previous is not None:
      signal.signal(signal.SIGTERM, self._previous)


class PreemptionCheckpoint(keras.callbacks.Callback):
  """After each outer iteration, if any task received a preemption notice, every task
  checkpoints at that iteration (`Checkpointing`) and stops training; `step` is then set.

  Under MultiWorkerMirroredStrategy the tasks agree through one all-reduce of their
  notice flags per outer iteration, so they all stop at the same step.
  """

  def __init__(self, notice, checkpointing, strategy):
    super().__init__()
    self.notice, self.checkpointing, self.strategy = notice, checkpointing, strategy
    self.step = None

  def _any_task_noticed(self):
    flag = float(self.notice.received)
    if not isinstance(self.strategy, tf.distribute.MultiWorkerMirroredStrategy):
      return flag > 0
    flags = self.strategy.experimental_distribute_values_from_function(
        lambda context: tf.constant(flag))
    return float(self.strategy.reduce(tf.distribute.ReduceOp.SUM, flags, axis=None)) > 0

  def on_train_batch_end(self, batch, logs=None):
    if self.step is None and self._any_task_noticed():
      self.checkpointing.save_now()
      self.step = _step(self.model)
      self.model.stop_training = True


class Checkpointing(keras.callbacks.Callback):
  """Saves a tf.train.CheckpointManager every `every` outer iterations and at the end."""

  def __init__(self, manager, clock, every):
    super().__init__()
    self.manager, self.clock, self.every = manager, clock, every
    self._saved_step = None

  def save_now(self):
    """Saves at the current outer iteration (once per iteration)."""
    step = _step(self.model)
    if step != self._saved_step:
      check_finite_weights(self.model.checkpoint_networks())
      self.clock.sync()
      self.manager.save(checkpoint_number=step)
      self._saved_step = step

  def on_train_batch_end(self, batch, logs=None):
    if _step(self.model) % self.every == 0:
      self.save_now()

  def on_train_end(self, logs=None):
    self.save_now()


class ScalarSummaries(keras.callbacks.Callback):
  """Every logged metric (means over the epoch), steps per second and wall-clock seconds."""

  def __init__(self, writer, clock):
    super().__init__()
    self.writer, self.clock = writer, clock
    self._last = None

  def on_train_begin(self, logs=None):
    self._last = (_step(self.model), time.perf_counter())

  def on_epoch_end(self, epoch, logs=None):
    step, now = _step(self.model), time.perf_counter()
    steps_per_second = (step - self._last[0]) / max(now - self._last[1], 1e-9)
    self._last = (step, now)
    with self.writer.as_default(step=step):
      for name, value in (logs or {}).items():
        tf.summary.scalar(f"train/{name}", float(value))
      tf.summary.scalar("time/steps_per_second", steps_per_second)
      tf.summary.scalar("time/wallclock_seconds", self.clock.elapsed())
    self.writer.flush()


class ToySummaries(keras.callbacks.Callback):
  """For 2-D data, every `every` outer iterations: the exact EMD and precision/recall,
  density/coverage on the raw points against fresh real samples (`metrics`: groups of
  `scoring.POINT_METRICS`; None: all), and the critic's level sets (WGAN-LP Fig. 3); one console line
  per evaluation."""

  def __init__(self, writer, real_sampler, *, num_samples=500, every=100,
               metrics=None):
    super().__init__()
    self.writer, self.real_sampler, self.num_samples = writer, real_sampler, num_samples
    self.every = integer_at_least("every", every)
    self.metrics = scoring.resolve_metrics(metrics, points=True)
    self.results = {}

  def on_train_batch_end(self, batch, logs=None):
    step = _step(self.model)
    if step % self.every == 0 and step not in self.results:
      self.evaluate(step)

  def evaluate(self, step):
    real = np.asarray(self.real_sampler(self.num_samples, step))
    generated = self.model.sample(self.num_samples, seed=step).numpy()
    critic = lambda x: self.model.critic(x, training=False).numpy()
    image = plots.figure_to_array(plots.level_set_figure(critic, real, generated,
                                                         title=f"step {step}"))
    self.results[step] = scoring.score_points(generated=generated, real=real,
                                              metrics=self.metrics)
    with self.writer.as_default(step=step):
      for name, value in self.results[step].items():
        tf.summary.scalar(f"eval/{name}", value)
      tf.summary.image("samples/critic_level_sets", image[None])
    self.writer.flush()
    log_evaluation(step, self.results[step], self.num_samples)
    return self.results[step]


class FIDCallback(keras.callbacks.Callback):
  """FID and the other image metrics every `every` outer iterations or every
  `every_seconds` of training.

  Scores the model's sampling generator (its EMA when enabled; the live generator is then
  scored too, as eval/*_live). Writes eval/<metric> at the step for every key
  `scoring.score` gives for `metrics` (fid, kid, inception_score, precision, recall,
  density, coverage, swd/<resolution>), and eval/fid_by_wallclock
  at the whole wall-clock seconds of training (the RWP paper's Fig. 2 axes). The clock is
  paused while evaluating, so slower and faster methods are charged only for training.
  With `every_seconds`, the first step ending after each multiple of it is evaluated, so
  runs of methods with different step costs are evaluated at the same training times.
  `real`: `tfwgan.evaluation.scoring.ClassifierOutputs` of real images (with the images
  when `metrics` holds "swd"). `metrics`: groups of `scoring.IMAGE_METRICS`; None: the
  defaults (all but swd). `batch_norm`: how the generators sample (`tfwgan.sampling`);
  `inception_score_splits`: the Inception score's splits (eval/inception_score_std is
  the std over them).
  """

  def __init__(self, writer, classifier, real, *, num_samples, every=None, every_seconds=None,
               batch_size=100, clock=None, seed=0, metrics=None, batch_norm="moving",
               inception_score_splits=metrics_lib.INCEPTION_SCORE_SPLITS):
    super().__init__()
    if (every is None) == (every_seconds is None):
      raise ValueError(f"every={every!r}, every_seconds={every_seconds!r}: give exactly one.")
    if every is not None:
      integer_at_least("every", every)
    else:
      positive_number("every_seconds", every_seconds)
    self.writer, self.classifier, self.real = writer, classifier, real
    self.every, self.every_seconds = every, every_seconds
    self.num_samples, self.batch_size = num_samples, batch_size
    self.clock, self.seed = clock, seed
    self.batch_norm = one_of("batch_norm", batch_norm, sampling.BATCH_NORM_MODES)
    self.inception_score_splits = integer_at_least("inception_score_splits",
                                                   inception_score_splits)
    self.metrics = scoring.resolve_metrics(metrics, points=False,
                                           logits=getattr(classifier, "has_logits", True))
    if "swd" in self.metrics and real.images is None:
      raise ValueError("real: metrics holds 'swd', which needs the real images "
                       "(scoring.real_outputs(..., keep_images=True)).")
    self.results = {}
    self._next_seconds = None

  def on_train_begin(self, logs=None):
    if self.clock is None:
      self.clock = Clock()
      self.clock.start()
    if self.every_seconds:
      self._next_seconds = (self.clock.elapsed() // self.every_seconds + 1) * self.every_seconds

  def _due(self, step):
    if self.every:
      return step % self.every == 0
    seconds = self.clock.elapsed()
    if seconds < self._next_seconds:
      return False
    self._next_seconds = (seconds // self.every_seconds + 1) * self.every_seconds
    return True

  def on_train_batch_end(self, batch, logs=None):
    step = _step(self.model)
    if self._due(step):
      self.evaluate(step)

  def evaluate(self, step):
    """Scores the generator now and writes the summaries at `step`; returns the scores."""
    training_seconds = self.clock.elapsed()
    with self.clock.paused():
      results = {f"{name}{suffix}": value
                 for suffix, generator in scoring.generators_to_score(self.model).items()
                 for name, value in self._score(generator).items()}
      self.results[step] = {**results, "training_seconds": training_seconds}
      with self.writer.as_default(step=step):
        for name, value in results.items():
          tf.summary.scalar(f"eval/{name}", value)
        if "fid" in results:
          tf.summary.scalar("eval/fid_by_wallclock", results["fid"],
                            step=int(training_seconds))
      self.writer.flush()
      log_evaluation(step, results, self.num_samples)
    return self.results[step]


  def _score(self, generator):
    generate = sampling.Sampler(generator, self.batch_norm, latent_dim=self.model.latent_dim,
                                seed=self.seed, num_classes=_num_classes(self.model))
    num_classes = _num_classes(self.model)
    fake = scoring.ClassifierOutputs.collect(
        scoring.generated_batches(generate, self.model.latent_dim,
                                  num_samples=self.num_samples, batch_size=self.batch_size,
                                  seed=self.seed, num_classes=num_classes),
        self.classifier, self.num_samples, keep_images="swd" in self.metrics)
    per_class = (scoring.class_outputs(generate, self.model.latent_dim, self.classifier,
                                       num_samples=self.num_samples, num_classes=num_classes,
                                       batch_size=self.batch_size, seed=self.seed)
                 if num_classes and self.real.labels is not None else None)
    return scoring.score(generated=fake, real=self.real, metrics=self.metrics,
                         num_classes=num_classes, per_class=per_class,
                         too_few_per_class="skip",
                         inception_score_splits=self.inception_score_splits)


def _num_classes(model):
  """A conditional GAN's classes; None for an unconditional one (or a stand-in model)."""
  return getattr(model, "num_classes", None)


class ImageSummaries(keras.callbacks.Callback):
  """A grid of samples from a fixed latent batch, so the images are comparable across steps.
  A conditional GAN's grid has one row per class (at most CLASS_ROWS), the same latents in
  each column."""

  CLASS_ROWS = 20

  def __init__(self, writer, latent_dim, *, count=64, seed=0, batch_norm="moving"):
    super().__init__()
    self.writer = writer
    self.count, self.latent_dim = count, latent_dim
    self.z = tf.random.stateless_normal([count, latent_dim], seed=[seed, 1])
    self.batch_norm = one_of("batch_norm", batch_norm, sampling.BATCH_NORM_MODES)
    self.seed = seed

  def _latents_and_labels(self):
    """(z, labels or None, columns) of the grid."""
    classes = _num_classes(self.model)
    if not classes:
      return self.z, None, int(np.ceil(np.sqrt(self.count)))
    rows = min(classes, self.CLASS_ROWS)
    columns = max(1, self.count // rows)
    z = tf.tile(self.z[:columns], [rows, 1])
    return z, tf.repeat(tf.range(rows), columns), columns

  def on_epoch_end(self, epoch, logs=None):
    generate = sampling.Sampler(scoring.generators_to_score(self.model)[""], self.batch_norm,
                                latent_dim=self.model.latent_dim, seed=self.seed,
                                num_classes=_num_classes(self.model))
    z, labels, columns = self._latents_and_labels()
    images = np.asarray(generate(z, labels))
    grid = plots.image_grid(images, columns=columns)
    with self.writer.as_default(step=_step(self.model)):
      tf.summary.image("samples/fixed_z", grid[None])
    self.writer.flush()
