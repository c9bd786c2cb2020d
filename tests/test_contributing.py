"""CONTRIBUTING.md's recipes work as written: every file is written as shown, every command run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import env

GUIDE = Path(__file__).resolve().parents[1] / "CONTRIBUTING.md"
BLOCK = re.compile(r"```(python|bash)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def commands(script: str) -> list[str]:
    """The shell commands of a bash block (continuation lines joined, comments kept)."""
    return [c.strip() for c in script.replace("\\\n", " ").splitlines() if c.strip()]


def write_files(folder: Path) -> list[Path]:
    """Every python block of the guide that names its file on its first line."""
    written = []
    for kind, text in blocks():
        first = text.splitlines()[0]
        if kind == "python" and first.startswith("# my_plugins/"):
            path = folder / first[2:]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def test_the_guide_has_a_recipe_of_each_kind():
    text = GUIDE.read_text(encoding="utf-8")
    for title in ("task", "encoder", "data source", "evaluation source", "callback"):
        assert f"## Add a{'n' if title[0] in 'aeiou' else ''} {title}" in text
    assert len([k for k, _ in blocks() if k == "bash"]) >= 5


def test_the_recipes_code_is_lint_clean(tmp_path):
    files = write_files(tmp_path)
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    proc = subprocess.run(
        [str(ruff), "check", "--no-cache", "--extend-ignore", "ANN", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.slow
def test_every_recipe_runs_as_written(tmp_path):
    write_files(tmp_path)
    e = env()
    e["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{e['PATH']}"
    out = {}
    for kind, script in blocks():
        if kind != "bash":
            continue
        for command in commands(script):
            proc = subprocess.run(
                command,
                shell=True,
                cwd=tmp_path,
                env=e,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0, f"{command}\n{proc.stderr[-3000:]}"
            assert "Traceback" not in proc.stderr, proc.stderr
            out[command] = proc.stdout
    helps = [text for command, text in out.items() if "--help" in command]
    assert "task.class_weights=[1.0,1.0]" in helps[0] and "task.pooling=mean" in helps[0]
    callback = next(text for command, text in out.items() if "_lr_printer" in command)
    assert re.search(r"^rate 20$", callback, re.M), callback
    for run in ("sentence_class", "gru", "one_file", "callback"):
        assert (tmp_path / "runs" / run / "metrics.json").is_file(), run
    assert (tmp_path / "eval_csv" / "results.json").is_file()


def test_the_gru_recipe_keeps_the_encoder_contract_and_inspect_refuses_it_by_capability(tmp_path):
    from contracts import check_encoder

    from lstm_nlp.modules.encoder import ExposesGates, require
    from lstm_nlp.plugins import load_plugins_dir
    from lstm_nlp.registry import DATA_SOURCES, ENCODERS, EVAL_SOURCES, TASKS
    from lstm_nlp.tasks.components import build_encoder

    write_files(tmp_path)
    load_plugins_dir(tmp_path / "my_plugins")
    try:
        node = {"name": "gru", "hidden_size": 4, "num_layers": 2, "dropout": 0.0}
        encoder = build_encoder(node, input_size=5).double()
        check_encoder(encoder, hidden=4, layers=2, bidirectional=False)
        with pytest.raises(Exception, match=r"does not expose its gates, which lstm-nlp-inspect"):
            require(encoder, ExposesGates, "lstm-nlp-inspect mode=gates")
    finally:
        for registry, name in (
            (TASKS, "sentence_class"),
            (ENCODERS, "gru"),
            (DATA_SOURCES, "one_file"),
            (EVAL_SOURCES, "csv_pairs"),
        ):
            registry.unregister(name)
