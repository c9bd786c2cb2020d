"""A run's status, from its files and its lock.

- ``running``: its lock ``RUN_DIR/.run.lock`` is held by a live process (the training command
  holds it for its whole life; :mod:`lstm_nlp.training.run_lock`);
- ``finished``: ``metrics.json`` is there (and no checkpoint is newer than it: a re-run that
  trained further and was stopped is ``interrupted``);
- ``interrupted``: a checkpoint but no ``metrics.json`` (stopped, killed, out of time: running the
  same command again resumes it);
- ``failed``: a run folder with neither (it started but never saved a checkpoint).

The lock is only tested when its holder file ``RUN_DIR/.run.lock.json`` is there (the holder
writes it after locking and removes it when it ends; a killed holder leaves it, and the OS has
released the lock).  The test opens the lock file read-only and asks for the lock without waiting
(``flock``, as :mod:`filelock` locks it), releasing it at once: nothing in the run folder changes.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCK = ".run.lock"  # lstm_nlp.training.run_lock.LOCK
HOLDER = ".run.lock.json"  # lstm_nlp.training.run_lock.HOLDER
STATUSES = ("running", "finished", "interrupted", "failed")


def lock_held(run_dir: Path) -> bool:
    """Whether another process holds ``RUN_DIR/.run.lock`` now."""
    path = run_dir / LOCK
    if not (run_dir / HOLDER).exists() or not path.exists():
        return False
    try:
        import fcntl
    except ImportError:  # not Unix: filelock's own test
        return _held_by_filelock(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _held_by_filelock(path: Path) -> bool:
    from filelock import FileLock, Timeout

    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False
    lock.release()
    return False


def checkpoints(run_dir: Path) -> list[Path]:
    """The run's checkpoint files (``checkpoints/*.ckpt``)."""
    folder = run_dir / "checkpoints"
    return sorted(folder.glob("*.ckpt")) if folder.is_dir() else []


def run_status(run_dir: Path) -> str:
    """One of :data:`STATUSES` (see the module's docstring)."""
    if lock_held(run_dir):
        return "running"
    saved = [_mtime(p) for p in checkpoints(run_dir)]
    metrics = run_dir / "metrics.json"
    if metrics.is_file():
        return "interrupted" if saved and max(saved) > _mtime(metrics) else "finished"
    return "interrupted" if saved else "failed"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
