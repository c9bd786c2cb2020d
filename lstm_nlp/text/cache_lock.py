"""One builder per cache entry: processes that ask for the same entry at the same moment (DDP
ranks, parallel sweep jobs, two commands) wait while the first builds it, then read it.

The lock is an OS file lock (:mod:`filelock`: ``flock`` on Unix) on a file of the cache's own
``locks`` folder (``CACHE/locks/tokens/NAME.lock`` for ``CACHE/tokens/NAME``), so the entries'
folders hold entries only, and a process killed while building never blocks the next one: the
OS releases its lock, and the entry it left half-written never got its final name
(:mod:`lstm_nlp.atomic`).  The
pattern is look, lock, look again, build::

    found = read(entry)
    if found is None:
        with entry_lock(entry):
            found = read(entry)  # built by another process while this one waited
            if found is None:
                found = build(entry)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


def lock_path(entry: Path) -> Path:
    """The lock file of a cache entry ``CACHE/KIND/NAME`` (a file or a folder):
    ``CACHE/locks/KIND/NAME.lock``."""
    return entry.parent.parent / "locks" / entry.parent.name / f"{entry.name}.lock"


def acquire(entry: Path) -> FileLock | None:
    """``entry``'s lock, held; when another process holds it, one line says so and this one
    waits.  None where no lock file can be made (a read-only cache: writing the entry will say
    so in its own words)."""
    path = lock_path(entry)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(f"lstm-nlp: waiting for another process to build {entry}", flush=True)
            lock.acquire()
    except OSError:
        return None
    return lock


@contextmanager
def entry_lock(entry: Path) -> Iterator[None]:
    """Hold ``entry``'s lock while the body runs (see :func:`acquire`)."""
    lock = acquire(entry)
    try:
        yield
    finally:
        if lock is not None:
            lock.release()
