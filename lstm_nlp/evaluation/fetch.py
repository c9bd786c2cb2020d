"""Download a benchmark of :mod:`lstm_nlp.evaluation.catalogue` with pooch, check each file's
SHA-256, and place the files under ``DIR/NAME``.

An archive (a file marked ``unpack``) is unpacked into its folder only after its hash is
verified and every member is checked (:mod:`lstm_nlp.evaluation.archives`: no absolute path,
no ``..``, no link out of the folder).

Every file is first downloaded into the cache (``$LSTM_NLP_CACHE/benchmarks``, else
``~/.cache/lstm-nlp/benchmarks``), at ``OWNER/REPO/COMMIT/PATH``: pooch writes a temporary file
there and renames it only once its hash matches, and a file already cached with the right hash is
not downloaded again.  Only when every file of the set is in the cache and verified are they
copied into ``DIR/NAME``, each through a temporary name, so a failed fetch leaves nothing
half-written there.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import pooch

from lstm_nlp.atomic import atomic_path
from lstm_nlp.errors import LstmNlpError
from lstm_nlp.evaluation.archives import ArchiveError, check_archive, unpack
from lstm_nlp.evaluation.catalogue import Benchmark, BenchmarkFile
from lstm_nlp.paths import cache_dir

GITHUB_RAW = "https://raw.githubusercontent.com"
BASE_URL_ENV = "LSTM_NLP_BENCHMARK_URL"
ERRNO = re.compile(r"\[Errno -?\d+\] [^'\"\)]+")


class FetchError(LstmNlpError):
    """A download that failed or did not match its pinned hash; the message names file and URL."""


class UnverifiedError(LstmNlpError):
    """Files with no pinned SHA-256, refused without ``trust_unverified``."""

    def __init__(self, benchmark: Benchmark, hashes: dict[str, str]) -> None:
        self.benchmark, self.hashes = benchmark, hashes  # remote path -> computed SHA-256
        n, total = len(hashes), len(benchmark.files)
        super().__init__(
            f"{benchmark.name}: {n} of {total} files have no pinned SHA-256 (their computed "
            "hashes are printed above); nothing was placed; pass --trust-unverified to accept them"
        )


@dataclass
class Fetched:
    """What one fetch did."""

    benchmark: Benchmark
    folder: Path  # DIR/NAME
    downloaded: int = 0
    cached: int = 0
    unverified: dict[str, str] = field(default_factory=dict)  # remote path -> computed SHA-256


def default_base_url() -> str:
    return os.environ.get(BASE_URL_ENV) or GITHUB_RAW


def benchmark_cache(override: str | os.PathLike | None = None) -> Path:
    """The download cache: ``override``, else the project cache root's ``benchmarks``."""
    return Path(override).expanduser() if override else cache_dir() / "benchmarks"


def file_url(base_url: str, benchmark: Benchmark, file: BenchmarkFile) -> str:
    return f"{base_url.rstrip('/')}/{benchmark.repo}/{benchmark.commit}/{quote(file.remote)}"


def progress_available() -> bool:
    """Whether tqdm (installed with Lightning) can draw a progress bar."""
    return importlib.util.find_spec("tqdm") is not None


def fetch(
    benchmark: Benchmark,
    dest: str | os.PathLike,
    *,
    base_url: str | None = None,
    cache: str | os.PathLike | None = None,
    trust_unverified: bool = False,
    progress: bool = False,
) -> Fetched:
    """Download ``benchmark`` into the cache, verify it, and copy it into ``dest/NAME``.

    Raises :class:`FetchError` on a network failure or hash mismatch and
    :class:`UnverifiedError` for unpinned files without ``trust_unverified``; in both cases
    nothing is written under ``dest``.
    """
    check_source(benchmark)
    folder = Path(dest) / benchmark.name
    result = Fetched(benchmark, folder)
    targets = [(file, _target(folder, benchmark, file)) for file in benchmark.files]
    root = benchmark_cache(cache)
    base = base_url or default_base_url()
    cached: list[Path] = []
    with _quiet_pooch(), _bar(benchmark, progress) as step:
        for file in benchmark.files:
            path, downloaded = _download(benchmark, file, base, root)
            cached.append(path)
            result.downloaded += downloaded
            result.cached += not downloaded
            if file.sha256 is None:
                result.unverified[file.remote] = pooch.file_hash(str(path))
            step()
    if result.unverified and not trust_unverified:
        raise UnverifiedError(benchmark, result.unverified)
    place(benchmark, targets, cached)
    return result


