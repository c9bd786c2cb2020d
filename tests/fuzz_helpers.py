"""Generated command lines for every lstm-nlp command, run in this process, and the rule each
must keep (test_fuzz_commands): success, or ONE line on stderr with a non-zero exit code; never a
traceback, a usage text or a hang; the files given as inputs byte-for-byte as they were.

Profiles: ``HYPOTHESIS_PROFILE=fuzz`` runs a few hundred lines per command; the default (CI) a
dozen, always the same ones (derandomised).  Tokens come from the command's own option keys
(misspelt, dotted into, prefixed with +, ++ or ~), values that are small, huge, wrong in type,
malformed or paths of the wrong kind, Hydra's flags anywhere, and damaged checkpoints.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"ci": 10, "fuzz": 300}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES.get(PROFILE, EXAMPLES["ci"]),
    deadline=None if PROFILE == "fuzz" else 20_000,  # ms; the hang guard below stops a hang
    derandomize=PROFILE != "fuzz",
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HANG_SECONDS = 60 if PROFILE == "fuzz" else 30


class Hang(BaseException):
    """Raised by the alarm in a command that ran too long (a BaseException: Hydra's own handler
    catches every Exception)."""


class Accepted(BaseException):
    """Raised by the stand-in for a command whose work is too slow to fuzz (training): its
    command line passed every check."""


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    accepted: bool = False  # passed every check; the work itself was not run


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """A hang fails the example instead of freezing the test run."""

    def ring(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A fresh current folder: what a command writes by default (eval_out/, multirun/) lands
    there."""
    old = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="fuzz_cwd_") as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(old)


def run_hydra_command(module: str, args: list[str], work: bool = True) -> Outcome:
    """``lstm-nlp-MODULE ARGS`` in this process; ``work=False``: its checks only."""
    from lstm_nlp.cli.common import run_app

    cli = importlib.import_module(f"lstm_nlp.cli.{module}")

    def stand_in() -> None:
        raise Accepted

    out, err, code, accepted = io.StringIO(), io.StringIO(), 0, False
    argv = [cli.COMMAND.prog, *args]
    with scratch_folder(), alarm(HANG_SECONDS), mock.patch.object(sys, "argv", argv):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run_app(cli.COMMAND, cli._app if work else stand_in)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            except Accepted:
                accepted = True
    return Outcome(code, out.getvalue(), err.getvalue(), accepted)


def run_data_command(args: list[str]) -> Outcome:
    """``lstm-nlp-data ARGS`` in this process."""
    from lstm_nlp.cli.data import main

    out, err = io.StringIO(), io.StringIO()
    with scratch_folder(), alarm(HANG_SECONDS):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue())


def problem_with(outcome: Outcome, prog: str, codes: tuple[int, ...] = (2,)) -> str | None:
    """What breaks the rule (None when the outcome keeps it)."""
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        return "a traceback"
    if "usage:" in outcome.stderr:
        return "a usage text"
    errors = [line for line in outcome.stderr.splitlines() if line.startswith(f"{prog}: error:")]
    if outcome.code == 0:
        return f"exit 0 with an error line: {errors}" if errors else None
    if outcome.code not in codes:
        return f"exit code {outcome.code}"
    if len(errors) != 1:
        return f"{len(errors)} error lines"
    if outcome.stderr.rstrip("\n").splitlines()[-1] != errors[0]:
        return "more on stderr after the error line"
    return None


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file and folder under ``roots``: its path -> the SHA-256 of its bytes (or 'dir')."""
    found = {}
    for root in roots:
        for path in sorted([root, *root.rglob("*")]) if root.exists() else []:
            if path.is_symlink() or path.is_dir():
                found[str(path)] = "dir" if path.is_dir() else f"link {os.readlink(path)}"
            else:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


# ----- strategies -----

SMALL = st.integers(-2, 4).map(str)
HUGE = st.sampled_from(
    [2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**20, -(2**63) - 1, -(10**20), 99999999999999999999]
).map(str)
NUMBERS = st.sampled_from(["0.5", "-0.5", "1e308", "1e999", "nan", "inf", "-inf", "-0.0", "0x10"])
WORDS = st.sampled_from(
    [
        "true", "false", "null", "", "''", '""', "abc", "é", "日本語", "'日本語'", "[a,b]", "[]",
        "[1,2]", "[1,-1,1]", "{a: 1}", "{}", "${oops}", "${now:%Y}", "'a b'", "a,b", "choice(1,2)",
        "range(3)", "???", "' '", "\\", "'", "[", "{", "a=b", "-", "~", "+", "cpu", "cuda:9",
    ]
)  # fmt: skip
MALFORMED = st.sampled_from(
    [
        "=3", "=", "+=1", "~=", "++=2", "key", "a..b=1", ".a=1", "a.=1", "a b=1", "=[", "x=[",
        "x=${", "x='", 'x="', "x=)", "x=1)", "x=a=b", "+~x=1", "~~x", "x.0=1", "--", "-", "",
        "é=1", "hydra.run.dir=", "hydra/launcher=nope", "hydra.job.name=[",
    ]
)  # fmt: skip
FLAGS = st.sampled_from(
    [
        ["-m"], ["--multirun"], ["--cfg", "job"], ["--cfg"], ["-c", "all"], ["--cfg", "hydra"],
        ["--cfg=job"], ["--cfg", "nope"], ["--resolve"], ["--info"], ["--info", "config"],
        ["--bogus"], ["-x"], ["--help"], ["-h"], ["--hydra-help"], ["--version"], ["--run"],
        ["--config-name", "nope"], ["--config-dir", "/nonexistent/dir"], ["--package", "x"],
        ["-m", "--cfg", "job"], ["--multirun=1"], ["--info", "bogus"],
    ]
)  # fmt: skip


def misspelt(key: str, how: int) -> str:
    """``key`` with a letter dropped, doubled, swapped or changed."""
    if len(key) < 2:
        return key + "x"
    i = how % (len(key) - 1)
    return [
        key[:i] + key[i + 1 :],
        key[:i] + key[i] + key[i:],
        key[:i] + key[i + 1] + key[i] + key[i + 2 :],
        key[:i] + "q" + key[i + 1 :],
    ][how % 4]


def keys(known: list[str]) -> st.SearchStrategy[str]:
    real = st.sampled_from(known)
    return st.one_of(
        real,
        real,
        st.builds(misspelt, real, st.integers(0, 40)),
        st.sampled_from(["nonexistent", "zzz.yyy", "x", "trainer.bogus", "task.bogus", "hydra"]),
        st.builds(lambda k, s: f"{k}.{s}", real, st.sampled_from(["x", "0", "a.b", "name"])),
    )


def values(paths: list[str], choices: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(SMALL, HUGE, NUMBERS, WORDS, st.sampled_from(paths), st.sampled_from(choices))


@dataclass(frozen=True)
class Vocabulary:
    """What a command's tokens are made of: its option keys, the words its options choose
    from, its config groups and their choices, and the paths of the test's files."""

    keys: list[str]
    choices: list[str]
    groups: dict[str, list[str]]
    paths: list[str]


