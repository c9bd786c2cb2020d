"""``trainer.strategy`` and ``trainer.accelerator`` checked against what Lightning knows and this
machine has, before a run starts (Lightning itself refuses them only when the Trainer is built,
with a traceback).  Lightning is imported only for a value other than the defaults."""

from __future__ import annotations

import difflib
import importlib.util

from lstm_nlp.errors import ConfigError

PLAIN = ("auto", "cpu")  # need no look-up
NEEDS = {"deepspeed": "deepspeed", "xla": "torch_xla", "single_xla": "torch_xla"}
NEEDS |= {"single_tpu": "torch_xla", "xla_debug": "torch_xla"}


def close(value: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(value, known, n=1)
    return f". Did you mean {hint[0]!r}?" if hint else ""


def check_strategy(value: str) -> None:
    """A strategy Lightning registers (``ddp``, ``ddp_spawn``, ``fsdp``...), its package
    installed."""
    if value in PLAIN[:1]:
        return
    from lightning.pytorch.strategies import StrategyRegistry

    known = ["auto", *StrategyRegistry.available_strategies()]
    if value not in known:
        hint = close(value, known)
        raise ConfigError(
            f"trainer.strategy must be one of {', '.join(known)}, got {value!r}{hint}"
        )
    package = next((p for name, p in NEEDS.items() if value.startswith(name)), None)
    if package and importlib.util.find_spec(package) is None:
        raise ConfigError(
            f"trainer.strategy={value} needs the {package} package, which is not installed"
        )


def available_accelerators() -> dict[str, bool]:
    """Lightning's accelerator names (``gpu`` too), each with whether this machine has one."""
    from lightning.pytorch.accelerators import AcceleratorRegistry

    found = {
        name: bool(AcceleratorRegistry[name]["accelerator"].is_available())
        for name in sorted(AcceleratorRegistry.available_accelerators())
    }
    found["gpu"] = found.get("cuda", False) or found.get("mps", False)
    return found


def check_accelerator(value: str) -> None:
    """An accelerator Lightning knows and this machine has."""
    if value in PLAIN:
        return
    found = available_accelerators()
    known = ["auto", *found]
    if value not in found:
        raise ConfigError(
            f"trainer.accelerator must be one of {', '.join(known)}, got {value!r}"
            f"{close(value, known)}"
        )
    if not found[value]:
        here = ", ".join(["auto", *(name for name, ok in found.items() if ok)])
        raise ConfigError(
            f"trainer.accelerator={value}: this machine has no {value} device (available here: "
            f"{here})"
        )
