"""Every public function of tfwgan.proximal, tfwgan.penalties, tfwgan.losses and
tfwgan.evaluation takes NumPy arrays, and gives what it gives for the same tensors."""

import inspect

import test_utils

import numpy as np
import tensorflow as tf

import tfwgan
from tfwgan import losses
from tfwgan import penalties
from tfwgan import proximal

RNG = np.random.default_rng(0)
IMAGES = RNG.uniform(-1, 1, (4, 16, 16, 1)).astype(np.float32)
OTHER_IMAGES = RNG.uniform(-1, 1, (4, 16, 16, 1)).astype(np.float32)
POINTS = RNG.normal(size=(12, 3)).astype(np.float32)
OTHER_POINTS = RNG.normal(size=(12, 3)).astype(np.float32)
SCORES, OTHER_SCORES = RNG.normal(size=12).astype(np.float32), RNG.normal(size=12).astype(
    np.float32)
LOGITS = RNG.normal(size=(20, 5)).astype(np.float32)
LINEAR = test_utils.linear_critic([0.5, -1.0, 2.0])


def _image_critic():
  import keras  # pylint: disable=g-import-not-at-top
  return keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(),
                           keras.layers.Dense(1, kernel_initializer="ones")])


CRITIC = _image_critic()
RNG_SEEDED = lambda: tf.random.Generator.from_seed(3)


def _seeded_swd(a):
  np.random.seed(0)
  tf.random.set_seed(0)
  return tfwgan.evaluation.sliced_wasserstein_distance(
      real_images=a(np.repeat(IMAGES, 4, axis=0)),
      generated_images=a(np.repeat(OTHER_IMAGES, 4, axis=0)))