def overrides(words: Vocabulary) -> st.SearchStrategy[list[str]]:
    """One fuzzed token (or two, for a flag with its value)."""
    prefix = st.sampled_from(["", "", "", "+", "++"])
    value = values(words.paths, words.choices)
    override = st.builds(lambda p, k, v: f"{p}{k}={v}", prefix, keys(words.keys), value)
    removal = st.builds(lambda k: f"~{k}", keys(words.keys))
    names = [(g, n) for g, ns in words.groups.items() for n in [*ns, "bogus", "null"]]
    group = st.sampled_from(names or [("nogroup", "x")]).map(lambda gn: [f"{gn[0]}={gn[1]}"])
    return st.one_of(
        override.map(lambda t: [t]),
        override.map(lambda t: [t]),
        removal.map(lambda t: [t]),
        MALFORMED.map(lambda t: [t]),
        FLAGS,
        group,
    )


@st.composite
def command_line(draw: st.DrawFn, base: list[str], words: Vocabulary, most: int = 3) -> list[str]:
    """``base`` (a valid line) with 1..``most`` fuzzed tokens put anywhere in it."""
    line = list(base)
    for tokens in draw(st.lists(overrides(words), min_size=1, max_size=most)):
        at = draw(st.integers(0, len(line)))
        line[at:at] = tokens
    return line


def vocabulary(command: str, base: list[str], paths: list[str]) -> Vocabulary:
    """The tokens of ``lstm-nlp-COMMAND`` (see :class:`Vocabulary`)."""
    from lstm_nlp.registry import REGISTRIES

    cli = importlib.import_module(f"lstm_nlp.cli.{command}")
    schemas = [cli.COMMAND.options, *(schema for _, schema, _ in cli.COMMAND.extra_help)]
    groups = {g: REGISTRIES[g].names() for g in cli.COMMAND.groups}
    schemas += [REGISTRIES[g].schema(n) for g, names in groups.items() for n in names]
    choices = sorted({str(c) for schema in schemas if schema for c in choices_of(schema)})
    return Vocabulary(option_keys(command, base), choices or ["x"], groups, paths)


def choices_of(schema: type) -> list[object]:
    """Every value an option of ``schema`` chooses from (its choices, its Literal's values)."""
    from dataclasses import fields, is_dataclass

    from lstm_nlp.schema.rules import literal_values, rule_of
    from lstm_nlp.schema.validate import type_hints

    found: list[object] = []
    hints = type_hints(schema)
    for f in fields(schema):
        if is_dataclass(hints[f.name]):
            found += choices_of(hints[f.name])
        found += list(rule_of(f).choices or ()) + list(literal_values(hints[f.name]) or ())
    return found


def option_keys(config_name: str, base: list[str]) -> list[str]:
    """Every leaf key of the command's composed config (Hydra's own left out)."""
    from omegaconf import DictConfig

    from lstm_nlp.cli.common import compose

    cfg = compose(config_name, base)
    found: list[str] = []

    def walk(node: DictConfig, prefix: str) -> None:
        for key in node:
            child = node._get_node(key)
            if isinstance(child, DictConfig):
                walk(child, f"{prefix}{key}.")
            else:
                found.append(f"{prefix}{key}")

    walk(cfg, "")
    return sorted(k for k in found if not k.startswith("hydra"))


DATA_TOKENS = st.sampled_from(
    [
        ["list"], ["fetch"], ["bogus"], ["blimp"], ["all"], ["blmp"], ["é"], [""],
        ["--trust-unverified"], ["--no-progress"], ["--bogus"], ["-h"], ["--cache"],
        ["--base-url", "http://127.0.0.1:9"], ["--base-url", "not a url"], ["--", "x"],
    ]
)  # fmt: skip


@st.composite
def data_line(draw: st.DrawFn, paths: list[str]) -> list[str]:
    """An ``lstm-nlp-data`` command line (never reaching the network: every download goes to a
    port nothing listens on)."""
    line = [draw(st.sampled_from(["list", "fetch", "fetch", "fetch", "bogus"]))]
    for _ in range(draw(st.integers(0, 4))):
        tokens = draw(st.one_of(DATA_TOKENS, st.sampled_from(paths).map(lambda p: [p])))
        at = draw(st.integers(0, len(line)))
        line[at:at] = tokens
    return [*line, "--base-url", "http://127.0.0.1:9"] if "fetch" in line else line
