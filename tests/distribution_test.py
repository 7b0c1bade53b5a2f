"""tf.distribute: N replicas with global batch B follow the one-device trajectory with batch B."""

import json
import os
import socket
import subprocess

import test_utils
import warm_python

import pytest

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
from tfwgan import config as config_lib
from tfwgan import distribution
from tfwgan import reduction
from tfwgan import training

def _mlp_pair():
  return test_utils.tiny_mlp_pair()


def _steep(critic, factor=3.0):
  """`critic` with its output layer scaled: gradient norms well above 1, so WGAN-LP's
  one-sided penalty is active (at 0 it would hide draws that differ)."""
  head = critic.layers[-1]
  head.kernel.assign(head.kernel * factor)
  return critic


def _steep_mlp_pair():
  generator, critic = test_utils.tiny_mlp_pair()
  return generator, _steep(critic)


def _dcgan_pair():
  shape = (28, 28, 1)
  return (tfwgan.networks.dcgan_generator(2, shape, base_filters=2),
          tfwgan.networks.dcgan_critic(shape, base_filters=2, normalization="batch"))


def _toy_data(batch_size=8, critic_steps=2):
  return tfwgan.data.toy_dataset("8gaussians", batch_size=batch_size, critic_steps=critic_steps,
                                 seed=1)


def _toy_data_with_a_nan():
  """Step 2's last sample is NaN: on 2 replicas it reaches only the second one."""
  def poison(step, real):
    last_row = tf.one_hot(tf.shape(real)[0] - 1, tf.shape(real)[0])[:, None] > 0
    return tf.where(tf.logical_and(tf.equal(step, 1), last_row), np.nan, real)
  return _toy_data().enumerate().map(poison)


def _image_data(batch_size=4, critic_steps=2):
  images = tf.random.stateless_uniform([6, batch_size * critic_steps, 28, 28, 1], [1, 2], -1, 1)
  return tf.data.Dataset.from_tensor_slices(images).repeat()


def _with_labels(make_data):
  """`make_data`'s steps, each sample labelled (its position mod CLASSES)."""
  return lambda: make_data().map(
      lambda samples: (samples, tf.range(tf.shape(samples)[0]) % test_utils.CLASSES))


def _conditional_dcgan_pair():
  shape = (28, 28, 1)
  return (tfwgan.networks.dcgan_generator(2, shape, base_filters=2,
                                          num_classes=test_utils.CLASSES),
          tfwgan.conditioning.acgan_critic(
              tfwgan.networks.dcgan_critic(shape, base_filters=2), test_utils.CLASSES))


