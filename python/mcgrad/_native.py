"""The C interface of libMCGradC (include/mcgrad.h) through ctypes.

Calls through ctypes.CDLL release the GIL while the library works; the
library calls a Python objective back through a ctypes callback, which takes
the GIL again for the call. The library makes those calls one at a time,
whichever of its threads makes them.
"""
from __future__ import annotations

import ctypes
import os
import _signal
import select
import signal
import sys
import threading
import time
from ctypes import POINTER, byref, c_char_p, c_double, c_int, c_int32, c_int64, c_uint64, c_void_p
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

API_VERSION = 2

OK, INVALID_ARGUMENT, UNSUPPORTED, NON_FINITE_OBJECTIVE, CALLBACK_FAILED, FAILED, INTERRUPTED = range(7)

# Pointers cross as plain addresses (c_void_p): NumPy views them without ctypes' slower pointer objects.
OBJECTIVE = ctypes.CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_void_p, c_void_p)
GRADIENT = ctypes.CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_void_p, c_void_p, c_void_p)
_TEXT = POINTER(ctypes.c_char)
NO_OBJECTIVE, NO_GRADIENT = OBJECTIVE(), GRADIENT()  # NULL callbacks


class NonFiniteGradientError(ValueError):
    """A gradient callback returned NaN or ±∞ (raised from the callback, with the entry and the point)."""


class MCGradError(RuntimeError):
    """The library failed for a reason other than a bad argument."""


class NonFiniteObjectiveError(ValueError):
    """The objective returned NaN or ±∞ at a sampled point."""


def _library_path() -> Path:
    name = "libMCGradC.dylib" if sys.platform == "darwin" else "libMCGradC.so"
    override = os.environ.get("MCGRAD_LIBRARY")
    return Path(override) if override else Path(__file__).resolve().parent / name


def _load() -> ctypes.CDLL:
    path = _library_path()
    if not path.exists():
        raise ImportError(f"mcgrad: the native library {path} is missing; reinstall with `pip install ./python`")
    lib = ctypes.CDLL(str(path))
    lib.mcgrad_api_version.restype = c_int32
    lib.mcgrad_api_version.argtypes = []
    version = lib.mcgrad_api_version()
    if version != API_VERSION:
        raise ImportError(f"mcgrad: {path} has C API version {version}; this package needs {API_VERSION}")
    if not hasattr(lib, "mcgrad_interrupt"):  # added to version 1 on 2026-12-06
        raise ImportError(f"mcgrad: {path} predates this package (it has no mcgrad_interrupt); reinstall with "
                          "`pip install ./python`")
    for name in ("mcgrad_version", "mcgrad_problem_names", "mcgrad_estimator_names",
                 "mcgrad_discrete_estimator_names"):
        getattr(lib, name).restype = c_char_p
        getattr(lib, name).argtypes = []
    lib.mcgrad_status_name.restype = c_char_p
    lib.mcgrad_status_name.argtypes = [c_int32]
    lib.mcgrad_free.restype = None
    lib.mcgrad_free.argtypes = [_TEXT]
    lib.mcgrad_interrupt.restype = c_int32
    lib.mcgrad_interrupt.argtypes = [c_uint64]
    doubles = out_doubles = c_void_p
    lib.mcgrad_estimate.restype = c_int32
    lib.mcgrad_estimate.argtypes = [
        c_char_p, c_double, OBJECTIVE, GRADIENT, c_void_p, c_int64, doubles, doubles, c_int32, c_char_p, c_int64,
        c_uint64, c_int32, out_doubles, out_doubles, POINTER(c_int64), POINTER(c_double), POINTER(_TEXT)]
    lib.mcgrad_estimate_with_settings.restype = c_int32
    lib.mcgrad_estimate_with_settings.argtypes = [
        c_char_p, c_double, OBJECTIVE, GRADIENT, c_void_p, c_int64, doubles, doubles, c_int32, c_char_p, c_char_p,
        c_int64, c_uint64, c_int32, out_doubles, out_doubles, POINTER(c_int64), POINTER(c_double), POINTER(_TEXT)]
    lib.mcgrad_discrete_estimate.restype = c_int32
    lib.mcgrad_discrete_estimate.argtypes = [
        OBJECTIVE, c_void_p, c_int64, c_int64, doubles, c_char_p, c_int64, c_uint64, c_int32, out_doubles,
        out_doubles, POINTER(c_int64), POINTER(c_double), POINTER(_TEXT)]
    for name in ("mcgrad_compare_json", "mcgrad_advise_json"):
        getattr(lib, name).restype = c_int32
        getattr(lib, name).argtypes = [c_char_p, OBJECTIVE, GRADIENT, c_void_p, POINTER(_TEXT), POINTER(_TEXT)]
    return lib


