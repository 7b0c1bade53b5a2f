r"""RWP paper, Prop. 5: one W2-proximal generator step vs one Euclidean step, two weighted deltas.

  python experiments/prop5_two_deltas.py [--output_dir=experiments/results]

Latent z ~ N(0, 1); the generator puts mass α at θ₁ (z < Φ⁻¹(α)) and 1 − α at θ₂; the data is
δ₀, so the W1 loss is F(θ) = α|θ₁| + (1 − α)|θ₂| and f(x) = −|x| is an optimal critic.
Closed forms, with shrink(t, τ) = sign(t)·max(|t| − τ, 0):
  Euclidean proximal  argmin F(θ) + ‖θ − θk‖²/(2h)           → θᵢ = shrink(θkᵢ, h·pᵢ)
  W2 proximal (RWP)   argmin F(θ) + E_z|g_θ(z) − g_θk(z)|²/(2h) → θᵢ = shrink(θkᵢ, h)
so the W2 step lowers F at least as much, and strictly more when a coordinate is not
already shrunk to 0 by both. The library run is one outer iteration of `tfwgan.GAN`'s
train_step with `RWP(h, generator_steps)`: ℓ Adam steps (cosine-decayed learning rate),
fresh z each step, on F + the library's proximal term, against the frozen copy g_θk.
Writes `prop5.md` (the table) and `prop5.png` (F after one step vs h) to --output_dir.
"""

import os
import sys

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

flags.DEFINE_string("output_dir", "experiments/results", "Where prop5.md and prop5.png go.")
flags.DEFINE_list("h", ["0.1", "0.3", "1.0", "3.0"], "Proximal step sizes.")
flags.DEFINE_list("alpha", ["0.1", "0.25", "0.5", "0.75", "0.9"], "Mass α on the first atom.")
flags.DEFINE_list("theta", ["1.0", "-2.0"], "The generator before the step, θk = (θk₁, θk₂).")
flags.DEFINE_integer("generator_steps", 60, "ℓ: optimizer steps of the one proximal step.")
flags.DEFINE_integer("batch_size", 4096, "Latents per generator step.")
FLAGS = flags.FLAGS


def shrink(values, threshold):
  import numpy as np  # pylint: disable=g-import-not-at-top
  return np.sign(values) * np.maximum(np.abs(values) - threshold, 0.0)


def w1_loss(theta, alpha):
  return alpha * abs(theta[0]) + (1.0 - alpha) * abs(theta[1])


def two_atom_generator(alpha, theta):
  """g_θ(z) = θ₁ if z < Φ⁻¹(α) else θ₂, as a clonable Keras model (RWP copies it)."""
  import keras  # pylint: disable=g-import-not-at-top
  from scipy import special  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top

  class TwoAtoms(keras.layers.Layer):

    def __init__(self, threshold, **kwargs):
      super().__init__(**kwargs)
      self.threshold = float(threshold)

    def build(self, input_shape):
      self.atoms = self.add_weight(shape=(2,), initializer="zeros", name="atoms")

    def call(self, z):
      first = z[:, :1] < self.threshold
      return tf.where(first, self.atoms[0], self.atoms[1])

    def get_config(self):
      return {**super().get_config(), "threshold": self.threshold}

  generator = keras.Sequential([keras.Input((1,)), TwoAtoms(special.ndtri(alpha))])
  generator.layers[0].atoms.assign(theta)
  return generator


