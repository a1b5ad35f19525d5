"""Safety of a report run: the lock on its folder, and stopping every process it started.

``NAME.lock`` beside the report folder is created with ``O_EXCL`` and holds the pid and
start time of its run, which keeps an ``flock`` on it; a lock left by a dead run is taken
over. :func:`stop` kills worker processes and everything below them (kernels run in
sessions of their own) and waits until they are gone.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .exceptions import RetentionKitError

try:  # POSIX; elsewhere the lock relies on the pid check alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Interrupted",
    "ReportLock",
    "busy_message",
    "lock_holder",
    "signals_ignored",
    "signals_raise",
    "stop",
]


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``exit_code`` is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


# --- the lock ---------------------------------------------------------------------------------


def _lock_path(out_dir: Path) -> Path:
    return out_dir.parent / f"{out_dir.name}.lock"


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (seconds, comparable only with itself), if known."""
    try:
        import psutil

        return float(psutil.Process(pid).create_time())
    except ImportError:
        pass
    except Exception:  # noqa: BLE001 - gone or not visible: unknown
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return float(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        import psutil
    except ImportError:
        psutil = None  # type: ignore[assignment]
    if psutil is not None:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        pass
    if os.name != "posix":  # pragma: no cover - os.kill would end the process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_alive(info: dict[str, Any]) -> bool:
    """Whether the run recorded in a lock file is still running."""
    pid = info.get("pid")
    if not isinstance(pid, int):
        return False
    if info.get("host") not in (None, socket.gethostname()):
        return True  # another machine: its pid cannot be checked from here
    if not _pid_alive(pid):
        return False
    recorded, now = info.get("pid_start"), _process_start(pid)
    return recorded is None or now is None or abs(float(recorded) - now) < 1.0


def _try_flock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - Windows
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without flock: the pid check decides
        return True
    return True


def _read_info(fd: int) -> dict[str, Any]:
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        info = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def busy_message(out_dir: Path, info: dict[str, Any]) -> str:
    who = f"pid {info.get('pid', '?')}, since {info.get('started', 'an unknown time')}"
    return (
        f"out_dir={str(out_dir)!r} is being written by another run ({who}); wait for it to "
        f"finish, or delete {str(_lock_path(out_dir))!r} if that run is gone."
    )


def lock_holder(out_dir: Path) -> dict[str, Any] | None:
    """The lock record of a live run writing ``out_dir`` (pid, started), or None."""
    try:
        fd = os.open(_lock_path(out_dir), os.O_RDONLY)
    except OSError:
        return None
    try:
        if not _try_flock(fd):
            return _read_info(fd) or {"pid": "?"}
        info = _read_info(fd)
        return info if _holder_alive(info) else None
    finally:
        os.close(fd)  # also releases a flock taken just to look


class ReportLock:
    """``NAME.lock`` beside the report folder: one run at a time writes it.

    The file is created with ``O_EXCL`` and holds the pid and start time of its run, and
    the run keeps an ``flock`` on it; a lock left by a dead run is taken over.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = _lock_path(out_dir)
        self._fd: int | None = None

    def acquire(self) -> ReportLock:
        """Take the lock or raise RetentionKitError naming the run that holds it."""
        for _ in range(5):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
            except FileExistsError:
                try:
                    fd = os.open(self.path, os.O_RDWR)
                except FileNotFoundError:
                    continue  # released meanwhile: try to create it again
                if not _try_flock(fd):
                    info = _read_info(fd)
                    os.close(fd)
                    raise RetentionKitError(busy_message(self.out_dir, info)) from None
                if not _same_file(fd, self.path):
                    os.close(fd)
                    continue
                info = _read_info(fd)
                if _holder_alive(info):
                    os.close(fd)
                    raise RetentionKitError(busy_message(self.out_dir, info)) from None
            except OSError as err:
                msg = f"out_dir={str(self.out_dir)!r}: cannot create {str(self.path)!r} ({err})."
                raise RetentionKitError(msg) from None
            else:
                if not _try_flock(fd):  # taken over in the instant since it was created
                    os.close(fd)
                    continue
            record = {
                "pid": os.getpid(),
                "started": dt.datetime.now().astimezone().isoformat(sep=" ", timespec="seconds"),
                "pid_start": _process_start(os.getpid()),
                "host": socket.gethostname(),
            }
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(record).encode("utf-8"))
            self._fd = fd
            return self
        msg = f"out_dir={str(self.out_dir)!r}: could not take {str(self.path)!r}; try again."
        raise RetentionKitError(msg)

    def release(self) -> None:
        """Delete the lock file (if it is still ours) and let go of it."""
        if self._fd is None:
            return
        try:
            if _same_file(self._fd, self.path):
                self.path.unlink()
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> ReportLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


# --- stopping processes -----------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (kernels run in sessions of their own, but stay below)."""
    try:
        import psutil
    except ImportError:
        psutil = None  # type: ignore[assignment]
    if psutil is not None:
        try:
            return [child.pid for child in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill(pid: int) -> None:
    try:
        if hasattr(os, "killpg") and os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)  # a kernel leads its own process group
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def stop(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """Kill the workers and everything they started, and wait until all are gone."""
    below = [pid for proc in processes if proc.pid for pid in _descendants(proc.pid)]
    for proc in processes:
        if proc.pid:
            _kill(proc.pid)
    for pid in below:
        _kill(pid)
    for proc in processes:
        proc.join(timeout=10)
    deadline = time.monotonic() + 10
    while any(_pid_alive(pid) for pid in below) and time.monotonic() < deadline:
        time.sleep(0.05)


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    before = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)


@contextmanager
def signals_ignored() -> Iterator[None]:
    """Let a clean-up or a rename finish even if the user presses Ctrl-C again."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)
