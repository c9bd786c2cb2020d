"""Hydra plugins behind an optional extra (the SLURM launcher, the Optuna sweeper): when one is
asked for and missing, say in one line what to install (Hydra itself answers over many lines)."""

from __future__ import annotations

from lstm_nlp.cli.overrides import override_values
from lstm_nlp.errors import ConfigError

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
