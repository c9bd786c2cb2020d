"""One writer per run directory: an OS file lock held for the whole training command.

``RUN_DIR/.run.lock`` is locked with :mod:`filelock` (``flock`` on Unix), never waited for: a
second command on the same run directory stops at once, in one line naming the holder (its pid,
host and start time, which the holder writes in ``RUN_DIR/.run.lock.json`` and removes when it
ends).  The lock belongs to the process, so one that was killed leaves nothing that blocks: the
OS releases it, and a stale ``.run.lock.json`` is only read while the lock is held.

Only the first process of a launch takes it (:func:`launch_rank` 0): DDP's other ranks write
nothing of the run's own.  Multirun and Optuna jobs each have their own run directory, so each
locks its own.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
from pathlib import Path

from filelock import FileLock, Timeout

from lstm_nlp.atomic import write_json
from lstm_nlp.errors import ConfigError

LOCK = ".run.lock"
HOLDER = ".run.lock.json"  # who holds the lock: pid, host, started
GLOBAL_RANKS = ("RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK")  # torchrun, SLURM, LSF
LOCAL_RANKS = ("LOCAL_RANK", "NODE_RANK", "GROUP_RANK")  # Lightning's own DDP launcher


def launch_rank() -> int:
    """This process's rank as its launcher put it in the environment; 0 for the first process
    (or the only one), before Lightning knows the rank."""
    for key in GLOBAL_RANKS:
        value = os.environ.get(key, "").strip()
        if value.isdigit():
            return int(value)
    values = [os.environ.get(key, "").strip() for key in LOCAL_RANKS]
    return max((int(v) for v in values if v.isdigit()), default=0)


def holder_text(path: Path) -> str:
    """``pid P on HOST, started TIME`` from a holder file (what of it can be read)."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "its pid not written yet"


class RunLock:
    """The lock of one run directory; :meth:`acquire` refuses in one line when it is held."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.path, self.holder = run_dir / LOCK, run_dir / HOLDER
        self.lock = FileLock(str(self.path), timeout=0)
        self.created = False  # this command made the lock file (a new run directory)

    def acquire(self) -> None:
        self.created = not self.path.exists()
        try:
            self.lock.acquire()
        except Timeout:
            raise ConfigError(
                f"run_dir {self.run_dir} is in use by another lstm-nlp-train "
                f"({holder_text(self.holder)}): wait for it to end, or choose another run_dir"
            ) from None
        except OSError as err:
            raise ConfigError(
                f"run_dir {self.run_dir}: cannot lock it ({err.strerror or err}); it must be a "
                "folder you can write to"
            ) from None
        started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        write_json(
            self.holder, {"pid": os.getpid(), "host": socket.gethostname(), "started": started}
        )

    def release(self, remove: bool = False) -> None:
        """Let go; with ``remove`` the lock file goes too (a run directory this command made)."""
        self.holder.unlink(missing_ok=True)
        if remove:
            self.path.unlink(missing_ok=True)
        self.lock.release()
