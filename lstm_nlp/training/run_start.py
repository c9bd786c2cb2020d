"""All or nothing until training starts: a training command that fails before then leaves its
run directory as it was.

:class:`RunStart` wraps a training command (in its first process only, :func:`launch_rank` 0):

1. it locks the run directory (:class:`~lstm_nlp.training.run_lock.RunLock`: one writer);
2. it notes what the directory holds (:class:`~lstm_nlp.training.dir_state.DirState`);
3. it compares the command's settings with the run's saved ones
   (:func:`~lstm_nlp.training.config_diff.check_resume`);
4. the runner builds the task, checks the checkpoint's weights fit, builds the trainer;
5. when training starts (or the fit ends at once: a finished run), the run's record is written
   (:class:`~lstm_nlp.training.run_record.RunRecord`).

A failure (an error, Ctrl-C) before step 5 takes back what was added since step 2 (a logger's
new ``version_N``, the ``tokenizer.json`` of a new run, ...), and a run directory the command
itself made goes away again; after step 5 nothing is taken back.  The lock is let go at the end.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from omegaconf import DictConfig

from lstm_nlp.training.config_diff import check_resume
from lstm_nlp.training.dir_state import DirState
from lstm_nlp.training.run_lock import RunLock, launch_rank
from lstm_nlp.training.run_record import RunRecord


def outermost_missing(path: Path) -> Path | None:
    """The outermost of ``path`` and its parents that does not exist (None: ``path`` exists)."""
    path = path.absolute()
    if path.exists():
        return None
    while not path.parent.exists():
        path = path.parent
    return path


class RunStart:
    """A training command's hold on its run directory until training starts (module docstring)."""

    def __init__(
        self, cfg: DictConfig, run_dir: Path, overrides: list[str], made: Path | None = None
    ) -> None:
        """``made``: the outermost folder the caller made for ``run_dir`` (Hydra makes it with
        its parents), ``run_dir`` itself or one of its parents."""
        self.cfg, self.run_dir, self.overrides = cfg, run_dir, overrides
        self.active = launch_rank() == 0  # DDP's other ranks leave the run directory to rank 0
        self.made = made
        self.lock = RunLock(run_dir)
        self.state: DirState | None = None
        self.record: RunRecord | None = None

    def __enter__(self) -> RunStart:
        if not self.active:
            return self
        self.made = self.made or outermost_missing(self.run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            self.lock.acquire()
        except BaseException:
            self.remove_made_folder()
            raise
        try:
            self.state = DirState.take(self.run_dir)
            changes = check_resume(
                self.cfg, self.run_dir, self.cfg.get("resume", "auto"), self.overrides
            )
            self.record = RunRecord.of(self.cfg, self.run_dir, self.overrides, changes)
        except BaseException:
            self.end(failed=True)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.active:
            self.end(failed=kind is not None and not self.started_training())

    def started_training(self) -> bool:
        return self.record is not None and self.record.written()

    def end(self, failed: bool) -> None:
        """Take back what a failed command added, then let the lock go."""
        try:
            if failed and self.state is not None:
                self.state.undo()
        finally:
            self.lock.release(remove=failed and (self.made is not None or self.lock.created))
            if failed:
                self.remove_made_folder()

    def remove_made_folder(self) -> None:
        """The folders this command made for the run directory, as long as they are empty."""
        if self.made is None:
            return
        folder = self.run_dir.absolute()
        while True:
            try:
                folder.rmdir()
            except OSError:  # not empty: another command's now
                return
            if folder == self.made or folder.parent == folder:
                return
            folder = folder.parent

    def resuming(self, checkpoint: Path | None) -> None:
        if self.record is not None:
            self.record.resuming(checkpoint)

    def callbacks(self) -> list[Any]:
        """The trainer's callback that writes the record when training starts."""
        if self.record is None:
            return []
        from lstm_nlp.training.record_on_start import RecordOnStart  # imports Lightning

        return [RecordOnStart(self.record)]

    def started(self) -> None:
        """The fit ended (or found nothing to do): the record, if training never started."""
        if self.record is not None:
            self.record.write()
