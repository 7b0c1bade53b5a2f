"""Launcher subprocesses without TensorFlow's import each time: a fork server for the tests.

Importing TensorFlow costs about 6 s of CPU on the project's 2-core machines, once for every
launcher a test starts. `serve` imports TensorFlow once (no device, eager context or gRPC
starts at import; 3 idle OS threads exist after it) and forks a child per request;
the child runs the launcher script as `python script.py args` would (`__main__`, sys.argv,
sys.path[0], the request's environment and working directory, its own stdin/stdout/stderr).

`run` is what a test starts in place of `python script.py args`: a small client (no
TensorFlow) that hands its stdin/stdout/stderr to the server, forwards SIGTERM and SIGINT to
the child and exits as the child did (a signal's death included). When the client is
killed (SIGKILL), the server kills the child. So `subprocess.run`/`Popen` keep every
semantic the tests use: exit codes, pipes, signals, pids to wait on.

What a warm child cannot show is TensorFlow's import itself (its start-up lines, the
launchers' hiding of them): tests of a first command's console start cold processes.
"""

import array
import atexit
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

# Variables TensorFlow reads while it is imported: one server per combination.
IMPORT_TIME_VARIABLES = ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "PYTHONPATH",
                         "CUDA_VISIBLE_DEVICES", "TF_XLA_FLAGS", "XLA_FLAGS", "PYTHONHASHSEED")
_STATUS = struct.Struct("!ii")   # (pid, 0) when started; (exit code, signal) at its end


def _send_with_fds(connection, payload, fds):
  connection.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])


def _receive_with_fds(connection, size=1 << 20, max_fds=3):
  fds = array.array("i")
  message, ancillary, _, _ = connection.recvmsg(size, socket.CMSG_LEN(max_fds * fds.itemsize))
  for level, kind, data in ancillary:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
      fds.frombytes(data[:len(data) - (len(data) % fds.itemsize)])
  return message, list(fds)


def _receive_exactly(connection, size):
  data = b""
  while len(data) < size:
    chunk = connection.recv(size - len(data))
    if not chunk:
      raise ConnectionError("the warm-python server went away")
    data += chunk
  return data


# ---- in the test process ------------------------------------------------------------------

COLD_VARIABLE = "TFWGAN_TESTS_COLD_PYTHON"   # set (to anything): every launcher starts cold
_SERVERS = {}   # import-time variables → (server process, socket address)


def _server_address(env):
  """The socket of a server started with `env`'s import-time variables (started if needed)."""
  env = os.environ if env is None else env
  key = tuple(env.get(name) for name in IMPORT_TIME_VARIABLES)
  if key in _SERVERS and _SERVERS[key][0].poll() is None:
    return _SERVERS[key][1]
  server_env = {name: value for name, value in os.environ.items()
                if name not in IMPORT_TIME_VARIABLES}
  server_env.update({name: value for name, value in zip(IMPORT_TIME_VARIABLES, key)
                     if value is not None})
  # A launcher run without TF_CPP_MIN_LOG_LEVEL sets 2 before importing TensorFlow
  # (launchers/quiet_tensorflow.py); the child then gets the variable as its caller gave it.
  server_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
  directory = tempfile.mkdtemp(prefix="tfwgan-warm-python-")
  address = os.path.join(directory, "socket")
  log = open(os.path.join(directory, "server.log"), "w+")   # pylint: disable=consider-using-with
  server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", address],
                            env=server_env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
  deadline = time.time() + 300
  while not os.path.exists(address):
    if server.poll() is not None or time.time() > deadline:
      log.seek(0)
      raise RuntimeError(f"the warm-python server did not start: {log.read()[-2000:]}")
    time.sleep(0.05)

  def stop():
    server.kill()
    server.wait()
    shutil.rmtree(directory, ignore_errors=True)
  atexit.register(stop)
  _SERVERS[key] = (server, address)
  return address


