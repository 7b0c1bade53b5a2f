r"""Outer iterations per second: tfwgan vs a keras.io-style train_step vs PyTorch, side by side.

  python bench/train_step.py [--cases=toy,dcgan] [--methods=wgan_gp,wgan_gp+rwp,...]
                             [--repeats=5] [--iterations=2] [--step_ratios] [--roofline]

Every implementation runs in its own spawned process (its own peak RSS, no shared
framework state); runs are interleaved and each figure is the median of the repeats.
- keras.io-style: the "WGAN-GP overriding Model.train_step" example's structure, written
  below on the same networks (stock Keras layers), batch and Adam(1e-4, 0.5, 0.9): a Python
  loop over the critic steps inside Keras' compiled train_step, one nested tape for the
  penalty, G(z) recomputed for the generator step.
- tfwgan: `tfwgan.training.build_gan` for the method, timed through `train_on_batch`.
- PyTorch (if importable): the same WGAN-GP loop in eager PyTorch (NCHW).
Methods are timed in groups, each group interleaved with its own keras.io-style runs;
"speed" is keras.io-style time / implementation time (higher is faster).
`--step_ratios`: one critic step with each penalty vs without, one RWP generator step vs
a plain one. `--roofline`: fp32 matmul GFLOP/s of this CPU vs the GFLOP/s a WGAN-GP outer
iteration reaches (forward FLOPs counted from the layer shapes; backward = 2× forward).
"""

import sys

from absl import app
from absl import flags

sys.path.insert(0, __file__.rsplit("/", 2)[0])
from bench import common  # pylint: disable=g-import-not-at-top,wrong-import-position

ALL_METHODS = [f"{method}{proximal}" for method in
               ("wgan_gp", "wgan_lp", "wgan_clip", "dragan", "standard", "wwgan")
               for proximal in ("", "+rwp")]
flags.DEFINE_list("cases", ["toy", "dcgan"], "toy (MLP 3×512, batch 256, 10 critic steps) "
                  "and/or dcgan (DCGAN-32 DIM 64, batch 64, 5 critic steps).")
flags.DEFINE_list("methods", ALL_METHODS, "tfwgan methods (+rwp: with RWP, h = 0.1, ℓ = 1); "
                  "wwgan runs on images only.")
flags.DEFINE_integer("repeats", 5, "Timed repeats (interleaved) of each measurement.")
flags.DEFINE_integer("iterations", 2, "Outer iterations per timed repeat.")
flags.DEFINE_integer("group_size", 4, "tfwgan methods timed side by side with one baseline.")
flags.DEFINE_bool("outer_iterations", True, "Time whole outer iterations (the main table).")
flags.DEFINE_bool("pytorch", True, "Add the PyTorch eager column where torch is importable.")
flags.DEFINE_bool("step_ratios", True, "Time single critic/generator steps (issue #7 ratios).")
flags.DEFINE_bool("roofline", True, "Print matmul peak vs achieved GFLOP/s per case.")
FLAGS = flags.FLAGS

CASES = {"toy": dict(batch=256, critic_steps=10, latent=2, shape=(2,), dataset="8gaussians"),
         "dcgan": dict(batch=64, critic_steps=5, latent=128, shape=(32, 32, 3),
                       dataset="cifar10")}
PENALTIES = {"toy": ("gp", "lp", "dragan"), "dcgan": ("gp", "lp", "dragan", "w2")}


def _real_data(case):
  import numpy as np  # pylint: disable=g-import-not-at-top
  spec = CASES[case]
  return np.random.default_rng(0).uniform(
      -1, 1, size=(spec["batch"] * spec["critic_steps"],) + spec["shape"]).astype(np.float32)


def _config(case, method):
  from tfwgan import config as config_lib  # pylint: disable=g-import-not-at-top
  spec = CASES[case]
  name, _, proximal = method.partition("+")
  return config_lib.RunConfig(method=name, dataset=spec["dataset"], latent_dim=spec["latent"],
                              batch_size=spec["batch"], critic_steps=spec["critic_steps"],
                              proximal=proximal or "none", h=0.1, generator_steps=1, seed=0)


