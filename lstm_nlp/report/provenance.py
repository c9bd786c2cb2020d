"""Where a report's numbers come from: when it was written, with which versions of lstm-nlp,
torch and Lightning, and from which commit of the code (when the package is a git checkout).
"""

from __future__ import annotations

import datetime
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the lstm_nlp package
GIT_TIMEOUT_S = 2.0
NOT_GIT = "not a git checkout"
DISTRIBUTIONS = (("lstm-nlp", "lstm-nlp"), ("torch", "torch"), ("Lightning", "lightning"))


def now() -> str:
    """The local time, to the second, with its UTC offset."""
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (the imported module's, when it is loaded)."""
    module = sys.modules.get(distribution.replace("-", "_"))
    found = getattr(module, "__version__", None)
    if isinstance(found, str):
        return found
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def versions() -> str:
    """``lstm-nlp 0.2.0, torch 2.5.1, Lightning 2.4.0, Python 3.11.9``."""
    found = [(label, version(dist)) for label, dist in DISTRIBUTIONS]
    named = [f"{label} {v}" for label, v in found if v]
    return ", ".join([*named, f"Python {platform.python_version()}"])


def git(*args: str, folder: Path = PACKAGE_DIR) -> str | None:
    """``git -C folder ARGS``'s output, None when it fails or takes over
    :data:`GIT_TIMEOUT_S`."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def code_commit(folder: Path = PACKAGE_DIR) -> str:
    """``git commit 1a2b...`` (``, with uncommitted changes`` to tracked files), or
    :data:`NOT_GIT`."""
    commit = git("rev-parse", "HEAD", folder=folder)
    if not commit:
        return NOT_GIT
    changes = git("status", "--porcelain", "--untracked-files=no", folder=folder)
    return f"git commit `{commit}`" + (", with uncommitted changes" if changes else "")


def provenance_facts(folder: Path = PACKAGE_DIR) -> list[str]:
    """The report's lines on when, with what and from which code."""
    return [f"written: {now()}", f"versions: {versions()}", f"code: {code_commit(folder)}"]
