"""A run's record of the commands that trained it, written when training starts (never before
every check has passed, so a refused command leaves the record as it was).

- ``RUN_DIR/.hydra/config.yaml``, ``hydra.yaml``, ``overrides.yaml``: the composed settings, in
  Hydra's own layout and words (Hydra itself is told not to write them, ``hydra.output_subdir:
  null`` in ``conf/train.yaml``: it would write them before any check).
- ``RUN_DIR/commands.jsonl``: one line per command that trained in the run directory::

    {"id": "3f2a...", "time": "2025-01-31T12:00:00+01:00", "host": "gpu1", "pid": 4242,
     "overrides": ["trainer.max_epochs=5", ...], "resume": "auto",
     "resumed_from": "checkpoints/last.ckpt", "changed": {"trainer.max_epochs": [3, 5]},
     "forced": []}

  ``changed``: every setting that differs from the previous command's (old, new);
  ``forced``: those of them only ``resume=force`` lets through.

The record is plain data, so it travels into DDP-spawned processes with the callback that writes
it (:class:`~lstm_nlp.training.record_on_start.RecordOnStart`); :meth:`RunRecord.written` reads
the file back to know.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.atomic import write_text
from lstm_nlp.training.config_diff import changeable

COMMANDS = "commands.jsonl"


def hydra_files(cfg: DictConfig, overrides: list[str]) -> dict[str, str]:
    """What Hydra writes into ``.hydra/``: ``config.yaml``, ``overrides.yaml`` and, in a Hydra
    app, ``hydra.yaml``."""
    from hydra.core.hydra_config import HydraConfig

    files = {
        "config.yaml": OmegaConf.to_yaml(cfg),
        "overrides.yaml": OmegaConf.to_yaml(OmegaConf.create(list(overrides))),
    }
    if HydraConfig.initialized():
        files["hydra.yaml"] = OmegaConf.to_yaml(HydraConfig.instance().cfg)
    return files


@dataclass
class RunRecord:
    run_dir: Path
    files: dict[str, str]  # RUN_DIR/.hydra/NAME -> its text
    entry: dict[str, Any]  # the line of commands.jsonl

    @classmethod
    def of(
        cls,
        cfg: DictConfig,
        run_dir: Path,
        overrides: list[str],
        changes: dict[str, tuple[Any, Any]],
    ) -> RunRecord:
        entry = {
            "id": uuid.uuid4().hex,
            "time": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "overrides": list(overrides),
            "resume": cfg.get("resume", "auto"),
            "resumed_from": None,
            "changed": {k: list(v) for k, v in changes.items()},
            "forced": [k for k in changes if not changeable(k)],
        }
        return cls(run_dir, hydra_files(cfg, overrides), entry)

    def resuming(self, checkpoint: Path | None) -> None:
        self.entry["resumed_from"] = (
            str(checkpoint.relative_to(self.run_dir)) if checkpoint is not None else None
        )

    def written(self) -> bool:
        try:
            text = (self.run_dir / COMMANDS).read_text(encoding="utf-8")
        except OSError:
            return False
        return f'"id": "{self.entry["id"]}"' in text

    def write(self) -> None:
        """The ``.hydra`` files and the ``commands.jsonl`` line, once."""
        if self.written():
            return
        for name, text in self.files.items():
            write_text(self.run_dir / ".hydra" / name, text)
        path = self.run_dir / COMMANDS
        before = path.read_text(encoding="utf-8") if path.is_file() else ""
        line = json.dumps(self.entry, default=str)
        write_text(
            path, before + ("" if before.endswith("\n") or not before else "\n") + line + "\n"
        )
