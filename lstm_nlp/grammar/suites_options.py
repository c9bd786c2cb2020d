"""The options of ``lstm-nlp-suites`` (see :mod:`lstm_nlp.grammar.suites`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.grammar.params import make_params
from lstm_nlp.schema import CommandOptions, option
from lstm_nlp.schema.limits import MAX_ATTRACTORS, MAX_LINES, MAX_PER_CELL

# generator parameters a suite can take from the training corpus (data.<key>)
CORPUS_KEYS = tuple(
    "plural_prob present_prob adjective_prob zipf_exponent max_lemmas construction_mix".split()
)


@dataclass
class SuitesOptions(CommandOptions):
    """lstm-nlp-suites: minimal-pair test suites (Marvin & Linzen categories, 0-4 attractors) and
    Linzen-style number/pronoun prediction files, drawn from the grammar generator.

    Examples:
      lstm-nlp-suites out=suites n_per_cell=100 vocab=runs/agreement_demo grammar.max_lemmas=40
      lstm-nlp-suites out=pp 'categories=[pp,obj_rel]' max_attractors=2 prediction_sizes=null

    Writes OUT/<category>.jsonl (BLiMP field names plus category, attractors, condition, ...),
    OUT/number_prediction/ and OUT/pronoun_prediction/ ({train,valid,test}.txt) and
    OUT/summary.json.  The same arguments give the same bytes."""

    out: str = option("???", help="the folder to write (created; our files in it are replaced)")
    seed: int = option(0, help="generator seed: the training corpus's data.seed shares its words")
    n_per_cell: int = option(
        100, ge=1, le=MAX_PER_CELL, help="pairs per (category, attractors, condition) cell"
    )
    max_attractors: int = option(
        4, ge=0, le=MAX_ATTRACTORS, help="attractor counts 0..max_attractors"
    )
    categories: list[str] | None = option(None, help="categories, e.g. [pp,obj_rel]; null: all")
    vocab: str | None = option(
        None, help="a tokenizer.json, .ckpt or run directory: drop items with other words"
    )
    prediction_sizes: list[int] | None = option(
        [20000, 2000, 2000],
        ge=0,
        le=MAX_LINES,
        length=3,
        help="lines of the prediction files; null: none",
    )
    grammar: dict[str, Any] = option(
        dict.fromkeys(CORPUS_KEYS),
        help="generator parameters of the training corpus (as data.KEY); null: the default",
    )

    def check(self) -> None:
        from lstm_nlp.grammar.suites import check_categories

        if self.categories is not None:
            check_categories(self.categories)
        for key in self.grammar:
            if key not in CORPUS_KEYS:
                hint = " (use seed=/max_attractors=)" if key in ("seed", "max_attractors") else ""
                raise ConfigError(
                    f"grammar.{key} is not a generator parameter here{hint}; known: "
                    f"{', '.join(CORPUS_KEYS)}"
                )
        make_params("grammar.", **self.corpus_parameters())

    def corpus_parameters(self) -> dict[str, Any]:
        """The ``grammar`` keys that are set."""
        return {k: v for k, v in self.grammar.items() if v is not None}
