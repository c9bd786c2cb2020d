"""Reading an exported folder back: torch, safetensors and tokenizers only (no pickle, no
Lightning, no Hydra for the built-in encoders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.export.config import TOKENIZER_FILE, WEIGHTS_FILE, read_config


def load_exported(folder: str | Path) -> tuple[Any, Any]:
    """The model (:class:`~lstm_nlp.export.model.ExportedLanguageModel`, eval mode, on the CPU)
    and its tokenizer from an exported folder; every fault of a file is one line naming it."""
    from lstm_nlp.export.model import ExportedLanguageModel
    from lstm_nlp.text.checkpoint_checks import check_tokenizer_fits
    from lstm_nlp.text.tokenizer import load_tokenizer

    folder = Path(folder).expanduser()
    config = read_config(folder)
    tokenizer = load_tokenizer(folder / TOKENIZER_FILE)
    check_tokenizer_fits(tokenizer, config.vocab_size, folder / TOKENIZER_FILE)
    model = ExportedLanguageModel(config)
    load_weights(model, folder / WEIGHTS_FILE)
    model.tokenizer_json = tokenizer.to_str()
    return model.eval(), tokenizer


def load_weights(model: Any, path: Path) -> None:
    """``model.safetensors`` into ``model`` (a tied matrix is stored once); names and shapes must
    match the model's exactly."""
    from safetensors import SafetensorError
    from safetensors.torch import load_model

    from lstm_nlp.text.checkpoint_checks import check_finite

    try:
        missing, unexpected = load_model(model, str(path), strict=False, device="cpu")
    except (SafetensorError, OSError) as err:
        raise DataError(f"{path}: not a readable safetensors file ({err})") from None
    except RuntimeError as err:  # a shape that differs from config.json's
        first = str(err).strip().splitlines()[-1].strip()
        raise DataError(f"{path}: weights do not fit config.json ({first})") from None
    if missing or unexpected:
        names = ", ".join([*missing, *unexpected][:5])
        raise DataError(f"{path}: weights do not fit config.json (missing or extra: {names})")
    check_finite(model.state_dict(), path)
