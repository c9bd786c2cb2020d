"""Syntax learning curves: score a minimal-pair suite from the grammar while a language model
trains.

At every validation (or every ``every_n_steps`` training steps) the suite is scored
with :class:`PairScorer` and the accuracy overall, per category and per attractor
count is logged through the run's loggers, beside perplexity::

    agreement/acc, agreement/acc/category/<name>, agreement/acc/attractors/<k>

After testing (on the best checkpoint's weights) the final scores are written to
``RUN_DIR/agreement/`` (results.json, results.md, items.jsonl and two plots) and
offered to the runner as ``final_metrics`` for ``metrics.json``.  The dashboards get
them too: the ``test/agreement/acc...`` scalars, the table :data:`TABLE_KEY` (one row
per category and per attractor count) and the two plots as images (``agreement/<plot>``),
through :mod:`lstm_nlp.report.dashboards` (W&B: a table and images; TensorBoard: text and images).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.evaluation.pairs import PairItem, make_item
from lstm_nlp.evaluation.scoring import PairScorer, ScoringOptions

GROUPS = ("category", "attractors")
PLOTS = ("accuracy_by_attractors", "accuracy_by_category")
TABLE_KEY = "agreement/table"
TABLE_COLUMNS = ("group", "value", "n", "correct", "accuracy", "ci95_low", "ci95_high")


def table_rows(summary: dict) -> list[list]:
    """The summary as rows of :data:`TABLE_COLUMNS`: overall first, then every category and
    attractor count."""

    def row(group: str, value: str, s: dict) -> list:
        low, high = s["ci95"] or (None, None)
        return [group, value, s["n"], s["correct"], s["accuracy"], low, high]

    rows = [row("overall", "all", summary["overall"])]
    for group in GROUPS:
        rows += [row(group, value, s) for value, s in summary["groups"].get(group, {}).items()]
    return rows


class AgreementCurve(pl.Callback):
    def __init__(
        self,
        out_dir: Path,
        categories: Sequence[str] | None = None,
        n_per_cell: int = 10,
        seed: int = 0,
        max_attractors: int = 4,
        every_n_steps: int | None = None,
        grammar: Mapping[str, Any] | None = None,
        options: ScoringOptions | None = None,
    ) -> None:
        self.out_dir, self.categories = Path(out_dir), categories
        self.n_per_cell, self.seed, self.max_attractors = n_per_cell, seed, max_attractors
        self.every_n_steps, self.grammar = every_n_steps, grammar
        self.options = options or ScoringOptions()
        self.items: list[PairItem] | None = None
        self.final_metrics: dict[str, float] = {}
        self.final_summary: dict | None = None

    # -- the suite --------------------------------------------------------------------------
    def build_items(self, tokenizer_json: str) -> list[PairItem]:
        """Pairs of every category, all their words inside the model's vocabulary."""
        from tokenizers import Tokenizer

        from lstm_nlp.grammar.suites import CATEGORIES, build_pairs

        vocabulary = frozenset(Tokenizer.from_str(tokenizer_json).get_vocab())
        items = []
        for category in self.categories or list(CATEGORIES):
            pairs = build_pairs(
                category,
                self.n_per_cell,
                self.seed,
                max_attractors=self.max_attractors,
                vocabulary=vocabulary,
                grammar=self.grammar,
            )
            items += [make_item(dict(p), f"{category}:{i}") for i, p in enumerate(pairs)]
        return items

    def score(self, module: pl.LightningModule) -> tuple[dict, list]:
        from lstm_nlp.evaluation.report import summarize

        if self.items is None:
            self.items = self.build_items(module.tokenizer_json)
        scores = PairScorer(module, options=self.options).score(self.items)
        return summarize(self.items, scores, group_by=GROUPS), scores

    @staticmethod
    def flat(summary: dict, prefix: str = "agreement/acc") -> dict[str, float]:
        out = {prefix: summary["overall"]["accuracy"]}
        for group, values in summary["groups"].items():
            if group in GROUPS:
                out.update({f"{prefix}/{group}/{k}": s["accuracy"] for k, s in values.items()})
        return {k: float(v) for k, v in out.items() if v is not None}

    # -- hooks --------------------------------------------------------------------------------
    def _log(self, module: pl.LightningModule) -> None:
        summary, _ = self.score(module)
        for key, value in self.flat(summary).items():
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

    def publish(self, trainer: pl.Trainer, summary: dict) -> None:
        """The final scores, table and plots to the run's loggers (not only to metrics.json)."""
        from lstm_nlp.report.dashboards import log_images, log_table

        step = trainer.global_step
        for logger in trainer.loggers:
            logger.log_metrics(self.final_metrics, step=step)
        log_table(trainer.loggers, TABLE_KEY, TABLE_COLUMNS, table_rows(summary), step=step)
        log_images(
            trainer.loggers,
            {f"agreement/{name}": self.out_dir / f"{name}.png" for name in PLOTS},
            step=step,
        )

    def on_test_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        from lstm_nlp.evaluation.plots import plot_accuracy
        from lstm_nlp.evaluation.report import text_table, write_results

        summary, scores = self.score(module)
        summary["suite"] = {
            "categories": sorted({i.meta["category"] for i in self.items}),
            "n_per_cell": self.n_per_cell,
            "seed": self.seed,
            "max_attractors": self.max_attractors,
        }
        write_results(self.out_dir, summary, self.items, scores)
        plot_accuracy(summary, self.out_dir / "accuracy_by_attractors.png", group_by=["attractors"])
        by_category = {**summary, "groups": {"category": summary["groups"]["category"]}}
        plot_accuracy(by_category, self.out_dir / "accuracy_by_category.png", group_by=["category"])
        self.final_summary = summary
        self.final_metrics = self.flat(summary, prefix="test/agreement/acc")
        self.publish(trainer, summary)
        cov = summary["coverage"]
        print(
            f"lstm-nlp: agreement suite, {cov['scored']} of {cov['read']} pairs scored "
            f"(details in {self.out_dir}/results.md):\n{text_table(summary)}",
            flush=True,
        )


def build_curve(options: Any, cfg: Any, run_dir: Path) -> AgreementCurve:
    """``agreement=suite``: the suite drawn with the corpus's own generator parameters (and
    seed) when the run trains on ``data=grammar``."""
    from omegaconf import OmegaConf

    grammar = OmegaConf.to_container(cfg.data, resolve=True) if cfg.data.name == "grammar" else None
    seed = options.seed if options.seed is not None else (cfg.data.seed if grammar else 0)
    return AgreementCurve(
        run_dir / "agreement",
        categories=options.categories,
        n_per_cell=options.n_per_cell,
        seed=seed,
        max_attractors=options.max_attractors,
        every_n_steps=options.every_n_steps,
        grammar=grammar,
        options=ScoringOptions(score=options.score, state=options.state),
    )
