"""SyntaxGym prediction formulas: parsed (by pyparsing) into a small tree, then evaluated.

A formula compares region surprisals, e.g. ``(5;%mismatch%) > (5;%match%)`` or
``[(3;%a%) + (4;%a%)] < [(3;%b%) + (4;%b%)] & (2;%a%) = (2;%b%)``:

* a term ``(REGION;%CONDITION%)`` is the surprisal of region number REGION in the condition
  named CONDITION; a number (``0``, ``-1.5``) is itself;
* operators, tightest first: ``+ -`` (one level, left to right), then ``< > =``, then ``&``,
  then ``|``; ``[ ]`` and ``( )`` group;
* ``=`` holds when the two sides are within 0.001 bits (or a relative 1e-5) of each other,
  SyntaxGym's tolerance;
* arithmetic takes numbers, ``&`` and ``|`` take comparisons, and a whole formula is a
  comparison or a logical combination of them; anything else is a :class:`FormulaError`
  (so is chaining comparisons, ``a < b < c``).

SyntaxGym's own grammar puts ``+`` above ``-`` (so ``a - b + c`` reads ``a - (b + c)``);
here they share a level, as in arithmetic.  The suites of Hu et al. (2020) bracket every
mixed sum, so both read them alike.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyparsing is imported on the first parse: reading options stays fast
    import pyparsing as pp

EQUAL_ABS = 1e-3  # bits: SyntaxGym's tolerance for "="
EQUAL_REL = 1e-5
ARITHMETIC, COMPARISONS, LOGICAL = ("+", "-"), ("<", ">", "="), ("&", "|")
SYNTAX = (
    "terms like (5;%condition%), numbers, + -, < > =, & | and [ ] or ( ) groups, "
    "e.g. (5;%mismatch%) > (5;%match%)"
)


class FormulaError(ValueError):
    """A formula that does not parse, or that compares or combines the wrong kinds of thing."""


@dataclass(frozen=True)
class Term:
    region: int
    condition: str

    def __str__(self) -> str:
        return f"({self.region};%{self.condition}%)"


@dataclass(frozen=True)
class Number:
    value: float

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node

    def __str__(self) -> str:
        return f"[{self.left} {self.op} {self.right}]"


Node = Term | Number | BinOp


def parse(text: str) -> Node:
    """The tree of ``text``; a :class:`FormulaError` (saying where) when it is malformed."""
    import pyparsing as pp

    try:
        root = _grammar().parse_string(text, parse_all=True)[0]
    except pp.ParseBaseException as e:
        raise FormulaError(f"cannot parse {text!r} at column {e.col} (expected {SYNTAX})") from None
    if _kind(root) != "truth":
        raise FormulaError(f"{text!r} is a number, not a comparison such as a > b")
    return root


def evaluate(node: Node, surprisal: Callable[[int, str], float]) -> bool:
    """Whether the formula holds, ``surprisal(region, condition)`` giving each term's value."""
    return bool(_value(node, surprisal))


def terms(node: Node) -> list[tuple[int, str]]:
    """The formula's ``(region, condition)`` terms, each once, in reading order."""
    if isinstance(node, Term):
        return [(node.region, node.condition)]
    if isinstance(node, Number):
        return []
    return list(dict.fromkeys(terms(node.left) + terms(node.right)))


def _value(node: Node, surprisal: Callable[[int, str], float]) -> float | bool:
    if isinstance(node, Term):
        return surprisal(node.region, node.condition)
    if isinstance(node, Number):
        return node.value
    return OPERATORS[node.op](_value(node.left, surprisal), _value(node.right, surprisal))


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=EQUAL_REL, abs_tol=EQUAL_ABS)


OPERATORS: dict[str, Callable[[Any, Any], float | bool]] = {
    "+": operator.add,
    "-": operator.sub,
    "<": operator.lt,
    ">": operator.gt,
    "=": _equal,
    "&": operator.and_,  # both sides are bools (checked when parsed)
    "|": operator.or_,
}


def _kind(node: Node) -> str:
    """``number`` or ``truth``; a :class:`FormulaError` when an operator gets the wrong kind."""
    if not isinstance(node, BinOp):
        return "number"
    wanted = "truth" if node.op in LOGICAL else "number"
    for side in (node.left, node.right):
        if _kind(side) != wanted:
            needs = "a comparison" if wanted == "truth" else "numbers"
            chain = "; comparisons do not chain" if node.op in COMPARISONS else ""
            raise FormulaError(f"{node.op!r} needs {needs} on both sides, in {node}{chain}")
    return "number" if node.op in ARITHMETIC else "truth"


def _fold(tokens: pp.ParseResults) -> Node:
    """``a op b op c`` (one precedence level) -> ``((a op b) op c)``."""
    items = tokens[0]
    node = items[0]
    for op, right in zip(items[1::2], items[2::2]):
        node = BinOp(op, node, right)
    return node


@lru_cache(maxsize=1)
def _grammar() -> pp.ParserElement:
    import pyparsing as pp

    formula = pp.Forward()
    term = (
        pp.Suppress("(")
        + pp.Word(pp.nums)
        + pp.Suppress(";")
        + pp.Suppress("%")
        + pp.Regex(r"[^%]+")
        + pp.Suppress("%")
        + pp.Suppress(")")
    ).set_parse_action(lambda t: Term(int(t[0]), t[1].strip()))
    number = pp.Regex(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
    number.set_parse_action(lambda t: Number(float(t[0])))
    operand = term | number | pp.Suppress("[") + formula + pp.Suppress("]")
    levels = [(pp.one_of(ops), 2, pp.OpAssoc.LEFT, _fold) for ops in (ARITHMETIC, COMPARISONS)]
    levels += [(pp.Literal(op), 2, pp.OpAssoc.LEFT, _fold) for op in LOGICAL]
    formula <<= pp.infix_notation(operand, levels)  # its own ( ) groups come after terms
    return formula
