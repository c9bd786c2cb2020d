"""Reading a pickled model file so that nothing in it runs: tensors and plain data come out,
every other class is an inert :class:`~lstm_nlp.importing.stubs.Stub`.

``torch.load`` is given :data:`RESTRICTED` as its ``pickle_module``: its ``Unpickler`` resolves a
global only to the few functions that rebuild tensors (wrapped so that they build plain tensors
from real storages and nothing else), ``OrderedDict``, dtypes, ``torch.Size`` and
``torch.device``; every other name (the authors' ``model.RNNModel``, ``torch.nn`` modules,
``data.Dictionary``, ``WeightDrop``, optimizers, ``os.system``, ...) becomes a stand-in class
that records what pickle hands it.  No module named in the file is imported.
"""

from __future__ import annotations

import io
import pickle
import types
import warnings
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, BinaryIO

import torch

from lstm_nlp.errors import DataError
from lstm_nlp.importing.stubs import Stub, stub_class

STORAGES = (torch.storage.TypedStorage, torch.UntypedStorage)


def _unreadable(*args: Any) -> Stub:
    return stub_class("torch", "Tensor")(*args)


def _tensor(storage: Any, offset: Any, size: Any, stride: Any, *rest: Any) -> Any:
    """``torch._utils._rebuild_tensor(_v2)``: a plain tensor on a storage the file holds."""
    if not isinstance(storage, STORAGES):
        return _unreadable(storage, offset, size, stride)
    return torch._utils._rebuild_tensor(storage, offset, size, stride)


def _tensor_v3(
    storage: Any, offset: Any, size: Any, stride: Any, grad: Any, hooks: Any, dtype: Any, *_: Any
) -> Any:
    if not isinstance(storage, STORAGES) or not isinstance(dtype, torch.dtype):
        return _unreadable(storage, offset, size, stride)
    return torch._utils._rebuild_tensor_v3(
        storage, offset, size, stride, False, OrderedDict(), dtype
    )


def _parameter(data: Any = None, *_: Any) -> Any:
    """``Parameter(data)`` and ``_rebuild_parameter(data, ...)``: the tensor itself."""
    return data if isinstance(data, torch.Tensor) else _unreadable(data)


def _from_type(func: Any, new_type: Any, args: Any, state: Any) -> Any:
    """``torch._tensor._rebuild_from_type_v2``: ``func(*args)`` only (no subclass, no state)."""
    return func(*args) if callable(func) and isinstance(args, tuple) else _unreadable(func)


def _new_object(cls: Any, *args: Any) -> Any:
    """``copyreg.__newobj__`` / ``_reconstructor`` (protocols 0 and 1): stand-ins only."""
    if isinstance(cls, type) and issubclass(cls, Stub):
        return cls.__new__(cls)
    return stub_class("copyreg", "__newobj__")(cls, *args)


def _storage_from_bytes(data: Any) -> Any:
    """``torch.storage._load_from_bytes`` (a storage pickled by plain ``pickle``): read again
    with this unpickler."""
    if not isinstance(data, bytes):
        return _unreadable(data)
    return torch.load(
        io.BytesIO(data), map_location="cpu", pickle_module=RESTRICTED, weights_only=False
    )


ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _tensor,
    ("torch._utils", "_rebuild_tensor_v3"): _tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _parameter,
    ("torch._tensor", "_rebuild_from_type_v2"): _from_type,
    ("torch.nn.parameter", "Parameter"): _parameter,
    ("torch.storage", "_load_from_bytes"): _storage_from_bytes,
    ("copyreg", "_reconstructor"): _new_object,
    ("copyreg", "__newobj__"): _new_object,
    ("torch", "Size"): torch.Size,
    ("torch", "device"): torch.device,
}


# torch.float32, ... (read from the module's namespace: no lazy submodule is imported)
DTYPES = {name: value for name, value in vars(torch).items() if isinstance(value, torch.dtype)}


class RestrictedUnpickler(pickle.Unpickler):
    """Resolves globals through :data:`ALLOWED`, torch's dtypes, or a stand-in class; imports
    nothing."""

    def find_class(self, module: str, name: str) -> Any:
        allowed = ALLOWED.get((module, name))
        if allowed is not None:
            return allowed
        if module == "torch" and name in DTYPES:
            return DTYPES[name]
        return stub_class(module, name)


def _load(file: BinaryIO, **kwargs: Any) -> Any:
    return RestrictedUnpickler(file, **kwargs).load()


RESTRICTED = types.ModuleType("lstm_nlp_restricted_pickle")
RESTRICTED.Unpickler = RestrictedUnpickler  # type: ignore[attr-defined]
RESTRICTED.load = _load  # type: ignore[attr-defined]


def is_torchscript(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.endswith("constants.pkl") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read_pickled(path: Path, what: str) -> Any:
    """The object pickled in ``path`` (``torch.save`` or plain ``pickle``), restricted as above;
    an unreadable file is one :class:`DataError` line naming it and ``what`` it should be."""
    if is_torchscript(path):
        raise DataError(f"{path}: a TorchScript archive (torch.jit.save), not {what}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch on old files: "source code ... changed"
            return torch.load(
                str(path),
                map_location="cpu",
                pickle_module=RESTRICTED,
                weights_only=False,
                mmap=zipfile.is_zipfile(path),  # a corpus's token tensors stay on disk
            )
    except Exception as torch_error:  # noqa: BLE001 - any fault of a foreign file ends here
        try:  # plain pickle.dump (torch.load wanted its magic number first)
            with open(path, "rb") as f, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return RestrictedUnpickler(f, encoding="utf-8").load()
        except Exception:  # noqa: BLE001
            first = (str(torch_error).strip().splitlines() or [""])[0].split(". ")[0][:120]
            raise DataError(
                f"{path}: not a readable PyTorch or pickle file ({type(torch_error).__name__}: "
                f"{first}); expected {what}"
            ) from None
