"""The package's shape: which room may import which, no import circles, nothing loose at the root.

Every ``import lstm_nlp...`` counts, at module level or inside a function (a function-level
import is still a dependency).  A new import that goes against :data:`MAY_IMPORT` fails here
by name: move the code to the room it belongs to, or pass the object in from the caller.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lstm_nlp"

ROOT_MODULES = {"__init__", "errors", "registry", "plugins", "paths", "atomic"}

# room -> the rooms it may import (besides itself); dependencies point one way, top to bottom:
# cli -> training -> tasks -> (insight, report, evaluation, grammar, data, modules) -> text -> base
# (perplexity, lstm-nlp-ppl's work, sits beside insight: cli -> perplexity -> evaluation, data)
BASE = {"errors", "paths", "atomic", "schema", "registry"}
MAY_IMPORT = {
    "errors": set(),
    "paths": set(),
    "atomic": {"errors"},
    "schema": {"errors"},
    "plugins": {"errors"},
    "registry": {"errors", "schema", "plugins"},
    "text": BASE,
    "modules": BASE,
    "data": BASE | {"text"},
    "grammar": BASE | {"text"},
    "evaluation": BASE | {"text", "grammar"},
    "report": BASE | {"text", "evaluation"},
    "insight": BASE | {"text", "modules", "grammar", "evaluation", "report"},
    "perplexity": BASE | {"text", "data", "evaluation"},
    "tasks": BASE | {"text", "modules", "data", "grammar"},
    "training": BASE | {"text", "modules", "data", "grammar", "evaluation", "report", "tasks"},
    "export": BASE | {"text", "modules", "tasks"},
    "importing": BASE | {"text", "modules", "tasks"},
    "runtable": BASE | {"report"},
    "cli": BASE
    | {"plugins", "text", "modules", "data", "grammar", "evaluation", "report", "insight"}
    | {"tasks", "training", "perplexity", "export", "runtable", "importing"},
    "api": BASE
    | {"text", "modules", "evaluation", "insight", "perplexity", "tasks", "training", "export"}
    | {"cli"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, modules: dict[str, Path]) -> set[str]:
    """The lstm_nlp modules ``path`` imports (``from pkg import submodule`` names the submodule)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lstm_nlp")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("lstm_nlp"):
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
    return {m for m in found if m in modules}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


GRAPH = {name: imported(path, all_modules()) for name, path in all_modules().items()}


def test_only_the_shared_base_lies_at_the_package_root():
    loose = {p.stem for p in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert not loose, f"modules at the package root that belong in a room: {sorted(loose)}"


def test_every_room_is_declared():
    rooms = {room(m) for m in GRAPH} - {"__init__"}
    assert rooms <= set(MAY_IMPORT), f"rooms without a MAY_IMPORT entry: {rooms - set(MAY_IMPORT)}"


@pytest.mark.parametrize("source_room", sorted(MAY_IMPORT))
def test_imports_point_down_only(source_room):
    upward = sorted(
        f"{src} imports {dst}"
        for src, targets in GRAPH.items()
        if room(src) == source_room
        for dst in targets
        if room(dst) not in MAY_IMPORT[source_room] | {source_room, "__init__"}
    )
    assert not upward, "imports against the declared direction:\n" + "\n".join(upward)


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other (circles)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [g for g in groups if len(g) > 1]


def test_no_import_circles_between_modules():
    circles = strongly_connected(GRAPH)
    assert not circles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in circles)


def test_no_import_circles_between_rooms():
    rooms: dict[str, set[str]] = defaultdict(set)
    for src, targets in GRAPH.items():
        rooms[room(src)] |= {room(t) for t in targets if room(t) != room(src)}
    circles = strongly_connected(rooms)
    assert not circles, "rooms that import each other:\n" + "\n".join(map(str, circles))


def test_the_circle_finder_finds_a_circle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
