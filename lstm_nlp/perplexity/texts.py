"""The texts to score: a file or a folder's files, tokenised as the training corpus was.

Each line is whitespace-tokenised and followed by one ``<eos>``; words outside the model's
vocabulary read as ``<unk>`` (:func:`lstm_nlp.text.token_store.load_stream`, the reader that
prepares a training corpus, cached under the token cache as a corpus split is).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lstm_nlp.errors import DataError
from lstm_nlp.text.specials import EOS, UNK

SUFFIXES = (".txt", ".tokens")  # the files of a folder that are read


@dataclass
class Text:
    """One text's token ids and what its words were."""

    path: Path
    ids: np.ndarray  # int32, <eos> after every line
    words: int  # tokens that are not <eos>
    oov: int  # of those, read as <unk>

    @property
    def oov_rate(self) -> float | None:
        return self.oov / self.words if self.words else None


def text_files(path: str | Path, key: str = "path") -> list[Path]:
    """``path`` itself, or the ``.txt`` and ``.tokens`` files of the folder ``path`` (sorted)."""
    path = Path(path).expanduser()
    if path.is_file():
        return [path]
    if not path.exists():
        raise DataError(f"{key}: {str(path)!r} does not exist")
    if not path.is_dir():
        raise DataError(f"{key}: {str(path)!r} is neither a file nor a folder")
    files = sorted(
        p for p in path.iterdir() if p.is_file() and p.suffix in SUFFIXES and p.name[0] != "."
    )
    if not files:
        raise DataError(f"{key}: the folder {str(path)!r} has no {' or '.join(SUFFIXES)} files")
    return files


def read_text(path: Path, tokenizer: Any, cache_dir: Path | None = None) -> Text:
    """``path``'s ids under ``tokenizer`` (an empty or undecodable file is the reader's one-line
    :class:`DataError`)."""
    from lstm_nlp.paths import cache_dir as default_cache
    from lstm_nlp.text.token_store import load_stream

    ids = load_stream(path, tokenizer, cache_dir or default_cache())
    eos, unk = tokenizer.token_to_id(EOS), tokenizer.token_to_id(UNK)
    words = int(len(ids) - np.count_nonzero(ids == eos))
    return Text(path, ids, words, int(np.count_nonzero(ids == unk)))


def check_length(text: Text, batch_size: int, key: str = "batch_size") -> None:
    """A text must give each of ``batch_size`` columns two tokens (one to read, one to score)."""
    if len(text.ids) < 2 * batch_size:
        raise DataError(
            f"{text.path}: {len(text.ids)} tokens, too few for {key}={batch_size} (each stream "
            f"column needs 2): lower {key}"
        )
