"""Parameter counts of a model: in total and per top-level module, shared (tied) weights counted
once."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn


@dataclass
class ModuleCount:
    name: str
    kind: str  # the module's class name
    parameters: int  # counted here first (shared ones are counted where they first appear)
    trainable: int
    shared: int = (
        0  # parameters this module uses that an earlier module already counted (tied weights)
    )


def parameter_counts(module: nn.Module) -> tuple[list[ModuleCount], int, int]:
    """Per-child counts (children without parameters left out), total and trainable total."""
    seen: set[int] = set()
    rows: list[ModuleCount] = []
    own = list(module.parameters(recurse=False))
    parts = [("(own)", type(module).__name__, own)] if own else []
    parts += [
        (name, type(child).__name__, list(child.parameters()))
        for name, child in module.named_children()
    ]
    for name, kind, params in parts:
        unique = list({id(p): p for p in params}.values())
        new = [p for p in unique if id(p) not in seen]
        shared = sum(p.numel() for p in unique if id(p) in seen)
        seen.update(id(p) for p in new)
        count = sum(p.numel() for p in new)
        if count or shared:
            rows.append(
                ModuleCount(
                    name, kind, count, sum(p.numel() for p in new if p.requires_grad), shared
                )
            )
    return rows, sum(r.parameters for r in rows), sum(r.trainable for r in rows)
