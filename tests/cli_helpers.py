"""Running the real command-line programs in subprocesses, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TINY = [
    "encoder.hidden_size=16",
    "encoder.num_layers=1",
    "task.embedding_dim=16",
    "task.batch_size=4",
    "task.eval_batch_size=4",
    "task.bptt=10",
    "trainer.max_epochs=1",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]

SMALL_LM = [  # a language model trained in seconds on 200 generated sentences
    "data.train_sentences=200",
    "data.valid_sentences=40",
    "data.test_sentences=40",
    "encoder.hidden_size=16",
    "task.embedding_dim=16",
    "trainer.max_epochs=1",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        OMP_NUM_THREADS="1",
        TOKENIZERS_PARALLELISM="false",
        WANDB_MODE="offline",
        PYTHONUNBUFFERED="1",
    )
    return e


def run_cli(
    module: str, *args: str, cwd: Path | None = None, timeout: int = 240
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", f"lstm_nlp.cli.{module}", *args],
        capture_output=True,
        text=True,
        env=env(),
        cwd=cwd,
        timeout=timeout,
    )


def train(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    flags = [a for a in args if a.startswith("-")]  # Hydra flags (-m) go before the overrides
    return run_cli("train", *flags, *TINY, *[a for a in args if not a.startswith("-")], cwd=cwd)


def metrics(run_dir: Path) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())


def one_line_error(proc: subprocess.CompletedProcess, prog: str = "lstm-nlp-train") -> str:
    """The single error line a user sees; fails if there is a traceback or more."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith(f"{prog}: error:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def config_error(module: str, *args: str) -> str:
    """The one-line error of a command whose options are refused before it runs, run in this
    process (fast: no interpreter start-up, no Lightning import)."""
    import contextlib
    import importlib
    import io
    from unittest import mock

    from lstm_nlp.cli.common import run_app

    command = importlib.import_module(f"lstm_nlp.cli.{module}").COMMAND
    err = io.StringIO()
    with mock.patch.object(sys, "argv", [command.prog, *args]), contextlib.redirect_stderr(err):
        try:
            run_app(command, lambda: (_ for _ in ()).throw(AssertionError("the command ran")))
        except SystemExit as exit_:
            assert exit_.code == 2, exit_.code
        else:
            raise AssertionError(f"no error for {args}")
    lines = [line for line in err.getvalue().splitlines() if line.startswith(command.prog)]
    assert len(lines) == 1, err.getvalue()
    return lines[0]


def run_in_process(module: str, *args: str) -> subprocess.CompletedProcess:
    """Run a command (its Hydra app too) in this process, as ``run_cli`` runs it in another: the
    exit code, stdout and stderr (no interpreter start-up, no second import of torch)."""
    import contextlib
    import importlib
    import io
    from unittest import mock

    from lstm_nlp.cli.common import run_app

    cli = importlib.import_module(f"lstm_nlp.cli.{module}")
    out, err = io.StringIO(), io.StringIO()
    code = 0
    argv = [cli.COMMAND.prog, *args]
    with mock.patch.object(sys, "argv", argv), contextlib.redirect_stdout(out):
        with contextlib.redirect_stderr(err):
            try:
                run_app(cli.COMMAND, cli._app)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