# name → (networks, GAN, data). Every case trains with SGD: its update is linear in the
# gradient, so a gradient scaled by the replica count (a per-replica mean summed by the
# optimizer) moves the weights visibly, where Adam would normalise it away.
CASES = {
    "wgan_gp_rwp": (_mlp_pair, lambda g, c: tfwgan.WGANGP(
        g, c, 2, critic_steps=2, seed=0, proximal=tfwgan.RWP(0.1, 2)), _toy_data),
    # h = 1: Alg. 2's 1/h on the potential's objective at h = 0.2 sends SGD at 0.05 to NaN
    # within 3 steps here (gan_test's matrix runs the 1/h at h = 0.1 with smaller steps).
    "wgan_gp_sbe": (_mlp_pair, lambda g, c: tfwgan.WGANGP(
        g, c, 2, critic_steps=2, seed=0, proximal=tfwgan.SBE(h=1.0, potential_steps=2)),
                    _toy_data),
    "dragan_rwp": (_mlp_pair, lambda g, c: tfwgan.DRAGAN(
        g, c, 2, critic_steps=2, seed=0, proximal=tfwgan.RWP(0.2, 2)), _toy_data),
    "wgan_lp_perturb_both": (_steep_mlp_pair, lambda g, c: tfwgan.WGANLP(
        g, c, 2, critic_steps=2, seed=0, sampling="perturb_both"), _toy_data),
    # Batch norm in generator and critic: its statistics must be the global batch's.
    "standard_dcgan_batch_norm_rwp": (_dcgan_pair, lambda g, c: tfwgan.StandardGAN(
        g, c, 2, critic_steps=2, seed=0, proximal=tfwgan.RWP(0.1, 2)), _image_data),
    # The generator EMA, updated in every replica's train step; twice the critic batch.
    "wgan_gp_ema_generator_batch": (_mlp_pair, lambda g, c: tfwgan.WGANGP(
        g, c, 2, critic_steps=2, seed=0, generator_batch_size=16,
        generator_ema=tfwgan.ema.GeneratorEMA(0.5)), _toy_data),
    # A NaN on one replica only: both replicas must revert the same update.
    "wgan_gp_skip_nonfinite": (_mlp_pair, lambda g, c: tfwgan.WGANGP(
        g, c, 2, critic_steps=2, seed=0, skip_nonfinite_updates=True), _toy_data_with_a_nan),
    # Labels (each replica's share of the samples with theirs, generated labels drawn for
    # the global batch), AC-GAN and DiffAugment (one draw per sample of the global batch)
    # with RWP. (The conditional MLP's replicas: gan_test's recomputation matrix.)
    "wgan_gp_acgan_diffaugment_rwp": (_conditional_dcgan_pair, lambda g, c: tfwgan.WGANGP(
        g, c, 2, critic_steps=2, seed=0, proximal=tfwgan.RWP(0.1, 2),
        augment="color,translation,cutout",
        conditioning=tfwgan.conditioning.ClassConditioning(test_utils.CLASSES, "acgan")),
                                      _with_labels(_image_data)),
    # The baselines of issue #42: lazy R1 (its 'due' from the critic optimizer's count, the
    # same on both replicas) with the hinge loss and SBE; R2 with least squares, RWP and
    # DiffAugment on a DCGAN.
    "hinge_lazy_r1_sbe": (_mlp_pair, lambda g, c: tfwgan.GAN(
        g, c, 2, loss="hinge", penalty={"name": "r1", "every": 2}, critic_steps=2, seed=0,
        proximal=tfwgan.SBE(h=1.0, potential_steps=2)), _toy_data),
    # Spectral normalisation of both networks: u, v (in the compared weights) follow one
    # device's power iterations; the hinge loss and RWP's anchor with the same u.
    "hinge_spectral_norm_rwp": (lambda: tuple(map(tfwgan.spectral_norm.apply, _mlp_pair())),
                                lambda g, c: tfwgan.GAN(g, c, 2, loss="hinge", critic_steps=2,
                                                        seed=0, proximal=tfwgan.RWP(0.1, 2)),
                                _toy_data),
    # LeCam's anchors (global-batch means) and balanced consistency (one draw of T per
    # sample of the global batch) with least squares, R2, RWP and DiffAugment.
    "least_squares_r2_lecam_consistency_rwp_diffaugment": (_dcgan_pair, lambda g, c: tfwgan.GAN(
        g, c, 2, loss="least_squares", penalty="r2", critic_steps=2, seed=0,
        proximal=tfwgan.RWP(0.1, 2), augment="translation,cutout",
        critic_terms=[tfwgan.critic_terms.LeCam(0.3), tfwgan.critic_terms.BalancedConsistency(
            real_weight=1.0, fake_weight=1.0, policy="translation")]),
                                                           _image_data),
    # ADA's p from the global batch's signs (an adjustment every update, large steps) gating
    # every op (DiffAugment's and ADA's blit group) per sample of the global batch, with the
    # non-saturating loss and RWP. (The ResNet with ADA over 2 replicas: gan_test's
    # recomputation matrix; here it took 46 s.)
    "non_saturating_ada_rwp": (_dcgan_pair, lambda g, c: tfwgan.GAN(
        g, c, 2, loss="non_saturating", critic_steps=2, seed=0, proximal=tfwgan.RWP(0.1, 2),
        augment=tfwgan.augment.DiffAugment(
            "color,translation,cutout,flip,rotate90", probability=(
                tfwgan.ada.AdaptiveProbability(0.6, interval=1, speed_images=16, initial=0.5)))),
                                      _image_data),
}
LEARNING_RATE = 0.05


def _train(strategy, case, steps=3):
  make_networks, make_gan, make_data = case
  with strategy.scope():
    keras.utils.set_random_seed(0)
    gan = test_utils.compile_gan(make_gan(*make_networks()), learning_rate=LEARNING_RATE,
                                 optimizer=keras.optimizers.SGD)
  if not steps:  # fit(steps_per_epoch=0) on an endless dataset would never stop
    return gan, {}
  history = gan.fit(make_data(), epochs=1, steps_per_epoch=steps, verbose=0).history
  return gan, history


