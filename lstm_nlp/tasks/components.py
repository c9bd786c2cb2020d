"""Building registered components from config nodes, with errors that name the config key."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import ENCODERS


def build_encoder(cfg: Mapping[str, Any], input_size: int):
    """Instantiate the encoder named ``cfg['name']`` with the node's other keys as arguments."""
    kwargs = {k: v for k, v in dict(cfg).items() if k != "name"}
    cls = ENCODERS.get(cfg.get("name", "lstm"))
    params = inspect.signature(cls).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(kwargs) - set(params))
        if unknown:
            allowed = ", ".join(p for p in params if p != "input_size")
            raise ConfigError(
                f"encoder.{unknown[0]} is not an option of encoder {cfg.get('name')!r} (options: "
                f"{allowed})"
            )
    return cls(input_size=input_size, **kwargs)


def require(cond: bool, key: str, expected: str, value: Any) -> None:
    if not cond:
        raise ConfigError(f"{key} must be {expected}, got {value!r}")