# name → call(a), where `a` turns an array into the argument (np.asarray or a tensor).
CALLS = {
    "proximal.rwp_proximal_term": lambda a: proximal.rwp_proximal_term(a(POINTS), a(OTHER_POINTS),
                                                                       0.5),
    "proximal.potential_gradient_energy": lambda a: proximal.potential_gradient_energy(
        LINEAR, a(POINTS)),
    "proximal.sbe_potential_objective": lambda a: proximal.sbe_potential_objective(
        LINEAR, a(POINTS), a(OTHER_POINTS), h=0.5),
    "proximal.sbe_anchor_baseline": lambda a: proximal.sbe_anchor_baseline(LINEAR, a(POINTS)),
    "proximal.sbe_generator_term": lambda a: proximal.sbe_generator_term(LINEAR, a(POINTS), 0.5),
    "proximal.check": lambda a: proximal.check(None),
    "penalties.l2_norm": lambda a: penalties.l2_norm(a(POINTS)),
    "penalties.squared_gradient_norm_at": lambda a: penalties.squared_gradient_norm_at(
        LINEAR, a(POINTS)),
    "penalties.r1_penalty": lambda a: penalties.r1_penalty(LINEAR, a(POINTS)),
    "penalties.r2_penalty": lambda a: penalties.r2_penalty(LINEAR, a(OTHER_POINTS)),
    "losses.hinge_critic_loss": lambda a: losses.hinge_critic_loss(a(SCORES), a(OTHER_SCORES)),
    "losses.hinge_generator_loss": lambda a: losses.hinge_generator_loss(a(SCORES)),
    "losses.least_squares_critic_loss": lambda a: losses.least_squares_critic_loss(
        a(SCORES), a(OTHER_SCORES)),
    "losses.least_squares_generator_loss": lambda a: losses.least_squares_generator_loss(
        a(SCORES)),
    "penalties.wasserstein2_squared_norm": lambda a: penalties.wasserstein2_squared_norm(
        a(IMAGES), a(OTHER_IMAGES)),
    "penalties.wasserstein2_norm": lambda a: penalties.wasserstein2_norm(a(IMAGES),
                                                                         a(OTHER_IMAGES)),
    "penalties.input_gradients": lambda a: penalties.input_gradients(LINEAR, a(POINTS)),
    "penalties.penalty_at": lambda a: penalties.penalty_at(LINEAR, a(POINTS)),
    "penalties.interpolates": lambda a: penalties.interpolates(a(POINTS), a(OTHER_POINTS),
                                                               rng=RNG_SEEDED()),
    "penalties.gaussian_perturbation": lambda a: penalties.gaussian_perturbation(
        a(POINTS), std=0.5, rng=RNG_SEEDED()),
    "penalties.dragan_points": lambda a: penalties.dragan_points(a(POINTS), rng=RNG_SEEDED()),
    "penalties.gradient_penalty": lambda a: penalties.gradient_penalty(
        LINEAR, a(POINTS), a(OTHER_POINTS), rng=RNG_SEEDED()),
    "penalties.lipschitz_penalty": lambda a: penalties.lipschitz_penalty(
        LINEAR, a(POINTS), a(OTHER_POINTS), sampling="perturb_both", rng=RNG_SEEDED()),
    "penalties.dragan_penalty": lambda a: penalties.dragan_penalty(LINEAR, a(POINTS),
                                                                   rng=RNG_SEEDED()),
    "penalties.wasserstein2_gradient_penalty": lambda a: penalties.wasserstein2_gradient_penalty(
        CRITIC, a(IMAGES), a(OTHER_IMAGES), rng=RNG_SEEDED()),
    "penalties.clip_weights": lambda a: penalties.clip_weights(_image_critic(), 0.01),
    "penalties.get": lambda a: penalties.get(None).name,
    "losses.wasserstein_critic_loss": lambda a: losses.wasserstein_critic_loss(a(SCORES),
                                                                               a(OTHER_SCORES)),
    "losses.wasserstein_generator_loss": lambda a: losses.wasserstein_generator_loss(a(SCORES)),
    "losses.non_saturating_critic_loss": lambda a: losses.non_saturating_critic_loss(
        a(SCORES), a(OTHER_SCORES)),
    "losses.non_saturating_generator_loss": lambda a: losses.non_saturating_generator_loss(
        a(SCORES)),
    "losses.get": lambda a: losses.get("wasserstein").estimates_wasserstein,
    "evaluation.emd": lambda a: tfwgan.evaluation.emd(a(POINTS), a(OTHER_POINTS)),
    "evaluation.evaluate": lambda a: tfwgan.evaluation.evaluate(
        lambda z: z[:, :3] * 0.5, [a(POINTS)], num_samples=12, batch_size=6, latent_dim=3),
    "evaluation.noise_floor": lambda a: tfwgan.evaluation.noise_floor(
        [a(np.concatenate([POINTS, OTHER_POINTS]))], num_samples=12),
    "evaluation.fid_from_activations": lambda a: tfwgan.evaluation.fid_from_activations(
        a(POINTS), a(OTHER_POINTS)),
    "evaluation.frechet_distance": lambda a: tfwgan.evaluation.frechet_distance(
        a(POINTS.mean(0)), a(np.cov(POINTS.T)), a(OTHER_POINTS.mean(0)), a(np.cov(OTHER_POINTS.T))),
    "evaluation.fid_from_statistics": lambda a: tfwgan.evaluation.fid_from_statistics(
        tfwgan.evaluation.Statistics().update(a(POINTS)),
        tfwgan.evaluation.Statistics().update(a(OTHER_POINTS))),
    "evaluation.inception_score_from_logits": lambda a: tuple(
        tfwgan.evaluation.inception_score_from_logits(a(LOGITS))),
    "evaluation.kid_from_activations": lambda a: tfwgan.evaluation.kid_from_activations(
        a(POINTS), a(OTHER_POINTS)),
    "evaluation.kid_over_subsets": lambda a: tfwgan.evaluation.kid_over_subsets(
        a(POINTS), a(OTHER_POINTS)),
    "evaluation.precision_recall": lambda a: tuple(tfwgan.evaluation.precision_recall(
        real_features=a(POINTS), generated_features=a(OTHER_POINTS))),
    "evaluation.density_coverage": lambda a: tuple(tfwgan.evaluation.density_coverage(
        real_features=a(POINTS), generated_features=a(OTHER_POINTS))),
    "evaluation.sliced_wasserstein_distance": lambda a: [
        tuple(level) for level in _seeded_swd(a).values()],
}
MODULES = {"proximal": proximal, "penalties": penalties, "losses": losses,
           "evaluation": tfwgan.evaluation}


def _public_functions():
  names = []
  for prefix, module in MODULES.items():
    for name, member in inspect.getmembers(module, inspect.isfunction):
      defined_here = member.__module__ == module.__name__ or prefix == "evaluation"
      if not name.startswith("_") and defined_here:
        names.append(f"{prefix}.{name}")
  return sorted(names)


def _as_numbers(value):
  return [np.asarray(leaf, np.float64) if not isinstance(leaf, str) else leaf
          for leaf in tf.nest.flatten(value)]


class NumpyInputsTest(tf.test.TestCase):

  def test_the_table_covers_every_public_function(self):
    self.assertCountEqual(CALLS, _public_functions())

  def test_numpy_arrays_give_what_tensors_give(self):
    for name, call in CALLS.items():
      with self.subTest(name):
        from_numpy = _as_numbers(call(np.asarray))
        from_tensors = _as_numbers(call(tf.convert_to_tensor))
        self.assertEqual(len(from_numpy), len(from_tensors))
        for got, want in zip(from_numpy, from_tensors):
          if isinstance(want, str):
            self.assertEqual(got, want)
          else:
            self.assertAllClose(got, want, rtol=1e-6, atol=1e-6)


if __name__ == "__main__":
  tf.test.main()
