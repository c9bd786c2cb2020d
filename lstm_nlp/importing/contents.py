"""What a model file holds, whatever way it was saved: tensors by ``state_dict`` name, and the
model's (and AWD-LSTM's criterion's) stand-ins when the whole objects were pickled.

``torch.save(model)`` gives a module stand-in, ``torch.save([model, criterion, optimizer])``
(AWD-LSTM's ``model_save``) a list of them, ``torch.save(model.state_dict())`` a mapping of
tensors.  :func:`format_of` tells the layouts apart by their weight names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lstm_nlp.errors import DataError
from lstm_nlp.importing.stubs import class_name, is_module, module_tensors, short_name, tensor_of
from lstm_nlp.text.checkpoint_checks import names_of
from lstm_nlp.text.checkpoint_file import TASK_KEY

EXPECTED = "a model saved with torch.save(model), torch.save([model, criterion, optimizer]) or "
EXPECTED += "torch.save(model.state_dict())"


@dataclass
class Contents:
    tensors: dict[str, torch.Tensor]  # by state_dict name
    model: Any = None  # the model's stand-in (None: the file is a state_dict)
    criterion: Any = None  # AWD-LSTM's SplitCrossEntropyLoss stand-in, when saved with it


def contents_of(obj: Any, path: Path) -> Contents:
    """The tensors (and stand-ins) of an unpickled file; anything else is one line."""
    try:
        if isinstance(obj, Mapping):
            return _state_dict(obj, path)
        if is_module(obj):
            return Contents(module_tensors(obj), obj)
        if isinstance(obj, (list, tuple)) and obj and is_module(obj[0]):
            criterion = next((x for x in obj[1:] if short_name(x) == "SplitCrossEntropyLoss"), None)
            return Contents(module_tensors(obj[0]), obj[0], criterion)
    except ValueError as err:  # modules nested absurdly deep
        raise DataError(f"{path}: {err}") from None
    what = class_name(obj)
    if isinstance(obj, (list, tuple)):
        what = f"a {type(obj).__name__} of {', '.join(class_name(x) for x in obj[:3]) or 'nothing'}"
    raise DataError(f"{path}: holds {what}; expected {EXPECTED}")


def _state_dict(obj: Mapping, path: Path) -> Contents:
    if TASK_KEY in obj or "hyper_parameters" in obj:
        raise DataError(
            f"{path}: already an lstm-nlp checkpoint; every lstm-nlp command reads it as it is"
        )
    tensors = {str(k): tensor_of(v) for k, v in obj.items()}
    odd = [k for k, v in tensors.items() if v is None]
    if not tensors or odd:
        keys = names_of([str(k) for k in obj][:4]) if obj else "nothing"
        raise DataError(
            f"{path}: holds a dict of {keys} (not only tensors: {names_of(odd) or 'empty'}); "
            f"expected {EXPECTED}"
        )
    return Contents(tensors)  # type: ignore[arg-type]


def format_of(contents: Contents, path: Path) -> str:
    """``awd`` (``rnns.*`` weights) or ``word_language_model`` (``rnn.*``)."""
    names = list(contents.tensors)
    if any(name.startswith("rnns.") for name in names):
        return "awd"
    if any(name.startswith("rnn.") for name in names):
        return "word_language_model"
    raise DataError(
        f"{path}: unknown layout (weights {names_of(names) or 'none'}); expected encoder.weight, "
        "rnn.* and decoder.* (word_language_model, colorlessgreen) or rnns.* (AWD-LSTM)"
    )