def _with_stock_activations(model):
  """The same network (same weights) with Keras' own LeakyReLU, as the examples write it."""
  import keras  # pylint: disable=g-import-not-at-top
  from tfwgan import activations  # pylint: disable=g-import-not-at-top

  def clone(layer):
    if isinstance(layer, activations.LeakyReLU):
      return keras.layers.LeakyReLU(layer.negative_slope)
    return layer.__class__.from_config(layer.get_config())
  stock = keras.models.clone_model(model, clone_function=clone)
  stock.set_weights(model.get_weights())
  return stock


def _timed_train_steps(model, case):
  """A callable running `iterations` outer iterations through Keras' compiled train function
  (train_on_batch: no fit() set-up is timed)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  data = tf.constant(_real_data(case))

  def run(iterations):
    for _ in range(iterations):
      model.train_on_batch(data)
  return run


def keras_io_worker(case, iterations):
  """The keras.io WGAN-GP example's train_step structure (ε from U[0, 1] here)."""
  import keras  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  spec = CASES[case]
  keras.utils.set_random_seed(0)
  generator, critic = training.build_networks(_config(case, "wgan_gp"), spec["shape"])
  critic = _with_stock_activations(critic)
  latent_dim, critic_steps = spec["latent"], spec["critic_steps"]

  class KerasIOWGAN(keras.Model):

    def __init__(self):
      super().__init__()
      self.generator, self.critic = generator, critic
      self.built = True

    def compile(self, d_optimizer, g_optimizer):
      super().compile(optimizer=None, jit_compile=False)
      self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
      d_optimizer.build(critic.trainable_variables)
      g_optimizer.build(generator.trainable_variables)

    def gradient_penalty(self, batch_size, real, fake):
      alpha = tf.random.uniform([batch_size, 1] + [1] * (len(real.shape) - 2))
      interpolated = real + alpha * (fake - real)
      with tf.GradientTape() as gp_tape:
        gp_tape.watch(interpolated)
        pred = self.critic(interpolated, training=True)
      grads = gp_tape.gradient(pred, [interpolated])[0]
      norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape)))))
      return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
      if isinstance(real_images, tuple):
        real_images = real_images[0]
      batch_size = tf.shape(real_images)[0] // critic_steps
      for i in range(critic_steps):
        real = real_images[i * batch_size:(i + 1) * batch_size]
        z = tf.random.normal([batch_size, latent_dim])
        with tf.GradientTape() as tape:
          fake = self.generator(z, training=True)
          fake_logits = self.critic(fake, training=True)
          real_logits = self.critic(real, training=True)
          d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
          d_loss = d_cost + 10.0 * self.gradient_penalty(batch_size, real, fake)
        d_gradient = tape.gradient(d_loss, self.critic.trainable_variables)
        self.d_optimizer.apply_gradients(zip(d_gradient, self.critic.trainable_variables))
      z = tf.random.normal([batch_size, latent_dim])
      with tf.GradientTape() as tape:
        g_loss = -tf.reduce_mean(self.critic(self.generator(z, training=True), training=True))
      g_gradient = tape.gradient(g_loss, self.generator.trainable_variables)
      self.g_optimizer.apply_gradients(zip(g_gradient, self.generator.trainable_variables))
      return {"d_loss": d_loss, "g_loss": g_loss}

  model = KerasIOWGAN()
  adam = lambda: keras.optimizers.Adam(1e-4, 0.5, 0.9)
  model.compile(d_optimizer=adam(), g_optimizer=adam())
  run = _timed_train_steps(model, case)
  return lambda: run(iterations)


def tfwgan_worker(case, method, iterations):
  import keras  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  run = _timed_train_steps(training.build_gan(_config(case, method), CASES[case]["shape"]), case)
  return lambda: run(iterations)


