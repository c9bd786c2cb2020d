"""A tagged corpus: each split's text lines with the ``"pos"`` tags of the split's JSONL
annotations."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from lstm_nlp.atomic import write_json
from lstm_nlp.errors import DataError
from lstm_nlp.text.corpus import CorpusFiles, read_lines

UNK_TAG = "<unk>"  # stands for a valid/test tag never seen in training (always counted wrong)


def read_tagged(
    files: CorpusFiles, split: str, encoding_errors: str = "strict"
) -> tuple[list[str], list[list[str]]]:
    """The non-empty lines of ``split`` and their tags, one per whitespace token."""
    text = files.splits[split]
    ann = files.annotations.get(split)
    if ann is None or not Path(ann).is_file():
        where = f" ({ann} does not exist)" if ann is not None else ""
        raise DataError(
            f"{text}: no POS annotations for the {split} split{where}; task=pos_tagging needs a "
            'JSONL file with one {"pos": [...]} record per line '
            f"(data=text reads {split}.jsonl beside {text.name})"
        )
    lines, records = read_lines(text, encoding_errors), read_lines(ann, encoding_errors)
    if len(records) < len(lines):
        raise DataError(
            f"{ann}:{len(records) + 1}: no record for line {len(records) + 1} of {text} "
            f"({len(records)} records for {len(lines)} lines)"
        )
    if len(records) > len(lines):
        raise DataError(
            f"{ann}:{len(lines) + 1}: more records than the {len(lines)} lines of {text}"
        )
    kept_lines, kept_tags = [], []
    for number, (line, raw) in enumerate(zip(lines, records), start=1):
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as e:
            raise DataError(f"{ann}:{number}: not valid JSON ({e.msg})") from None
        tags = record.get("pos") if isinstance(record, dict) else None
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise DataError(f'{ann}:{number}: expected an object with "pos": a list of tag strings')
        words = line.split()
        if len(tags) != len(words):
            raise DataError(
                f"{ann}:{number}: {len(tags)} POS tags for the {len(words)} tokens "
                f"of line {number} of {text}"
            )
        if words:
            kept_lines.append(line)
            kept_tags.append(tags)
    if not kept_lines:
        raise DataError(f"{text}: the {split} split has no non-empty line to tag")
    return kept_lines, kept_tags


def tag_set(train_tags: list[list[str]], path: Path) -> list[str]:
    """``<unk>`` then the training tags by frequency; reuses ``path`` (a resumed run's
    tags.json)."""
    if path.is_file():
        try:
            tags = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise DataError(f"{path}: unreadable tag set ({e})") from None
        if not (
            isinstance(tags, list)
            and tags
            and tags[0] == UNK_TAG
            and all(isinstance(t, str) for t in tags)
        ):
            raise DataError(
                f"{path}: expected a JSON list of tag strings starting with {UNK_TAG!r}"
            )
        return tags
    counts = Counter(t for sent in train_tags for t in sent)
    tags = [UNK_TAG] + sorted((t for t in counts if t != UNK_TAG), key=lambda t: (-counts[t], t))
    write_json(path, tags)
    return tags
