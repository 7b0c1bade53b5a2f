"""Shared test helpers: analytic critics and tiny networks."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # pylint: disable=g-import-not-at-top
import numpy as np


def linear_critic(weights):
  """f(x) = w·x as a Keras model: ∇f = w everywhere, so every penalty is analytic."""
  weights = np.asarray(weights, dtype=np.float32)
  layer = keras.layers.Dense(1, use_bias=False)
  model = keras.Sequential([keras.Input((len(weights),)), layer])
  layer.kernel.assign(weights.reshape(-1, 1))
  return model


def tiny_mlp_pair(latent_dim=2, data_dim=2, hidden_units=16):
  """A small MLP generator and critic for fast model tests."""
  from tfwgan import networks  # pylint: disable=g-import-not-at-top
  return (networks.mlp_generator(latent_dim, data_dim, hidden_units=hidden_units,
                                 hidden_layers=2),
          networks.mlp_critic(data_dim, hidden_units=hidden_units, hidden_layers=2))