def pytorch_worker(case, iterations):
  """The same WGAN-GP outer iteration in eager PyTorch (Adam(1e-4, 0.5, 0.9), NCHW)."""
  import torch  # pylint: disable=g-import-not-at-top
  from torch import nn  # pylint: disable=g-import-not-at-top
  torch.manual_seed(0)
  spec = CASES[case]
  batch, latent = spec["batch"], spec["latent"]
  if case == "toy":
    def mlp(inputs, outputs):
      layers = []
      for width in (inputs, 512, 512):
        layers += [nn.Linear(width, 512), nn.LeakyReLU(0.2)]
      return nn.Sequential(*layers, nn.Linear(512, outputs))
    generator, critic = mlp(latent, 2), mlp(2, 1)
    real_data = torch.from_numpy(_real_data(case))
  else:
    dim = 64
    generator = nn.Sequential(
        nn.Linear(latent, 4 * 4 * 4 * dim, bias=False), nn.BatchNorm1d(4 * 4 * 4 * dim),
        nn.ReLU(), nn.Unflatten(1, (4 * dim, 4, 4)),
        nn.ConvTranspose2d(4 * dim, 2 * dim, 5, 2, 2, output_padding=1, bias=False),
        nn.BatchNorm2d(2 * dim), nn.ReLU(),
        nn.ConvTranspose2d(2 * dim, dim, 5, 2, 2, output_padding=1, bias=False),
        nn.BatchNorm2d(dim), nn.ReLU(),
        nn.ConvTranspose2d(dim, 3, 5, 2, 2, output_padding=1), nn.Tanh())
    critic = nn.Sequential(
        nn.Conv2d(3, dim, 5, 2, 2), nn.LeakyReLU(0.2), nn.Conv2d(dim, 2 * dim, 5, 2, 2),
        nn.LeakyReLU(0.2), nn.Conv2d(2 * dim, 4 * dim, 5, 2, 2), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(4 * 4 * 4 * dim, 1))
    real_data = torch.from_numpy(_real_data(case)).permute(0, 3, 1, 2).contiguous()
  adam = lambda net: torch.optim.Adam(net.parameters(), 1e-4, betas=(0.5, 0.9))
  generator_optimizer, critic_optimizer = adam(generator), adam(critic)

  def outer_iteration():
    for step in range(spec["critic_steps"]):
      real = real_data[step * batch:(step + 1) * batch]
      with torch.no_grad():
        fake = generator(torch.randn(batch, latent))
      epsilon = torch.rand([batch] + [1] * (real.dim() - 1))
      points = (epsilon * real + (1 - epsilon) * fake).requires_grad_(True)
      gradients, = torch.autograd.grad(critic(points).sum(), points, create_graph=True)
      penalty = ((gradients.flatten(1).norm(dim=1) - 1) ** 2).mean()
      critic_optimizer.zero_grad()
      (critic(fake).mean() - critic(real).mean() + 10.0 * penalty).backward()
      critic_optimizer.step()
    generator_optimizer.zero_grad()
    (-critic(generator(torch.randn(batch, latent))).mean()).backward()
    generator_optimizer.step()

  def run():
    for _ in range(iterations):
      outer_iteration()
  return run


def _single_step_gan(case, penalty, proximal, stock_activations=False):
  import keras  # pylint: disable=g-import-not-at-top
  import tfwgan  # pylint: disable=g-import-not-at-top
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  keras.utils.set_random_seed(0)
  spec = CASES[case]
  generator, critic = training.build_networks(_config(case, "wgan_gp"), spec["shape"])
  if stock_activations:
    critic = _with_stock_activations(critic)
  gan = tfwgan.GAN(generator, critic, spec["latent"], penalty=penalty, proximal=proximal,
                   seed=0)
  adam = lambda: keras.optimizers.Adam(1e-4, 0.5, 0.9)
  gan.compile(generator_optimizer=adam(), critic_optimizer=adam())
  return gan


