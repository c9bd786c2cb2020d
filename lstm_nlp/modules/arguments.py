"""Checks of the modules' constructor arguments, for code that builds them directly (a notebook,
a test); configs are checked earlier by the options dataclasses, with the same words."""

from __future__ import annotations

from lstm_nlp.errors import ConfigError


def check_size(value: object, key: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise ConfigError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{key} must be an integer >= 1, got {value!r}")
    return value


def check_probability(value: object, key: str) -> float:
    """Return ``value`` as a float if it lies in [0, 1), else raise ConfigError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ConfigError(f"{key} must be a number in [0, 1), got {value!r}")  # NaN too
    return float(value)
