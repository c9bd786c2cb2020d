"""Inert stand-ins for the pickled objects of classes that are never imported, and reading them.

Unpickling an object of a class the restricted unpickler does not allow (the authors'
``model.RNNModel``, ``torch.nn`` modules, ``Dictionary``, ``WeightDrop``, optimizers, ...) gives a
:class:`Stub` of a class named after it: it records what pickle hands it (constructor
arguments, the ``__setstate__`` state, dictionary and list items) and does nothing else.  The
functions below read those records: a module's attributes and its tensors by state-dict name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

MAX_DEPTH = 32  # nested modules followed before a file counts as malformed


class Stub:
    """A pickled object whose class is not imported: only records, never runs anything."""

    pickled_as = "?"  # "module.Name" of the class in the file

    def __new__(cls, *args: Any, **kwargs: Any) -> Stub:
        obj = object.__new__(cls)
        obj.__dict__.update(stub_args=args, stub_state=None, stub_items=[], stub_list=[])
        return obj

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # what __new__ recorded is all

    def __setstate__(self, state: Any) -> None:  # pickle's BUILD
        self.__dict__["stub_state"] = state

    def __setitem__(self, key: Any, value: Any) -> None:  # SETITEM(S) of a dict subclass
        self.stub_items.append((key, value))

    def append(self, value: Any) -> None:  # APPEND(S) of a list subclass
        self.stub_list.append(value)

    def extend(self, values: Any) -> None:
        self.stub_list.extend(values)

    def __repr__(self) -> str:
        return f"<pickled {self.pickled_as}>"


_CLASSES: dict[tuple[str, str], type[Stub]] = {}


def stub_class(module: str, name: str) -> type[Stub]:
    """The stand-in class for ``module.name`` (one per name)."""
    key = (str(module), str(name))
    if key not in _CLASSES:
        label = f"{key[0]}.{key[1]}"
        _CLASSES[key] = type("Pickled", (Stub,), {"pickled_as": label, "__module__": __name__})
    return _CLASSES[key]


def class_name(obj: Any) -> str:
    """``module.Name`` of a pickled object (a stand-in's original class, or a real type's)."""
    if isinstance(obj, Stub):
        return obj.pickled_as
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def short_name(obj: Any) -> str:
    return class_name(obj).rpartition(".")[2]


def state_of(obj: Any) -> Mapping[str, Any]:
    """The attributes a stand-in was given (its ``__dict__`` as pickled); empty for others."""
    if not isinstance(obj, Stub):
        return {}
    state = obj.stub_state
    if isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], Mapping):
        state = state[0]  # (dict, slots)
    return state if isinstance(state, Mapping) else {}


def attribute(obj: Any, name: str, default: Any = None) -> Any:
    return state_of(obj).get(name, default)


def tensor_of(value: Any) -> torch.Tensor | None:
    """A tensor, or a stand-in built from one (an old ``Parameter(data)``); else None."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, Stub) and value.stub_args and isinstance(value.stub_args[0], torch.Tensor):
        return value.stub_args[0]
    return None


def is_module(obj: Any) -> bool:
    """A stand-in of an ``nn.Module`` (what it pickled holds ``_modules`` and ``_parameters``)."""
    state = state_of(obj)
    return "_modules" in state and "_parameters" in state


def children(obj: Any) -> dict[str, Any]:
    """A module stand-in's sub-modules by name."""
    modules = attribute(obj, "_modules")
    return (
        {str(k): v for k, v in modules.items() if v is not None}
        if isinstance(modules, Mapping)
        else {}
    )


def module_tensors(obj: Any, prefix: str = "", depth: int = 0) -> dict[str, torch.Tensor]:
    """A module stand-in's parameters and buffers under their ``state_dict`` names."""
    if depth > MAX_DEPTH:
        raise ValueError(f"modules nested deeper than {MAX_DEPTH}")
    found: dict[str, torch.Tensor] = {}
    for group in ("_parameters", "_buffers"):
        values = attribute(obj, group)
        for name, value in values.items() if isinstance(values, Mapping) else ():
            tensor = tensor_of(value)
            if tensor is not None:
                found[f"{prefix}{name}"] = tensor
    for name, child in children(obj).items():
        found.update(module_tensors(child, f"{prefix}{name}.", depth + 1))
    return found