def _is_cold(cold):
  return cold or bool(os.environ.get(COLD_VARIABLE))


def _client(script, args, env, pid_fd="-"):
  """The client's command line for `python script args` (`pid_fd`: see `run`)."""
  return [sys.executable, os.path.abspath(__file__), "run", _server_address(env), str(pid_fd),
          script, *args]


def command(script, *args, env, cold=False):
  """The command that runs `python script args` with environment `env`: forked from a warm
  server, or (`cold`, or COLD_VARIABLE set) a new interpreter. For subprocess.run; to
  signal the process, use `start`."""
  if _is_cold(cold):
    return [sys.executable, script, *args]
  return _client(script, args, env)


class _WarmPopen(subprocess.Popen):
  """A Popen of the client whose signals go to the child that runs the script (so a
  SIGKILL stops the script at once, and `wait()` returns once it is gone)."""

  def __init__(self, args, pid_read, **kwargs):
    super().__init__(args, **kwargs)
    self._pid_read, self._child = pid_read, None

  def _child_pid(self):
    if self._child is None:
      data = b""
      while len(data) < 4:
        chunk = os.read(self._pid_read, 4 - len(data))
        if not chunk:
          break
        data += chunk
      os.close(self._pid_read)
      self._child = struct.unpack("!i", data)[0] if len(data) == 4 else 0
    return self._child

  def send_signal(self, sig):
    if self.poll() is None and self._child_pid() > 0:
      try:
        os.kill(self._child, sig)
        return
      except ProcessLookupError:
        pass
    super().send_signal(sig)


def start(script, *args, env, cold=False, **popen_kwargs):
  """subprocess.Popen of `python script args` (see `command`)."""
  if _is_cold(cold):
    return subprocess.Popen(command(script, *args, env=env, cold=True), env=env,
                            **popen_kwargs)
  pid_read, pid_write = os.pipe()
  try:
    return _WarmPopen(_client(script, args, env, pid_write), pid_read, env=env,
                      pass_fds=(pid_write,), **popen_kwargs)
  finally:
    os.close(pid_write)


# ---- client -------------------------------------------------------------------------------

def run(address, pid_fd, script, args):
  """Runs `script args` in a child of the server at `address`; returns as the child did.
  `pid_fd`: a file descriptor (or "-") the child's pid is written to, so that a test can
  signal the child itself (`start`)."""
  connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  connection.connect(address)
  request = json.dumps({"script": os.path.abspath(script), "args": args,
                        "env": dict(os.environ), "cwd": os.getcwd()}).encode()
  _send_with_fds(connection, struct.pack("!I", len(request)) + request, [0, 1, 2])
  pid, _ = _STATUS.unpack(_receive_exactly(connection, _STATUS.size))
  if pid_fd != "-":
    os.write(int(pid_fd), struct.pack("!i", pid))
    os.close(int(pid_fd))
  forward = lambda number, frame: os.kill(pid, number)
  for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(number, forward)
  code, killed_by = _STATUS.unpack(_receive_exactly(connection, _STATUS.size))
  if killed_by:   # die the same way
    if killed_by not in (signal.SIGKILL, signal.SIGSTOP):
      signal.signal(killed_by, signal.SIG_DFL)
    os.kill(os.getpid(), killed_by)
  sys.exit(code)


# ---- server -------------------------------------------------------------------------------

