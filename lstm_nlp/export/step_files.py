"""The step (:mod:`~lstm_nlp.export.step`) as ``model.onnx`` or ``model.torchscript.pt``, each
checked against the model on inputs of other lengths than it was traced with.

ONNX is written by torch's TorchScript-based exporter (``dynamo=False``): it needs only the
``onnx`` package, runs in about a second, and keeps the sequence length and batch dynamic
(torch 2.13's dynamo exporter needs ``onnxscript`` and fixes the LSTM's sequence length).
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from lstm_nlp.atomic import atomic_path
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.export.step import INPUTS, OUTPUTS, example_inputs, max_difference, step_of

Runner = Callable[[Path, tuple[torch.Tensor, ...]], tuple[Any, ...]]  # a file's step, run
TOLERANCE = 1e-4  # a larger difference means the file does not compute the model's step
OPSET = 17
TRACE, CHECK = (3, 2), (5, 3)  # (seq, batch) traced with, and checked with


def require(*modules: str) -> None:
    """The packages ``format=onnx`` needs, installed (the ``export`` extra)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise ConfigError(
            f"format=onnx needs {' and '.join(missing)}, not installed: "
            "pip install 'lstm-nlp[export]'"
        )


def write_onnx(model: Any, path: Path) -> float:
    """``model.onnx``; returns its largest difference from the model (onnxruntime)."""
    require("onnx", "onnxruntime")
    step = step_of(model)
    axes = {name: {1: "batch"} for name in (*INPUTS, *OUTPUTS)}
    axes["input_ids"] = axes["log_probs"] = {0: "seq", 1: "batch"}
    with quiet(), torch.no_grad(), atomic_path(path) as tmp:
        torch.onnx.export(
            step,
            example_inputs(model, *TRACE, seed=0),
            str(tmp),
            dynamo=False,
            input_names=list(INPUTS),
            output_names=list(OUTPUTS),
            dynamic_axes=axes,
            opset_version=OPSET,
        )
    return checked(model, path, run_onnx)


def run_onnx(path: Path, inputs: tuple[torch.Tensor, ...]) -> tuple[Any, ...]:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return tuple(session.run(list(OUTPUTS), dict(zip(INPUTS, (t.numpy() for t in inputs)))))


def write_torchscript(model: Any, path: Path) -> float:
    """``model.torchscript.pt`` (``torch.jit.load`` reads it); returns its largest difference
    from the model."""
    step = step_of(model)
    with quiet(), torch.no_grad(), atomic_path(path) as tmp:
        traced = torch.jit.trace(step, example_inputs(model, *TRACE, seed=0), check_trace=False)
        traced.save(str(tmp))
    return checked(model, path, run_torchscript)


def run_torchscript(path: Path, inputs: tuple[torch.Tensor, ...]) -> tuple[Any, ...]:
    with quiet(), torch.no_grad():
        return tuple(torch.jit.load(str(path))(*inputs))


def checked(model: Any, path: Path, run: Runner) -> float:
    """The file's largest difference from the model on new inputs; beyond :data:`TOLERANCE` the
    file is removed and that is an error."""
    inputs = example_inputs(model, *CHECK, seed=1)
    with torch.no_grad():
        expected = step_of(model)(*inputs)
    try:
        difference = max_difference(expected, run(path, inputs))
    except Exception:  # noqa: BLE001 - a runtime refusing the other shapes: the check fails
        difference = float("inf")
    if not difference <= TOLERANCE:
        path.unlink(missing_ok=True)
        raise DataError(
            f"{path.name}: the traced step of {type(model.encoder).__name__} does not match the "
            f"model on inputs of other lengths (largest difference {difference:.2g}); encoders "
            "built on nn.LSTM (encoder=lstm) export their step, others only format=safetensors"
        )
    return difference


@contextmanager
def quiet() -> Iterator[None]:
    """torch's exporters warn about their own future (deprecations, tracer notes): not shown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
