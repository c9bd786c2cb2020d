"""What a checkpoint must hold before a model is built from it, each fault one line naming the
file: its settings (``hyper_parameters``), weights of the names and shapes those settings give,
all finite, and a tokenizer that fits the model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.errors import DataError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

SHOWN = 3  # names listed in a message before "and N more"


def names_of(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def checkpoint_hparams(ckpt: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The checkpoint's ``hyper_parameters`` (the settings its model is built from)."""
    if "hyper_parameters" not in ckpt:
        raise DataError(
            f"checkpoint {path} has no hyper_parameters (the model's settings): damaged, or not "
            "written by lstm-nlp-train"
        )
    hparams = ckpt["hyper_parameters"]
    if not isinstance(hparams, Mapping) or not all(isinstance(k, str) for k in hparams):
        got = "null" if hparams is None else type(hparams).__name__
        raise DataError(
            f"checkpoint {path}: hyper_parameters must be a mapping of settings, got {got}"
        )
    return dict(hparams)


def weights_of(ckpt: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    """The checkpoint's ``state_dict``: a mapping of names to tensors."""
    import torch

    state = ckpt.get("state_dict")
    if not isinstance(state, Mapping):
        raise DataError(f"checkpoint {path}: state_dict must be a mapping of weights")
    odd = [str(k) for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if odd:
        raise DataError(f"checkpoint {path}: not a tensor: weight {names_of(odd)}")
    return state


def shape(size: Any) -> str:
    return "[" + ", ".join(str(n) for n in size) + "]"


def check_weights(expected: Mapping[str, Any], state: Mapping[str, Any], path: Path) -> None:
    """``state`` holds every weight of ``expected`` (name -> shape), no other, each its shape."""
    missing = [k for k in expected if k not in state]
    if missing:
        raise DataError(
            f"checkpoint {path}: missing weight {names_of(missing)} (damaged, or its "
            "hyper_parameters do not match its weights)"
        )
    extra = [str(k) for k in state if k not in expected]
    if extra:
        raise DataError(
            f"checkpoint {path}: unexpected weight {names_of(extra)}, not in the model its "
            "hyper_parameters describe"
        )
    for name, size in expected.items():
        if tuple(state[name].shape) != tuple(size):
            raise DataError(
                f"checkpoint {path}: weight {name} has shape {shape(state[name].shape)}, its "
                f"hyper_parameters need {shape(size)}"
            )


def check_finite(state: Mapping[str, Any], path: Path) -> None:
    """Every floating-point weight finite (no NaN or infinity)."""
    import torch

    bad = [
        str(name)
        for name, tensor in state.items()
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())
    ]
    if bad:
        raise DataError(f"checkpoint {path} has non-finite weights ({names_of(bad)})")


def check_tokenizer_fits(tokenizer: Tokenizer, vocab_size: Any, path: Path) -> None:
    """The tokenizer has the special words the commands use, and no id past the model's
    vocabulary."""
    from lstm_nlp.text.specials import EOS, UNK

    lacking = [word for word in (EOS, UNK) if tokenizer.token_to_id(word) is None]
    if lacking:
        raise DataError(f"checkpoint {path}: its tokenizer lacks {', '.join(lacking)}")
    size = tokenizer.get_vocab_size()
    if isinstance(vocab_size, int) and size > vocab_size:
        raise DataError(
            f"checkpoint {path}: its tokenizer has {size} words, the model only {vocab_size}"
        )
