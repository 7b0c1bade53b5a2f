import test_utils

import numpy as np
import tensorflow as tf

from tfwgan import noise


class ReplicaNoiseTest(tf.test.TestCase):

  def test_draws_are_keyed_by_seed_step_and_order(self):
    first, again, other_step = (noise.ReplicaNoise(3) for _ in range(3))
    first.start_step(5)
    again.start_step(5)
    other_step.start_step(6)
    a, b = first.normal([4, 2]), first.uniform([4, 2])
    self.assertAllEqual(a, again.normal([4, 2]))
    self.assertAllEqual(b, again.uniform([4, 2]))
    self.assertNotAllClose(a, other_step.normal([4, 2]))
    self.assertTrue(np.all((b.numpy() >= 0) & (b.numpy() < 1)))

  def test_replicas_get_disjoint_slices_of_the_one_device_draw(self):
    strategy = test_utils.mirrored_strategy()
    source = noise.ReplicaNoise(11)

    def draw():
      source.start_step(2)
      return source.normal([3, 4])

    per_replica = strategy.experimental_local_results(strategy.run(tf.function(draw)))
    single = noise.ReplicaNoise(11)
    single.start_step(2)
    self.assertAllClose(tf.concat(per_replica, axis=0), single.normal([6, 4]))
    self.assertNotAllClose(per_replica[0], per_replica[1])

  def test_replay_repeats_the_next_draws_without_advancing_the_source(self):
    source = noise.ReplicaNoise(4)
    source.start_step(1)
    source.normal([2])
    copy = source.replay()
    self.assertAllEqual(copy.normal([3]), source.normal([3]))

  def test_substream_index_may_be_a_tensor_and_the_step_stream_resumes(self):
    unrolled, looped = noise.ReplicaNoise(9), noise.ReplicaNoise(9)
    for source in (unrolled, looped):
      source.start_step(3)
      source.normal([2])
    draws = {}
    for index in range(2):
      with unrolled.substream(index):
        draws[index] = unrolled.normal([4])

    @tf.function
    def looped_draw(index):
      with looped.substream(index):
        return looped.normal([4])

    self.assertAllEqual(looped_draw(tf.constant(1)), draws[1])
    self.assertNotAllClose(draws[0], draws[1])
    reference = noise.ReplicaNoise(9)
    reference.start_step(3)
    reference.normal([2])
    self.assertAllEqual(unrolled.normal([3]), reference.normal([3]))

  def test_drawing_before_start_step_fails(self):
    with self.assertRaisesRegex(RuntimeError, r"start_step"):
      noise.ReplicaNoise(0).normal([1])


if __name__ == "__main__":
  tf.test.main()
