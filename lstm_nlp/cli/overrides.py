"""Reading the command line's ``key=value`` overrides before Hydra does."""

from __future__ import annotations

from lstm_nlp.errors import ConfigError


def override_values(argv: list[str], key: str) -> list[str]:
    """Values given on the command line for ``key=...`` (``+key=``/``++key=`` too; sweeps split on
    ',')."""
    values = []
    for arg in argv:
        name, sep, value = arg.lstrip("+").partition("=")
        if sep and name == key:
            parts = (v.strip().strip("[]").strip() for v in value.split(","))  # [a,b]: a, b
            values.extend(v for v in parts if v)
    return values


def override_key(arg: str) -> str:
    """``+task.x=1`` -> ``task.x``; ``~grammar`` -> ``grammar``."""
    return arg.lstrip("+~").partition("=")[0]


def name_aliases(argv: list[str]) -> list[str]:
    """``GROUP.name=VALUE`` read as ``GROUP.OPTION=VALUE`` where the chosen component's options
    dataclass declares ``name_option = "OPTION"``: ``data=hf data.name=Salesforce/wikitext``
    names the dataset, as the Hugging Face hub calls it (the node's ``name`` picks the source)."""
    from lstm_nlp.registry import REGISTRIES

    out = list(argv)
    for group, registry in REGISTRIES.items():
        chosen = override_values(argv, group)
        if len(chosen) != 1 or chosen[0] not in registry:
            continue
        alias = getattr(registry.schema(chosen[0]), "name_option", None)
        if alias is None:
            continue
        for i, arg in enumerate(argv):
            name, sep, value = arg.partition("=")
            if sep and name.lstrip("+") == f"{registry.package}.name":
                out[i] = f"{name.rpartition('.')[0]}.{alias}={value}"
    return out


def without_key(argv: list[str], key: str) -> list[str]:
    return [arg for arg in argv if override_key(arg) != key]


def check_shapes(argv: list[str], options: set[str], components: set[str]) -> None:
    """Overrides Hydra would take wrongly or answer with a traceback: an empty key (``=3``), and
    ``~KEY`` for an option (``options``: the command's own; ``components``: packages whose
    options have schemas), which would drop it silently back to its default."""
    for arg in argv:
        if arg.startswith("-"):
            continue
        key = override_key(arg)
        if not key.strip():
            raise ConfigError(f"{arg!r} has no key: an override is KEY=VALUE (e.g. seed=1)")
        root = key.split(".")[0]
        is_option = root in options or ("." in key and root in components)
        if arg.startswith("~") and is_option:
            raise ConfigError(
                f"{arg}: an option cannot be removed (it always has a value); set it instead: "
                f"{key}=VALUE"
            )


def one_run(argv: list[str]) -> list[str]:
    """The overrides of one run of this command line: Hydra's flags (``--multirun``,
    ``--cfg=job``, as :func:`~lstm_nlp.cli.argv.flags_first` writes them) left out, each sweep
    (``task.bptt=35,70``, ``range(1,4)``) at its first value."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    overrides = [arg for arg in argv if not arg.startswith("-")]
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except HydraException:
        return overrides  # the check reports the parse error in one line
    return [first_value(arg, o) for arg, o in zip(overrides, parsed)]


def check_no_sweep(argv: list[str]) -> None:
    """A sweep (``seed=1,2``, ``choice(...)``) without ``--multirun``: say what else it could
    mean (Hydra answers over five lines)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    for arg in (a for a in argv if not a.startswith("-")):
        try:
            override = OverridesParser.create().parse_override(arg)
        except HydraException:
            continue  # the config check reports it
        if override.is_sweep_override():
            key, _, value = arg.partition("=")
            raise ConfigError(
                f"{arg} is a sweep: add -m to run one job per value; for a list write "
                f"{key}=[{value}]; for text quote it: {key}='{value}'"
            )


def first_value(arg: str, override: object) -> str:
    if not override.is_sweep_override():  # type: ignore[attr-defined]
        return arg
    first = next(iter(override.sweep_string_iterator()), None)  # type: ignore[attr-defined]
    if first is None:
        return arg
    return f"{override.get_key_element()}={first}"  # type: ignore[attr-defined]
