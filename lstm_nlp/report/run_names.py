"""How runs are named: a sweep member by the overrides that differ across its sweep, any other run
by its folder.

A ``-m`` sweep's member folder (``hydra.sweep.subdir: ${lstm_nlp.sweep_member:}`` in
``conf/train.yaml``) is named by the overrides that differ across the sweep, each key by its last
component (more where two would collide), ``-`` between key and value, ``+`` between overrides::

    -m optim.lr=5,20                                   ->  lr-5, lr-20
    -m optim.lr=5,20 encoder.hidden_size=200,650       ->  lr-5+hidden_size-200, ...
    -m hparams_search=lm_optuna                        ->  lr-12.6810+dropout-0.234357, ...

No ``=`` or ``,``: a member's path can be given back on the command line as it is
(``run_dir=SWEEP/lr-5``, ``checkpoint=SWEEP/lr-5/checkpoints/best.ckpt``), and the same sweep run
again finds each member's folder (and resumes it) whatever order its jobs run in.  The folder's
name is also the run's W&B name and TensorBoard run (``tensorboard --logdir SWEEP``); the sweep's
folder name is the W&B group (:func:`run_names`).

What differs is read from the sweep's command line and its sweeper's ``params`` (basic or Optuna)
in ``SWEEP/multirun.yaml``, which :class:`SweepRecord` writes when the sweep starts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

RESOLVER = "lstm_nlp.sweep_member"
MAX_NAME = 120  # longer names end in a hash of the whole
UNSAFE = re.compile(r"[^A-Za-z0-9._+\-]")  # what a path passed back as an override may not hold


@dataclass(frozen=True)
class RunNames:
    """A run's name (its folder's) and, for a sweep member, its group (the sweep's folder)."""

    name: str
    group: str | None = None


def run_names(run_dir: Path) -> RunNames:
    """The names of the run in ``run_dir``: a member of a Hydra ``-m`` sweep is grouped by it."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN:
        return RunNames(run_dir.name, Path(HydraConfig.get().sweep.dir).name)
    return RunNames(run_dir.name)


def parse(overrides: Sequence[str]) -> list[Any]:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_overrides(list(overrides))


def swept_keys(command: Sequence[str], params: Mapping[str, Any]) -> list[str]:
    """The keys a sweep varies: its sweeper's ``params`` and its command line's sweeps (``a,b``,
    ``range()``, ``choice()``, ``interval()``...), less those the command line fixes."""
    swept: dict[str, None] = {}
    for override in parse([f"{k}={v}" for k, v in params.items()] + list(command)):
        if override.is_sweep_override():
            swept[override.key_or_group] = None
        else:
            swept.pop(override.key_or_group, None)
    return list(swept)


def short_keys(keys: Sequence[str]) -> dict[str, str]:
    """Each dotted key by its last component, or as many more as tell it from the others."""
    parts = {key: key.split(".") for key in keys}
    short = {}
    for key, mine in parts.items():
        n = 1
        while n < len(mine) and any(p[-n:] == mine[-n:] for k, p in parts.items() if k != key):
            n += 1
        short[key] = ".".join(mine[-n:])
    return short


def value_text(override: Any) -> str:
    """An override's value as a name shows it (floats to 6 significant digits)."""
    value = override.value()
    if isinstance(value, float):
        return format(value, ".6g")
    return value if isinstance(value, str) else override.get_value_element_as_str()


def member_name(job: Sequence[str], swept: Sequence[str]) -> str:
    """``lr-5+hidden_size-650``: the job's overrides of the ``swept`` keys, path-safe ("" when it
    has none)."""
    short = short_keys(swept)
    items = [
        f"{short[o.key_or_group]}-{value_text(o)}" for o in parse(job) if o.key_or_group in short
    ]
    name = UNSAFE.sub("_", "+".join(items))
    if len(name) > MAX_NAME:
        name = f"{name[: MAX_NAME - 9]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return name


def sweep_command(sweep_dir: Path) -> tuple[list[str], dict[str, Any]] | None:
    """The sweep's command-line overrides and its sweeper's ``params``, from ``multirun.yaml``."""
    try:
        saved = OmegaConf.load(sweep_dir / "multirun.yaml")
    except (OSError, ValueError):
        return None
    overrides = OmegaConf.select(saved, "hydra.overrides.task", default=None)
    params = OmegaConf.select(saved, "hydra.sweeper.params", default=None)
    as_plain = OmegaConf.to_container  # unresolved: the text as the sweeper read it
    return (
        [str(o) for o in as_plain(overrides)] if overrides is not None else [],
        dict(as_plain(params)) if params is not None else {},
    )


def sweep_member(*, _root_: DictConfig) -> str:
    """The ``lstm_nlp.sweep_member`` resolver: this job's member name, its job number when
    nothing differs or the sweep's command line is unknown."""
    number = str(OmegaConf.select(_root_, "hydra.job.num", default=0))
    command = sweep_command(Path(str(_root_.hydra.sweep.dir)))
    if command is None:
        return number
    job = [str(o) for o in _root_.hydra.overrides.task]
    return member_name(job, swept_keys(*command)) or number


class SweepRecord(Callback):
    """Hydra callback: ``SWEEP/multirun.yaml`` at the start of every sweep (Hydra's basic sweeper
    writes it too, Optuna's does not), the command line its members' names are read from.

    A launcher that runs members in other processes unpickles this callback there, and so imports
    this module, which registers the resolver the members' folder names need."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(config, sweep_dir / "multirun.yaml")


OmegaConf.register_new_resolver(RESOLVER, sweep_member, replace=True)
