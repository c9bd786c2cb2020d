"""Experiment loggers (``logger=NAME`` or ``logger=[NAME,NAME,...]``): where a run's metrics and
pictures go.

The ``logger`` node holds one node per chosen logger, each with its own options, and ``name``,
the last one chosen (as lightning-hydra-template's ``many_loggers``)::

    logger=wandb                      ->  {name: wandb, wandb: {project: lstm-nlp, ...}}
    logger=[tensorboard,wandb,csv] logger.wandb.project=mine logger.wandb.tags=[a,b]

``none`` goes alone.  Each logger is registered with a builder ``build(options, run_dir,
hparams)`` that returns a Lightning logger writing under ``run_dir`` (or None).  Any other
Lightning logger needs no code: ``logger=custom logger.custom._target_=...MLFlowLogger
+logger.custom.experiment_name=x``.  Lightning is imported only when a logger is built.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import LOGGERS, TargetOptions, instantiate_target
from lstm_nlp.report.run_names import run_names  # its import registers the members' names
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.validate import defaults_of, options_from_node, plain


class LoggerOptions(Options):
    """Base of one logger's options."""


@dataclass
class CSVOptions(LoggerOptions):
    """``logger=csv``: ``RUN_DIR/logs/version_N/metrics.csv`` and ``hparams.yaml`` (a resumed run
    starts the next version)."""


@dataclass
class TensorBoardOptions(LoggerOptions):
    """``logger=tensorboard``: event files in ``RUN_DIR/tensorboard`` (``tensorboard --logdir
    RUN_DIR``, or the sweep's folder to compare its members), the HPARAMS tab included."""


@dataclass
class WandbOptions(LoggerOptions):
    """``logger=wandb``: Weights & Biases in ``RUN_DIR/wandb``, offline unless ``mode`` or
    ``WANDB_MODE`` says otherwise (look with ``wandb leet RUN_DIR/wandb``, upload with
    ``wandb sync``)."""

    project: str = option("lstm-nlp", help="W&B project")
    entity: str | None = option(None, help="W&B team or user; null: your default")
    mode: str | None = option(
        None,
        choices=("online", "offline", "disabled"),
        help="null: $WANDB_MODE, else offline (no account or network needed)",
    )
    tags: list[str] = option([], help="tags of the W&B run")
    group: str | None = option(None, help="W&B group; null: a sweep member's sweep folder name")
    job_type: str = option("train", help="W&B job type")


@dataclass
class NoLoggerOptions(LoggerOptions):
    """``logger=none``: no experiment logger (metrics.json, the report and checkpoints stay)."""


@dataclass
class CustomLoggerOptions(TargetOptions, LoggerOptions):
    """``logger=custom``: any Lightning logger (``logger.custom._target_=...MLFlowLogger
    +logger.custom.experiment_name=x``); ``save_dir`` is the run directory unless given."""


def unchosen(schema: type, help: str) -> Any:
    """A :class:`LoggerChoices` field: a chosen logger's options, checked by ``schema``; for a
    logger not chosen, ``schema``'s defaults as a plain dict."""
    return field(default_factory=lambda: defaults_of(schema), metadata={"help": help})


@dataclass
class LoggerChoices(Options):
    """logger=NAME, or several at once: logger=[tensorboard,wandb,csv], each with its own
    options below (none goes alone).

    The ``logger`` node holds one node per chosen logger; ``name`` is the last one chosen."""

    csv: CSVOptions = unchosen(CSVOptions, "metrics.csv files in RUN_DIR/logs")
    tensorboard: TensorBoardOptions = unchosen(TensorBoardOptions, "TensorBoard's event files")
    wandb: WandbOptions = unchosen(WandbOptions, "a Weights & Biases run, offline by default")
    none: NoLoggerOptions = unchosen(NoLoggerOptions, "no experiment logger")
    custom: CustomLoggerOptions = unchosen(CustomLoggerOptions, "any Lightning logger")

    def chosen_names(self) -> list[str]:
        """The loggers the node chooses (their options checked; the others' are plain dicts)."""
        return [f.name for f in fields(self) if isinstance(getattr(self, f.name), LoggerOptions)]

    def check(self) -> None:
        names = self.chosen_names()
        if "none" in names and len(names) > 1:
            raise ConfigError(
                f"logger=[{','.join(names)}]: none (no logger) cannot go with other loggers; "
                "choose logger=none alone, or leave none out"
            )
        if "custom" in names and self.custom._target_ == "???":
            raise ConfigError(
                "logger.custom._target_ is required: the Lightning logger to build (a dotted "
                "import path, e.g. lightning.pytorch.loggers.MLFlowLogger)"
            )


BUILT_IN: dict[str, type] = {
    "csv": CSVOptions,
    "tensorboard": TensorBoardOptions,
    "wandb": WandbOptions,
    "none": NoLoggerOptions,
    "custom": CustomLoggerOptions,
}


def register_built_in() -> None:
    """Each built-in logger under its name, checked as a :class:`LoggerChoices` node; its Hydra
    config is ``{name: NAME, NAME: {its defaults}}``, so a list of them composes side by side."""
    from hydra.core.config_store import ConfigStore

    for name, schema in BUILT_IN.items():
        LOGGERS.register(name, f"lstm_nlp.report.loggers:{name}_logger", config=LoggerChoices)
        node = {"name": name, name: defaults_of(schema)}
        ConfigStore.instance().store(group="logger", name=name, node=node, provider="lstm_nlp")


