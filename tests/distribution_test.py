"""tf.distribute: N replicas with global batch B follow the one-device trajectory with batch B."""

import json
import os
import socket
import subprocess
import sys

import test_utils

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
from tfwgan import config as config_lib
from tfwgan import distribution
from tfwgan import training

CASES = {
    "wgan_gp_rwp": (lambda g, c: tfwgan.WGANGP(g, c, 2, critic_steps=2, seed=0,
                                               proximal=tfwgan.RWP(0.1, 2))),
    "wgan_gp_sbe": (lambda g, c: tfwgan.WGANGP(g, c, 2, critic_steps=2, seed=0,
                                               proximal=tfwgan.SBE(potential_steps=2))),
    "dragan_rwp": (lambda g, c: tfwgan.DRAGAN(g, c, 2, critic_steps=2, seed=0,
                                              proximal=tfwgan.RWP(0.2, 2))),
    "wgan_lp_perturb_both": (lambda g, c: tfwgan.WGANLP(g, c, 2, critic_steps=2, seed=0,
                                                        sampling="perturb_both")),
}


def _train(strategy, make_gan, steps=3):
  with strategy.scope():
    keras.utils.set_random_seed(0)
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(make_gan(generator, critic))
  if not steps:  # fit(steps_per_epoch=0) on an endless dataset would never stop
    return gan, {}
  history = gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8, critic_steps=2, seed=1),
                    epochs=1, steps_per_epoch=steps, verbose=0).history
  return gan, history


def _weights(gan):
  networks = [gan.generator, gan.critic] + ([gan.potential] if gan.potential is not None else [])
  return [w.numpy() for network in networks for w in network.weights]


class MirroredTest(tf.test.TestCase, parameterized.TestCase):
  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.strategy = test_utils.mirrored_strategy()

  @parameterized.named_parameters(*CASES.items())
  def test_two_replicas_follow_the_one_device_trajectory(self, make_gan):
    one_device, one_history = _train(tf.distribute.get_strategy(), make_gan)
    mirrored, mirrored_history = _train(self.strategy, make_gan)
    self.assertEqual(self.strategy.num_replicas_in_sync, 2)
    for a, b in zip(_weights(one_device), _weights(mirrored)):
      self.assertAllClose(a, b, rtol=1e-4, atol=1e-5)
    for name in one_history:
      self.assertAllClose(one_history[name], mirrored_history[name], rtol=1e-4, atol=1e-5)

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


def _free_ports(count):
  sockets = [socket.socket() for _ in range(count)]
  for sock in sockets:
    sock.bind(("127.0.0.1", 0))
  ports = [sock.getsockname()[1] for sock in sockets]
  for sock in sockets:
    sock.close()
  return ports


class MultiWorkerTest(tf.test.TestCase):

  def test_two_worker_processes_end_with_identical_weights(self):
    workers = [f"localhost:{port}" for port in _free_ports(2)]
    directory = self.create_tempdir().full_path
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "multi_worker_main.py")
    processes = []
    for index in range(2):
      env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3", TF_CONFIG=json.dumps(
          {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
      processes.append(subprocess.Popen(
          [sys.executable, script, os.path.join(directory, f"worker{index}.npz")], env=env,
          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for process in processes:
      output, _ = process.communicate(timeout=300)
      self.assertEqual(process.returncode, 0, output[-3000:])
    results = [np.load(os.path.join(directory, f"worker{index}.npz")) for index in range(2)]
    self.assertEqual([bool(r["chief"]) for r in results], [True, False])
    self.assertEqual([int(r["steps"]) for r in results], [3, 3])
    names = [name for name in results[0].files if name.startswith("w")]
    self.assertGreater(len(names), 4)
    for name in names:
      self.assertAllEqual(results[0][name], results[1][name])


if __name__ == "__main__":
  tf.test.main()
