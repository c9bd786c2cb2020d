"""What every lstm-nlp command does around its Hydra app: options, plugins, help, clean errors.

A command is a :class:`Command`: its program name, its config (``conf/NAME.yaml``: the defaults
list and Hydra's settings) and its options dataclass.  Before handing over to Hydra,
:func:`run_app` loads the built-in components and the plugins (their options must be in Hydra's
ConfigStore before Hydra composes), answers ``--help`` from the dataclasses, and composes the
config once with the same overrides to check it: every mistake is one line naming the key at
fault (exit code 2), before Hydra creates or touches a run directory.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import partial

from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from lstm_nlp.cli.argv import flags_first, has_flag
from lstm_nlp.cli.compose_errors import BARE_ERRORS, compose_error_line
from lstm_nlp.cli.config_rules import check_chosen, check_package
from lstm_nlp.cli.errors import UNKNOWN_KEY, fail, one_line, show_warnings_as_lines
from lstm_nlp.cli.optional_plugins import check_optional_plugins
from lstm_nlp.cli.overrides import (
    check_no_sweep,
    check_shapes,
    name_aliases,
    one_run,
    override_values,
    without_key,
)
from lstm_nlp.cli.path_options import check_path_options
from lstm_nlp.errors import ConfigError, LstmNlpError
from lstm_nlp.registry import REGISTRIES, check_components, load_builtins, store_options
from lstm_nlp.schema.validate import options_from_node, unknown_key

HYDRA_FLAGS = ("--hydra-help", "--version", "--shell-completion")  # no run: no checks
OPEN_GROUPS = ("trainer", "callbacks", "hydra")  # +group.KEY=VALUE adds a key there
HINTS = {  # for keys people type that live elsewhere
    "data.cache_dir": "the cache folder is the root option cache_dir=DIR",
    "data.path": "a corpus folder is data=text data.path=DIR",
    "pairs": "lstm-nlp-eval's pairs= is now path= (source= names the format; auto finds it)",
    "suite": "lstm-nlp-inspect's suite= is now path= (source= names the format; auto finds it)",
}


@dataclass(frozen=True)
class Command:
    prog: str  # lstm-nlp-eval
    config_name: str  # conf/<config_name>.yaml
    options: type  # the command's own options (the root of its config)
    groups: tuple[str, ...] = ()  # registered config groups its --help lists
    required: tuple[str, ...] = ()  # config groups that cannot be null
    extra_help: tuple[tuple[str, type, str], ...] = ()  # more option tables: (title, schema, key.)
    # the checks before the app; None: check_options (its options and chosen components)
    check: Callable[[DictConfig, list[str]], None] | None = None
    folders: tuple[str, ...] = ()  # options that are output folders
    files: tuple[str, ...] = ()  # options that are output files
    inputs: tuple[str, ...] = ()  # options naming what it reads (no output may be one of them)


COMMANDS = (  # cli.<name>.COMMAND
    "train",
    "eval",
    "generate",
    "suites",
    "inspect",
    "ppl",
    "export",
    "import_checkpoint",
)


def register_configs() -> None:
    """Every built-in component's and every command's options, and the installed plugins', into
    Hydra's ConfigStore: what ``conf/*.yaml`` need to compose (importing ``lstm_nlp.conf`` runs
    this, so the configs compose wherever Hydra reads them)."""
    import importlib

    from lstm_nlp.plugins import load_plugins

    load_builtins()
    for name in COMMANDS:
        command = importlib.import_module(f"lstm_nlp.cli.{name}").COMMAND
        store_options(command.options, f"{command.config_name}_options")
    load_plugins()


def prepare(command: Command, argv: list[str], check_names: bool = True) -> None:
    """Options into Hydra's ConfigStore (:func:`register_configs`, and plugins of a
    ``plugins_dir=``); the command's group choices on the command line checked (did-you-mean,
    no ``null`` for a group it needs)."""
    import lstm_nlp.conf  # noqa: F401  (its import runs register_configs, once)
    from lstm_nlp.plugins import load_plugins_dir

    for folder in override_values(argv, "plugins_dir"):
        if folder != "null":
            load_plugins_dir(folder)
    for group in command.required if check_names else ():
        if "null" in override_values(argv, group):  # Hydra cannot compose a null group
            raise required_group(command, group)
    for group in command.groups if check_names else ():
        for value in override_values(argv, group):
            if value != "null" and not value.startswith(("choice(", "range(", "glob(", "[")):
                REGISTRIES[group].entry(value)


def compose(config_name: str, overrides: list[str]) -> DictConfig:
    """The config Hydra will compose for these overrides (a single run)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        return hydra_compose(config_name, overrides=overrides)


