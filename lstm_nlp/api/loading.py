"""``lstm_nlp.load``: a checkpoint, a run directory or an exported folder as a model handle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_nlp.export.config import CONFIG_FILE

if TYPE_CHECKING:
    from lstm_nlp.api.handle import LanguageModelHandle


def load(
    path: str | os.PathLike, device: str = "cpu", precision: str = "32-true"
) -> LanguageModelHandle:
    """The language model at ``path`` as a :class:`~lstm_nlp.api.handle.LanguageModelHandle`.

    ``path`` is a ``.ckpt`` written by ``lstm-nlp-train``, a run directory (its
    ``checkpoints/best.ckpt``, else ``last.ckpt``, as the commands resolve it) or a folder written
    by ``lstm-nlp-export`` (read with torch, safetensors and tokenizers only).  Every fault of a
    file is one :class:`~lstm_nlp.errors.LstmNlpError` line naming it."""
    from lstm_nlp.api.handle import LanguageModelHandle

    folder = Path(path).expanduser()
    if folder.is_dir() and (folder / CONFIG_FILE).is_file():
        from lstm_nlp.export.read import load_exported

        model, tokenizer = load_exported(folder)
        source = folder
    else:
        from lstm_nlp.tasks.checked_load import load_checked_language_model
        from lstm_nlp.text.checkpoint_file import resolve_checkpoint

        source = resolve_checkpoint(folder)
        model, tokenizer = load_checked_language_model(source)
    return LanguageModelHandle(model, tokenizer, source, precision).to(device)
