"""Hydra's flags anywhere on the command line: checked, and put first for Hydra's parser.

Hydra's argparse parser takes flags only before the ``key=value`` overrides
(``lstm-nlp-train seed=1 -m`` ends in its nine-line usage text); :func:`flags_first` accepts
them in any position, each written ``--name`` or ``--name=VALUE``, and refuses an unknown flag
or a missing value in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError

INFO_CHOICES = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")


@dataclass(frozen=True)
class Flag:
    name: str  # --cfg
    aliases: tuple[str, ...] = ()  # -c
    takes: str = "none"  # none | one (a value is required) | optional (else ``default``)
    choices: tuple[str, ...] = ()
    default: str = ""


FLAGS = (
    Flag("--help", ("-h",)),
    Flag("--hydra-help"),
    Flag("--version"),
    Flag("--cfg", ("-c",), "one", ("job", "hydra", "all")),
    Flag("--resolve"),
    Flag("--package", ("-p",), "one"),
    Flag("--run", ("-r",)),
    Flag("--multirun", ("-m",)),
    Flag("--shell-completion", ("-sc",)),
    Flag("--config-path", ("-cp",), "one"),
    Flag("--config-name", ("-cn",), "one"),
    Flag("--config-dir", ("-cd",), "one"),
    Flag("--experimental-rerun", (), "one"),
    Flag("--info", ("-i",), "optional", INFO_CHOICES, "all"),
)
BY_NAME = {name: flag for flag in FLAGS for name in (flag.name, *flag.aliases)}
KNOWN = "--help, --cfg job|hydra|all, --resolve, -m/--multirun, --info, --hydra-help, --version"


def flag_of(arg: str) -> tuple[Flag, str | None]:
    """The flag ``arg`` names and the value written into it (``--cfg=job``), if any."""
    name, sep, value = arg.partition("=")
    flag = BY_NAME.get(name)
    if flag is None:
        raise ConfigError(f"unknown flag {arg!r} (Hydra's flags: {KNOWN}); options are KEY=VALUE")
    if sep and flag.takes == "none":
        raise ConfigError(f"{name} takes no value, got {arg!r}")
    if flag.name in UNSUPPORTED:
        raise ConfigError(
            f"{flag.name} is not supported: each lstm-nlp command composes its own config (and "
            "checks it before it runs); add a folder of presets with "
            "'hydra.searchpath=[file:///ABS/DIR]' and choose one with GROUP=NAME"
        )
    return flag, value if sep else None


PACKAGE = {"--resolve": "", "--package": " task"}

# flags that swap the config the command's checks compose, or re-run a pickled one
UNSUPPORTED = ("--config-path", "--config-name", "--config-dir", "--experimental-rerun")


def flag_value(flag: Flag, value: str | None, rest: list[str]) -> str | None:
    """The flag's value: written in, the next argument (consumed from ``rest``), or the default."""
    if flag.takes == "none":
        return None
    if value is None and rest and not rest[0].startswith("-"):
        if flag.takes == "one" or rest[0] in flag.choices:
            value = rest.pop(0)
    if value is None and flag.takes == "optional":
        value = flag.default
    if value is None or not value.strip():
        what = f"one of {', '.join(flag.choices)}" if flag.choices else "a value"
        example = flag.choices[0] if flag.choices else "VALUE"
        raise ConfigError(f"{flag.name} needs {what} (e.g. {flag.name} {example})")
    if flag.choices and value not in flag.choices:
        raise ConfigError(f"{flag.name} must be one of {', '.join(flag.choices)}, got {value!r}")
    return value


def flags_first(argv: list[str]) -> list[str]:
    """``argv`` with every flag first (long names, ``--name=VALUE``), then the overrides in their
    order; an unknown flag or a missing or wrong value is a :class:`ConfigError`."""
    flags, overrides, rest = [], [], list(argv)
    while rest:
        arg = rest.pop(0)
        if not arg.startswith("-"):
            overrides.append(arg)
            continue
        flag, written = flag_of(arg)
        value = flag_value(flag, written, rest)
        flags.append(flag.name if value is None else f"{flag.name}={value}")
    modes = [f for f in flags if f.partition("=")[0] in MODES]
    if len(modes) > 1:
        raise ConfigError(f"give only one of {', '.join(MODES)}; got {', '.join(modes)}")
    names = {f.partition("=")[0] for f in flags}
    for flag in ("--resolve", "--package"):
        if flag in names and not names & {"--cfg", "--help"}:
            raise ConfigError(f"{flag} goes with --cfg (e.g. --cfg job {flag}{PACKAGE[flag]})")
    return [*flags, *overrides]


MODES = ("--run", "--multirun", "--cfg", "--info", "--shell-completion")  # Hydra takes one


def has_flag(argv: list[str], *names: str) -> bool:
    """Whether a normalised ``argv`` (:func:`flags_first`) holds one of these flags."""
    return any(arg.partition("=")[0] in names for arg in argv if arg.startswith("-"))
