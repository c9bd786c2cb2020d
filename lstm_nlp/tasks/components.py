"""What a task builds from the other config groups: its encoder and its corpus."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import DATA_SOURCES, ENCODERS
from lstm_nlp.text.corpus import CorpusFiles


def build_encoder(cfg: Mapping[str, Any], input_size: int) -> Any:
    """The encoder named ``cfg['name']``, built from its checked options (as keyword arguments,
    beside ``input_size``, the way ``torch.nn.LSTM`` takes them)."""
    options = ENCODERS.options(cfg)
    kwargs = options if isinstance(options, dict) else options.as_dict()
    return ENCODERS.get(cfg.get("name", "lstm"))(input_size=input_size, **kwargs)


def corpus_files(data: Mapping[str, Any], cache_dir: Any = None) -> tuple[CorpusFiles, Any]:
    """The chosen data source's files, and its checked options."""
    options = DATA_SOURCES.options(data)
    return DATA_SOURCES.get(data["name"])(options, cache_dir), options


def require(cond: bool, key: str, expected: str, value: Any) -> None:
    """A one-line :class:`ConfigError` unless ``cond`` (for rules a schema cannot state)."""
    if not cond:
        raise ConfigError(f"{key} must be {expected}, got {value!r}")
