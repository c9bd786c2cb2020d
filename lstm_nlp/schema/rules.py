"""What a config value may be: its Python type (from the schema's annotation) and a :class:`Rule`.

A schema is a plain dataclass; each field's allowed range or choices and its one-line help sit
in its metadata, put there by :func:`option`.  :func:`conforms` checks a value and
:func:`describe` says in words what is expected, for the one-line error ``task.bptt must be an
integer >= 1, got 0``.
"""

from __future__ import annotations

import math
import types
import typing
from dataclasses import Field, dataclass, field, is_dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    ge: float | None = None  # >=
    gt: float | None = None  # >
    le: float | None = None  # <=
    lt: float | None = None  # <
    choices: tuple | None = None
    length: int | None = None  # of a list


def option(default: Any, *, help: str = "", **rule: Any) -> Any:
    """A schema field: its default (lists and dicts copied per instance), its :class:`Rule` and a
    one-line ``help`` text (shown by ``--help``)."""
    meta = {
        "rule": Rule(**{k: tuple(v) if k == "choices" else v for k, v in rule.items()}),
        "help": help,
    }
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def help_of(f: Field[Any]) -> str:
    return f.metadata.get("help", "")


def rule_of(f: Field[Any]) -> Rule:
    return f.metadata.get("rule", Rule())


def optional_inner(tp: Any) -> Any | None:
    """``X`` for ``X | None`` / ``Optional[X]``, else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0]
    return None


def in_range(value: float, rule: Rule) -> bool:
    return not (
        (rule.ge is not None and value < rule.ge)
        or (rule.gt is not None and value <= rule.gt)
        or (rule.le is not None and value > rule.le)
        or (rule.lt is not None and value >= rule.lt)
    )


def union_members(tp: Any) -> tuple | None:
    """The member types of ``X | Y | ...`` (``Union``), else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


def literal_values(tp: Any) -> tuple | None:
    """The allowed values of ``Literal["a", "b"]``, else None."""
    return typing.get_args(tp) if typing.get_origin(tp) is typing.Literal else None


SCALARS = (bool, int, float, str, Any)


def supported(tp: Any) -> bool:
    """Whether :func:`conforms` can check a field of type ``tp`` (refused at registration
    otherwise, so a schema never lets an unchecked value through)."""
    if tp in SCALARS or tp is type(None) or literal_values(tp) is not None or is_dataclass(tp):
        return True
    members = union_members(tp)
    if members is not None:
        return all(supported(m) for m in members)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return len(args) == 1 and supported(args[0])
    if origin is dict:
        return len(args) == 2 and args[0] is str and supported(args[1])
    return False


def conforms(value: Any, tp: Any, rule: Rule) -> bool:
    literal = literal_values(tp)
    if literal is not None:
        return value in literal and type(value) in {type(v) for v in literal}
    inner = optional_inner(tp)
    if inner is not None:
        return value is None or conforms(value, inner, rule)
    members = union_members(tp)
    if members is not None:
        return any(conforms(value, member, rule) for member in members)
    if tp is type(None):
        return value is None
    if rule.choices is not None and tp is str:
        return value in rule.choices
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:  # 64-bit, as torch and numpy hold integers
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and -(2**63) <= value < 2**63
            and in_range(value, rule)
        )
    if tp is float:
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
            and in_range(value, rule)
        )
    if tp is str:
        return isinstance(value, str)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return (
            isinstance(value, (list, tuple))
            and (rule.length is None or len(value) == rule.length)
            and all(
                conforms(v, args[0], Rule(rule.ge, rule.gt, rule.le, rule.lt, rule.choices))
                for v in value
            )
        )
    if origin is dict:
        return isinstance(value, dict) and all(
            isinstance(k, str) and conforms(v, args[1], rule) for k, v in value.items()
        )
    return True  # Any


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def bounds(rule: Rule) -> str:
    low = f"[{number(rule.ge)}" if rule.ge is not None else None
    low = low or (f"({number(rule.gt)}" if rule.gt is not None else None)
    high = f"{number(rule.le)}]" if rule.le is not None else None
    high = high or (f"{number(rule.lt)})" if rule.lt is not None else None)
    if low and high:
        return f" in {low}, {high}"
    if low:
        return f" {'>=' if rule.ge is not None else '>'} {low[1:]}"
    if high:
        return f" {'<=' if rule.le is not None else '<'} {high[:-1]}"
    return ""


def describe(tp: Any, rule: Rule) -> str:
    literal = literal_values(tp)
    if literal is not None:
        return "one of " + ", ".join(str(v) for v in literal)
    inner = optional_inner(tp)
    if inner is not None:
        return f"null or {describe(inner, rule)}"
    members = union_members(tp)
    if members is not None:
        words = [describe(m, rule) if m is not type(None) else "null" for m in members]
        return " or ".join(dict.fromkeys(words))
    if rule.choices is not None and tp is str:
        return "one of " + ", ".join(str(c) for c in rule.choices)
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer" + bounds(rule)
    if tp is float:
        return "a number" + bounds(rule)
    if tp is str:
        return "a string"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        noun = {int: "integers", float: "numbers", str: "strings"}.get(args[0], "values")
        text = f"a list of {f'{rule.length} ' if rule.length else ''}{noun}"
        if rule.choices is not None:
            return text + " from " + ", ".join(str(c) for c in rule.choices)
        return text + (f", each{bounds(rule)}" if bounds(rule) else "")
    if origin is dict:
        return f"a mapping of names to {describe(args[1], rule)}"
    return "a value"
