"""``lstm_nlp.train``: ``lstm-nlp-train`` from Python, on the same composed config."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError


def train(
    overrides: Sequence[str] = (), run_dir: str | os.PathLike | None = None
) -> dict[str, Any]:
    """Train as ``lstm-nlp-train OVERRIDES run_dir=RUN_DIR`` would, in this process; return the
    final metrics (what ``RUN_DIR/metrics.json`` holds: ``val/ppl``, ``test/ppl``, ...).

    The config is composed by Hydra's compose API from the same ``conf/`` and checked by the
    same checks (every mistake one :class:`~lstm_nlp.errors.ConfigError` line, before anything
    is written); re-running with the same ``run_dir`` resumes the run.  ``run_dir=None`` is the
    command's default (``runs/TASK/DATE_TIME``).  Sweeps (``-m``) stay on the command line.
    """
    from omegaconf import OmegaConf

    from lstm_nlp.cli.common import checked_config, prepare
    from lstm_nlp.cli.optional_plugins import check_optional_plugins
    from lstm_nlp.cli.overrides import check_no_sweep, name_aliases
    from lstm_nlp.cli.train import COMMAND
    from lstm_nlp.training.runner import train as run_training

    if isinstance(overrides, str):
        raise ConfigError(f"overrides must be a list of KEY=VALUE strings, got {overrides!r}")
    argv = name_aliases([str(o) for o in overrides])
    if run_dir is not None:
        argv.append(f"run_dir={Path(run_dir).expanduser()}")
    prepare(COMMAND, argv)
    check_optional_plugins(argv)
    check_no_sweep(argv)
    cfg = checked_config(COMMAND, argv)
    folder = Path(str(cfg.run_dir)).absolute()  # the date of a default is resolved once
    OmegaConf.update(cfg, "run_dir", str(folder))
    return run_training(cfg, folder, argv)
