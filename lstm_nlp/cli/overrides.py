"""Reading the command line's ``key=value`` overrides before Hydra does."""

from __future__ import annotations


def override_values(argv: list[str], key: str) -> list[str]:
    """Values given on the command line for ``key=...`` (``+key=``/``++key=`` too; sweeps split on
    ',')."""
    values = []
    for arg in argv:
        name, sep, value = arg.lstrip("+").partition("=")
        if sep and name == key:
            values.extend(v.strip() for v in value.split(",") if v.strip())
    return values


def override_key(arg: str) -> str:
    """``+task.x=1`` -> ``task.x``; ``~grammar`` -> ``grammar``."""
    return arg.lstrip("+~").partition("=")[0]


def without_key(argv: list[str], key: str) -> list[str]:
    return [arg for arg in argv if override_key(arg) != key]


VALUED_FLAGS = ("--cfg", "-c", "--package", "-p", "--config-name", "-cn", "--config-dir", "-cd")
VALUED_FLAGS += ("--experimental-rerun", "--info", "-i")


def one_run(argv: list[str]) -> list[str] | None:
    """The overrides of one run of this command line: Hydra's flags (``-m``, ``--cfg job``)
    left out, each sweep (``task.bptt=35,70``, ``range(1,4)``) at its first value; None when
    Hydra itself cannot parse the overrides (it then says why) or a flag is not understood."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    overrides, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in VALUED_FLAGS:
            skip = True
        elif arg in ("-m", "--multirun", "--resolve"):
            continue
        elif arg.startswith("-"):
            return None
        else:
            overrides.append(arg)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException:
        return overrides  # the check reports the parse error in one line
    return [first_value(arg, o) for arg, o in zip(overrides, parsed)]


def first_value(arg: str, override: object) -> str:
    if not override.is_sweep_override():  # type: ignore[attr-defined]
        return arg
    first = next(iter(override.sweep_string_iterator()), None)  # type: ignore[attr-defined]
    if first is None:
        return arg
    return f"{override.get_key_element()}={first}"  # type: ignore[attr-defined]