def place(
    benchmark: Benchmark, targets: list[tuple[BenchmarkFile, Path]], cached: list[Path]
) -> None:
    """Copy (or unpack) each verified file from the cache to its target, every archive's members
    checked before anything is placed."""
    try:
        for (file, _), path in zip(targets, cached):
            if file.unpack:
                check_archive(path, f"{benchmark.name}: {file.remote}")
        for (file, target), path in zip(targets, cached):
            if file.unpack:
                unpack(path, target, f"{benchmark.name}: {file.remote}")
                continue
            with atomic_path(target) as tmp:
                shutil.copyfile(path, tmp)
    except ArchiveError as err:
        raise FetchError(str(err)) from None
    except OSError as err:
        where = err.filename or "DIR"
        raise FetchError(f"{benchmark.name}: cannot write {where} ({err.strerror})") from None


REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
COMMIT = re.compile(r"[0-9a-f]{40}")


def check_source(benchmark: Benchmark) -> None:
    """A repository ``owner/name`` and a 40-digit commit: both are folders of the cache."""
    if not REPO.fullmatch(benchmark.repo) or ".." in benchmark.repo.split("/"):
        raise FetchError(f"{benchmark.name}: repository {benchmark.repo!r} is not OWNER/NAME")
    if not COMMIT.fullmatch(benchmark.commit):
        raise FetchError(f"{benchmark.name}: commit {benchmark.commit!r} is not 40 hex digits")


def _target(folder: Path, benchmark: Benchmark, file: BenchmarkFile) -> Path:
    """Where ``file`` goes under ``DIR/NAME``; its repository path must stay inside the cache."""
    remote = PurePosixPath(file.remote)
    if remote.is_absolute() or ".." in remote.parts or not remote.parts:
        raise FetchError(
            f"{benchmark.name}: repository path {file.remote!r} is absolute or climbs out with '..'"
        )
    local = PurePosixPath(file.local)
    if local.is_absolute() or ".." in local.parts or not local.parts:
        raise FetchError(f"{benchmark.name}: local path {file.local!r} is not inside DIR/NAME")
    return folder.joinpath(*local.parts)


def _download(
    benchmark: Benchmark, file: BenchmarkFile, base_url: str, root: Path
) -> tuple[Path, bool]:
    """The cached copy of ``file`` (downloaded if missing or stale), and whether it was."""
    import requests  # pooch's own dependency; imported late as pooch does

    fname = "/".join((benchmark.repo, benchmark.commit, file.remote))
    path = root / fname
    known = None if file.sha256 is None else f"sha256:{file.sha256}"
    fresh = path.is_file() and (known is None or pooch.file_hash(str(path)) == file.sha256)
    url = file_url(base_url, benchmark, file)
    where = f"{benchmark.name}: {file.remote} from {url}"
    try:
        pooch.retrieve(url, known_hash=known, fname=fname, path=root, progressbar=False)
    except ValueError as err:
        got = re.search(r"but got ([0-9a-f]{64})", str(err))
        if got is None:
            raise FetchError(f"{where}: {err}") from err
        raise FetchError(
            f"{where}: SHA-256 mismatch (expected {file.sha256}, got {got.group(1)}); "
            "nothing was placed"
        ) from err
    except requests.HTTPError as err:
        status = err.response.status_code if err.response is not None else "?"
        reason = err.response.reason if err.response is not None else str(err)
        raise FetchError(f"{where}: HTTP {status} {reason}; nothing was placed") from err
    except (requests.RequestException, OSError) as err:
        errno = ERRNO.search(str(err))
        reason = errno.group(0).strip() if errno else type(err).__name__
        raise FetchError(f"{where}: {reason}; nothing was placed") from err
    return path, not fresh


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Pooch logs each download at INFO on stderr; the command reports for itself."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _bar(benchmark: Benchmark, progress: bool) -> Iterator[Callable[[], object]]:
    """A callable that advances a files progress bar (tqdm, when asked for and installed)."""
    if not (progress and progress_available()):
        yield lambda: None
        return
    from tqdm.auto import tqdm

    with tqdm(total=len(benchmark.files), desc=benchmark.name, unit="file", leave=False) as bar:
        yield lambda: bar.update(1)
