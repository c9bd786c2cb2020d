"""``config.json`` of an exported folder: everything that rebuilds the model, as plain JSON.

::

    {"format": "lstm-nlp", "format_version": 1, "model_type": "lstm-nlp-language-model",
     "lstm_nlp_version": "0.2.0", "vocab_size": 3500,
     "encoder": {"name": "lstm", "hidden_size": 200, "num_layers": 2, ...},   # its keyword args
     "task": {"embedding_dim": 200, "tie_weights": false, "head": "softmax", "bptt": 35, ...},
     "state": {"layout": ["h", "c"], "layers": 2, "size": 200},            # the step's h and c
     "files": {"weights": "model.safetensors", "tokenizer": "tokenizer.json", "step": null}}

``encoder`` holds the encoder's name and its checked options, the keyword arguments it is built
with beside ``input_size = task.embedding_dim``; ``task`` the language model's own options
(:class:`~lstm_nlp.tasks.options.LanguageModelOptions`).  No torch here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError

FORMAT, FORMAT_VERSION = "lstm-nlp", 1
CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE, CARD_FILE = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "README.md",
)
STEP_FILES = {"onnx": "model.onnx", "torchscript": "model.torchscript.pt"}
REQUIRED = ("vocab_size", "encoder", "task")


@dataclass
class ModelConfig:
    """The contents of ``config.json`` (see the module docstring)."""

    vocab_size: int
    encoder: dict[str, Any]
    task: dict[str, Any]
    state: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)
    lstm_nlp_version: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    model_type: str = "lstm-nlp-language-model"

    def to_json(self) -> str:
        """The JSON text, what the file is first (format, version, model type)."""
        record = asdict(self)
        first = ("format", "format_version", "model_type", "lstm_nlp_version")
        ordered = {key: record.pop(key) for key in first} | record
        return json.dumps(ordered, indent=2) + "\n"


def is_exported(folder: Path) -> bool:
    """Whether ``folder`` holds an exported model (its ``config.json`` and weights)."""
    return (folder / CONFIG_FILE).is_file() and (folder / WEIGHTS_FILE).is_file()


def read_config(folder: Path) -> ModelConfig:
    """``folder/config.json``, checked: an lstm-nlp config of a version this code reads."""
    path = folder / CONFIG_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"{path}: not a readable JSON file ({type(err).__name__})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise DataError(f'{path}: not an lstm-nlp config (expected "format": "{FORMAT}")')
    if record.get("format_version") != FORMAT_VERSION:
        raise DataError(
            f"{path}: format_version {record.get('format_version')!r}; this lstm-nlp reads "
            f"version {FORMAT_VERSION} (export the checkpoint again)"
        )
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        raise DataError(f"{path}: missing keys {', '.join(missing)}")
    known = {name: record[name] for name in ModelConfig.__dataclass_fields__ if name in record}
    config = ModelConfig(**known)
    check_types(config, path)
    return config


def check_types(config: ModelConfig, path: Path) -> None:
    """The kinds of values the model is built from (one line naming the key at fault)."""
    if isinstance(config.vocab_size, bool) or not isinstance(config.vocab_size, int):
        raise DataError(f"{path}: vocab_size must be an integer, got {config.vocab_size!r}")
    for key in ("encoder", "task"):
        if not isinstance(getattr(config, key), dict):
            raise DataError(f"{path}: {key} must be an object of options")
    if not isinstance(config.encoder.get("name"), str):
        raise DataError(f'{path}: encoder.name must name the encoder (e.g. "lstm")')
