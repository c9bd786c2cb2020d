"""Checking a composed config against the schemas, before any work starts.

Each config group node names its choice (``task.name: language_model``); the schema
registered for that group and name checks every key: unknown keys, types, ranges, choices.
Groups or names without a schema (a plugin that registers none) are left to the component.
"""

from __future__ import annotations

import typing
from dataclasses import fields, is_dataclass
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.errors import ConfigError
from lstm_nlp.schema.definitions import BUILT_IN, Train
from lstm_nlp.schema.rules import conforms, describe, rule_of

SCHEMAS: dict[str, dict[str, type]] = {group: dict(names) for group, names in BUILT_IN.items()}


def register_schema(group: str, name: str, schema: type) -> None:
    """Check ``group=name``'s options with the dataclass ``schema`` (fields made with
    :func:`option`)."""
    if not is_dataclass(schema):
        raise TypeError(f"the schema for {group}={name} must be a dataclass, got {schema!r}")
    SCHEMAS.setdefault(group, {})[name] = schema


def plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def validate_node(
    node: DictConfig, schema: type, prefix: str, label: str, strict: bool = True
) -> None:
    """Raise a one-line :class:`ConfigError` for the first key of ``node`` that ``schema``
    refuses."""
    hints = typing.get_type_hints(schema)
    known = {f.name: f for f in fields(schema)}
    if strict:
        for key in node:
            if key not in known and key != "name":  # the registry fills in a choice's name
                raise ConfigError(
                    f"{prefix}{key} is not an option of {label} (options: "
                    f"{', '.join(sorted(known))})"
                )
    for name, f in known.items():
        if name not in node or OmegaConf.is_missing(node, name):
            continue  # absent: the component's default; ???: the component says it is required
        tp = hints[name]
        if is_dataclass(tp):
            child = node[name]
            if not isinstance(child, DictConfig):
                raise ConfigError(
                    f"{prefix}{name} must be a group of options, got {plain(child)!r}"
                )
            validate_node(child, tp, f"{prefix}{name}.", f"{prefix}{name}")
            continue
        value = plain(node[name])
        if not conforms(value, tp, rule_of(f)):
            raise ConfigError(f"{prefix}{name} must be {describe(tp, rule_of(f))}, got {value!r}")


def check_schemas(cfg: DictConfig) -> None:
    """Every schema'd part of a composed ``lstm-nlp-train`` config, root keys first."""
    validate_node(cfg, Train, "", "lstm-nlp-train", strict=False)  # the root also holds the groups
    for group, schemas in SCHEMAS.items():
        node = cfg.get(group)
        if not isinstance(node, DictConfig):
            continue
        name = node.get("name")
        schema = schemas.get(name)
        if schema is not None:
            validate_node(node, schema, f"{group}.", f"{group} {name!r}")
