"""Serve a NumPy objective to MCGrad over the objective-command protocol.

MCGrad starts the objective's script once, as ``/bin/sh -c CMD``, and sends it
whole batches of points; ``serve`` runs the command's side of the protocol
(docs/objective-protocol.md): the handshake, then one call of ``f`` (and of
``gradient`` when MCGrad asks for it) per batch, until MCGrad sends the end
frame, when it exits with status 0. Example (``python3 sphere.py`` is then
the command, for any dimension)::

    import numpy as np
    from mcgrad_objective import serve

    serve(lambda x: np.sum(x * x, axis=1),      # x: (N, D) float64 -> (N,)
          gradient=lambda x: 2 * x)             # -> (N, D)

Batches have up to 1,024 samples (2,048 points for antithetic pairs and
MVD's p⁺ and p⁻; fewer above D = 128, about 1 MiB of points), so ``f`` should be
vectorised over the first axis. Only this module uses the standard streams:
while ``serve`` runs, ``print`` and anything else written to file descriptor
1 go to standard error, which MCGrad passes through to the user, and
standard input reads nothing. An exception
in ``f`` prints its traceback there and exits with status 1; MCGrad then
reports that the command exited. If MCGrad is killed (SIGKILL) while f runs,
the helper ends itself and its process group at once instead of finishing f.

Needs only the standard library and NumPy.
"""

import ctypes
import json
import mmap
import os
import select
import signal
import struct
import sys
import threading

import numpy as np

PROTOCOL = "mcgrad-objective"
VERSION = 1
GRADIENT_FLAG = 1
SHARED_FLAG = 2
_HEADER = struct.Struct("<QQ")
_COUNT = struct.Struct("<Q")


def _fail(message):
    sys.stderr.write(f"mcgrad_objective: {message}\n")
    sys.stderr.flush()
    sys.exit(1)


def _read_exactly(stream, view):
    """Fills ``view`` from ``stream``; returns the number of bytes read (short only at end of file)."""
    filled = 0
    while filled < len(view):
        count = stream.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


_FLOAT64 = np.dtype("<f8")


def _as_rows(result, shape, what):
    """``result`` as a C-contiguous little-endian float64 array of exactly ``shape``.

    The shape itself is checked, not only the size: a gradient returned as (D, N)
    instead of (N, D) has the right size and would pair every point with another
    point's coordinates."""
    if result is None:
        _fail(f"{what} returned None: expected an array of shape {shape} (does it end with a return?)")
    if np.iscomplexobj(result):
        _fail(f"{what} returned complex numbers: expected real float64")
    try:
        array = np.asarray(result)
        returned = array.shape  # ascontiguousarray makes a scalar's () into (1,)
        array = np.ascontiguousarray(array, dtype=_FLOAT64)
    except (TypeError, ValueError):
        _fail(f"{what} returned a {type(result).__name__}, not numbers: expected an array of shape {shape}")
    if returned == ():
        _fail(f"{what} returned one number for {shape[0]} points: expected an array of shape {shape}")
    if array.shape != shape:
        _fail(f"{what} returned shape {array.shape} for {shape[0]} points: expected {shape}")
    return array


def _map_shared(hello):
    """The region MCGrad offered in its handshake, mapped, or None (not offered, or unusable here)."""
    path, size = hello.get("sharedMemory"), hello.get("sharedBytes")
    if not isinstance(path, str) or not isinstance(size, int) or size <= 0 or sys.byteorder != "little":
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_size < size:
            return None
        return mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)