def _weights(gan):
  networks = [gan.generator, gan.critic] + ([gan.potential] if gan.potential is not None else [])
  ema = gan.generator_ema.weights if gan.generator_ema is not None else []
  lecam = [value for name, value in sorted(gan.checkpoint_items().items())
           if name.startswith(("lecam_", "ada_"))]   # from the global batch's means, signs
  return [w.numpy() for network in networks for w in network.weights] + [
      w.numpy() for w in ema + lecam]


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class MirroredTest(tf.test.TestCase, parameterized.TestCase):
  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.strategy = test_utils.mirrored_strategy()

  @parameterized.named_parameters(*((name, *case) for name, case in CASES.items()))
  def test_two_replicas_follow_the_one_device_trajectory(self, *case):
    one_device, one_history = _train(tf.distribute.get_strategy(), case)
    mirrored, mirrored_history = _train(self.strategy, case)
    self.assertEqual(self.strategy.num_replicas_in_sync, 2)
    # Synchronized batch norm computes the variance as E[x²] − E[x]² over the replicas,
    # which rounds differently from one device's direct variance (float32).
    atol = 1e-3 if case[0] in (_dcgan_pair, _conditional_dcgan_pair) else 1e-5
    moved = 0.0
    initial = _weights(_train(tf.distribute.get_strategy(), case, steps=0)[0])
    for a, b, start in zip(_weights(one_device), _weights(mirrored), initial):
      self.assertTrue(np.all(np.isfinite(a)))   # NaN would compare equal and not "move"
      self.assertAllClose(a, b, rtol=1e-4, atol=atol)
      moved = max(moved, float(np.max(np.abs(a - start))))
    self.assertGreater(moved, 30 * atol)    # the steps moved the weights well past atol
    for name in one_history:
      self.assertAllClose(one_history[name], mirrored_history[name], rtol=1e-4, atol=atol)
    if "penalty" in one_history:   # an active penalty: its draws are compared too
      self.assertGreater(max(one_history["penalty"]), 1e-3)
    if "skipped_updates" in one_history:    # the NaN step's critic update was reverted
      self.assertGreater(one_history["skipped_updates"][-1], 0.0)

  def test_reductions_over_two_replicas(self):
    def replica_values():
      replica = tf.distribute.get_replica_context().replica_id_in_sync_group
      values = tf.cast(replica + 1, tf.float32) * tf.constant([1.0, 2.0, 3.0])  # [1,2,3], [2,4,6]
      return (reduction.cross_replica_sum(tf.reduce_sum(values)),
              reduction.global_batch_mean(values), reduction.cross_replica_mean(values))
    sums, means, global_means = (self.strategy.experimental_local_results(result) for result in
                                 self.strategy.run(tf.function(replica_values)))
    self.assertAllEqual(sums, [18.0, 18.0])
    # Each replica's share of the global mean (its sum over the global batch of 6);
    # the optimizer's sum over replicas then gives the mean 18 / 6 = 3.
    self.assertAllClose(means, [1.0, 2.0])
    self.assertAllClose(global_means, [3.0, 3.0])

  def test_auto_xla_is_off_across_replicas(self):
    config = config_lib.RunConfig(network="mlp")
    self.assertTrue(training.uses_xla(config))
    with self.strategy.scope():
      self.assertFalse(training.uses_xla(config))

  def test_checkpoint_written_mirrored_restores_on_one_device(self):
    mirrored, _ = _train(self.strategy, CASES["wgan_gp_rwp"], steps=2)
    path = tf.train.Checkpoint(**mirrored.checkpoint_items()).save(
        os.path.join(self.create_tempdir().full_path, "ckpt"))
    fresh, _ = _train(tf.distribute.get_strategy(), CASES["wgan_gp_rwp"], steps=0)
    tf.train.Checkpoint(**fresh.checkpoint_items()).restore(path).assert_existing_objects_matched()
    for a, b in zip(_weights(mirrored), _weights(fresh)):
      self.assertAllEqual(a, b)
    self.assertEqual(int(fresh.outer_iterations.numpy()), 2)
    self.assertEqual(int(fresh.critic_optimizer.iterations.numpy()),
                     int(mirrored.critic_optimizer.iterations.numpy()))

  def test_batch_must_split_over_replicas(self):
    with self.assertRaisesRegex(ValueError, r"batch_size=7: must be a multiple of the 2 replicas"):
      distribution.check_batch(7, self.strategy)


