"""Line-aligned ``NAME.text`` / ``NAME.gold`` / ``NAME.eval`` files (Gulordava et al. 2018's
format, which their Linzen et al. 2016 set in LM form shares).

* ``NAME.text``: one space-tokenised sentence per line, ending in ``<eos>``;
* ``NAME.gold``: line k describes the target of text line k (tab-separated; which columns
  depends on the set), its target index the 0-based position of the target word in the line;
* ``NAME.eval`` (optional): line k holds the same target index again (the papers' scripts
  read the indices from it); when present it must agree with the gold file.

Each target becomes a prefix pair whose prefix is its line's words before the target and whose
``line`` indexes the set's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.readers.lines import aligned_lines, cells, first_line, integer

EOS = "<eos>"
TEXT_EXPECTED = f"one space-tokenised sentence per line, ending in {EOS}"
EVAL_EXPECTED = "one target index per line, line by line as in the .gold file"


@dataclass
class StreamFiles:
    """The files of one ``NAME`` (``evaluation`` is None when there is no ``NAME.eval``)."""

    gold: Path
    text: Path
    evaluation: Path | None

    @classmethod
    def of(cls, path: Path, source: str) -> StreamFiles:
        """The files of ``NAME.gold`` (or of ``NAME.text`` / ``NAME.eval``): ``.text`` needed."""
        gold, text, evaluation = (path.with_suffix(s) for s in (".gold", ".text", ".eval"))
        for needed in (gold, text):
            if not needed.is_file():
                raise DataError(
                    f"{source}: {str(needed)!r} does not exist (a .gold file and "
                    f"its .text file are needed, side by side)"
                )
        return cls(gold, text, evaluation if evaluation.is_file() else None)


def looks_like_gold(path: Path, columns: int) -> bool:
    """``NAME.gold`` beside its ``NAME.text``, its first line of ``columns`` tab-separated
    cells (for ``source=auto``: cheap, one line read)."""
    if path.suffix != ".gold" or not path.with_suffix(".text").is_file():
        return False
    line = first_line(path)
    return line is not None and len(line.split("\t")) == columns


def text_words(path: Path) -> list[list[str]]:
    """Each line's words, its final ``<eos>`` included."""
    lines = []
    for number, line in enumerate(aligned_lines(path, TEXT_EXPECTED), 1):
        words = line.split()
        if words[-1] != EOS or len(words) < 2:
            raise DataError(f"{path}:{number}: expected a sentence ending in {EOS}")
        lines.append(words)
    return lines


def gold_rows(files: StreamFiles, count: int, columns: str, n_text: int) -> list[list[str]]:
    """Each gold line's ``count`` cells (``columns`` names them for errors); one per text line."""
    lines = aligned_lines(files.gold, f"{count} tab-separated columns: {columns}")
    rows = [
        cells(line, f"{files.gold}:{n}", count, f"{count}: {columns}")
        for n, line in enumerate(lines, 1)
    ]
    if len(rows) < n_text:
        raise DataError(
            f"{files.text}:{len(rows) + 1}: no gold line for this sentence ({files.gold} has "
            f"{len(rows)} lines, the text {n_text}; expected one gold line per text line)"
        )
    if len(rows) > n_text:
        raise DataError(
            f"{files.gold}:{n_text + 1}: no text line for this target ({files.text} has "
            f"{n_text} lines, the gold file {len(rows)}; expected one gold line per text line)"
        )
    return rows


def check_eval(files: StreamFiles, targets: list[int]) -> None:
    """``NAME.eval``, when there is one, holds the gold file's target indices line by line."""
    if files.evaluation is None:
        return
    lines = aligned_lines(files.evaluation, EVAL_EXPECTED)
    for number, (line, target) in enumerate(zip(lines, targets), 1):
        source = f"{files.evaluation}:{number}"
        if integer(line.strip(), source, "target index") != target:
            raise DataError(
                f"{source}: target index {line.strip()} differs from {files.gold}:{number}'s "
                f"{target}"
            )
    if len(lines) != len(targets):
        raise DataError(
            f"{files.evaluation}:{min(len(lines), len(targets)) + 1}: {len(lines)} lines, but "
            f"{files.gold} has {len(targets)} (expected {EVAL_EXPECTED})"
        )


def target_item(
    words: list[str],
    index: int,
    forms: tuple[str, str],
    source: str,
    *,
    line: int,
    meta: dict[str, Any],
    check_word: bool = True,
) -> PairItem:
    """The prefix pair of the target at ``words[index]``: the words before it, then ``forms``
    (correct, wrong).  With ``check_word`` the word there must be the correct form (a form
    differing only in case takes the text's case, the wrong form with it)."""
    if not 0 <= index < len(words) - 1:
        raise DataError(
            f"{source}: target index {index} is outside its sentence ({len(words) - 1} words "
            f"before {EOS})"
        )
    good, bad = forms
    if any(len(form.split()) != 1 for form in forms):
        raise DataError(
            f"{source}: the correct and the wrong form must be one word each, got "
            f"{good!r} and {bad!r}"
        )
    if check_word and words[index] != good:
        if words[index].lower() != good.lower():
            raise DataError(
                f"{source}: the word at target index {index} is {words[index]!r}, expected "
                f"the correct form {good!r}"
            )
        good, bad = words[index], bad.lower() if words[index].islower() else bad
    if good == bad:
        raise DataError(f"{source}: the correct and the wrong form are both {good!r}")
    return PairItem(good, bad, " ".join(words[:index]), meta, source, line)