def unknown_key_line(command: Command, argv: list[str], key: str) -> str | None:
    """For ``task.poolng=...``: the options of the node it would go into, with a did-you-mean."""
    try:
        cfg = compose(command.config_name, without_key(argv, key))
    except (HydraException, OmegaConfBaseException, *BARE_ERRORS):
        return None
    parent, _, leaf = key.rpartition(".")
    node = OmegaConf.select(cfg, parent) if parent else cfg
    if not isinstance(node, DictConfig):
        return None
    if parent.split(".")[0] in OPEN_GROUPS:
        close = difflib.get_close_matches(leaf, [str(k) for k in node], n=1)
        hint = f"did you mean {parent}.{close[0]}? " if close else ""
        return f"{key} is not a config key ({hint}a new one is +{key}=VALUE)"
    registry = next((r for r in REGISTRIES.values() if r.package == parent), None)
    schema = registry.schema(node.name) if registry and "name" in node else None
    if schema is not None:
        known, label = [f.name for f in fields(schema)], f"{registry.kind} {node.name!r}"
    elif not parent:
        known, label = [f.name for f in fields(command.options)], command.prog
    else:
        known, label = [k for k in node if k != "name"], parent
    return with_hint(str(unknown_key(leaf, f"{parent}." if parent else "", label, known)))


def with_hint(message: str) -> str:
    """An unknown key's message, and where that key lives, for the keys in :data:`HINTS`."""
    key = message.split(" ", 1)[0]
    unknown = message.startswith(f"{key} is not an option")
    return f"{message}; {HINTS[key]}" if unknown and key in HINTS else message


def checked_config(command: Command, argv: list[str]) -> DictConfig:
    check_shapes(argv, {f.name for f in fields(command.options)}, component_packages())
    try:
        cfg = compose(command.config_name, argv)
    except (HydraException, OmegaConfBaseException) as err:
        match = UNKNOWN_KEY.match(str(err).strip())
        better = match and unknown_key_line(command, argv, match.group(1))
        raise ConfigError(better or one_line(err)) from None
    except BARE_ERRORS as err:
        # Hydra and OmegaConf let these through for some overrides (group_by.x=1 on a list)
        line = compose_error_line(argv, err, partial(compose, command.config_name))
        raise ConfigError(line) from None
    for group in command.required:
        if cfg.get(group) is None:  # ~task
            raise required_group(command, group)
    try:
        (command.check or partial(check_options, command))(cfg, argv)
    except ConfigError as err:
        raise ConfigError(with_hint(str(err))) from None
    check_chosen(cfg)
    check_path_options(cfg, command.folders, command.files, command.inputs)
    return cfg


def component_packages() -> set[str]:
    """Config packages whose options a registered schema describes (``task``, ``encoder``...)."""
    return {registry.package.split(".")[0] for registry in REGISTRIES.values()}


def required_group(command: Command, group: str) -> ConfigError:
    article = "an" if group[0] in "aeiou" else "a"
    return ConfigError(
        f"{group}=null: {command.prog} needs {article} {group} (choose one with {group}=NAME; "
        "--help lists them)"
    )


def check_options(command: Command, cfg: DictConfig, overrides: list[str] = ()) -> None:
    """A command's own options by its dataclass, and every chosen component's by its own."""
    skip = tuple(dict.fromkeys(group.split("/")[0] for group in command.groups))
    options_from_node(cfg, command.options, label=command.prog, skip=skip)
    check_components(cfg)


def print_help(command: Command, argv: list[str]) -> None:
    from lstm_nlp.cli.help import command_help

    overrides = one_run(argv)
    required = ""
    try:
        cfg = checked_config(command, overrides) if overrides else compose(command.config_name, [])
    except ConfigError as err:
        # data=text --help: the help of a choice whose required options are not given yet
        cfg, missing = help_config(command, overrides, err)
        required = f"\nrequired, not given yet: {', '.join(missing)}"
    text = command_help(command.prog, command.options, cfg, command.groups, command.extra_help)
    print(text + required)


def help_config(
    command: Command, overrides: list[str], err: ConfigError
) -> tuple[DictConfig, list[str]]:
    """The config to write the help from when the checks refused ``overrides``, and the required
    options not given yet: composed as given, if those are all that is wrong (else ``err``)."""
    try:
        cfg = compose(command.config_name, overrides)
    except (HydraException, OmegaConfBaseException):
        raise err from None
    missing = sorted(OmegaConf.missing_keys(cfg))
    if not missing:
        raise err
    return cfg, missing


def run_app(command: Command, app: Callable[[], object]) -> None:
    """Run a Hydra app; every error a user can cause is one line on stderr and exit code 2."""
    show_warnings_as_lines()
    try:
        argv = flags_first(sys.argv[1:])  # Hydra's parser wants its flags before the overrides
        argv = name_aliases(argv)  # data=hf data.name=ID: data.path=ID
        if has_flag(argv, "--hydra-help", "--version"):  # about Hydra: no config is composed
            argv = [arg for arg in argv if arg.startswith("-")]
        sys.argv = [sys.argv[0], *argv]
        checks = not has_flag(argv, *HYDRA_FLAGS)
        prepare(command, argv, check_names=checks)
        if has_flag(argv, "--help"):
            print_help(command, argv)
            return
        check_optional_plugins(argv)
        if not has_flag(argv, "--multirun"):
            check_no_sweep(argv)
        if checks:
            cfg = checked_config(command, one_run(argv))  # -m sweeps: the first stands for all
            check_package(argv, cfg)
        app()
    except LstmNlpError as err:
        fail(command.prog, err)
    except (HydraException, OmegaConfBaseException) as err:
        fail(command.prog, one_line(err))