def w1_critic():
  """f(x) = −c·|x| with c = 1: E_δ₀ f − E_g f = E|g(z)| = F(θ), so −E f(g) is F.

  c is a trainable weight held at 1 by the critic optimizer's zero learning rate (the
  model needs a trainable critic); the critic is exact, no critic training is needed.
  """
  import keras  # pylint: disable=g-import-not-at-top
  return keras.Sequential([keras.Input((1,)), keras.layers.Lambda(lambda x: -abs(x)),
                           keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")])


def library_step(alpha, h, theta, *, generator_steps, batch_size):
  """θ after one outer iteration of tfwgan's RWP train_step from θk = theta."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tfwgan  # pylint: disable=g-import-not-at-top
  gan = tfwgan.GAN(two_atom_generator(alpha, theta), w1_critic(), 1, loss="wasserstein",
                   proximal=tfwgan.RWP(h, generator_steps), critic_steps=1, seed=0)
  schedule = keras.optimizers.schedules.CosineDecay(0.1 * max(h, 1.0), generator_steps)
  gan.compile(generator_optimizer=keras.optimizers.Adam(schedule),
              critic_optimizer=keras.optimizers.SGD(0.0))
  gan.train_on_batch(np.zeros((batch_size, 1), np.float32))
  return gan.generator.layers[0].atoms.numpy().astype(np.float64)


def run(h_values, alphas, theta, *, generator_steps, batch_size):
  """One row per (h, α): F before, after the Euclidean and W2 closed forms, after the library."""
  import numpy as np  # pylint: disable=g-import-not-at-top
  rows = []
  for h in h_values:
    for alpha in alphas:
      weights = np.array([alpha, 1.0 - alpha])
      euclidean, w2 = shrink(theta, h * weights), shrink(theta, h)
      library = library_step(alpha, h, theta, generator_steps=generator_steps,
                             batch_size=batch_size)
      rows.append(dict(h=h, alpha=alpha, before=w1_loss(theta, alpha),
                       euclidean=w1_loss(euclidean, alpha), w2=w1_loss(w2, alpha),
                       library=w1_loss(library, alpha),
                       library_error=float(np.max(np.abs(library - w2)))))
  return rows


def write_table(rows, path, theta, generator_steps):
  lines = [f"θk = ({theta[0]:g}, {theta[1]:g}); library: one RWP outer iteration, "
           f"ℓ = {generator_steps} Adam steps.\n",
           "| h | α | F(θk) | F after Euclidean step | F after W2 step (closed form) | "
           "F after library step | max |θ_library − θ_W2| |", "|---|---|---|---|---|---|---|"]
  for row in rows:
    lines.append(f"| {row['h']:g} | {row['alpha']:g} | {row['before']:.4f} | "
                 f"{row['euclidean']:.4f} | {row['w2']:.4f} | {row['library']:.4f} | "
                 f"{row['library_error']:.1e} |")
  with open(path, "w", encoding="utf-8") as file:
    file.write("\n".join(lines) + "\n")


def plot(rows, path):
  import matplotlib  # pylint: disable=g-import-not-at-top
  matplotlib.use("Agg")
  from matplotlib import pyplot  # pylint: disable=g-import-not-at-top
  figure, axes = pyplot.subplots(figsize=(6.4, 4.2))
  for index, alpha in enumerate(sorted({row["alpha"] for row in rows})):
    chosen = [row for row in rows if row["alpha"] == alpha]
    h = [row["h"] for row in chosen]
    color = f"C{index}"
    axes.plot(h, [row["euclidean"] for row in chosen], "--", color=color)
    axes.plot(h, [row["w2"] for row in chosen], "-", color=color, label=f"α = {alpha:g}")
    axes.plot(h, [row["library"] for row in chosen], "o", color=color, markersize=4)
  axes.set(xscale="log", xlabel="h", ylabel="W1 loss after one proximal step",
           title="Prop. 5: W2 (solid; dots: tfwgan RWP) vs Euclidean (dashed)")
  axes.legend(fontsize="small")
  figure.tight_layout()
  figure.savefig(path, dpi=120)


def main(argv):
  del argv
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.get_logger().setLevel("ERROR")  # each cell is a new model: its retracing is expected
  theta = np.array([float(value) for value in FLAGS.theta])
  if theta.shape != (2,):
    raise app.UsageError(f"--theta={FLAGS.theta}: give exactly two values, θk₁,θk₂.")
  rows = run([float(h) for h in FLAGS.h], [float(a) for a in FLAGS.alpha], theta,
             generator_steps=FLAGS.generator_steps, batch_size=FLAGS.batch_size)
  os.makedirs(FLAGS.output_dir, exist_ok=True)
  write_table(rows, os.path.join(FLAGS.output_dir, "prop5.md"), theta, FLAGS.generator_steps)
  plot(rows, os.path.join(FLAGS.output_dir, "prop5.png"))
  with open(os.path.join(FLAGS.output_dir, "prop5.md"), encoding="utf-8") as file:
    print(file.read())


if __name__ == "__main__":
  app.run(main)
