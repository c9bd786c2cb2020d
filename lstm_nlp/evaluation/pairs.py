"""Minimal pairs read from JSONL or TSV files, with one-line errors naming file and line.

Two kinds of item, told apart by their fields:

* sentence pairs (BLiMP's names): ``sentence_good``, ``sentence_bad``; the whole
  sentences are compared;
* prefix pairs: ``prefix``, ``good``, ``bad``; only the continuation after the
  prefix is compared (``prefix`` may be empty).

Every other field is metadata to group results by (BLiMP's ``UID``,
``linguistics_term``, ``field``; our ``category``, ``attractors``, ...).
A ``.tsv`` file has a header row naming its columns; every other file is JSONL,
one object per line.  Blank lines are skipped.  A folder means each of its
``.jsonl``/``.tsv`` files, sorted by name, and each item gets the file's stem as
its ``file`` field (replacing one of the same name in the data).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError

SENTENCE_FIELDS = ("sentence_good", "sentence_bad")
PREFIX_FIELDS = ("prefix", "good", "bad")
SUFFIXES = (".jsonl", ".tsv")


@dataclass
class PairItem:
    """One minimal pair: ``prefix is None`` for a sentence pair, else a prefix pair."""

    good: str
    bad: str
    prefix: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # "file:line"
    line: int | None = None  # stream sets: the index of its line in TestSet.text

    @property
    def kind(self) -> str:
        return "sentence" if self.prefix is None else "prefix"


def read_pairs(path: str | os.PathLike) -> list[PairItem]:
    """Every item of a JSONL/TSV file, or of every such file in a folder (``file`` = stem)."""
    path = Path(path).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES)
        if not files:
            raise DataError(f"pairs: folder {str(path)!r} has no .jsonl or .tsv files")
        items = []
        for file in files:
            for item in read_pair_file(file):
                item.meta["file"] = file.stem
                items.append(item)
        return items
    if not path.is_file():
        raise DataError(f"pairs: {str(path)!r} does not exist")
    return read_pair_file(path)


def read_pair_file(path: Path) -> list[PairItem]:
    lines = decoded_lines(path)
    parse = _tsv_items if path.suffix == ".tsv" else _jsonl_items
    items = parse(path, lines)
    if not items:
        raise DataError(f"{path}: no pairs in the file (expected {_expected(path)})")
    return items


def _expected(path: Path) -> str:
    if path.suffix == ".tsv":
        return (
            "a header row with sentence_good/sentence_bad or prefix/good/bad columns, then one "
            "pair per row"
        )
    return "one JSON object per line with sentence_good/sentence_bad or prefix/good/bad"


def decoded_lines(path: Path, expected: str | None = None) -> list[str]:
    """The file's lines, decoded as UTF-8 (BOM dropped); empty or undecodable files are errors
    (an empty one says what was ``expected``: by default a pairs file's content)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{path}:{line}: bytes that are not UTF-8 (byte {raw[e.start]:#04x}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip():  # after decoding: Unicode spaces (U+2028, U+3000, ...) are blank too
        raise DataError(f"{path}: the file is empty (expected {expected or _expected(path)})")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _jsonl_items(path: Path, lines: list[str]) -> list[PairItem]:
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(
                f"{path}:{number}: invalid JSON ({e.msg} at column {e.colno})"
            ) from None
        if not isinstance(record, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        items.append(make_item(record, f"{path}:{number}"))
    return items


def _tsv_items(path: Path, lines: list[str]) -> list[PairItem]:
    rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip()]
    header_line, header = rows[0][0], rows[0][1].split("\t")
    if len(set(header)) != len(header) or not all(h.strip() for h in header):
        raise DataError(f"{path}:{header_line}: the header row has empty or repeated column names")
    if not (set(SENTENCE_FIELDS) <= set(header) or set(PREFIX_FIELDS) <= set(header)):
        raise DataError(
            f"{path}:{header_line}: the header row needs columns sentence_good and sentence_bad, "
            f"or prefix, good and bad; got {', '.join(header)}"
        )
    items = []
    for number, line in rows[1:]:
        cells = line.split("\t")
        if len(cells) != len(header):
            raise DataError(
                f"{path}:{number}: {len(cells)} columns, but the header has {len(header)}"
            )
        items.append(make_item(dict(zip(header, cells)), f"{path}:{number}"))
    return items


def make_item(record: dict[str, Any], source: str) -> PairItem:
    """A :class:`PairItem` from one record; missing or non-text fields are a :class:`DataError`."""
    if any(k in record for k in SENTENCE_FIELDS):
        good, bad = (_text(record, k, source) for k in SENTENCE_FIELDS)
        prefix = None
        names = SENTENCE_FIELDS
    elif any(k in record for k in PREFIX_FIELDS):
        prefix, good, bad = (
            _text(record, k, source, empty_ok=k == "prefix") for k in PREFIX_FIELDS
        )
        names = PREFIX_FIELDS
    else:
        raise DataError(
            f"{source}: missing fields: a pair needs sentence_good and sentence_bad, "
            "or prefix, good and bad"
        )
    meta = {k: v for k, v in record.items() if k not in names}
    return PairItem(good=good, bad=bad, prefix=prefix, meta=meta, source=source)


def _text(record: dict[str, Any], key: str, source: str, empty_ok: bool = False) -> str:
    if key not in record:
        raise DataError(f"{source}: missing field {key!r}")
    value = record[key]
    if not isinstance(value, str):
        raise DataError(f"{source}: field {key!r} must be a string, got {json.dumps(value)}")
    if not empty_ok and not value.strip():
        raise DataError(f"{source}: field {key!r} is empty")
    return value