def critic_step_worker(case, penalty, compute_precision="float32", stock_activations=False):
  """One compiled critic update of tfwgan's GAN (Wasserstein loss, the given penalty)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfwgan import precision  # pylint: disable=g-import-not-at-top
  with precision.policy(compute_precision):
    gan = _single_step_gan(case, None if penalty == "none" else penalty, None,
                           stock_activations)
  real = tf.constant(_real_data(case)[:CASES[case]["batch"]])

  @tf.function(jit_compile=False)
  def step():
    gan._random.start_step(gan.outer_iterations)  # pylint: disable=protected-access
    gan._critic_update(real)  # pylint: disable=protected-access
  return step


def generator_step_worker(case, proximal):
  """One compiled generator update, plain or with RWP (h = 0.1), anchor refresh excluded."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import tfwgan  # pylint: disable=g-import-not-at-top
  gan = _single_step_gan(case, "gp", tfwgan.RWP(0.1, 1) if proximal == "rwp" else None)
  batch = CASES[case]["batch"]

  @tf.function(jit_compile=False)
  def step():
    gan._random.start_step(gan.outer_iterations)  # pylint: disable=protected-access
    gan._generator_update(batch, None)  # pylint: disable=protected-access
  return step


def matmul_worker(size):
  """fp32 TF matmul of two size × size matrices, compiled, result not copied: the CPU's peak."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  a = tf.random.normal([size, size])
  product = tf.function(lambda: tf.reduce_sum(tf.matmul(a, a)), autograph=False)
  return lambda: product().numpy()


def forward_flops(model):
  """Multiply-adds × 2 of one example's forward pass (Dense, Conv2D, Conv2DTranspose)."""
  import keras  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  total = 0
  for layer in model.layers:
    if isinstance(layer, keras.layers.Dense):
      total += 2 * np.prod(layer.kernel.shape)
    elif isinstance(layer, keras.layers.Conv2DTranspose):   # per input position
      total += 2 * np.prod(layer.input.shape[1:3]) * np.prod(layer.kernel.shape)
    elif isinstance(layer, keras.layers.Conv2D):            # per output position
      total += 2 * np.prod(layer.output.shape[1:3]) * np.prod(layer.kernel.shape)
  return int(total)


def wgan_gp_outer_iteration_flops(case):
  """Least FLOPs of one WGAN-GP outer iteration, with backward = 2 × forward.

  Critic step: G forward; critic on real and fake forward + backward (6C); penalty:
  forward, input gradient, and its backward (4C). Generator step: G forward + backward
  (3G), critic forward and input gradient (2C).
  """
  from tfwgan import training  # pylint: disable=g-import-not-at-top
  spec = CASES[case]
  generator, critic = training.build_networks(_config(case, "wgan_gp"), spec["shape"])
  g, c = forward_flops(generator), forward_flops(critic)
  return spec["batch"] * (spec["critic_steps"] * (g + 10 * c) + 3 * g + 2 * c)


def _time_workers(workers, repeats):
  timed = {name: common.Worker(*spec) for name, spec in workers.items()}
  try:
    medians = common.interleaved_medians(timed, repeats=repeats, warmup=1)
    return medians, {name: worker.peak_rss_mib() for name, worker in timed.items()}
  finally:
    for worker in timed.values():
      worker.close()


def _torch_available():
  try:
    import torch  # pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    return False
  return True


