"""Reading checkpoints back: safely (tensors and plain data only), with one-line errors.

Every checkpoint is read with ``torch.load(weights_only=True)``: the unpickler accepts
tensors, plain containers and numbers, and the globals in :data:`ALLOWED_GLOBALS` — nothing
else. A file that carries any other pickled object (a class, a function: code) is refused
before anything in it runs. Lightning's own loads (resume, testing the best checkpoint) get
``weights_only=True`` too (:mod:`lstm_nlp.training.runner`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.errors import DataError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

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


def checkpoint_tokenizer(ckpt: dict[str, Any], path: Path) -> Tokenizer:
    """The tokenizer stored in a checkpoint (``tokenizer_json``); for a checkpoint without one
    that sits in a run directory (``RUN/checkpoints/NAME.ckpt``), that run's ``tokenizer.json``.
    Anywhere else a checkpoint without its tokenizer is an error: no folder is searched."""
    from tokenizers import Tokenizer

    from lstm_nlp.text.tokenizer import load_tokenizer

    if ckpt.get("tokenizer_json") is not None:
        try:
            return Tokenizer.from_str(ckpt["tokenizer_json"])
        except Exception:  # tokenizers raises a bare Exception (TypeError for a non-string)
            raise DataError(
                f"checkpoint {path}: its tokenizer_json is not a valid tokenizer"
            ) from None
    beside = path.parent.parent / "tokenizer.json"
    if path.parent.name == "checkpoints" and beside.is_file():
        return load_tokenizer(beside)
    where = (
        f"but {beside} does not exist"
        if path.parent.name == "checkpoints"
        else "but this one is not in a run directory's checkpoints/ folder"
    )
    raise DataError(
        f"checkpoint {path} stores no tokenizer (tokenizer_json); a checkpoint in a run "
        f"directory (RUN/checkpoints/NAME.ckpt) uses RUN/tokenizer.json, {where}"
    )
