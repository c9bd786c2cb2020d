"""Unpacking a downloaded archive (zip or tar, compressed or not) without letting it write outside
its target folder.

Every member is checked before anything is written: a member with an absolute path (``/etc/x``,
``C:\\x``), a ``..`` part, a link whose target lies outside the folder (or any hard link to a
path outside), or a device or fifo is refused, in one line naming the archive and the member.
Only then are the members written, into a temporary folder beside the target that replaces it
whole (tar's own ``data`` filter applied as well), so a refused archive writes nothing.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lstm_nlp.errors import LstmNlpError

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


class ArchiveError(LstmNlpError):
    """An archive that is unreadable or holds a member that would land outside its folder."""


@dataclass(frozen=True)
class Member:
    """What the checks need of one archive member."""

    name: str
    kind: str  # file | dir | symlink | hardlink | other
    link: str = ""  # a link's target


def tar_members(archive: tarfile.TarFile) -> Iterator[Member]:
    for info in archive.getmembers():
        if info.issym() or info.islnk():
            kind = "symlink" if info.issym() else "hardlink"
            yield Member(info.name, kind, info.linkname)
        elif info.isfile() or info.isdir():
            yield Member(info.name, "dir" if info.isdir() else "file")
        else:
            yield Member(info.name, "other")


def zip_members(archive: zipfile.ZipFile) -> Iterator[Member]:
    for info in archive.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            yield Member(info.filename, "symlink", archive.read(info).decode("utf-8", "replace"))
        else:
            yield Member(info.filename, "dir" if info.is_dir() else "file")


def escapes(path: str) -> bool:
    """Whether a member path (or a link target) is absolute or climbs with ``..``."""
    text = path.replace("\\", "/")
    pure = PurePosixPath(text)
    drive = len(text) > 1 and text[1] == ":"
    return pure.is_absolute() or drive or ".." in pure.parts


def link_escapes(member: Member) -> bool:
    """Whether a link points outside the folder: a symbolic link's target is read from the
    member's own folder, a hard link's from the archive's root."""
    link = member.link.replace("\\", "/")
    if link.startswith("/") or link[1:2] == ":":
        return True
    base = PurePosixPath(member.name).parent.parts if member.kind == "symlink" else ()
    depth = 0
    for part in [*base, *link.split("/")]:
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return True
    return False


def problem(member: Member) -> str | None:
    """Why ``member`` may not be unpacked, or None."""
    if not member.name.strip():
        return "it has no name"
    if escapes(member.name):
        return "its path is absolute or climbs out with '..'"
    if member.kind in ("symlink", "hardlink") and link_escapes(member):
        return f"it is a link to {member.link!r}, outside the target folder"
    if member.kind == "other":
        return "it is not a file, a folder or a link (a device or a fifo)"
    return None


def members_of(path: Path) -> list[Member]:
    """Every member of a zip or tar archive."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return list(zip_members(archive))
        with tarfile.open(path) as archive:
            return list(tar_members(archive))
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as err:
        raise ArchiveError(f"{path.name}: not a readable zip or tar archive ({err})") from None


def check_archive(path: Path, label: str) -> list[Member]:
    """Every member of the archive at ``path``, each checked; ``label`` names it in messages."""
    members = members_of(path)
    for member in members:
        why = problem(member)
        if why:
            raise ArchiveError(
                f"{label}: refused member {member.name!r}: {why}; nothing was placed"
            )
    return members


def unpack(path: Path, target: Path, label: str) -> None:
    """Unpack the archive at ``path`` into the folder ``target`` (replaced whole), after
    :func:`check_archive`."""
    check_archive(path, label)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp)
        else:
            with tarfile.open(path) as archive:
                archive.extractall(tmp, filter="data")
        replace_folder(tmp, target)
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as err:
        raise ArchiveError(f"{label}: cannot unpack ({err}); nothing was placed") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder ``new`` at ``target``, an old ``target`` removed only once ``new`` is in."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        os.rename(target, old)
    os.rename(new, target)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()
