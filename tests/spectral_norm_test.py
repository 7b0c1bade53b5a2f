import os

import test_utils

import keras
import numpy as np
from absl.testing import parameterized
import tensorflow as tf

import tfwgan
from tfwgan import spectral_norm


def _wrapped(layer, input_shape, seed=0):
  model = keras.Sequential([keras.Input(input_shape), layer])
  keras.utils.set_random_seed(seed)
  return spectral_norm.apply(model)


LAYERS = {   # name → (layer, input shape, the kernel as [fan-in, outputs])
    "dense": (lambda: keras.layers.Dense(3), (5,), lambda w: w),
    "conv2d": (lambda: keras.layers.Conv2D(4, 3), (6, 6, 2), lambda w: w.reshape(-1, 4)),
    # [h, w, out, in]: its outputs on the second to last axis (PyTorch's dim=1).
    "conv2d_transpose": (lambda: keras.layers.Conv2DTranspose(4, 3), (6, 6, 2),
                         lambda w: np.swapaxes(w, -1, -2).reshape(-1, 4)),
    "embedding": (lambda: keras.layers.Embedding(7, 3), (1,), lambda w: w),
}


class SpectralNormalizationTest(tf.test.TestCase, parameterized.TestCase):
  """Miyato et al. 2018, §2.1–2.2 and Alg. 1."""

  @parameterized.named_parameters(*((name, name) for name in LAYERS))
  def test_sigma_converges_to_the_largest_singular_value_of_the_kernel_matrix(self, name):
    make, shape, as_matrix = LAYERS[name]
    model = _wrapped(make(), shape)
    layer = spectral_norm.layers_of(model)[0]
    kernel = (layer.layer.embeddings if name == "embedding" else layer.layer.kernel).numpy()
    expected = np.linalg.svd(as_matrix(kernel), compute_uv=False)[0]
    before = float(layer.sigma())
    for _ in range(200):
      spectral_norm.power_iteration(model)
    self.assertAllClose(float(layer.sigma()), expected, rtol=1e-4)
    self.assertNotAllClose(before, expected, rtol=1e-3)   # the iteration did the work
    if name == "conv2d_transpose":   # the other axis would give another matrix's σ
      other = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
      self.assertGreater(abs(other - expected), 0.01)

  def test_one_sgd_step_differentiates_through_w_over_sigma_with_u_and_v_held(self):
    # L(W) = Σ x·W/σ(W), σ = vᵀWu (W as [fan-in, outputs]) with u, v from one power
    # iteration: ∂L/∂W = (Σ xᵀ1)/σ − (L/σ)·v uᵀ. Keras' layer stops the gradient at W/σ
    # (the second term missing); a gradient through u and v would differ too.
    model = _wrapped(keras.layers.Dense(3, use_bias=False), (4,), seed=3)
    layer = spectral_norm.layers_of(model)[0]
    w = layer.layer.kernel.numpy().astype(np.float64)
    u0 = layer.u.numpy().astype(np.float64)
    x = np.random.default_rng(0).normal(size=(5, 4))
    spectral_norm.power_iteration(model)
    v = w @ u0 / np.linalg.norm(w @ u0)
    u = w.T @ v / np.linalg.norm(w.T @ v)
    sigma = v @ w @ u
    loss = np.sum(x @ w) / sigma
    expected = np.outer(x.sum(0), np.ones(3)) / sigma - (loss / sigma) * np.outer(v, u)
    with tf.GradientTape() as tape:
      value = tf.reduce_sum(model(x.astype(np.float32), training=True))
    gradient = tape.gradient(value, layer.layer.kernel).numpy()
    self.assertAllClose(float(value), loss, rtol=1e-5)
    self.assertAllClose(gradient, expected, rtol=1e-4, atol=1e-6)
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.apply_gradients([(tf.constant(gradient), layer.layer.kernel)])
    self.assertAllClose(layer.layer.kernel.numpy(), w - 0.1 * expected, rtol=1e-4, atol=1e-6)

  def test_bias_and_activation_come_after_w_over_sigma_by_hand(self):
    # tanh(x·W/σ + b): the bias is not divided, the layer's tanh applied once, after.
    dense = keras.layers.Dense(2, activation="tanh", bias_initializer="ones")
    model = _wrapped(dense, (3,), seed=4)
    layer = spectral_norm.layers_of(model)[0]
    self.assertEqual(keras.activations.serialize(dense.activation), "tanh")   # unchanged
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    w, b = dense.kernel.numpy(), dense.bias.numpy()
    sigma = float(layer.sigma())
    self.assertAllClose(model(x), np.tanh(x @ w / sigma + b), rtol=1e-5, atol=1e-6)

  def test_calls_never_move_u_and_v_and_they_round_trip(self):
    model = _wrapped(keras.layers.Conv2D(3, 3, activation="tanh"), (5, 5, 1))
    layer = spectral_norm.layers_of(model)[0]
    x = tf.random.stateless_normal([2, 5, 5, 1], [0, 1])
    held = [layer.u.numpy(), layer.v.numpy()]
    for training in (True, False):
      model(x, training=training)
    model.stateless_call(model.trainable_variables, model.non_trainable_variables, x,
                         training=True)
    self.assertAllEqual(layer.u.numpy(), held[0])
    self.assertAllEqual(layer.v.numpy(), held[1])
    spectral_norm.power_iteration(model)
    self.assertNotAllClose(layer.u.numpy(), held[0])
    outputs = model(x).numpy()
    self.assertTrue(np.all(np.abs(outputs) <= 1.0))   # the layer's tanh after W/σ
    root = self.create_tempdir().full_path
    checkpoint = tf.train.Checkpoint(model=model)
    path = checkpoint.save(os.path.join(root, "ckpt"))
    saved = [layer.u.numpy(), layer.v.numpy()]
    spectral_norm.power_iteration(model)
    checkpoint.restore(path).assert_existing_objects_matched()
    self.assertAllEqual(layer.u.numpy(), saved[0])
    self.assertAllEqual(layer.v.numpy(), saved[1])
    model.save(os.path.join(root, "model.keras"))        # what an export's generator.keras is
    loaded = keras.models.load_model(os.path.join(root, "model.keras"), safe_mode=True)
    self.assertAllClose(loaded(x), outputs, rtol=1e-6)

  def test_one_power_iteration_per_critic_update_not_per_critic_call(self):
    # A WGAN-GP critic update calls the critic three times (real, fake, interpolates); at a
    # learning rate of 0, W stays put and u after one update is one iteration from u₀.
    keras.utils.set_random_seed(0)
    generator, critic = test_utils.tiny_mlp_pair()
    critic = spectral_norm.apply(critic)
    layers = spectral_norm.layers_of(critic)
    expected = []
    for layer in layers:
      w, u0 = spectral_norm.kernel_matrix(layer.layer).numpy(), layer.u.numpy()
      v = w @ u0 / np.linalg.norm(w @ u0)
      expected.append(w.T @ v / np.linalg.norm(w.T @ v))
    gan = tfwgan.WGANGP(generator, critic, 2, critic_steps=1, seed=0)
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0),
                critic_optimizer=keras.optimizers.SGD(0.0))
    gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8), steps_per_epoch=1, verbose=0)
    for layer, u in zip(layers, expected):
      self.assertAllClose(layer.u.numpy(), u, rtol=1e-5, atol=1e-6)

  def test_rwp_with_a_spectrally_normalised_generator_has_no_term_at_the_phase_start(self):
    # ℓ = 1: the one generator step of a phase is at θ = θk−1, where g_θk−1 must compute
    # what the generator computes (with the same u, v: the TRAPS.md anchor trap).
    generator, critic = test_utils.tiny_mlp_pair()
    gan = test_utils.compile_gan(tfwgan.GAN(
        spectral_norm.apply(generator), spectral_norm.apply(critic), 2, loss="hinge",
        critic_steps=1, seed=0, proximal=tfwgan.RWP(0.1, generator_steps=1)))
    history = gan.fit(tfwgan.data.toy_dataset("8gaussians", batch_size=8), epochs=2,
                      steps_per_epoch=2, verbose=0).history
    self.assertEqual(history["proximal"], [0.0, 0.0])
    z = tf.random.stateless_normal([4, 2], [1, 2])
    gan.generator_anchor.refresh()
    self.assertAllEqual(gan.generator_anchor(z, training=True), gan.generator(z, training=True))

  def test_only_dense_conv_and_embedding_layers(self):
    with self.assertRaisesRegex(ValueError, r"layer='bn': spectral normalisation takes "
                                r"\['Dense', 'Conv2D', 'Conv2DTranspose', 'Embedding'\], not "
                                r"BatchNormalization\."):
      spectral_norm.SpectralNormalization(keras.layers.BatchNormalization(name="bn"))


if __name__ == "__main__":
  tf.test.main()
