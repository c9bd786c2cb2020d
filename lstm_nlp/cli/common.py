"""What every lstm-nlp command does around its Hydra app: plugins, name checks, clean errors."""

from __future__ import annotations

import sys
from typing import Callable

from hydra.errors import HydraException

from lstm_nlp.errors import LstmNlpError


def override_values(argv: list[str], key: str) -> list[str]:
    """Values given on the command line for ``key=...`` (``+key=``/``++key=`` too; sweeps split on ',')."""
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


def fail(prog: str, err: Exception) -> None:
    print(f"{prog}: error: {err}", file=sys.stderr, flush=True)
    sys.exit(2)


def run_app(prog: str, app: Callable[[], object]) -> None:
    """Run a Hydra app, turning every :class:`LstmNlpError` into one line on stderr and exit code 2."""
    argv = sys.argv[1:]
    try:
        prepare_registries(argv, check_names=not any(a in ("--help", "-h", "--hydra-help") for a in argv))
        app()
    except LstmNlpError as err:
        fail(prog, err)
    except HydraException as err:  # composition errors (unknown key, bad override syntax, ...)
        first = next((line.strip() for line in str(err).splitlines() if line.strip()), type(err).__name__)
        fail(prog, f"{first} (see {prog} --help for the config groups)")
