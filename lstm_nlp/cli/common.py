"""What every lstm-nlp command does around its Hydra app: plugins, name checks, clean errors.

Hydra prints its own composition errors over several lines and exits with 1, from
inside ``hydra.main``.  So before handing over to Hydra, a command composes its
config once with the same overrides and turns any error into one line naming the
key or option at fault (exit code 2).  Inside the app, :func:`guard` does the same
for errors raised while running.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf import DictConfig
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from lstm_nlp.errors import ConfigError, LstmNlpError

HELP_FLAGS = ("--help", "-h", "--hydra-help", "--version", "--info", "-i")


def override_values(argv: list[str], key: str) -> list[str]:
    """Values given on the command line for ``key=...`` (``+key=``/``++key=`` too; sweeps split on
    ',')."""
    values = []
    for arg in argv:
        name, sep, value = arg.lstrip("+").partition("=")
        if sep and name == key:
            values.extend(v.strip() for v in value.split(",") if v.strip())
    return values


def prepare_registries(argv: list[str], check_names: bool = True) -> None:
    """Load plugins and check registered names given on the command line, before Hydra composes.

    A plugin's own config must be in Hydra's ConfigStore before composition, so
    entry-point plugins and ``plugins_dir=...`` load here; unknown names get the
    registry's did-you-mean message instead of Hydra's long one.
    """
    from lstm_nlp.plugins import load_plugins, load_plugins_dir
    from lstm_nlp.registry import REGISTRIES

    load_plugins()
    for folder in override_values(argv, "plugins_dir"):
        if folder != "null":
            load_plugins_dir(folder)
    for group, registry in REGISTRIES.items() if check_names else ():
        for value in override_values(argv, group):
            if value not in ("null",) and not value.startswith(("choice(", "range(", "glob(")):
                registry.entry(value)


def one_line(err: BaseException) -> str:
    """A composition error as one line that names the option or key and what is expected."""
    text = str(err)
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(err).__name__)
    if isinstance(err, MissingConfigException) and err.options is not None and err.missing_cfg_file:
        group, _, option = str(err.missing_cfg_file).rpartition("/")
        msg = f"unknown {group} {option!r}; known: {', '.join(err.options)}"
        close = difflib.get_close_matches(option, err.options, n=1)
        return msg + (f". Did you mean {close[0]!r}?" if close else "")
    if isinstance(err, MissingMandatoryValue):
        key = getattr(err, "full_key", None) or first.rpartition(": ")[2]
        return f"{key} is required: add {key}=VALUE to the command"
    match = re.match(r"Could not override '([^']+)'", first)
    if match:
        key = match.group(1)
        return (
            f"{key} is not a config key (print the keys with --cfg job; add a new one with "
            f"+{key}=VALUE)"
        )
    if isinstance(err, OverrideParseException):
        quoted = re.search(r"override '([^']*)'", first)
        bad = quoted.group(1) if quoted else first.split(": ", 1)[-1]
        return (
            f"cannot parse the override {bad!r}: overrides are key=value (quote values with "
            "special characters, e.g. 'data.path=\"~/corpus\"'); --help lists the options"
        )
    return first


# Hydra plugins behind an optional extra: config group -> option prefix -> (module, pip requirement)
OPTIONAL_PLUGINS = {
    "hydra/launcher": {
        "slurm": ("hydra_plugins.hydra_submitit_launcher", "lstm-nlp[slurm]"),
        "submitit_": ("hydra_plugins.hydra_submitit_launcher", "lstm-nlp[slurm]"),
    },
    "hydra/sweeper": {"optuna": ("hydra_plugins.hydra_optuna_sweeper", "lstm-nlp[sweep]")},
}


def installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent (the hydra_plugins namespace) is missing
        return False


# Config groups whose options may choose a Hydra plugin in their defaults
# (``override /hydra/sweeper: optuna``)
PLUGIN_CHOOSING_GROUPS = ("hparams_search", "experiment")


def implied_plugins(group: str, option: str) -> list[tuple[str, str]]:
    """The ``override /hydra/...: X`` entries of ``conf/GROUP/OPTION.yaml``'s defaults, as (group,
    X)."""
    from importlib.resources import files

    import yaml

    path = files("lstm_nlp.conf").joinpath(group, f"{option}.yaml")
    try:
        node = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        return []  # Hydra reports an unreadable config itself
    defaults = node.get("defaults") if isinstance(node, dict) else None
    chosen = []
    for entry in defaults if isinstance(defaults, list) else []:
        for key, value in entry.items() if isinstance(entry, dict) else ():
            name = str(key).removeprefix("override").strip().lstrip("/")
            if name in OPTIONAL_PLUGINS:
                chosen.append((name, str(value)))
    return chosen


def check_optional_plugins(argv: list[str]) -> None:
    """``hydra/launcher=slurm``, ``hparams_search=lm_optuna`` etc. without their package: say what
    to install.

    (Hydra itself says 'Could not load' or 'Could not find' over many lines.)
    """
    wanted = [
        (group, value, f"{group}={value}")
        for group in OPTIONAL_PLUGINS
        for value in override_values(argv, group)
    ]
    for group in PLUGIN_CHOOSING_GROUPS:
        for option in override_values(argv, group):
            wanted += [(g, v, f"{group}={option}") for g, v in implied_plugins(group, option)]
    for group, value, asked in wanted:
        for prefix, (module, requirement) in OPTIONAL_PLUGINS[group].items():
            if value.startswith(prefix) and not installed(module):
                package = module.split(".")[-1].replace("_", "-")
                raise ConfigError(
                    f"{asked} needs the {package} package, which is not installed: "
                    f"pip install '{requirement}'"
                )


def fail(prog: str, err: BaseException | str) -> None:
    print(f"{prog}: error: {err}", file=sys.stderr, flush=True)
    sys.exit(2)


@contextmanager
def guard(prog: str) -> Iterator[None]:
    """Inside an app: the project's errors and config-access errors end as one line, exit code 2."""
    try:
        yield
    except LstmNlpError as err:
        fail(prog, err)
    except (HydraException, OmegaConfBaseException) as err:
        fail(prog, one_line(err))


def check_composes(config_name: str, overrides: list[str], check: Callable | None = None) -> None:
    """Compose the config as Hydra will, raising the first error (single runs only); then ``check``
    it."""
    from hydra import compose, initialize_config_module

    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        cfg = compose(config_name, overrides=overrides)
    if check is not None:
        check(cfg, overrides)


def run_app(
    prog: str,
    app: Callable[[], object],
    config_name: str,
    check: Callable[[DictConfig, list[str]], None] | None = None,
) -> None:
    """Run a Hydra app; every error a user can cause is one line on stderr and exit code 2.

    ``check(cfg, overrides)`` validates the composed config before Hydra starts the app, so that a
    mistake neither creates a run directory nor rewrites an existing one's ``.hydra/`` files.
    """
    argv = sys.argv[1:]
    asks_help = any(a in HELP_FLAGS for a in argv)
    try:
        prepare_registries(argv, check_names=not asks_help)
        check_optional_plugins(argv)
        if not any(
            a.startswith("-") for a in argv
        ):  # flags such as -m or --cfg: Hydra handles them
            check_composes(config_name, argv, check)
        app()
    except LstmNlpError as err:
        fail(prog, err)
    except (HydraException, OmegaConfBaseException) as err:
        fail(prog, one_line(err))