def _keep_freed_memory():
    """Asks the C allocator to keep memory that is freed instead of handing it back.

    With glibc's defaults a vectorised NumPy f whose temporaries are large
    (about 1 MB and more) returns their memory to the system at every call
    (the top of the heap is trimmed, or the blocks are unmapped) and takes a
    page fault for every 4 KiB of it at the next: the NumPy Rosenbrock at
    D = 100, N = 1,000 ran 0.8-1.0 ms per call so, 0.19-0.22 ms with the memory
    kept (README, "Your own objective, in any language"). Sets glibc's
    M_TRIM_THRESHOLD (never shrink the heap) and M_MMAP_THRESHOLD (blocks up
    to 1 GiB from the heap, not fresh mappings); the process then keeps its
    peak memory. Returns whether the allocator took both (False where it is
    not glibc's).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return mallopt(M_TRIM_THRESHOLD, 2**31 - 1) == 1 and mallopt(M_MMAP_THRESHOLD, 1 << 30) == 1


class _Orphaning:
    """Ends this process when MCGrad goes while f runs.

    MCGrad ends the command's process group when it stops, on any path it
    lives to see; killed by SIGKILL it cannot, and a command busy in a long
    f would run on until f returned and it read the end of its input. A
    daemon thread waits for the request pipe's hang-up (poll with no events:
    POLLHUP, reported once no writer is left); during a call of f or
    gradient it ends the process at once, with its process group when this
    process leads it (the simple command MCGrad started as a group of its
    own), and between calls it marks the process so that no further call
    starts. MCGrad never closes the pipe while a request is unanswered, so a
    hang-up during a call means it has gone.
    """

    def __init__(self, descriptor):
        self._lock = threading.Lock()
        self._calling = False
        self._gone = False
        try:
            self._poll = select.poll()
            self._poll.register(descriptor, 0)
        except (AttributeError, OSError, ValueError):
            return                                      # no poll here: as before
        threading.Thread(target=self._watch, name="mcgrad-orphaning", daemon=True).start()

    def _watch(self):
        while True:
            try:
                events = self._poll.poll()
            except InterruptedError:
                continue
            if any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events):
                break
        with self._lock:
            self._gone = True
            if self._calling:
                _end_orphaned()

    def call(self, function, points):
        with self._lock:
            if self._gone:
                _end_orphaned()
            self._calling = True
        try:
            return function(points)
        finally:
            with self._lock:
                self._calling = False


def _end_orphaned():
    # The message may not be writable (standard error on a full device, or a pipe to a reader
    # that went with MCGrad, such as mpirun): nothing may stop the ending.
    try:
        os.write(2, b"mcgrad_objective: MCGrad has gone; ending f's call\n")
    except BaseException:  # noqa: BLE001
        pass
    try:
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)
    finally:
        os._exit(1)


def serve(f, gradient=None, dimension=None, shared_memory=True, keep_memory=True):
    """Answers MCGrad's requests with ``f`` and, if given, ``gradient``, then exits.

    f: maps an (N, D) float64 array to N values.
    gradient: maps an (N, D) float64 array to the (N, D) gradients of f; when it
        is None, the command refuses gradients and MCGrad uses f alone.
    dimension: the D the objective is written for; MCGrad's dimension is refused
        with a message if it differs. None accepts any D.
    shared_memory: take the region of shared memory MCGrad offers, so that the
        points, values and gradients of a frame do not go through the pipes
        (docs/objective-protocol.md, "Shared memory"); f then receives a
        read-only view of the points in that region, which the next frame
        overwrites: copy the points (``x.copy()``) to keep them beyond the
        call. False uses the pipes only (f then gets an array of its own).
    keep_memory: keep memory that f frees in this process instead of returning
        it to the system after every call, so that NumPy's large temporaries
        cost no page faults (glibc only; elsewhere nothing changes). Made the
        NumPy Rosenbrock 2-4x faster per call at N = 1,000, D >= 100, and
        `mcgrad estimate` through the command about 2x faster at D = 100; the
        process then keeps its peak memory. On by default since 2026-12-03
        (the process serves one f on frames of one size until MCGrad ends
        it); False gives freed memory back, for an f with a rare huge
        temporary.

    Exits with status 0 at MCGrad's end frame or when its standard input closes.
    """
    if dimension is not None and (isinstance(dimension, bool) or not isinstance(dimension, (int, np.integer))
                                  or dimension < 1):
        raise ValueError(f"dimension {dimension!r}: expected None or an integer >= 1")
    if keep_memory:
        _keep_freed_memory()
    # The protocol keeps the original standard streams; file descriptor 1 (and so
    # print and any C library that writes there) becomes standard error, and
    # file descriptor 0 reads /dev/null, so that f cannot consume requests.
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb")
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)

    line = requests.readline(4096)
    if not line.endswith(b"\n"):
        _fail("no handshake line from MCGrad on standard input")
    try:
        hello = json.loads(line)
    except ValueError as error:
        _fail(f"the handshake line is not JSON ({error})")
    if not isinstance(hello, dict) or hello.get("protocol") != PROTOCOL or hello.get("version") != VERSION:
        _fail(f"expected a {PROTOCOL} version {VERSION} handshake, got {line!r}")
    d = hello.get("dimension")
    if not isinstance(d, int) or d < 1:
        _fail(f"the handshake's dimension is {d!r}: expected an integer >= 1")

    def answer(**members):
        replies.write(json.dumps({"protocol": PROTOCOL, "version": VERSION, **members},
                                 separators=(",", ":")).encode() + b"\n")
        replies.flush()

    if dimension is not None and d != dimension:
        answer(error=f"this objective is written for dimension {dimension}, not {d}")
        sys.exit(1)
    agreed = bool(hello.get("gradient")) and gradient is not None
    region = _map_shared(hello) if shared_memory else None
    answer(gradient=agreed, sharedMemory=region is not None)

    orphaning = _Orphaning(requests.fileno())
    header = bytearray(_HEADER.size)
    try:
        while True:
            got = _read_exactly(requests, memoryview(header))
            if got == 0:
                break                                   # MCGrad has gone: end of file
            if got < _HEADER.size:
                _fail(f"a request header was cut off after {got} of {_HEADER.size} bytes")
            n, flags = _HEADER.unpack(header)
            if n == 0:
                break
            wants_gradient = bool(flags & GRADIENT_FLAG)
            if wants_gradient and not agreed:
                _fail("MCGrad asked for gradients that were not agreed")
            if flags & SHARED_FLAG:
                if region is None:
                    _fail("MCGrad sent a frame in shared memory that was not agreed")
                entries = n * (1 + d + (d if wants_gradient else 0))
                if 8 * entries > len(region):
                    _fail(f"a frame of {n} points does not fit in the {len(region)} bytes of shared memory")
                frame = np.frombuffer(region, dtype=_FLOAT64, count=entries)
                points = frame[: n * d].reshape(n, d)
                points.flags.writeable = False
                frame[n * d : n * d + n] = _as_rows(orphaning.call(f, points), (n,), "f")
                if wants_gradient:
                    frame[n * (d + 1) :] = _as_rows(orphaning.call(gradient, points), (n, d), "gradient").reshape(-1)
                del points, frame                       # no view may outlive the frame
                replies.write(_COUNT.pack(n))
                replies.flush()
                continue
            points = np.empty((n, d), dtype=_FLOAT64)
            got = _read_exactly(requests, memoryview(points).cast("B"))
            if got < points.nbytes:
                _fail(f"a request of {n} points was cut off after {got} of {points.nbytes} bytes")
            values = _as_rows(orphaning.call(f, points), (n,), "f")
            replies.write(memoryview(values).cast("B"))
            if wants_gradient:
                replies.write(memoryview(_as_rows(orphaning.call(gradient, points), (n, d), "gradient")).cast("B"))
            replies.flush()
    except BrokenPipeError:
        sys.exit(1)                                     # MCGrad stopped reading
    sys.exit(0)
