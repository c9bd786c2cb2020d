"""A non-editable install works from any folder: conf/ ships inside the wheel."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_configs_and_installs_outside_the_repo(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (wheel,) = (tmp_path / "dist").glob("lstm_nlp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for conf in ROOT.glob("conf/**/*.yaml"):
        assert f"lstm_nlp/conf/{conf.relative_to(ROOT / 'conf')}" in names
    packages = {
        p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "lstm_nlp").rglob("__init__.py")
    }
    assert {
        f"{p}/__init__.py" for p in packages
    } <= names  # every subpackage is listed in pyproject

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    code = (
        "import lstm_nlp, sys; assert lstm_nlp.__file__.startswith(sys.argv[1]), lstm_nlp.__file__;"
        "from hydra import compose, initialize_config_module;"
        "initialize_config_module('lstm_nlp.conf', version_base='1.3').__enter__();"
        "cfg = compose('train', overrides=['experiment=ptb_small']);"
        "print(cfg.task.name, cfg.encoder.hidden_size, cfg.optim.lr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["language_model", "200", "20.0"]
