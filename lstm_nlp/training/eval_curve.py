"""``agreement=eval``: the learning curve of any evaluation source (``agreement.source=NAME
agreement.path=PATH``; ``auto`` recognises the field's sets by their files), scored with its
paper's protocol as ``lstm-nlp-eval`` scores it, reported per the source's own groups and, at
the end, beside the published LSTM figures (see :mod:`lstm_nlp.training.learning_curve`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.training.learning_curve import CurveSet, LearningCurve


class EvalCurve(LearningCurve):
    def __init__(self, out_dir: Path, loaded: CurveSet, every_n_steps: int | None = None) -> None:
        super().__init__(out_dir, every_n_steps)
        self.ready = loaded
        self.title = f"agreement=eval, {loaded.about['source']} ({loaded.about['path']})"

    def load(self, module: pl.LightningModule) -> CurveSet:
        return self.ready

    def draw(self, summary: dict) -> dict[str, Path]:
        from lstm_nlp.evaluation.plots import plot_accuracy

        path = self.out_dir / "accuracy.png"
        plot_accuracy(summary, path, list(summary["groups"]))
        return {"accuracy": path}


def read_curve_set(options: Any) -> CurveSet:
    """The set read now, before training, so that a bad path or file stops the run at once."""
    from lstm_nlp.errors import DataError
    from lstm_nlp.evaluation.evaluate import (
        default_groups,
        default_protocol,
        read_set,
        scoring_options,
    )
    from lstm_nlp.evaluation.protocols import protocol_named

    path = Path(options.path).expanduser()
    if not options.path.strip() or not path.exists():
        raise DataError(
            f"agreement.path: {options.path!r} does not exist (a test set file or folder)"
        )
    name, test_set = read_set({"name": options.source}, path, key="agreement.path")
    protocol = protocol_named(options.protocol or default_protocol(name))
    if not test_set.items:
        raise DataError(f"agreement.path: {str(path)!r} holds no items for source={name}")
    groups = list(dict.fromkeys(default_groups(name, test_set.items) + list(options.group_by)))
    about = {"source": name, "path": str(path)}
    return CurveSet(test_set, protocol, scoring_options(options, protocol), groups, about)


def build_eval_curve(options: Any, cfg: Any, run_dir: Path) -> EvalCurve:
    return EvalCurve(run_dir / "agreement", read_curve_set(options), options.every_n_steps)
