"""The configuration reference of the docs site (``docs/reference/configuration.md``), made from
the same option dataclasses, registries and presets as ``--help``, so the two cannot disagree."""

from __future__ import annotations

import importlib

from lstm_nlp.cli.common import COMMANDS, Command
from lstm_nlp.cli.help import PRESET_GROUPS, about, presets, summary
from lstm_nlp.registry import REGISTRIES, Registry
from lstm_nlp.schema.help import OptionRow, option_rows


def cell(text: str) -> str:
    """Text inside a Markdown table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())


def table(rows: list[OptionRow]) -> list[str]:
    if not rows:
        return ["(no options)", ""]
    lines = ["| option | default | accepts | help |", "|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| `{cell(r.key)}` | `{cell(r.default)}` | {cell(r.allowed)} | {cell(r.help)} |"
        )
    return lines + [""]


def command_section(command: Command) -> list[str]:
    lines = [f"## `{command.prog}`", "", about(command.options), ""]
    lines += table(option_rows(command.options))
    for title, schema, prefix in command.extra_help:
        lines += [f"**{title}**", ""] + table(option_rows(schema, prefix))
    if command.groups:
        groups = ", ".join(f"[`{g}=`](#{anchor(g)})" for g in command.groups)
        lines += [f"Config groups: {groups}.", ""]
    return lines


def anchor(group: str) -> str:
    """The id set on the heading of a group's section (``{#id}``, attr_list), linked from the
    commands' sections."""
    return "group-" + group.replace("/", "").replace("_", "")


def group_section(registry: Registry) -> list[str]:
    lines = [f"## `{registry.group}=` {{#{anchor(registry.group)}}}", ""]
    lines += [f"Choices ({registry.kind}): " + ", ".join(f"`{n}`" for n in registry.names()), ""]
    for name in registry.names():
        entry = registry.entry(name)
        lines += [f"### `{registry.group}={name}`", ""]
        if entry.origin.split(".")[0] != "lstm_nlp":
            lines += [f"From the plugin package `{entry.origin}`.", ""]
        if entry.schema is None:
            lines += ["(a plugin component without an options dataclass)", ""]
            continue
        lines += [summary(entry.schema), ""]
        lines += table(option_rows(entry.schema, f"{registry.package}."))
    return lines


def presets_section() -> list[str]:
    lines = ["## Presets", "", "YAML presets shipped in `conf/` (`GROUP=NAME`):", ""]
    for group in PRESET_GROUPS:
        names = presets(group)
        if names:
            lines.append(f"- `{group}=`: " + ", ".join(f"`{n}`" for n in names))
    return lines + [""]


def config_reference() -> str:
    """The whole reference as Markdown: each command's options, each config group's choices
    with their options (installed plugins' too), the YAML presets."""
    commands = [importlib.import_module(f"lstm_nlp.cli.{n}").COMMAND for n in COMMANDS]
    lines: list[str] = []
    for command in commands:
        lines += command_section(command)
    for registry in REGISTRIES.values():
        lines += group_section(registry)
    return "\n".join(lines + presets_section())
