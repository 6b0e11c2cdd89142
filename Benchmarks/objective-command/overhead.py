#!/usr/bin/env python3
"""What the objective-command protocol costs over calling a NumPy objective in process.

For D = 10, 100 and 1000 and batches of N = 1000 points (and N = 64, one
estimator block, the size of most of MCGrad's requests), times

  (a) f itself: the vectorised Rosenbrock of python/examples/rosenbrock_objective.py
      called in this process on an (N, D) array, and
  (b) a round trip through the protocol: a client (this process, standing in for
      MCGrad) writes one request frame to the serve() process over a pipe and reads
      its reply, which includes the server's own call of f,

each as the median of repeated calls, with and without gradients, and prints the
protocol's overhead, (b) − (a), per batch, per evaluation (point) and as a
fraction of f's own time. The client here is Python; MCGrad's side of a frame
(CommandObjective) copies each block's points from the estimator's buffers
straight into the shared region (or the pipe) and the values straight back,
one copy each way, as this client does (since 2026-12-04; before, a merged
frame was first gathered into a buffer of its own, a second copy). Usage: overhead.py [--repeats R]
[--pipe-size BYTES] [--sizes NxD,...] [--statistic median|min] [--slices K]
(K > 1: the two timings alternate in K slices, and the overhead is the median
of the slices' paired ratios with a 95% interval). MCGrad now sends
frames of 1,024 samples (2,048 points for es and mvd) with 1 MiB pipes; the
README gives the overhead at those sizes (--statistic min, two runs per pipe
size). The table below is the first run, with 64 KiB pipes and medians.

On the 2-core development VM (2026-12-01, shared with two builds: load average
about 4, so expect ±30% between runs):

        N      D   reply  f in process µs  round trip µs  overhead µs  overhead/f  µs/eval in process  µs/eval via protocol
     1000     10       f             97.0          213.4        116.5        1.20               0.097                 0.213
     1000     10   f, ∇f            211.9          407.2        195.3        0.92               0.212                 0.407
     1000    100       f           1360.6         1740.0        379.4        0.28               1.361                 1.740
     1000    100   f, ∇f           4131.5         5405.8       1274.3        0.31               4.132                 5.406
     1000   1000       f          11229.1        14467.0       3237.9        0.29              11.229                14.467
     1000   1000   f, ∇f          40195.9        41716.8       1520.9        0.04              40.196                41.717
       64     10       f             27.9           68.6         40.7        1.46               0.435                 1.072
       64     10   f, ∇f             59.4          132.2         72.8        1.23               0.929                 2.066
       64    100       f             40.8           98.5         57.7        1.41               0.638                 1.540
       64    100   f, ∇f            104.0          241.1        137.1        1.32               1.625                 3.767
       64   1000       f            247.0         1275.1       1028.0        4.16               3.860                19.923
       64   1000   f, ∇f            533.5         3547.1       3013.6        5.65               8.336                55.423

Read it as: a frame costs a fixed 20–100 µs (two process wake-ups and Python's
per-call work on both sides) plus moving the points through a 64 KiB pipe:
about 0.4 ms per MB in big frames, but about 2 ms per MB for a 0.5 MB frame
(64 points at D = 1000), where each 64 KiB hand-over waits for the other
process. For a cheap f at D = 10 the protocol doubles the time per
evaluation; for D ≥ 100 at N = 1000 it adds 4–31% to a NumPy f; with MCGrad's
64-point blocks it costs 1–4 µs per evaluation for D ≤ 100, and 4–6× a cheap
f's own time at D = 1000.
"""

import argparse
import fcntl
import mmap
import os
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SERVER = os.path.join(ROOT, "python", "examples", "rosenbrock_objective.py")
sys.path.insert(0, os.path.dirname(SERVER))
from rosenbrock_objective import rosenbrock, rosenbrock_gradient  # noqa: E402
sys.path.insert(0, os.path.dirname(HERE))
from stats import median_interval  # noqa: E402


