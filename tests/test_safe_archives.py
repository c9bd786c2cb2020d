"""lstm-nlp-data fetch: an archive is unpacked only after its hash is verified and every member
is checked; a member with an absolute path, a '..' part or a link out of the folder is refused
in one line naming the archive and the member, and nothing is placed (archives built here, no
network: the verified file is already in the download cache)."""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from lstm_nlp.cli.data import main
from lstm_nlp.evaluation.archives import ArchiveError, check_archive, unpack
from lstm_nlp.evaluation.catalogue import Benchmark, BenchmarkFile
from lstm_nlp.evaluation.fetch import FetchError, fetch

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "someone/packed"
NOWHERE = "http://127.0.0.1:9"  # nothing listens: a download attempt would fail the test


def tar_bytes(*members: tarfile.TarInfo, data: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in members:
            content = (data or {}).get(info.name)
            if content is not None:
                info.size = len(content)
            archive.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def entry(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    return info


def zip_bytes(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name), content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def cached_benchmark(cache: Path, remote: str, data: bytes, sha256: str | None = None):
    """A one-archive benchmark whose file already sits verified in the download cache."""
    path = cache / REPO / COMMIT / remote
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = sha256 or hashlib.sha256(data).hexdigest()
    files = (BenchmarkFile(remote, "set", digest, unpack=True),)
    return Benchmark("packed", REPO, COMMIT, files, "an archive")


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*")) if path.exists() else []


GOOD = {"data/a.txt": b"a\n", "data/b.txt": b"b\n"}


def test_a_clean_tar_archive_is_unpacked_into_its_folder(tmp_path):
    data = tar_bytes(
        entry("data/a.txt"), entry("data/b.txt"), entry("alias", tarfile.SYMTYPE, "data/a.txt"),
        data=GOOD,
    )  # fmt: skip
    bench = cached_benchmark(tmp_path / "cache", "set.tar.gz", data)
    done = fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    folder = tmp_path / "dest" / "packed" / "set"
    assert done.cached == 1 and done.downloaded == 0
    assert (folder / "data" / "a.txt").read_bytes() == b"a\n"
    assert (folder / "alias").is_symlink() and (folder / "alias").read_bytes() == b"a\n"


def test_a_clean_zip_replaces_an_older_copy_whole(tmp_path):
    old = tmp_path / "dest" / "packed" / "set"
    old.mkdir(parents=True)
    (old / "stale.txt").write_text("old")
    bench = cached_benchmark(tmp_path / "cache", "set.zip", zip_bytes(GOOD))
    fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    assert sorted(p.relative_to(old).as_posix() for p in old.rglob("*.txt")) == sorted(GOOD)


UNSAFE_TARS = {
    "dot-dot": ([entry("../evil.txt")], "'../evil.txt'", "climbs out"),
    "nested dot-dot": ([entry("data/../../evil.txt")], "'data/../../evil.txt'", "climbs out"),
    "absolute": ([entry("/tmp/lstm_nlp_evil.txt")], "'/tmp/lstm_nlp_evil.txt'", "absolute"),
    "drive": ([entry("C:/evil.txt")], "'C:/evil.txt'", "absolute"),
    "symlink out": ([entry("data/up", tarfile.SYMTYPE, "../../etc")], "'data/up'", "'../../etc'"),
    "absolute symlink": ([entry("pw", tarfile.SYMTYPE, "/etc/passwd")], "'pw'", "'/etc/passwd'"),
    "hard link out": ([entry("h", tarfile.LNKTYPE, "/etc/passwd")], "'h'", "outside"),
    "fifo": ([entry("pipe", tarfile.FIFOTYPE)], "'pipe'", "not a file"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE_TARS))
def test_an_unsafe_tar_member_is_refused_naming_archive_and_member(tmp_path, case):
    members, shown, why = UNSAFE_TARS[case]
    data = tar_bytes(entry("data/a.txt"), *members, data={"data/a.txt": b"a\n"})
    bench = cached_benchmark(tmp_path / "cache", "set.tar.gz", data)
    with pytest.raises(FetchError) as err:
        fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    line = str(err.value)
    assert line.startswith("packed: set.tar.gz: refused member ") and shown in line, line
    assert why in line and "nothing was placed" in line and "\n" not in line
    assert files_under(tmp_path / "dest") == []
    assert not Path("/tmp/lstm_nlp_evil.txt").exists() and not (tmp_path / "evil.txt").exists()


UNSAFE_ZIPS = {
    "dot-dot": (zip_bytes({"../evil.txt": b"x"}), "'../evil.txt'"),
    "absolute": (zip_bytes({"/abs/evil.txt": b"x"}), "'/abs/evil.txt'"),
    "backslash": (zip_bytes({"..\\evil.txt": b"x"}), "'..\\\\evil.txt'"),
    "symlink out": (zip_bytes(GOOD, links={"data/up": "../../etc"}), "'data/up'"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE_ZIPS))
def test_an_unsafe_zip_member_is_refused_and_nothing_is_placed(tmp_path, case):
    data, shown = UNSAFE_ZIPS[case]
    bench = cached_benchmark(tmp_path / "cache", "set.zip", data)
    with pytest.raises(FetchError, match="refused member") as err:
        fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    assert "packed: set.zip: refused member" in str(err.value) and shown in str(err.value)
    assert files_under(tmp_path / "dest") == []


def test_the_command_says_it_in_one_line_with_exit_code_1(tmp_path, capsys):
    data = tar_bytes(entry("../evil.txt"), data={"../evil.txt": b"x"})
    bench = cached_benchmark(tmp_path / "cache", "set.tar.gz", data)
    argv = ["fetch", "packed", str(tmp_path / "dest"), "--base-url", NOWHERE]
    rc = main([*argv, "--cache", str(tmp_path / "cache")], catalogue={"packed": bench})
    err = capsys.readouterr().err
    assert rc == 1 and err.count("\n") == 1, err
    assert err.startswith("lstm-nlp-data: error: packed: set.tar.gz: refused member '../evil.txt'")
    assert not (tmp_path / "dest").exists() and not (tmp_path / "evil.txt").exists()


def test_an_archive_whose_hash_does_not_match_is_never_opened(tmp_path):
    data = tar_bytes(entry("../evil.txt"), data={"../evil.txt": b"x"})
    bench = cached_benchmark(tmp_path / "cache", "set.tar.gz", data, sha256="0" * 64)
    with pytest.raises(FetchError) as err:  # the stale copy is fetched again: nothing listens
        fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    assert "refused member" not in str(err.value) and "nothing was placed" in str(err.value)
    assert files_under(tmp_path / "dest") == []


def test_a_damaged_archive_is_one_line(tmp_path):
    path = tmp_path / "broken.tar.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ArchiveError, match=r"broken.tar.gz: not a readable zip or tar archive"):
        check_archive(path, "broken.tar.gz")
    with pytest.raises(ArchiveError):
        unpack(path, tmp_path / "out", "broken.tar.gz")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("remote", ["../../../outside.tar.gz", "/etc/passwd"])
def test_a_repository_path_out_of_the_cache_is_refused(tmp_path, remote):
    files = (BenchmarkFile(remote, "set", "0" * 64, unpack=True),)
    bench = Benchmark("packed", REPO, COMMIT, files, "bad")
    with pytest.raises(FetchError, match="repository path .* climbs out"):
        fetch(bench, tmp_path / "dest", base_url=NOWHERE, cache=tmp_path / "cache")
    assert files_under(tmp_path) == []
