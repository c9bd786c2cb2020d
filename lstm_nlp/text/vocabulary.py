"""A trained model's vocabulary, from whichever file a user has at hand."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_nlp.errors import DataError
from lstm_nlp.text.checkpoint_file import checkpoint_tokenizer, read_checkpoint, resolve_checkpoint

if TYPE_CHECKING:
    from tokenizers import Tokenizer


def load_vocabulary(path: str | os.PathLike) -> frozenset[str]:
    """The words (specials excluded) of a tokenizer.json, a checkpoint, or a run directory."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(
            f"vocab: {str(path)!r} does not exist (give a tokenizer.json, a .ckpt or a run "
            "directory)"
        )
    try:
        if path.is_dir():
            if (path / "tokenizer.json").is_file():
                return _tokenizer_words(path / "tokenizer.json")
            try:
                ckpt = resolve_checkpoint(path)
            except DataError:
                raise DataError(
                    f"{str(path)!r} is a folder without tokenizer.json, checkpoints/best.ckpt "
                    "or checkpoints/last.ckpt"
                ) from None
            return _checkpoint_words(ckpt)
        with open(path, "rb") as f:
            head = f.read(64).lstrip()
        if path.suffix == ".json" or head.startswith(b"{"):
            return _tokenizer_words(path)
        return _checkpoint_words(path)
    except DataError as err:
        raise DataError(f"vocab: {err}") from None
    except OSError as err:
        raise DataError(f"vocab: {str(path)!r}: cannot read ({err.strerror})") from None


def _words(tok: Tokenizer, source: Path) -> frozenset[str]:
    from lstm_nlp.text.tokenizer import SPECIALS

    words = frozenset(tok.get_vocab()) - set(SPECIALS)
    if not words:
        raise DataError(f"{source}: the tokenizer's vocabulary has no words")
    return words


def _tokenizer_words(path: Path) -> frozenset[str]:
    from lstm_nlp.text.tokenizer import load_tokenizer

    return _words(load_tokenizer(path), path)


def _checkpoint_words(path: Path) -> frozenset[str]:
    try:
        ckpt = read_checkpoint(path)
    except DataError:
        if path.suffix == ".ckpt":
            raise
        raise DataError(
            f"{path}: neither a tokenizer.json nor a readable lstm-nlp checkpoint"
        ) from None
    return _words(checkpoint_tokenizer(ckpt, path), path)
