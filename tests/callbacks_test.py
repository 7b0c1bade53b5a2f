import test_utils

import keras
import numpy as np
import tensorflow as tf

import evaluation_scoring_test
import training_test
import tfwgan
from tfwgan import callbacks
from tfwgan.evaluation import scoring


class FIDCallbackTest(tf.test.TestCase):

  def test_writes_fid_kid_is_against_steps_and_wallclock(self):
    logdir = self.create_tempdir().full_path
    generator = tfwgan.networks.dcgan_generator(4, (28, 28, 1), base_filters=4)
    critic = tfwgan.networks.dcgan_critic((28, 28, 1), base_filters=4)
    gan = tfwgan.WGANGP(generator, critic, 4, critic_steps=1, seed=0)
    gan.compile(generator_optimizer=keras.optimizers.Adam(1e-3),
                critic_optimizer=keras.optimizers.Adam(1e-3))
    classifier = evaluation_scoring_test.stand_in_classifier()
    real = scoring.ClassifierOutputs.collect(
        (np.tanh(np.random.default_rng(i).normal(size=(20, 28, 28, 1))) for i in range(3)),
        classifier, 60)
    writer = tf.summary.create_file_writer(logdir)
    fid = callbacks.FIDCallback(writer, classifier, real, every=2, num_samples=60, batch_size=20)
    images = tf.random.uniform([4, 28, 28, 1], -1, 1, seed=1)
    gan.fit(tf.data.Dataset.from_tensors(images).repeat(), epochs=1, steps_per_epoch=4,
            verbose=0, callbacks=[fid])
    writer.close()
    tags = training_test.event_steps(logdir)
    for name in ("eval/fid", "eval/kid", "eval/inception_score"):
      self.assertEqual(tags[name], [2, 4])
    self.assertLen(tags["eval/fid_by_wallclock"], 2)
    self.assertEqual(sorted(fid.results), [2, 4])
    self.assertGreater(fid.results[2]["fid"], 0.0)


if __name__ == "__main__":
  tf.test.main()