LIB = _load()


def take_text(pointer: Any) -> Optional[str]:
    """The text of a malloc'd C string, which is then freed."""
    if not pointer:
        return None
    try:
        return ctypes.string_at(pointer).decode("utf-8")
    finally:
        LIB.mcgrad_free(pointer)


class _Buffer:
    """A C buffer of float64 as NumPy sees it (the array interface), without a copy."""

    __slots__ = ("__array_interface__",)

    def __init__(self, address: int, shape: tuple, readonly: bool):
        self.__array_interface__ = {"data": (address, readonly), "shape": shape, "typestr": "<f8", "version": 3}


def real_array(value: Any, name: str, expected: str, returned: bool = True) -> np.ndarray:
    """A user's numbers as float64 — what a function `name` returned, or an argument `name`.
    Complex numbers are refused rather than cut to their real part (ValueError), and a value
    that is not numbers at all (None, a dict, a generator) is named as such: TypeError for a
    function's result, ValueError for an argument."""
    subject, failure = (f"{name} returned", TypeError) if returned else (f"{name} is", ValueError)
    if value is None:
        raise failure(f"{subject} None: expected {expected}" + (" (does it end with a return?)" if returned else ""))
    if isinstance(value, np.ma.MaskedArray) and np.ma.is_masked(value):
        # np.asarray drops the mask and hands on the values under it.
        raise failure(f"{subject} a masked array with masked entries: expected {expected} (fill them, or unmask)")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        # A ragged list ([[1.0], 2.0]) ends here too, as NumPy's "inhomogeneous shape" (it did before the complex
        # check, from inside NumPy).
        raise failure(f"{subject} a {type(value).__name__}, not numbers: expected {expected}") from error
    if np.iscomplexobj(array):
        raise ValueError(f"{name} {'returned' if returned else 'has'} complex numbers: expected real numbers")
    # Numbers only: an object array ([None, 0.5]) or a string ("0.1") would convert, or half convert, to
    # float64; booleans are numbers a function may return (an indicator f), not a µ or σ someone meant.
    if array.dtype.kind not in ("biuf" if returned else "iuf"):
        what = f"a {type(value).__name__}" if array.ndim == 0 else f"an array of {array.dtype}"
        raise failure(f"{subject} {what}, not numbers: expected {expected}")
    return np.asarray(array, dtype=np.float64)


def view(address: int, shape: tuple, readonly: bool = False) -> np.ndarray:
    """The library's buffer at `address` as an array of `shape`, valid during the callback only."""
    return np.asarray(_Buffer(address, shape, readonly))


