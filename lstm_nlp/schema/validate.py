"""Checking a config node against its schema, and building the schema's object from it.

A node is a Hydra/OmegaConf ``DictConfig`` (or a plain mapping) of one component's options;
its schema is the component's options dataclass.  :func:`validate_node` refuses the first bad
key in one line that names it (``task.dropout must be a number in [0, 1), got 1.5``; an unknown
key gets a did-you-mean); :func:`options_from_node` then builds the dataclass, so a component
receives typed, checked options and never reads raw config keys.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Collection, Mapping
from dataclasses import MISSING, Field, asdict, fields, is_dataclass
from functools import cache
from typing import Any

from lstm_nlp.errors import ConfigError, LstmNlpError
from lstm_nlp.schema.rules import (
    conforms,
    describe,
    help_of,
    literal_values,
    optional_inner,
    rule_of,
    supported,
)

MISSING_VALUE = "???"  # Hydra's mark of a required value


def plain(node: Any) -> Any:
    """A config value as plain Python (lists, dicts, scalars), interpolations resolved."""
    from omegaconf import OmegaConf

    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


@cache
def type_hints(schema: type) -> dict[str, Any]:
    return typing.get_type_hints(schema)


SUPPORTED = (
    "bool, int, float, str, Literal[...], list[...], dict[str, ...], X | None, Any "
    "or an options dataclass"
)


def check_schema(schema: type) -> None:
    """Refuse a field type the checks cannot judge, when the schema is registered."""
    from lstm_nlp.errors import RegistryError

    for name, tp in type_hints(schema).items():
        if name in {f.name for f in fields(schema)} and not supported(tp):
            raise RegistryError(
                f"{schema.__name__}.{name}: type {tp!r} is not supported in options "
                f"(use {SUPPORTED})"
            )


def qualify(message: str, names: Collection[str], prefix: str) -> str:
    """Field names in a ``check()`` message as the command line writes them: ``head=adaptive``
    -> ``task.head=adaptive``.  A name with ``_`` is qualified wherever it stands as a word, a
    plain word (``head``, ``state``) only before ``=`` or when it begins the message."""
    if not prefix:
        return message
    for name in sorted(names, key=len, reverse=True):
        follow = "" if "_" in name else r"(?==)"
        message = re.sub(rf"(?<![\w.]){re.escape(name)}\b{follow}", prefix + name, message)
        if message.startswith(f"{name} "):  # a field's own rule: "seed must be ..."
            message = prefix + message
    return message


def unknown_key(key: str, prefix: str, label: str, known: Collection[str]) -> ConfigError:
    """``task.poolng is not an option of task 'x'; did you mean task.pooling?``"""
    close = difflib.get_close_matches(str(key), sorted(known), n=1)
    if close:
        hint = f"; did you mean {prefix}{close[0]}?"
    elif known:
        hint = f" (options: {', '.join(sorted(known))})"
    else:
        hint = f" ({label} takes no options)"
    return ConfigError(f"{prefix}{key} is not an option of {label}{hint}")


def did_you_mean(value: Any, choices: tuple | None) -> str:
    """``. Did you mean 'sgd'?`` for a string close to one of ``choices`` (none for a valid one)."""
    if not choices or not isinstance(value, str) or value in choices:
        return ""
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1)
    return f". Did you mean {close[0]!r}?" if close else ""


def default_of(f: Field[Any]) -> Any:
    """A field's default value (built when it has a factory); ``"???"`` when it has none."""
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING_VALUE


def defaults_of(schema: type) -> dict[str, Any]:
    """Each field's default (``"???"`` for a required one), without building the dataclass (its
    ``check()`` may need values only a user gives)."""
    out = {}
    for f in fields(schema):
        value = default_of(f)
        out[f.name] = asdict(value) if is_dataclass(value) else value
    return out


def mapping_fields(schema: type) -> list[str]:
    """The options of ``schema`` whose value is a mapping (``dict[str, ...]``, maybe null): their
    keys are the user's, so their config nodes stay open (``data.construction_mix={pp:3}``)."""
    hints = type_hints(schema)
    out = []
    for f in fields(schema):
        tp = hints[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) is dict or (args and typing.get_origin(args[0]) is dict):
            out.append(f.name)
    return out


