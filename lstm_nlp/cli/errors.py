"""Every error a user can cause, as one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import difflib
import errno
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn, TextIO

from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from omegaconf.errors import MissingMandatoryValue, OmegaConfBaseException

from lstm_nlp.errors import LstmNlpError, LstmNlpWarning

UNKNOWN_KEY = re.compile(r"Could not override '([^']+)'")


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
    match = UNKNOWN_KEY.match(first)
    if match:
        key = match.group(1)
        return (
            f"{key} is not a config key (print the keys with --cfg job; add a new one with "
            f"+{key}=VALUE)"
        )
    if isinstance(err, OverrideParseException):
        quoted = re.search(r"override '(.*)'$", first)
        bad = quoted.group(1) if quoted else first.split(": ", 1)[-1]
        return f"cannot parse the override {bad!r}: " + (
            quoting_hint(bad)
            or "overrides are key=value (quote values with special characters, e.g. "
            "'data.path=\"~/corpus\"'); --help lists the options"
        )
    already = ALREADY_THERE.search(first)
    if already:
        key = already.group(1)
        return f"+{key}: {key} is already in the config; set it without '+': {key}=VALUE"
    return first


ALREADY_THERE = re.compile(r"An item is already at '([^']+)'")


def quoting_hint(override: str) -> str | None:
    """How to write ``override`` so that Hydra reads its value as it stands (a path with non-ASCII
    letters, spaces or brackets must be quoted): ``key='value'``, or None when quoting is not
    the cure."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    key, sep, value = override.partition("=")
    if not sep or not key.strip():
        return None
    for quote, shell in (("'", '"'), ('"', "'")):
        if quote in value or shell in value:
            continue
        written = f"{key}={quote}{value}{quote}"
        try:
            OverridesParser.create().parse_override(written)
        except HydraException:
            continue
        return (
            f"quote the value so that it is read as it stands: {written} (in a shell: "
            f"{shell}{written}{shell})"
        )
    return None


def fail(prog: str, err: BaseException | str) -> NoReturn:
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
    except OSError as err:
        if err.errno not in DISK_ERRORS:
            raise  # not the machine's storage: a bug to see in full
        fail(prog, disk_error_line(err))


DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)


def disk_error_line(err: OSError) -> str:
    """A storage failure while the command wrote (a full disk, a quota, a read-only or failing
    device): what, where, and that the same command resumes once it is fixed."""
    where = f" writing {err.filename}" if err.filename else ""
    return (
        f"{err.strerror or err}{where}; free space (or fix the device) and run the same command "
        "again: training resumes from the newest readable checkpoint"
    )


def show_warnings_as_lines() -> None:
    """The project's warnings (:class:`LstmNlpWarning`) print as their own one line, without the
    file and source line Python adds; other warnings print as usual."""
    original = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, LstmNlpWarning):
            print(str(message), file=file or sys.stderr, flush=True)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show


class OneLineParser(argparse.ArgumentParser):
    """argparse for the plain (non-Hydra) commands: a usage mistake is one line on stderr with
    exit code 2, instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog.split()[0], f"{message} ({self.prog} --help shows the usage)")