class Client:
    """MCGrad's side of the protocol, over raw pipe file descriptors."""

    def __init__(self, dimension, pipe_size=0, shared=False):
        self.process = subprocess.Popen([sys.executable, SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        bufsize=0)
        self.out, self.inp = self.process.stdin.fileno(), self.process.stdout.fileno()
        if pipe_size:
            # F_SETPIPE_SZ, as MCGrad's ChildProcess sets it: fewer hand-overs per frame.
            for fd in (self.out, self.inp):
                fcntl.fcntl(fd, 1031, pipe_size)
        self.dimension = dimension
        self.region = None
        offer = b""
        if shared:
            # As MCGrad's SharedFrameRegion: room for 2,048 points with gradients, the name removed after the handshake.
            path = "/dev/shm/mcgrad-overhead-%d" % os.getpid()
            size = 8 * 2048 * (2 * dimension + 1)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            os.ftruncate(fd, size)
            self.region = mmap.mmap(fd, size)
            os.close(fd)
            offer = b',"sharedMemory":"%s","sharedBytes":%d' % (path.encode(), size)
        hello = b'{"protocol":"mcgrad-objective","version":1,"dimension":%d,"gradient":true%s}\n' % (dimension, offer)
        os.write(self.out, hello)
        answer = self.process.stdout.readline()
        if shared:
            os.unlink(path)
            assert b'"sharedMemory":true' in answer, answer
        assert b'"gradient":true' in answer, answer

    def _write(self, data):
        view = memoryview(data).cast("B")
        while view:
            view = view[os.write(self.out, view):]

    def _read_into(self, array):
        view = memoryview(array).cast("B")
        while view:
            count = os.readv(self.inp, [view])
            if count == 0:
                raise EOFError("the server exited")
            view = view[count:]

    def evaluate(self, points, values, gradients=None):
        if self.region is not None:
            # MCGrad's side in shared memory: copy the points in, a 16-byte header, an 8-byte answer, copy out.
            n, d = points.shape
            frame = np.frombuffer(self.region, dtype=np.float64, count=n * (1 + d + (0 if gradients is None else d)))
            frame[: n * d] = points.reshape(-1)
            self._write(struct.pack("<QQ", n, 2 | (0 if gradients is None else 1)))
            answer = np.empty(1, dtype=np.uint64)
            self._read_into(answer)
            assert answer[0] == n
            values[:] = frame[n * d : n * (d + 1)]
            if gradients is not None:
                gradients.reshape(-1)[:] = frame[n * (d + 1) :]
            return
        self._write(struct.pack("<QQ", len(points), 0 if gradients is None else 1))
        self._write(points)
        self._read_into(values)
        if gradients is not None:
            self._read_into(gradients)

    def close(self):
        self._write(struct.pack("<QQ", 0, 0))
        status = self.process.wait(timeout=10)
        assert status == 0, status


STATISTIC = statistics.median


def median_seconds(call, repeats):
    """The median (or, with --statistic min, the least) wall time of `call`, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return STATISTIC(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=0, help="calls per timing (default: about 0.3 s worth)")
    parser.add_argument("--pipe-size", type=int, default=1 << 20,
                        help="pipe capacity in bytes, as MCGrad sets it (default 1 MiB; 0: the system's 64 KiB)")
    parser.add_argument("--sizes", default="1000x10,1000x100,1000x1000,2048x100,2048x1000,64x10,64x100,64x1000",
                        help="N×D cells, comma-separated")
    parser.add_argument("--transports", default="pipes,shared",
                        help="pipes (the frames through the pipes) and/or shared (through shared memory, the default "
                             "with the Python helper since 2026-12-02)")
    parser.add_argument("--statistic", choices=["median", "min"], default="median",
                        help="median (default), or min: the least time, which other processes' load inflates least")
    parser.add_argument("--slices", type=int, default=1,
                        help="K > 1: time f in process and the round trip in K alternating slices and give the "
                             "median of the K paired overhead/f ratios with a 95%% interval (the VM's speed drifts "
                             "between two long timings; a slice pairs the two under the same conditions)")
    arguments = parser.parse_args()
    global STATISTIC
    STATISTIC = min if arguments.statistic == "min" else statistics.median
    rows = []
    for n, d in [tuple(int(v) for v in cell.split("x")) for cell in arguments.sizes.split(",")]:
        x = np.random.default_rng(1).normal(0.5, 0.3, size=(n, d))
        values, gradients = np.empty(n), np.empty((n, d))
        clients = {t: Client(d, arguments.pipe_size, shared=t == "shared") for t in arguments.transports.split(",")}
        for (transport, client), with_gradient in [(c, g) for g in (False, True) for c in clients.items()]:
            if with_gradient:
                def local():
                    rosenbrock(x)
                    rosenbrock_gradient(x)

                def remote():
                    client.evaluate(x, values, gradients)
            else:
                def local():
                    rosenbrock(x)

                def remote():
                    client.evaluate(x, values)
            probe = median_seconds(local, 3)
            slices = max(1, arguments.slices)
            repeats = arguments.repeats or max(5, min(2000, int(0.3 / slices / max(probe, 1e-6))))
            locals_, remotes = [], []
            for k in range(slices):
                pair = [(locals_, local), (remotes, remote)]
                for times, call in pair if k % 2 == 0 else reversed(pair):
                    times.append(median_seconds(call, repeats))
            assert np.allclose(values, rosenbrock(x), rtol=1e-12, atol=0)
            ratios = [r / l - 1 for l, r in zip(locals_, remotes)]
            rows.append((n, d, transport, "f, ∇f" if with_gradient else "f", statistics.median(locals_),
                         statistics.median(remotes), median_interval(ratios) if slices > 1 else None))
        for client in clients.values():
            client.close()

    print(f"objective-command protocol overhead: vectorised NumPy Rosenbrock, times per batch of N points "
          f"({arguments.statistic}s), Python {sys.version.split()[0]}, NumPy {np.__version__}, pipe capacity "
          f"{arguments.pipe_size or 65536} bytes")
    if arguments.slices > 1:
        print(f"{arguments.slices} alternating slices per cell; times are medians over slices; overhead/f is the "
              f"median of the slices' paired ratios [95% interval]")
    print()
    widths = (5, 5, 9, 6, 15, 13, 11, 10, 18, 20, 17)
    header = ("N", "D", "transport", "reply", "f in process µs", "round trip µs", "overhead µs", "overhead/f",
              "µs/eval in process", "µs/eval via protocol", "95% interval")
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, widths)))
    for n, d, transport, reply, t_local, t_remote, paired in rows:
        overhead = t_remote - t_local
        ratio, interval = (overhead / t_local, "") if paired is None else (paired[0], f"[{paired[1]:.2f}, {paired[2]:.2f}]")
        cells = (f"{n}", f"{d}", transport, reply, f"{t_local * 1e6:.1f}", f"{t_remote * 1e6:.1f}", f"{overhead * 1e6:.1f}",
                 f"{ratio:.2f}", f"{t_local * 1e6 / n:.3f}", f"{t_remote * 1e6 / n:.3f}", interval)
        print("  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)))


if __name__ == "__main__":
    main()