def _child(request, fds, listener, connections):
  """In the forked child: becomes `python script args` and never returns."""
  code = 1
  try:
    listener.close()
    for connection in connections:
      connection.close()
    for target, fd in enumerate(fds):
      os.dup2(fd, target)
      os.close(fd)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGHUP,
                   signal.SIGQUIT):
      signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.set_wakeup_fd(-1)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import tempfile as temporary_files  # pylint: disable=g-import-not-at-top
    temporary_files.tempdir = None   # from this TMPDIR, not the server's
    script = request["script"]
    sys.argv = [script, *request["args"]]
    sys.path[0] = os.path.dirname(script)
    import runpy  # pylint: disable=g-import-not-at-top
    try:
      runpy.run_path(script, run_name="__main__")
      code = 0
    except SystemExit as exit_:
      if exit_.code is None:
        code = 0
      elif isinstance(exit_.code, int):
        code = exit_.code
      else:
        print(exit_.code, file=sys.stderr)
        code = 1
    except BaseException:  # pylint: disable=broad-except
      import traceback  # pylint: disable=g-import-not-at-top
      traceback.print_exc()
      code = 1
    import threading  # pylint: disable=g-import-not-at-top
    threading._shutdown()   # pylint: disable=protected-access  (as the interpreter's exit)
    import atexit  # pylint: disable=g-import-not-at-top
    atexit._run_exitfuncs()   # pylint: disable=protected-access
  finally:
    for stream in (sys.stdout, sys.stderr):
      try:
        stream.flush()
      except Exception:  # pylint: disable=broad-except
        pass
    os._exit(code)   # pylint: disable=protected-access


def serve(address):
  """Imports TensorFlow, then forks a child per request on the Unix socket `address`."""
  import selectors  # pylint: disable=g-import-not-at-top
  import numpy  # pylint: disable=g-import-not-at-top,unused-import
  import tensorflow  # pylint: disable=g-import-not-at-top,unused-import
  import keras  # pylint: disable=g-import-not-at-top,unused-import
  import tensorboard.summary.v2  # pylint: disable=g-import-not-at-top,unused-import
  from tensorboard.plugins.hparams import api  # pylint: disable=g-import-not-at-top,unused-import
  parent = os.getppid()
  listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
  listener.bind(address + ".tmp")
  listener.listen(16)
  os.rename(address + ".tmp", address)   # ready: clients may connect
  wakeup_read, wakeup_write = os.pipe()
  os.set_blocking(wakeup_write, False)
  signal.set_wakeup_fd(wakeup_write)
  signal.signal(signal.SIGCHLD, lambda *_: None)
  selector = selectors.DefaultSelector()
  selector.register(listener, selectors.EVENT_READ, "listener")
  selector.register(wakeup_read, selectors.EVENT_READ, "children")
  children = {}   # pid → its client's connection
  while True:
    for key, _ in selector.select(timeout=5.0):
      if key.data == "listener":
        connection, _ = listener.accept()
        message, fds = _receive_with_fds(connection)
        size, = struct.unpack("!I", message[:4])
        body = message[4:]
        while len(body) < size:
          body += connection.recv(size - len(body))
        request = json.loads(body)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
          _child(request, fds, listener, list(children.values()) + [connection])
        for fd in fds:
          os.close(fd)
        connection.sendall(_STATUS.pack(pid, 0))
        children[pid] = connection
        selector.register(connection, selectors.EVENT_READ, pid)
      elif key.data == "children":
        os.read(wakeup_read, 4096)
      else:   # a client's connection closed (killed): its child goes too
        pid = key.data
        selector.unregister(key.fileobj)
        if pid in children:
          os.kill(pid, signal.SIGKILL)
    while children:
      try:
        pid, status = os.waitpid(-1, os.WNOHANG)
      except ChildProcessError:
        break
      if pid == 0:
        break
      connection = children.pop(pid, None)
      if connection is None:
        continue
      try:
        selector.unregister(connection)
      except (KeyError, ValueError):
        pass
      result = ((os.WEXITSTATUS(status), 0) if os.WIFEXITED(status)
                else (0, os.WTERMSIG(status)))
      try:
        connection.sendall(_STATUS.pack(*result))
      except OSError:
        pass
      connection.close()
    if os.getppid() != parent:   # the test process ended
      for pid in children:
        os.kill(pid, signal.SIGKILL)
      os.unlink(address)
      return


if __name__ == "__main__":
  if sys.argv[1] == "serve":
    serve(sys.argv[2])
  else:
    run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
