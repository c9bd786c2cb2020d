"""``--help`` of every command, made from the option dataclasses and the registries.

A command's help is its options dataclass's docstring (what it does, examples), then a table of
its options (default, what each accepts, one line of help); ``lstm-nlp-train`` adds each config
group with its choices and the options of the chosen one, for the command line as given
(``lstm-nlp-train task=number_agreement --help`` shows that task's options).
"""

from __future__ import annotations

import inspect
import textwrap
from importlib.resources import files
from typing import Any

from omegaconf import DictConfig

from lstm_nlp.registry import REGISTRIES
from lstm_nlp.schema.help import format_rows, option_rows

PRESET_GROUPS = ("trainer", "callbacks", "experiment", "debug", "hparams_search")


def about(schema: type) -> str:
    """A dataclass's docstring as help text (reST's double backquotes dropped)."""
    return inspect.cleandoc(schema.__doc__ or "").replace("``", "")


def summary(schema: type) -> str:
    """The first paragraph of a docstring, as one line."""
    return " ".join(about(schema).split("\n\n")[0].split())


def presets(group: str) -> list[str]:
    """The YAML presets shipped for ``group`` (conf/GROUP/*.yaml)."""
    folder = files("lstm_nlp.conf").joinpath(group)
    if not folder.is_dir():
        return []
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def group_section(group: str, cfg: DictConfig | None) -> list[str]:
    """``group``'s choices (the chosen one starred) and the chosen one's options."""
    registry = REGISTRIES[group]
    node = cfg_select(cfg, registry.package)
    chosen = node.get("name") if isinstance(node, DictConfig) else None
    names = [f"{n}*" if n == chosen else n for n in registry.names()]
    lines = [f"{group}=NAME ({registry.kind}): {', '.join(names)}"]
    if chosen is None:
        return lines + ["  (none chosen)"]
    schema = registry.schema(chosen)
    if schema is None:
        keys = ", ".join(k for k in node if k != "name")
        return lines + [f"  options of {group}={chosen} (no schema): {keys or '(none)'}"]
    lines += textwrap.wrap(summary(schema), 98, initial_indent="  ", subsequent_indent="  ")
    return lines + [format_rows(option_rows(schema, f"{registry.package}."))]


def cfg_select(cfg: DictConfig | None, key: str) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.select(cfg, key) if cfg is not None else None


def command_help(
    prog: str,
    schema: type,
    cfg: DictConfig | None,
    groups: tuple[str, ...] = (),
    extra: tuple[tuple[str, type, str], ...] = (),
) -> str:
    """The whole ``--help`` text of ``prog``."""
    lines = [about(schema), "", f"Usage: {prog} [KEY=VALUE ...] [GROUP=NAME ...]", ""]
    lines += [f"Options of {prog}:", format_rows(option_rows(schema)), ""]
    for group in groups:
        lines += group_section(group, cfg) + [""]
    for title, sub_schema, prefix in extra:
        lines += [title, format_rows(option_rows(sub_schema, prefix)), ""]
    shipped = [(g, presets(g)) for g in PRESET_GROUPS if presets(g)] if groups else []
    if shipped:
        lines.append("Presets (GROUP=NAME; conf/GROUP/NAME.yaml):")
        for group, names in shipped:
            first = f"  {group}: "
            lines += textwrap.wrap(
                ", ".join(names), 98, initial_indent=first, subsequent_indent="    "
            )
        lines.append("")
    lines.append(
        "Hydra: --cfg job prints the composed config, -m runs a sweep, --hydra-help Hydra's own."
    )
    return "\n".join(lines)
