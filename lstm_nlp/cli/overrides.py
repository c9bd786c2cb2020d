"""Reading the command line's ``key=value`` overrides before Hydra does."""

from __future__ import annotations


def override_values(argv: list[str], key: str) -> list[str]:
    """Values given on the command line for ``key=...`` (``+key=``/``++key=`` too; sweeps split on
    ',')."""
    values = []
    for arg in argv:
        name, sep, value = arg.lstrip("+").partition("=")
        if sep and name == key:
            values.extend(v.strip() for v in value.split(",") if v.strip())
    return values


def override_key(arg: str) -> str:
    """``+task.x=1`` -> ``task.x``; ``~grammar`` -> ``grammar``."""
    return arg.lstrip("+~").partition("=")[0]


def without_key(argv: list[str], key: str) -> list[str]:
    return [arg for arg in argv if override_key(arg) != key]
