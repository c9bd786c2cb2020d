"""The generator's parameters: defaults, rules (checked on construction) and a stable digest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.limits import MAX_ATTRACTORS, MAX_SENTENCES
from lstm_nlp.schema.validate import qualify

GENERATOR_VERSION = 1  # bump whenever the output for the same parameters changes

# Relative weights of sentence templates in the mixed corpus (percent); the keys are every
# template name (lstm_nlp.grammar.constructions.TEMPLATES builds each).
DEFAULT_MIX: dict[str, float] = {
    "plain": 14,
    "simple": 10,
    "pp": 16,
    "subj_rel": 6,
    "within_subj_rel": 4,
    "obj_rel": 6,
    "obj_rel_no_that": 3,
    "within_obj_rel": 4,
    "within_obj_rel_no_that": 2,
    "sent_comp": 7,
    "vp_coord_short": 4,
    "vp_coord_long": 5,
    "reflexive_simple": 5,
    "reflexive_sent_comp": 3,
    "reflexive_across_rel": 3,
    "pronoun": 8,
}
PROBABILITY = dict(ge=0.0, le=1.0)


@dataclass
class GrammarParams(Options):
    """What the grammar generator draws: corpus sizes, the seed of its word frequencies, and the
    shape of its sentences."""

    seed: int = option(0, help="the corpus's own seed (model seeds leave the data alone)")
    train_sentences: int = option(
        20000, ge=1, le=MAX_SENTENCES, help="training sentences (~191k tokens at 20k)"
    )
    valid_sentences: int = option(2000, ge=1, le=MAX_SENTENCES, help="validation sentences")
    test_sentences: int = option(2000, ge=1, le=MAX_SENTENCES, help="test sentences")
    max_attractors: int = option(
        4, ge=0, le=MAX_ATTRACTORS, help="longest prepositional-phrase chain (attractors)"
    )
    plural_prob: float = option(0.5, **PROBABILITY, help="chance a noun phrase is plural")
    present_prob: float = option(
        0.7, **PROBABILITY, help="chance a finite verb is present tense (past/modals don't agree)"
    )
    adjective_prob: float = option(0.15, **PROBABILITY, help="chance of an adjective in an NP")
    zipf_exponent: float = option(
        1.0, ge=0, le=10, help="word frequencies ~ 1 / (rank + 3) ** zipf_exponent"
    )
    max_lemmas: int | None = option(None, ge=1, help="cap on lemmas per word class; null: all")
    keep_words: list[str] = option(
        [],
        help="words whose lemmas stay in the lexicon whatever max_lemmas, e.g. "
        "[cabinet,senators,actress,met]: a small lexicon that holds your test sentences",
    )
    construction_mix: dict[str, float] = option(
        {}, ge=0, help="template weights over the defaults, e.g. {plain:0,pp:3}"
    )

    def check(self) -> None:
        for name in self.construction_mix:
            if name not in DEFAULT_MIX:
                raise ConfigError(
                    f"construction_mix: unknown construction {name!r}; known: "
                    f"{', '.join(DEFAULT_MIX)}"
                )
        self.construction_mix = {k: float(v) for k, v in sorted(self.construction_mix.items())}
        if self.keep_words:
            from lstm_nlp.grammar.lexicon import default_lexicon

            known = default_lexicon().open_class_forms()
            unknown = [w for w in self.keep_words if w not in known]
            if unknown:
                raise ConfigError(
                    f"keep_words: {', '.join(map(repr, unknown))} is not a noun, verb, adjective "
                    "or adverb of the grammar's lexicon (closed-class words are always in it)"
                )
        if self.construction_mix and sum(self.mix().values()) <= 0:
            raise ConfigError("construction_mix gives every construction weight 0")

    def mix(self) -> dict[str, float]:
        """The template weights in use: the defaults with ``construction_mix`` over them."""
        return {**DEFAULT_MIX, **self.construction_mix}

    def split_sizes(self) -> dict[str, int]:
        return {
            "train": self.train_sentences,
            "valid": self.valid_sentences,
            "test": self.test_sentences,
        }

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(GrammarParams)}
        if not out["keep_words"]:  # the corpora made before the option keep their digest
            del out["keep_words"]
        return out

    def digest(self) -> str:
        """A short hash of everything that determines the generated files."""
        payload = json.dumps({"version": GENERATOR_VERSION, **self.as_dict()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


KEYS = tuple(f.name for f in fields(GrammarParams))


def make_params(prefix: str = "data.", **values: Any) -> GrammarParams:
    """Checked :class:`GrammarParams` whose errors name the config keys (``data.<key>``, or
    ``grammar.<key>`` for the suites); unknown keyword arguments are a ``TypeError``."""
    try:
        return GrammarParams(**values)
    except ConfigError as err:
        raise ConfigError(qualify(str(err), KEYS, prefix)) from None


def params_of(options: Any) -> GrammarParams:
    """The generator parameters among a data source's options (``data=grammar``)."""
    return GrammarParams(**{key: getattr(options, key) for key in KEYS})
