"""Agreement examples (a sentence prefix, the form that comes next, metadata) from two sources.

An *example* is the sentence up to, not including, an agreeing word (a verb, a reflexive,
a pronoun), the label to predict (``VBZ``/``VBP`` for number agreement, the word form for
pronoun agreement) and metadata used to break accuracy down (attractor count, the
controller's number and gender, the construction).

Two sources give examples:

- **Linzen files** (``data=text data.path=DIR``): ``train.txt``, ``valid.txt``, ``test.txt``
  (any layout :func:`lstm_nlp.text.corpus.find_splits` accepts), one example per line::

      VBP<TAB>the keys to the cabinet<TAB>attractors=1<TAB>construction=pp<TAB>number=pl

  The first column is the label, the second the whitespace-tokenised prefix, and any
  further columns are ``key=value`` metadata (keys and values without whitespace).
  Blank lines are skipped; a malformed line is a :class:`~lstm_nlp.errors.DataError`
  naming the file and line.
- **Annotated corpora** (``data=grammar``, or any source whose splits carry the
  embedded grammar's JSONL annotations): every agreement site of the wanted types in
  every sentence gives one example, prefix = ``tokens[:target]``.

:class:`AgreementSpec` says what a task wants from either source (site types, how a site
becomes a label, which labels are allowed, what metadata a label implies).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lstm_nlp.atomic import write_json
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.text.corpus import SPLITS, CorpusFiles, read_lines

FORMATS = ("auto", "linzen", "annotations")
ATTRACTOR_CAP = 4  # attractor counts of 4 and more share the breakdown group "4+"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class AgreementSpec:
    """What one agreement task reads.

    ``site_types``: the annotation site types that become examples; ``site_label``: a
    site record (and the sentence's tokens) to its label; ``labels``: the allowed labels
    (``None``: any single token); ``implied``: metadata implied by a label, used where a
    Linzen line does not give it (e.g. ``VBZ`` implies ``number=sg``).
    """

    name: str
    site_types: tuple[str, ...]
    site_label: Callable[[Mapping[str, Any], Sequence[str]], str]
    labels: tuple[str, ...] | None = None
    implied: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass
class AgreementSplit:
    """The examples of one split, in file order."""

    source: Path  # the file they were read from (text file or annotations)
    prefixes: list[str] = field(default_factory=list)  # whitespace-joined tokens
    labels: list[str] = field(default_factory=list)
    meta: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # 1-based line of each example in ``source``

    def add(self, prefix: str, label: str, meta: dict[str, str], line: int) -> None:
        self.prefixes.append(prefix)
        self.labels.append(label)
        self.meta.append(meta)
        self.lines.append(line)

    def __len__(self) -> int:
        return len(self.prefixes)


# -- Linzen-format files ---------------------------------------------------------------------
def parse_linzen_line(
    raw: str, where: str, spec: AgreementSpec
) -> tuple[str, str, dict[str, str]] | None:
    """``(prefix, label, metadata)`` of one line, ``None`` for a blank line; ``where`` is
    ``file:line``."""
    if not raw.strip():
        return None
    columns = raw.split("\t")
    if len(columns) < 2:
        raise DataError(
            f"{where}: no tab; expected LABEL<TAB>prefix[<TAB>key=value...], "
            f"e.g. 'VBZ<TAB>the key to the cabinets'"
        )
    label, prefix = columns[0].strip(), " ".join(columns[1].split())
    if not label or len(label.split()) != 1:
        raise DataError(f"{where}: the label {columns[0]!r} must be one word (first column)")
    if spec.labels is not None and label not in spec.labels:
        raise DataError(
            f"{where}: unknown label {label!r} for task={spec.name}; expected one of "
            f"{', '.join(spec.labels)}"
        )
    if not prefix:
        raise DataError(
            f"{where}: empty prefix (second column); there must be words before the {label}"
        )
    meta: dict[str, str] = {}
    for column in columns[2:]:
        column = column.strip()
        if not column:
            continue
        key, sep, value = column.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.match(key) or not value or len(value.split()) != 1:
            raise DataError(
                f"{where}: metadata column {column!r} is not key=value "
                f"(a key of letters, digits, _ . -, and a value without spaces)"
            )
        if key in meta:
            raise DataError(f"{where}: metadata key {key!r} given twice")
        meta[key] = value
    return prefix, label, meta


def read_linzen(
    path: str | Path, spec: AgreementSpec, encoding_errors: str = "strict"
) -> AgreementSplit:
    """Every example of one Linzen-format file (see the module docstring)."""
    path = Path(path)
    split = AgreementSplit(source=path)
    for number, raw in enumerate(read_lines(path, encoding_errors), start=1):
        parsed = parse_linzen_line(raw, f"{path}:{number}", spec)
        if parsed is None:
            continue
        prefix, label, meta = parsed
        if "attractors" in meta:
            _attractor_count(meta["attractors"], f"{path}:{number}")
        for key, value in spec.implied.get(label, {}).items():
            meta.setdefault(key, value)
        split.add(prefix, label, meta, number)
    if not len(split):
        raise DataError(f"{path}: no examples (every line is blank)")
    return split


def _attractor_count(value: str, where: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise DataError(f"{where}: attractors={value!r} must be a whole number >= 0")
    return count


# -- annotated corpora (the embedded grammar) ---------------------------------------------------
def read_annotated(
    text: str | Path, annotations: str | Path, spec: AgreementSpec, encoding_errors: str = "strict"
) -> AgreementSplit:
    """One example per site of ``spec.site_types`` in the JSONL ``annotations`` of ``text``."""
    text, annotations = Path(text), Path(annotations)
    lines, records = read_lines(text, encoding_errors), read_lines(annotations, encoding_errors)
    if len(records) != len(lines):
        n = min(len(records), len(lines)) + 1
        raise DataError(
            f"{annotations}:{n}: {len(records)} annotation records for the {len(lines)} lines of "
            f"{text}; they must be aligned line by line"
        )
    split = AgreementSplit(source=annotations)
    for number, (line, raw) in enumerate(zip(lines, records), start=1):
        where = f"{annotations}:{number}"
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as e:
            raise DataError(f"{where}: not valid JSON ({e.msg})") from None
        sites = record.get("sites") if isinstance(record, dict) else None
        if not isinstance(sites, list):
            raise DataError(
                f'{where}: expected an object with "sites" (a list of agreement sites); '
                f"for LABEL<TAB>prefix files set task.format=linzen"
            )
        tokens = line.split()
        for site in sites:
            if not isinstance(site, dict) or site.get("type") not in spec.site_types:
                continue
            target = site.get("target")
            if not isinstance(target, int) or not 0 < target < len(tokens):
                raise DataError(
                    f"{where}: site target {target!r} is not a word after the first of the "
                    f"{len(tokens)} words of line {number} of {text}"
                )
            try:
                label = spec.site_label(site, tokens)
            except (KeyError, ValueError) as e:
                raise DataError(f"{where}: {site.get('type')} site at word {target}: {e}") from None
            split.add(" ".join(tokens[:target]), label, site_metadata(site), number)
    return split


def site_metadata(site: Mapping[str, Any]) -> dict[str, str]:
    """The breakdown fields of a site: ``type``, ``attractors``, ``construction``, ``number``,
    ``gender`` (when set)."""
    meta = {}
    for key in ("type", "attractors", "construction", "number", "gender"):
        value = site.get(key)
        if value is not None and value != "":
            meta[key] = str(value)
    return meta


# -- both -------------------------------------------------------------------------------------
def read_examples(
    files: CorpusFiles, spec: AgreementSpec, fmt: str = "auto", encoding_errors: str = "strict"
) -> dict[str, AgreementSplit]:
    """The train/valid/test examples of ``files``.

    ``fmt``: ``linzen`` reads each split's text file as ``LABEL<TAB>prefix...`` lines;
    ``annotations`` derives examples from the JSONL annotations; ``auto`` picks
    ``annotations`` when every split has an annotation file (``data=grammar``), else ``linzen``.
    """
    if fmt not in FORMATS:
        raise ConfigError(f"task.format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "auto":
        has_all = all(
            files.annotations.get(s) is not None and Path(files.annotations[s]).is_file()
            for s in SPLITS
        )
        fmt = "annotations" if has_all else "linzen"
    out = {}
    for split in SPLITS:
        if fmt == "linzen":
            out[split] = read_linzen(files.splits[split], spec, encoding_errors)
            continue
        ann = files.annotations.get(split)
        if ann is None or not Path(ann).is_file():
            raise DataError(
                f"{files.splits[split]}: no annotations for the {split} split; "
                "task.format=annotations needs a JSONL file of agreement sites beside each split"
            )
        out[split] = read_annotated(files.splits[split], ann, spec, encoding_errors)
        if not len(out[split]):
            raise DataError(f"{ann}: no {' or '.join(spec.site_types)} sites in the {split} split")
    return out


def label_set(
    train_labels: Sequence[str], path: Path, fixed: Sequence[str] | None = None
) -> list[str]:
    """The label list (index = class id), written to ``path`` (``labels.json``) or reused from it.

    ``fixed`` labels are used as given; otherwise the training labels by frequency (ties by name).
    A resumed run reuses its ``labels.json`` so class ids never change.
    """
    if path.is_file():
        try:
            labels = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DataError(f"{path}: unreadable label set ({e})") from None
        if not (
            isinstance(labels, list)
            and labels
            and all(isinstance(x, str) for x in labels)
            and len(set(labels)) == len(labels)
        ):
            raise DataError(f"{path}: expected a JSON list of distinct label strings")
        if fixed is not None and list(fixed) != labels:
            raise DataError(
                f"{path}: labels {labels} differ from this task's {list(fixed)}; use another "
                "run_dir"
            )
        return labels
    if fixed is not None:
        labels = list(fixed)
    else:
        counts = Counter(train_labels)
        labels = sorted(counts, key=lambda x: (-counts[x], x))
    write_json(path, labels)
    return labels


@dataclass
class Breakdowns:
    """Per-example group codes for each breakdown key of one split: ``codes[key][i]`` is -1 when
    unknown."""

    codes: dict[str, np.ndarray]
    names: dict[str, list[str]]

    def __len__(self) -> int:
        return len(next(iter(self.codes.values()))) if self.codes else 0


def group_name(key: str, value: str) -> str:
    """The breakdown group of one metadata value; attractor counts >= :data:`ATTRACTOR_CAP` become
    ``"4+"``."""
    if key == "attractors":
        try:
            count = int(value)
        except ValueError:
            return value
        return f"{ATTRACTOR_CAP}+" if count >= ATTRACTOR_CAP else str(count)
    return value


def _order(key: str, names: set[str]) -> list[str]:
    if key == "attractors":
        return sorted(
            names, key=lambda n: (int(n.rstrip("+")) if n.rstrip("+").isdigit() else 10**9, n)
        )
    return sorted(names)


def breakdowns(meta: Sequence[Mapping[str, str]], keys: Sequence[str]) -> Breakdowns:
    """Group codes of each example for each of ``keys`` present in the metadata."""
    codes, names = {}, {}
    for key in keys:
        values = [None if m.get(key) is None else group_name(key, m[key]) for m in meta]
        present = {v for v in values if v is not None}
        if not present:
            continue
        order = _order(key, present)
        index = {name: i for i, name in enumerate(order)}
        codes[key] = np.array([-1 if v is None else index[v] for v in values], dtype=np.int64)
        names[key] = order
    return Breakdowns(codes, names)
