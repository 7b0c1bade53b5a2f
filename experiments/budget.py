"""Training for a fixed budget of training seconds, scored as it goes (the MNIST drivers)."""


def fit_for_seconds(gan, dataset, fid, clock, seconds):
  """Trains `gan` on `dataset` for `seconds` of training time and scores it with the FID
  callback `fid` (every its own seconds, at step 0 and at the end). The clock restarts at 0
  after the first outer iteration (which traces the step) and stops while scoring.
  Returns (fit's history, outer iterations done)."""
  import keras  # pylint: disable=g-import-not-at-top

  class TrainingClock(keras.callbacks.Callback):
    """Restarts the clock after the first (tracing) outer iteration; stops at `seconds`."""

    def on_train_batch_end(self, batch, logs=None):
      if int(gan.outer_iterations.numpy()) == 1:
        clock.start()
      elif clock.elapsed() >= seconds:
        self.model.stop_training = True

  fid.set_model(gan)
  clock.start()
  fid.evaluate(0)
  history = gan.fit(dataset, epochs=1, steps_per_epoch=10**9, verbose=0,
                    callbacks=[TrainingClock(), fid]).history
  steps = int(gan.outer_iterations.numpy())
  if steps not in fid.results:
    fid.evaluate(steps)
  return history, steps
