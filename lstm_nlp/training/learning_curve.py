"""Syntax learning curves: score a test set while a language model trains.

At every validation (or every ``every_n_steps`` training steps) the set is scored with its
protocol's scorer and the accuracy overall and per group is logged through the run's loggers,
beside perplexity::

    agreement/acc, agreement/acc/<group>/<value>     (e.g. agreement/acc/attractors/2)

After testing (on the best checkpoint's weights) the final scores are written to
``RUN_DIR/agreement/`` (results.json and results.md with the published column where the set
has one, items.jsonl, plots) and offered to the runner as ``final_metrics`` for
``metrics.json``.  The dashboards get them too: the ``test/agreement/acc...`` scalars, the
table :data:`TABLE_KEY` (one row per group value) and the plots as images
(``agreement/<plot>``), through :mod:`lstm_nlp.report.dashboards`.

Two curves subclass :class:`LearningCurve`: ``agreement=suite`` (pairs generated from the
grammar, :mod:`~lstm_nlp.training.agreement_curve`) and ``agreement=eval`` (any evaluation
source, :mod:`~lstm_nlp.training.eval_curve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.evaluation.protocols import Protocol
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.evaluation.testset import TestSet

TABLE_KEY = "agreement/table"
TABLE_COLUMNS = ("group", "value", "n", "correct", "accuracy", "ci95_low", "ci95_high")


@dataclass
class CurveSet:
    """What a learning curve scores, and how."""

    test_set: TestSet
    protocol: Protocol
    scoring: ScoringOptions
    groups: list[str]
    about: dict[str, Any] = field(default_factory=dict)  # into results.json: where it came from


def table_rows(summary: dict) -> list[list]:
    """The summary as rows of :data:`TABLE_COLUMNS`: overall first, then every group's values."""

    def row(group: str, value: str, s: dict) -> list:
        low, high = s["ci95"] or (None, None)
        return [group, value, s["n"], s["correct"], s["accuracy"], low, high]

    rows = [row("overall", "all", summary["overall"])]
    for group, values in summary["groups"].items():
        rows += [row(group, value, s) for value, s in values.items()]
    return rows


def flat(summary: dict, prefix: str = "agreement/acc") -> dict[str, float]:
    """``{prefix: overall, prefix/group/value: accuracy}`` (groups with no scored item left out)."""
    out = {prefix: summary["overall"]["accuracy"]}
    for group, values in summary["groups"].items():
        out.update({f"{prefix}/{group}/{k}": s["accuracy"] for k, s in values.items()})
    return {k: float(v) for k, v in out.items() if v is not None}


class LearningCurve(pl.Callback):
    """Scores :meth:`load`'s set during training and the best weights after testing."""

    title = "learning curve"

    def __init__(self, out_dir: Path, every_n_steps: int | None = None) -> None:
        self.out_dir, self.every_n_steps = Path(out_dir), every_n_steps
        self.loaded: CurveSet | None = None
        self.tokenizer: Any = None
        self.final_metrics: dict[str, float] = {}
        self.final_summary: dict | None = None

    def load(self, module: pl.LightningModule) -> CurveSet:
        """The set to score, read once (the model's vocabulary may shape it)."""
        raise NotImplementedError

    def draw(self, summary: dict) -> dict[str, Path]:
        """The final plots, written into :attr:`out_dir`: ``{name: path}``."""
        raise NotImplementedError

    def score(self, module: pl.LightningModule) -> tuple[dict, list]:
        from tokenizers import Tokenizer

        from lstm_nlp.evaluation.evaluate import score_set
        from lstm_nlp.evaluation.report import summarize

        if self.loaded is None:
            self.loaded = self.load(module)
            self.tokenizer = Tokenizer.from_str(module.tokenizer_json)
        got = self.loaded
        scores = score_set(got.test_set, got.protocol, got.scoring, module, self.tokenizer)
        return summarize(got.test_set.items, scores, got.groups), scores

    # -- hooks --------------------------------------------------------------------------------
    def _log(self, module: pl.LightningModule) -> None:
        summary, _ = self.score(module)
        for key, value in flat(summary).items():
            module.log(key, value, prog_bar=key == "agreement/acc", rank_zero_only=True)

    def on_validation_epoch_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        if self.every_n_steps is None and not trainer.sanity_checking and trainer.state.fn == "fit":
            self._log(module)

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        if self.every_n_steps and trainer.global_step % self.every_n_steps == 0:
            self._log(module)

    def publish(self, trainer: pl.Trainer, summary: dict, plots: dict[str, Path]) -> None:
        """The final scores, table and plots to the run's loggers (not only to metrics.json)."""
        from lstm_nlp.report.dashboards import log_images, log_table

        step = trainer.global_step
        for logger in trainer.loggers:
            logger.log_metrics(self.final_metrics, step=step)
        log_table(trainer.loggers, TABLE_KEY, TABLE_COLUMNS, table_rows(summary), step=step)
        log_images(trainer.loggers, {f"agreement/{k}": p for k, p in plots.items()}, step=step)

    def on_test_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        from lstm_nlp.evaluation.literature import add_literature
        from lstm_nlp.evaluation.report import text_table, write_results

        summary, scores = self.score(module)
        summary.update(self.loaded.about)
        add_literature(summary, self.loaded.test_set, scores)
        write_results(self.out_dir, summary, self.loaded.test_set.items, scores)
        plots = self.draw(summary)
        self.final_summary = summary
        self.final_metrics = flat(summary, prefix="test/agreement/acc")
        self.publish(trainer, summary, plots)
        cov = summary["coverage"]
        print(
            f"lstm-nlp: {self.title}, {cov['scored']} of {cov['read']} items scored "
            f"(details in {self.out_dir}/results.md):\n{text_table(summary)}",
            flush=True,
        )
