"""A language model from a checkpoint, every fault of the file one line naming it.

The model is first built on torch's ``meta`` device (no memory, no time) from the checkpoint's
``hyper_parameters``, and its weight names and shapes compared with the file's; only a checkpoint
whose weights fit, all finite, and whose tokenizer fits is built for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.text.checkpoint_checks import (
    check_finite,
    check_tokenizer_fits,
    check_weights,
    checkpoint_hparams,
    weights_of,
)
from lstm_nlp.text.checkpoint_file import (
    TASK_KEY,
    checkpoint_tokenizer,
    read_checkpoint,
    resolve_checkpoint,
)


def check_task(ckpt: dict[str, Any], path: Path) -> None:
    task = ckpt.get(TASK_KEY)
    if task != "language_model":
        written_by = f"task={task}" if task else "another task or program"
        raise DataError(
            f"{path}: not a language-model checkpoint (written by {written_by}); "
            "this command needs one from task=language_model"
        )


def build(hparams: dict[str, Any], path: Path, device: str) -> Any:
    """``LanguageModel(**hparams)`` on ``device``; settings it cannot be built from are one line."""
    import torch

    from lstm_nlp.tasks.language_model import LanguageModel

    try:
        with torch.device(device):
            return LanguageModel(**hparams)
    except Exception as err:  # noqa: BLE001 - any fault of a damaged file ends here, named
        first = (str(err).strip().splitlines() or [""])[0][:200]
        raise DataError(
            f"checkpoint {path}: its hyper_parameters do not describe a language model "
            f"({type(err).__name__}: {first})"
        ) from None


def load_checked_language_model(path: str | Path) -> tuple[Any, Any]:
    """The language model (in eval mode) and its tokenizer from a checkpoint or run directory;
    a damaged or foreign file is a :class:`DataError` naming it and what is wrong."""
    path = resolve_checkpoint(path)
    ckpt = read_checkpoint(path)
    check_task(ckpt, path)
    hparams = checkpoint_hparams(ckpt, path)
    state = weights_of(ckpt, path)
    expected = {
        name: tensor.shape for name, tensor in build(hparams, path, "meta").state_dict().items()
    }
    check_weights(expected, state, path)
    check_finite(state, path)
    tokenizer = checkpoint_tokenizer(ckpt, path)
    check_tokenizer_fits(tokenizer, hparams.get("vocab_size"), path)
    model = build(hparams, path, "cpu")
    model.load_state_dict(state)
    model.tokenizer_json = tokenizer.to_str()
    return model.eval(), tokenizer


load_language_model = load_checked_language_model  # the name the tests and scripts use