def outer_iteration_rows(case):
  """Table rows, and {"keras.io-style": ms, "tfwgan": ms} of the group timing WGAN-GP."""
  methods = [m for m in FLAGS.methods if case != "toy" or not m.startswith("wwgan")]
  use_torch = FLAGS.pytorch and _torch_available()
  rows, wgan_gp_group, ms = [], {}, lambda seconds: seconds / FLAGS.iterations * 1e3
  for start in range(0, len(methods), FLAGS.group_size):
    group = methods[start:start + FLAGS.group_size]
    workers = {"keras.io-style": (keras_io_worker, case, FLAGS.iterations)}
    if start == 0:  # an A/A control: how far two processes of the same code differ
      workers["keras.io-style, 2nd process"] = (keras_io_worker, case, FLAGS.iterations)
    if use_torch and start == 0:
      workers["PyTorch eager"] = (pytorch_worker, case, FLAGS.iterations)
    for method in group:
      workers[f"tfwgan {method}"] = (tfwgan_worker, case, method, FLAGS.iterations)
    medians, rss = _time_workers(workers, FLAGS.repeats)
    base = medians["keras.io-style"]
    for name, seconds in medians.items():
      rows.append(_progress(f"| {case} | {name} | {ms(seconds):.1f} ms | {ms(base):.1f} ms | "
                            f"{base / seconds:.2f}× | {rss[name]:.0f} MiB |"))
    if "tfwgan wgan_gp" in medians:
      wgan_gp_group = {"keras.io-style": ms(base), "tfwgan": ms(medians["tfwgan wgan_gp"])}
  return rows, wgan_gp_group


def _progress(row):
  """Prints a finished row at once (to stderr; the tables go to stdout at the end)."""
  print(row, file=sys.stderr, flush=True)
  return row


def step_ratio_rows(case):
  workers = {f"critic step, {p}": (critic_step_worker, case, p)
             for p in ("none",) + PENALTIES[case]}
  workers["critic step, gp, Keras LeakyReLU"] = (critic_step_worker, case, "gp", "float32",
                                                  True)
  workers["critic step, gp, mixed_bfloat16"] = (critic_step_worker, case, "gp",
                                                 "mixed_bfloat16")
  workers.update({f"generator step, {p}": (generator_step_worker, case, p)
                  for p in ("plain", "rwp")})
  medians, rss = _time_workers(workers, FLAGS.repeats * 3)
  rows = []
  for name, seconds in medians.items():
    kind = name.split(",")[0]
    base = medians["critic step, none" if kind == "critic step" else "generator step, plain"]
    rows.append(_progress(f"| {case} | {name} | {seconds * 1e3:.1f} ms | "
                          f"{seconds / base:.2f}× | {rss[name]:.0f} MiB |"))
  return rows


def roofline_rows(case, keras_io_ms, tfwgan_ms):
  medians, _ = _time_workers({"matmul": (matmul_worker, 4096)}, FLAGS.repeats * 3)
  peak = 2 * 4096 ** 3 / medians["matmul"] / 1e9
  flops = wgan_gp_outer_iteration_flops(case)
  achieved = lambda ms: flops / (ms / 1e3) / 1e9
  return [f"| {case} | {flops / 1e9:.1f} GFLOP | {peak:.0f} GFLOP/s | "
          f"{achieved(keras_io_ms):.0f} GFLOP/s ({achieved(keras_io_ms) / peak:.0%}) | "
          f"{achieved(tfwgan_ms):.0f} GFLOP/s ({achieved(tfwgan_ms) / peak:.0%}) |"]


def main(argv):
  del argv
  outer, steps, roofline = [], [], []
  for case in FLAGS.cases:
    wgan_gp_group = {}
    if FLAGS.outer_iterations:
      rows, wgan_gp_group = outer_iteration_rows(case)
      outer += rows
    if FLAGS.step_ratios:
      steps += step_ratio_rows(case)
    if FLAGS.roofline and wgan_gp_group:
      roofline += roofline_rows(case, wgan_gp_group["keras.io-style"], wgan_gp_group["tfwgan"])
  if outer:
    print("| case | implementation | per outer iteration (median) | keras.io-style, same group "
          "| speed vs keras.io-style | peak RSS |\n|---|---|---|---|---|---|")
    print("\n".join(outer))
  if steps:
    print("\n| case | step | median | ratio to the unregularised step | peak RSS |\n"
          "|---|---|---|---|---|")
    print("\n".join(steps))
  if roofline:
    print("\n| case | WGAN-GP outer iteration | fp32 matmul peak | keras.io-style reaches | "
          "tfwgan reaches |\n|---|---|---|---|---|")
    print("\n".join(roofline))


if __name__ == "__main__":
  app.run(main)