register_built_in()


# -- builders ------------------------------------------------------------------------------------
def csv_logger(options: CSVOptions, run_dir: Path, hparams: dict) -> Any:
    from lstm_nlp.report.step_axis import StepCSVLogger

    return StepCSVLogger(save_dir=str(run_dir), name="logs")  # version_N: never overwrites


def tensorboard_logger(options: TensorBoardOptions, run_dir: Path, hparams: dict) -> Any:
    from lstm_nlp.report.step_axis import StepTensorBoardLogger

    return StepTensorBoardLogger(
        save_dir=str(run_dir), name="tensorboard", version="", default_hp_metric=False
    )


def wandb_logger(options: WandbOptions, run_dir: Path, hparams: dict) -> Any:
    """A W&B run named as the run's folder, grouped by its sweep, holding the composed config."""
    from lstm_nlp.report.step_axis import StepWandbLogger

    names = run_names(run_dir)
    return StepWandbLogger(
        save_dir=str(run_dir),
        project=options.project,
        entity=options.entity,
        name=names.name,
        group=options.group or names.group,
        job_type=options.job_type,
        tags=list(options.tags),
        mode=options.mode or os.environ.get("WANDB_MODE") or "offline",
        config=hparams,
        id=stable_run_id(run_dir),
        resume="allow",
    )


def none_logger(options: NoLoggerOptions, run_dir: Path, hparams: dict) -> None:
    return None


def custom_logger(options: CustomLoggerOptions, run_dir: Path, hparams: dict) -> Any:
    import inspect

    from lstm_nlp.registry import import_dotted

    node = options.node()
    if "save_dir" not in node:
        try:
            cls = import_dotted(options._target_)
        except (ImportError, AttributeError, ValueError):
            cls = None  # instantiate_target names the failure in one line
        if cls is not None and "save_dir" in inspect.signature(cls).parameters:
            node["save_dir"] = str(run_dir)
    return instantiate_target(node, "logger.custom")


# -- the node ------------------------------------------------------------------------------------
def chosen_loggers(cfg: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """``(name, options)`` of each logger the ``logger`` node chooses, in the order chosen; a
    plugin's logger (its options flat in the node) alone."""
    if not cfg or "name" not in cfg:
        return []
    node = nested(cfg)
    options = LOGGERS.options(node)  # checked: each logger's options, and how they combine
    if not isinstance(options, LoggerChoices):
        return [(str(node["name"]), options)]
    return [
        (name, options_from_node(node[name], BUILT_IN[name], f"logger.{name}.", f"logger {name!r}"))
        for name in node
        if name in BUILT_IN  # options_from_node again: a custom logger's extra keys kept
    ]


def check_logger_list(overrides: Iterable[str]) -> None:
    """``logger=[csv,csv]``: Hydra would merge the two silently; one line naming it instead."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    given = [o for o in overrides if o.lstrip("+").startswith("logger=")]
    for override in OverridesParser.create().parse_overrides(given):
        value = override.value()
        twice = [v for v in value if value.count(v) > 1] if isinstance(value, list) else []
        if twice:
            raise ConfigError(
                f"logger=[{','.join(map(str, value))}]: {twice[0]} is chosen twice; choose each "
                f"logger once (its options: logger.{twice[0]}.KEY=VALUE)"
            )


def nested(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The node as a plain dict; a built-in logger's options given flat (``{name: wandb,
    project: x}``, as from Python before loggers could be combined) under its own name."""
    node = dict(plain(cfg))
    name = node.get("name")
    if name in BUILT_IN and name not in node:
        return {"name": name, name: {k: v for k, v in node.items() if k != "name"}}
    return node


def build_loggers(cfg: Mapping[str, Any] | None, run_dir: Path, hparams: dict) -> list[Any]:
    """The Lightning loggers of the ``logger`` node (none for ``logger=none``)."""
    built = [build_one(name, opts, run_dir, hparams) for name, opts in chosen_loggers(cfg)]
    return [logger for logger in built if logger is not None]


def build_one(name: str, options: Any, run_dir: Path, hparams: dict) -> Any:
    builder: Callable[[Any, Path, dict], Any] = LOGGERS.get(name)
    return builder(options, run_dir, hparams)


def build_logger(cfg: Mapping[str, Any] | None, run_dir: Path, hparams: dict) -> Any:
    """The Lightning logger of the last logger chosen (``None`` for ``logger=none`` or none)."""
    loggers = chosen_loggers(cfg)
    return build_one(*loggers[-1], run_dir, hparams) if loggers else None


def stable_run_id(run_dir: Path) -> str:
    """The same W&B run id for the same run directory, so a resumed run continues its W&B run."""
    return hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:12]


def finish_loggers() -> None:
    """Close a W&B run if one is open (Lightning never calls wandb.finish())."""
    wandb = sys.modules.get("wandb")
    if wandb is not None and getattr(wandb, "run", None) is not None:
        wandb.finish()
