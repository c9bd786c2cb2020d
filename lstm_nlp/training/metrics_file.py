"""``RUN_DIR/metrics.json`` across re-runs: a re-run never loses a figure.

A re-run writes what it measured; a figure it did not measure this time (``test/ppl`` under
``test=false``) is kept from the file:

- as it was, when the run's weights are the ones it was measured on (the same ``global_step``:
  re-running a finished run);
- under ``earlier/`` otherwise (``earlier/test/ppl``, with ``earlier/global_step``, the step it
  was measured at), because it no longer describes the run's best weights.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

EARLIER = "earlier/"


def read_metrics(path: Path) -> dict[str, Any]:
    """The figures of a ``metrics.json`` ({} without a readable one)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def merged_metrics(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``new``, and the figures of ``old`` it lacks (see the module's docstring)."""
    earlier = {
        k: v for k, v in old.items() if k.startswith(EARLIER) and k[len(EARLIER) :] not in new
    }
    missing = {k: v for k, v in old.items() if k not in new and not k.startswith(EARLIER)}
    if not missing:
        return {**_complete(earlier, old), **new}
    if old.get("global_step") == new.get("global_step"):
        return {**_complete(earlier, old), **missing, **new}
    moved = {f"{EARLIER}{k}": v for k, v in missing.items()}
    return {**moved, f"{EARLIER}global_step": old.get("global_step"), **new}


def _complete(earlier: dict[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    """Earlier figures keep the step they were measured at (none left: nothing)."""
    figures = {k: v for k, v in earlier.items() if k != f"{EARLIER}global_step"}
    if not figures:
        return {}
    return {**figures, f"{EARLIER}global_step": old.get(f"{EARLIER}global_step")}