def address(array: np.ndarray) -> int:
    """The address of a C-contiguous float64 array's data."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(array))  # the fastest way, for writable arrays
    except (TypeError, ValueError):
        return array.__array_interface__["data"][0]


class _Interrupter:
    """Ctrl-C during a native call made from the main thread.

    Python runs signal handlers only on its main thread, between bytecodes;
    during a native call that thread waits in C, so a KeyboardInterrupt would
    wait for the whole call. While a call runs, the descriptor Python's own
    C-level handler writes signal numbers to (``signal.set_wakeup_fd``) is a
    pipe read by one daemon thread, which forwards every number to the
    descriptor it replaced (asyncio's, say) and, on SIGINT, asks the library
    to stop the main thread's calls (``mcgrad_interrupt``): the call returns
    MCGRAD_INTERRUPTED within one block of samples per thread, after a
    callback already out returns, and :func:`check` raises KeyboardInterrupt.

    And SIGINT's Python handler is :meth:`_handle` for the call: inside the
    user's f or gradient it raises KeyboardInterrupt as Python's own does
    (the callback keeps it, and the call re-raises it); anywhere else in the
    call it only notes the signal, and the call's end raises it. Python's own
    raised it wherever the main thread stood: at a callback's first
    bytecode, before its ``try``, ctypes printed "Exception ignored" and
    returned 0 as if f's values were written (a wrong estimate, returned);
    inside ``__enter__`` it left the pipe as the wakeup descriptor for good.
    "Inside f" is the main thread's own depth (``_calling``, per thread):
    another thread's f neither arms the handler nor makes the main thread's
    call a nested one.

    The reader asks the library for the call its signal came in (``_call``),
    again every millisecond while that call has not reached the library yet,
    and each call's end takes what is left in the pipe under the reader's
    lock (``_turn``), so that a late signal never stops the next call. A
    child forked during a call gives the pipe and the handler back.
    ``warn_on_full_buffer`` of the replaced descriptor cannot be read, so it
    is restored as True (trio sets False).

    Only while SIGINT has Python's default handler; with a handler of the
    user's the call runs to its end and the handler runs after it, as before.
    """

    _lock = threading.Lock()
    _turn = threading.Lock()  # the reader's, and a call's end's, turn to take the pipe's bytes
    _read = _write = -1
    _previous = -1  # the descriptor replaced, while a call runs
    _active = False  # a main-thread call is running with the pipe installed
    _noted = False  # a SIGINT came during the call outside f, to be raised at its end
    _call = 0  # counts the main thread's calls, so that the reader asks for the one its signal came in

    __slots__ = ("_replaced", "_handling", "_depth")

    def __init__(self):
        self._replaced: Optional[int] = None
        self._handling = False
        self._depth = 0

    @staticmethod
    def _handle(signum: int, frame: Any) -> None:
        # Runs on the main thread: inside f there, the callback's try keeps the exception.
        if getattr(_calling, "depth", 0):
            raise KeyboardInterrupt
        _Interrupter._noted = True

    def __enter__(self) -> "_Interrupter":
        if threading.current_thread() is not _MAIN:
            return self
        if _Interrupter._active:  # a built-in problem inside an f run on the main thread: the outer
            return self           # call's interruption covers it, since both are calls of this thread
        # _signal: signal.getsignal's and signal.signal's enum conversions cost more than the rest of this.
        if _signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return self
        # The handler first: from here a SIGINT outside f is only noted, so none can fall between the
        # steps below and leave one done without the others.
        _Interrupter._noted = False
        _signal.signal(signal.SIGINT, _Interrupter._handle)
        self._handling, self._depth = True, getattr(_calling, "depth", 0)
        try:
            if _Interrupter._read < 0:
                _Interrupter._start()
            with _Interrupter._turn:
                replaced = signal.set_wakeup_fd(_Interrupter._write, warn_on_full_buffer=False)
                self._replaced = -1 if replaced == _Interrupter._write else replaced
                _Interrupter._previous, _Interrupter._active = self._replaced, True
                _Interrupter._call += 1
        except BaseException:
            self.__exit__(None, None, None)
            raise
        if _Interrupter._noted:  # came before the call could be stopped: do not start it
            self.__exit__(None, None, None)
        return self

    def __exit__(self, *_: Any) -> None:
        try:
            if self._replaced is not None:
                replaced, self._replaced = self._replaced, None
                try:
                    # warn_on_full_buffer cannot be read, so it comes back True (trio sets it False).
                    signal.set_wakeup_fd(replaced)
                finally:
                    # What this call's signals left in the pipe is taken here, under the reader's turn:
                    # read late by the reader, a SIGINT stopped the next call instead.
                    with _Interrupter._turn:
                        _Interrupter._active = False
                        if _Interrupter._waiting.poll(0):  # 0.6 us; a read finding nothing raises, 1.3 us
                            _Interrupter._take()
                        _Interrupter._previous = -1
        finally:
            if self._handling:
                self._handling = False
                _calling.depth = self._depth  # a counter a signal left raised (Python 3.9) is set right
                if _signal.getsignal(signal.SIGINT) is _Interrupter._handle:  # unless f installed its own
                    _signal.signal(signal.SIGINT, signal.default_int_handler)
        if _Interrupter._noted:
            _Interrupter._noted = False
            raise KeyboardInterrupt

    @classmethod
    def _start(cls) -> None:
        """The pipe, its poll object and the reader thread, published together once all exist."""
        with cls._lock:
            if cls._read >= 0:
                return
            read, write = os.pipe()
            try:
                os.set_blocking(read, False)
                os.set_blocking(write, False)
                waiting = select.poll()
                waiting.register(read, select.POLLIN)
                threading.Thread(target=cls._watch, args=(read,), name="mcgrad-interrupt", daemon=True).start()
            except BaseException:
                os.close(read)
                os.close(write)
                raise
            cls._waiting = waiting
            cls._read, cls._write = read, write

    @classmethod
    def _take(cls) -> Optional[bytes]:
        """The signal numbers waiting in the pipe, forwarded to the descriptor it replaced; None at
        its end. Called under ``_turn``."""
        try:
            received = os.read(cls._read, 64)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            return None  # the descriptor was closed under us
        if not received:
            return None
        if cls._previous >= 0:
            try:
                os.write(cls._previous, received)
            except OSError:
                pass
        return received

    @classmethod
    def _watch(cls, read: int) -> None:
        main = _MAIN.ident
        poller = select.poll()
        poller.register(read, select.POLLIN)
        while True:
            try:
                poller.poll()
            except InterruptedError:
                continue
            with cls._turn:
                received = cls._take() if cls._read == read else b""
                if received is None:
                    return
                interrupt = cls._active and signal.SIGINT.value in received
                call = cls._call
            # A call between its set-up and the library's own start is not yet there to stop: ask
            # again until it is, or until it has ended (then its end raises the noted signal).
            while interrupt:
                with cls._turn:
                    interrupt = cls._active and cls._call == call and LIB.mcgrad_interrupt(main) == 0
                if interrupt:
                    time.sleep(0.001)


_MAIN = threading.main_thread()

# How deep this thread is in calls of a user's f or gradient (``Callbacks._user``).
_calling = threading.local()


def _after_fork_in_child() -> None:
    # The child has the pipe but not the thread that reads it: it gives the pipe back (as its wakeup
    # descriptor, SIGINT's handler and its two ends), and its next call starts both anew.
    global _MAIN
    _MAIN = threading.main_thread()
    try:
        if _Interrupter._write >= 0:
            current = signal.set_wakeup_fd(-1)
            if current != _Interrupter._write:
                signal.set_wakeup_fd(current)
            elif _Interrupter._previous >= 0:
                signal.set_wakeup_fd(_Interrupter._previous)
        if _signal.getsignal(signal.SIGINT) is _Interrupter._handle:
            _signal.signal(signal.SIGINT, signal.default_int_handler)
    except (ValueError, OSError):
        pass
    for end in (_Interrupter._read, _Interrupter._write):
        if end >= 0:
            try:
                os.close(end)
            except OSError:
                pass
    _Interrupter._read = _Interrupter._write = _Interrupter._previous = -1
    _Interrupter._active = _Interrupter._noted = False
    _Interrupter._lock = threading.Lock()
    _Interrupter._turn = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def interruptible() -> _Interrupter:
    """The context of a native call that Ctrl-C may stop (:class:`_Interrupter`)."""
    return _Interrupter()


class Callbacks:
    """A Python f (and ∇f) as the library's C callbacks.

    The first exception f raises is kept and the callback returns 1, which
    stops the estimate; :meth:`check` raises it again after the native call.
    Ctrl-C stops the call between blocks (:class:`_Interrupter`).
    """

    def __init__(self, f: Optional[Callable[[np.ndarray], Any]], gradient: Optional[Callable[[np.ndarray], Any]],
                 values_only: bool = False):
        self.f, self.gradient = f, gradient
        self.error: Optional[BaseException] = None
        self._block: Optional[np.ndarray] = None
        self._block_address = 0
        self.objective = OBJECTIVE(self._objective) if f is not None else NO_OBJECTIVE
        self.with_gradient = GRADIENT(self._with_gradient) if gradient is not None else NO_GRADIENT

    def interruptible(self):
        """:func:`interruptible`, refusing a call from inside a user's f on this thread: every
        native call with callbacks comes through here. Such a call never returned (the outer call
        holds the library's turn for callbacks; Ctrl-C could not reach it either); a built-in
        problem inside f is fine. Another thread's f is not this thread's (``_calling``)."""
        if getattr(_calling, "depth", 0):
            raise RuntimeError("mcgrad was called with a Python f from inside another Python f (or gradient): "
                               "the library runs one Python callback at a time, so the inner call would never "
                               "return. Compute the inner estimate before or after the outer one, or use a "
                               "built-in problem inside f")
        return interruptible()

    def _points(self, points: int, n: int, d: int) -> np.ndarray:
        """The block of points as f sees it: a read-only copy in an array Python owns. The library's
        buffer is reused for the next block and freed when the call ends, so an f that kept a view of
        it (``saved.append(x)``, ``torch.from_numpy(x)``) read later points, then freed memory (a
        segfault). The copy's array is reused for the next block unless f kept it or a view of it
        (its reference count says so); a kept one keeps the points f was given."""
        block = self._block
        # Three references when nobody kept it: self._block, `block`, and getrefcount's argument.
        if block is None or block.shape != (n, d) or sys.getrefcount(block) > 3:
            block = self._block = np.empty((n, d))
            block.flags.writeable = False
            self._block_address = block.__array_interface__["data"][0]
        ctypes.memmove(self._block_address, points, 8 * n * d)
        return block

    def _user(self, function: Callable[[np.ndarray], Any], x: np.ndarray) -> Any:
        depth = getattr(_calling, "depth", 0)
        try:
            _calling.depth = depth + 1
            return function(x)
        finally:
            _calling.depth = depth

    def _values(self, x: np.ndarray, n: int) -> np.ndarray:
        y = real_array(self._user(self.f, x), "f", f"an array of {n} values")
        if y.shape != (n,):
            raise ValueError(f"f returned an array of shape {y.shape} for {n} points: expected shape ({n},)")
        return y

    def _objective(self, points: Any, n: int, d: int, values: Any, _context: Any) -> int:
        try:
            view(values, (n,))[:] = self._values(self._points(points, n, d), n)
            return 0
        except BaseException as error:  # noqa: BLE001 — re-raised by check() after the native call
            if self.error is None:
                self.error = error
            return 1

    def _with_gradient(self, points: Any, n: int, d: int, values: Any, gradients: Any, _context: Any) -> int:
        try:
            x = self._points(points, n, d)
            view(values, (n,))[:] = self._values(x, n)
            g = real_array(self._user(self.gradient, x), "gradient", f"an array of shape ({n}, {d})")
            if g.shape != (n, d):
                raise ValueError(f"gradient returned an array of shape {g.shape} for {n} points: expected ({n}, {d})")
            if not np.isfinite(g).all():
                i, j = (int(k) for k in np.argwhere(~np.isfinite(g))[0])
                point = ", ".join(repr(float(v)) for v in x[i, :8]) + (", …" if d > 8 else "")
                raise NonFiniteGradientError(
                    f"gradient returned ∂f/∂x{j} = {g[i, j]} at [{point}]: expected finite gradients")
            view(gradients, (n, d))[:] = g
            return 0
        except BaseException as error:  # noqa: BLE001
            if self.error is None:
                self.error = error
            return 1


# The library's messages that name a command-line option, by the Python argument they mean.
_PYTHON_NAMES = (("(--include-biased)", "(include_biased=True)"), ("--k for bump", "k for bump"), ("--k", "k"),
                 ("pilotFraction", "pilot_fraction"), ("includeBiased", "include_biased"),
                 ("emaDecay", "ema_decay"), ("ccmvdSelected", "ccmvd_selected"), ("ccmvdSamples", "ccmvd_samples"),
                 ("the objective does not provide ∇ₓ f",
                  "the objective does not provide ∇ₓ f: pass gradient=, a callable (N, D) → (N, D)"),
                 ("with respect to the mean of f alone", "with respect to the mean of f alone (wrt=\"mean\")"))


def python_names(text: Optional[str]) -> Optional[str]:
    """A library message with Python's argument names in place of the command line's."""
    if text:
        for old, new in _PYTHON_NAMES:
            if old in text:
                text = text.replace(old, new)
    return text


def check(status: int, message: Any, callbacks: Optional[Callbacks] = None) -> None:
    """Raises what a failed call means: f's own exception, ValueError for a
    bad argument (NonFiniteObjectiveError for NaN or ±∞ from f), MCGradError
    for anything else."""
    text = python_names(take_text(message))
    if status == OK:
        return
    if status == INTERRUPTED:
        raise KeyboardInterrupt
    if status == CALLBACK_FAILED and callbacks is not None and callbacks.error is not None:
        raise callbacks.error
    if status == NON_FINITE_OBJECTIVE:
        raise NonFiniteObjectiveError(text)
    if status in (INVALID_ARGUMENT, UNSUPPORTED):
        raise ValueError(text)
    raise MCGradError(text or LIB.mcgrad_status_name(status).decode())