def is_missing(node: Any, key: str) -> bool:
    from omegaconf import OmegaConf

    if OmegaConf.is_config(node):
        return OmegaConf.is_missing(node, key)
    return node.get(key) == MISSING_VALUE


def validate_node(
    node: Mapping[str, Any],
    schema: type,
    prefix: str,
    label: str,
    strict: bool = True,
    skip: Collection[str] = (),
) -> None:
    """Raise a one-line :class:`ConfigError` for the first key of ``node`` that ``schema`` refuses.

    ``strict``: keys the schema lacks are errors (``name``, the registry's, and ``skip``, nested
    config groups, excepted).  Absent and required (``???``) keys are left to the component.
    """
    known = {f.name: f for f in fields(schema)}
    if strict and not getattr(schema, "more_keys", False):
        for key in node:
            if key not in known and key != "name" and key not in skip:
                raise unknown_key(key, prefix, label, known)
    hints = type_hints(schema)
    for name, f in known.items():
        if name not in node or is_missing(node, name):
            continue
        tp = hints[name]
        if is_dataclass(tp):
            child = node[name]
            if not isinstance(child, Mapping):
                raise ConfigError(
                    f"{prefix}{name} must be a group of options, got {plain(child)!r}"
                )
            validate_node(child, tp, f"{prefix}{name}.", f"{prefix}{name}")
            continue
        problem = field_problem(f, plain(node[name]), tp)
        if problem:
            raise ConfigError(prefix + problem)


def field_problem(f: Field[Any], value: Any, tp: Any) -> str | None:
    """``"name must be ..., got ..."`` when ``value`` breaks field ``f``'s rule, else None."""
    if conforms(coerce(value, tp), tp, rule_of(f)):
        return None
    hint = did_you_mean(value, rule_of(f).choices or literal_values(tp))
    return f"{f.name} must be {describe(tp, rule_of(f))}, got {value!r}{hint}"


def coerce(value: Any, tp: Any) -> Any:
    """Integers where a float is expected become floats (``lr=20`` -> 20.0), also in lists; a
    number or true/false where text is expected becomes text (``prompt=1990``)."""
    tp = optional_inner(tp) or tp
    if typing.get_origin(tp) is list and not isinstance(value, (list, tuple)) and value is not None:
        value = [value]  # data.splits=train: a list of one
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is str and isinstance(value, (bool, int, float)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if typing.get_origin(tp) is list and isinstance(value, (list, tuple)):
        return [coerce(v, typing.get_args(tp)[0]) for v in value]
    if typing.get_origin(tp) is dict and isinstance(value, dict):
        return {k: coerce(v, typing.get_args(tp)[1]) for k, v in value.items()}
    return value


def options_from_node(
    node: Mapping[str, Any],
    schema: type,
    prefix: str = "",
    label: str = "",
    strict: bool = True,
    skip: Collection[str] = (),
) -> Any:
    """``schema``'s object from a checked ``node``; the field names in a message of the
    dataclass's ``check()`` get ``prefix`` (``task.head=adaptive``)."""
    validate_node(node, schema, prefix, label, strict, skip)
    hints = type_hints(schema)
    values = {}
    for f in fields(schema):
        required = f.default_factory is MISSING and f.default in (MISSING, MISSING_VALUE)
        if required and (f.name not in node or is_missing(node, f.name)):
            what = f" ({help_of(f)})" if help_of(f) else ""
            raise ConfigError(f"{prefix}{f.name} is required{what}: add {prefix}{f.name}=VALUE")
        if f.name in node and not is_missing(node, f.name):
            tp = hints[f.name]
            value = plain(node[f.name])
            values[f.name] = from_plain(value, tp) if is_dataclass(tp) else coerce(value, tp)
    names = [f.name for f in fields(schema)]
    try:
        options = schema(**values)
    except LstmNlpError as err:
        raise ConfigError(qualify(str(err), names, prefix)) from None
    if getattr(schema, "more_keys", False):
        extra = {k: plain(v) for k, v in node.items() if k not in names and k != "name"}
        object.__setattr__(options, "more", {k: v for k, v in extra.items() if k not in skip})
    return options


def from_plain(value: Mapping[str, Any], schema: type) -> Any:
    hints = type_hints(schema)
    return schema(**{k: coerce(v, hints[k]) for k, v in value.items() if k in hints})
