"""Loading trained models back from checkpoints, with their tokenizer."""

from __future__ import annotations

from pathlib import Path

from lstm_nlp.errors import DataError
from lstm_nlp.text.tokenizer import load_tokenizer


def load_language_model(path: str | Path):
    """The :class:`LanguageModel` and its tokenizer from a checkpoint written by ``lstm-nlp-train``."""
    from tokenizers import Tokenizer

    from lstm_nlp.tasks.language_model import LanguageModel

    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"checkpoint {str(path)!r} does not exist")
    try:
        model = LanguageModel.load_from_checkpoint(str(path), map_location="cpu")
    except Exception as e:  # torch/Lightning raise many types for a bad file
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DataError(f"{path}: not a readable lstm-nlp language-model checkpoint ({reason})") from None
    if model.tokenizer_json:
        tokenizer = Tokenizer.from_str(model.tokenizer_json)
    else:
        tokenizer = load_tokenizer(path.parent.parent / "tokenizer.json")
    model.eval()
    return model, tokenizer
