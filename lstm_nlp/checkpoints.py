"""Reading checkpoints back: safely (tensors and plain data only), with one-line errors.

Every checkpoint is read with ``torch.load(weights_only=True)``: the unpickler accepts
tensors, plain containers and numbers, and the globals in :data:`ALLOWED_GLOBALS` — nothing
else. A file that carries any other pickled object (a class, a function: code) is refused
before anything in it runs. Lightning's own loads (resume, testing the best checkpoint) get
``weights_only=True`` too (lstm_nlp/train.py).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError

TASK_KEY = "lstm_nlp_task"  # written into every checkpoint by the built-in tasks

# Globals a checkpoint may name beyond torch's own weights-only set (tensors, storages, dtypes,
# OrderedDict, ...). lstm-nlp's checkpoints need none: hyperparameters are plain Python values.
ALLOWED_GLOBALS: tuple = ()


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint file, or a run directory (its ``checkpoints/best.ckpt``, else ``last.ckpt``)."""
    path = Path(path).expanduser()
    if path.is_dir():
        for candidate in (
            path / "checkpoints" / "best.ckpt",
            path / "checkpoints" / "last.ckpt",
            path / "best.ckpt",
        ):
            if candidate.is_file():
                return candidate
        raise DataError(
            f"checkpoint: {str(path)!r} is a folder without checkpoints/best.ckpt or "
            "checkpoints/last.ckpt"
        )
    if not path.is_file():
        raise DataError(f"checkpoint: {str(path)!r} does not exist")
    return path


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """``torch.load`` with ``weights_only=True``: nothing in the file can run code."""
    import torch

    try:
        with torch.serialization.safe_globals(list(ALLOWED_GLOBALS)):
            ckpt = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a damaged or foreign file
        refused = re.search(r"GLOBAL (\S+)", str(e))  # torch names the global it would have loaded
        if refused:
            name = refused.group(1).rstrip(".,")
            raise DataError(
                f"{path}: refused: the file holds a pickled {name} (code, not data); lstm-nlp "
                "loads checkpoints with tensors and plain values only — do not use files from "
                "untrusted sources with weights_only=False"
            ) from None
        raise DataError(
            f"{path}: not a readable lstm-nlp checkpoint ({type(e).__name__}: truncated, damaged "
            f"or not a PyTorch checkpoint)"
        ) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise DataError(f"{path}: not an lstm-nlp checkpoint (no state_dict)")
    return ckpt


def resume_checkpoint(run_dir: Path) -> Path | None:
    """The newest readable checkpoint of a run directory; unreadable ones are skipped with a
    warning."""
    folder = run_dir / "checkpoints"
    candidates = sorted(
        (p for p in (folder / "last.ckpt", folder / "best.ckpt") if p.is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in candidates:
        try:
            read_checkpoint(path)
            return path
        except DataError as err:
            warnings.warn(f"lstm-nlp: skipping {err}", stacklevel=2)
    return None


def load_language_model(path: str | Path):
    """The :class:`LanguageModel` (in eval mode) and its tokenizer from a checkpoint or run
    directory."""
    from tokenizers import Tokenizer

    from lstm_nlp.tasks.language_model import LanguageModel
    from lstm_nlp.text.tokenizer import load_tokenizer

    path = resolve_checkpoint(path)
    ckpt = read_checkpoint(path)
    task = ckpt.get(TASK_KEY)
    if task != "language_model":
        written_by = f"task={task}" if task else "another task or program"
        raise DataError(
            f"{path}: not a language-model checkpoint (written by {written_by}); "
            "this command needs one from task=language_model"
        )
    model = LanguageModel(**ckpt["hyper_parameters"])
    model.load_state_dict(ckpt["state_dict"])
    if ckpt.get("tokenizer_json"):
        tokenizer = Tokenizer.from_str(ckpt["tokenizer_json"])
    else:
        tokenizer = load_tokenizer(path.parent.parent / "tokenizer.json")
    model.tokenizer_json = tokenizer.to_str()
    return model.eval(), tokenizer
