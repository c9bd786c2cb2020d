"""``agreement=suite``: the learning curve of a minimal-pair suite generated from the grammar
(accuracy overall, per category and per attractor count; see
:mod:`lstm_nlp.training.learning_curve`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.evaluation.pairs import PairItem, make_item
from lstm_nlp.evaluation.protocols import protocol_named
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.training.learning_curve import CurveSet, LearningCurve

GROUPS = ("category", "attractors")
PLOTS = ("accuracy_by_attractors", "accuracy_by_category")


class AgreementCurve(LearningCurve):
    title = "agreement suite"

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
        super().__init__(out_dir, every_n_steps)
        self.categories, self.n_per_cell, self.seed = categories, n_per_cell, seed
        self.max_attractors, self.grammar = max_attractors, grammar
        self.options = options or ScoringOptions()

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

    def load(self, module: pl.LightningModule) -> CurveSet:
        items = self.build_items(module.tokenizer_json)
        suite = {
            "categories": sorted({i.meta["category"] for i in items}),
            "n_per_cell": self.n_per_cell,
            "seed": self.seed,
            "max_attractors": self.max_attractors,
        }
        test_set = TestSet(items, name="suites")
        return CurveSet(
            test_set, protocol_named("plain"), self.options, list(GROUPS), {"suite": suite}
        )

    def draw(self, summary: dict) -> dict[str, Path]:
        from lstm_nlp.evaluation.plots import plot_accuracy

        paths = {name: self.out_dir / f"{name}.png" for name in PLOTS}
        plot_accuracy(summary, paths["accuracy_by_attractors"], group_by=["attractors"])
        by_category = {**summary, "groups": {"category": summary["groups"]["category"]}}
        plot_accuracy(by_category, paths["accuracy_by_category"], group_by=["category"])
        return paths


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