class MakeStrategyTest(tf.test.TestCase):

  def test_names(self):
    self.assertIs(distribution.make_strategy("default"), tf.distribute.get_strategy())
    self.assertIsInstance(distribution.make_strategy("one_device"),
                          tf.distribute.OneDeviceStrategy)
    self.assertTrue(distribution.is_chief(tf.distribute.get_strategy()))
    with self.assertRaisesRegex(ValueError, r"strategy='horovod': allowed values"):
      distribution.make_strategy("horovod")
    with self.assertRaisesRegex(ValueError, r"tpu: required with strategy='tpu'"):
      distribution.make_strategy("tpu")


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class LostTaskTest(tf.test.TestCase):

  def test_names_the_task_a_collective_lost(self):
    # The two messages measured with the launcher: a worker SIGKILLed (its heartbeats stop),
    # and the chief SIGKILLed (the survivor's connection to it resets).
    heartbeats = tf.errors.UnavailableError(None, None, (
        "Collective ops is aborted by: Error reported from /job:worker/task:1: The following "
        "tasks are unhealthy (stopped sending heartbeats):\n/job:worker/replica:0/task:1\nThe "
        "tasks have crashed."))
    reset = tf.errors.UnavailableError(None, None, (
        "Collective ops is aborted by: Socket closed\nAdditional GRPC error information from "
        "remote target /job:worker/replica:0/task:0 while calling "
        "/tensorflow.WorkerService/RecvBuf:"))
    self.assertEqual(distribution.lost_tasks(heartbeats), ["/job:worker/replica:0/task:1"])
    self.assertEqual(distribution.lost_tasks(reset), ["/job:worker/replica:0/task:0"])
    self.assertEqual(distribution.lost_tasks(tf.errors.InvalidArgumentError(
        None, None, "from remote target /job:worker/replica:0/task:0")), [])
    self.assertEqual(distribution.lost_tasks(ValueError("unhealthy")), [])


def _free_ports(count):
  sockets = [socket.socket() for _ in range(count)]
  for sock in sockets:
    sock.bind(("127.0.0.1", 0))
  ports = [sock.getsockname()[1] for sock in sockets]
  for sock in sockets:
    sock.close()
  return ports


@pytest.mark.slow   # subprocesses or multi-step training: not in the inner loop
class MultiWorkerTest(tf.test.TestCase):

  def test_two_worker_processes_follow_the_one_device_trajectory(self):
    workers = [f"localhost:{port}" for port in _free_ports(2)]
    directory = self.create_tempdir().full_path
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multi_worker_main.py")
    processes = []
    for index in range(2):
      env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3", TF_CONFIG=json.dumps(
          {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
      processes.append(warm_python.start(
          script, os.path.join(directory, f"worker{index}.npz"), env=env,
          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    processes.append(warm_python.start(
        script, os.path.join(directory, "one_device.npz"), "default",
        env=dict(env, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3"),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for process in processes:
      output, _ = process.communicate(timeout=300)
      self.assertEqual(process.returncode, 0, output[-3000:])
    results = [np.load(os.path.join(directory, f"{name}.npz"))
               for name in ("worker0", "worker1", "one_device")]
    self.assertEqual([bool(r["chief"]) for r in results], [True, False, True])
    self.assertEqual([int(r["steps"]) for r in results], [3, 3, 3])
    names = [name for name in results[0].files if name.startswith("w")]
    self.assertGreater(len(names), 4)
    initial = np.load(os.path.join(directory, "one_device.npz"))
    moved = 0.0
    for name in names:
      self.assertAllEqual(results[0][name], results[1][name])     # the workers agree
      # ... and follow the one-device run on the same global batch.
      self.assertAllClose(results[0][name], results[2][name], rtol=1e-4, atol=1e-5)
      moved = max(moved, float(np.max(np.abs(results[2][name] - initial["i" + name[1:]]))))
    self.assertGreater(moved, 1e-3)
    self.assertAllClose(results[0]["critic_loss"], results[2]["critic_loss"], rtol=1e-4)


if __name__ == "__main__":
  tf.test.main()
