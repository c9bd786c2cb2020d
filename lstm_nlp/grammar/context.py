"""What sentence builders draw from: Zipf-ranked word classes, closed classes and a seeded RNG."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lstm_nlp.grammar import closed_class as cc
from lstm_nlp.grammar.lexicon import Lexicon, Noun, Verb
from lstm_nlp.grammar.params import GrammarParams
from lstm_nlp.grammar.zipf import Weighted, Zipf

# Noun kinds a builder asks for -> weights of the lexicon's noun classes.
NOUN_KINDS = {
    "human": {"human_n": 60, "human_m": 15, "human_f": 15, "name_m": 5, "name_f": 5},
    "gendered": {
        "human_m": 35,
        "human_f": 35,
        "name_m": 15,
        "name_f": 15,
    },  # singular anaphora antecedents
    "animate": {
        "human_n": 50,
        "human_m": 12,
        "human_f": 12,
        "name_m": 3,
        "name_f": 3,
        "animal": 20,
    },
    "gendered_animate": {"human_m": 30, "human_f": 30, "name_m": 10, "name_f": 10, "animal": 20},
    "thing": {"thing": 1},
    "any": {
        "human_n": 30,
        "human_m": 8,
        "human_f": 8,
        "name_m": 2,
        "name_f": 2,
        "animal": 10,
        "thing": 40,
    },
}
TENSES_NOT_PRESENT = Weighted(("past", "modal"), (4, 1))


def _weighted(pairs: Sequence[tuple[Any, ...]]) -> Weighted:
    return Weighted([p[:-1] if len(p) > 2 else p[0] for p in pairs], [p[-1] for p in pairs])


class Vocabulary:
    """Samplers for every word class; the Zipf rank order is fixed by the seed."""

    def __init__(self, lex: Lexicon, params: GrammarParams) -> None:
        keep_words = set(params.keep_words)

        def kept(item: Any) -> bool:
            return bool(keep_words & ({item} if isinstance(item, str) else item.forms()))

        def zipf(items: Sequence[Any], name: str) -> Zipf:
            seed = f"{params.seed}:{name}"
            return Zipf(items, seed, params.zipf_exponent, params.max_lemmas, kept)

        self.nouns = {cls: zipf(items, f"noun:{cls}") for cls, items in lex.nouns.items()}
        self.verbs = {cls: zipf(items, f"verb:{cls}") for cls, items in lex.verbs.items()}
        self.adjectives = {cls: zipf(items, f"adj:{cls}") for cls, items in lex.adjectives.items()}
        self.adverbs = {cls: zipf(items, f"adv:{cls}") for cls, items in lex.adverbs.items()}
        self.noun_kinds = {
            (kind, num, names): self._kind_table(table, num, names)
            for kind, table in NOUN_KINDS.items()
            for num in (cc.SG, cc.PL)
            for names in (True, False)
        }
        self.determiners = {num: _weighted(dets) for num, dets in cc.DETERMINERS.items()}
        self.prepositions = _weighted(cc.PREPOSITIONS)
        self.locatives = _weighted(cc.LOCATIVE_PREPOSITIONS)
        self.modals = _weighted(cc.MODALS)
        self.relativizers = {k: _weighted(v) for k, v in cc.RELATIVIZERS.items()}

    @staticmethod
    def _kind_table(table: dict[str, int], number: str, names: bool) -> Weighted:
        usable = {
            cls: w
            for cls, w in table.items()
            if not cls.startswith("name") or (names and number == cc.SG)
        }
        return Weighted(list(usable), list(usable.values()))


@dataclass
class Context:
    """One generation run: vocabulary, parameters, RNG and the current mode."""

    vocab: Vocabulary
    params: GrammarParams
    rng: random.Random
    agreement: bool = True  # False while building a "plain" sentence: no present tense, no sites

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def number(self) -> str:
        return cc.PL if self.chance(self.params.plural_prob) else cc.SG

    def tense(self, present: bool = False) -> str:
        """``present`` forces the present tense (for a requested agreement site)."""
        if not self.agreement:
            return TENSES_NOT_PRESENT.sample(self.rng)
        if present or self.chance(self.params.present_prob):
            return "present"
        return TENSES_NOT_PRESENT.sample(self.rng)

    def noun(self, kind: str, number: str, names: bool = True) -> Noun:
        """A noun of ``kind`` (see NOUN_KINDS); ``names=False`` excludes proper names."""
        cls = self.vocab.noun_kinds[(kind, number, names)].sample(self.rng)
        return self.vocab.nouns[cls].sample(self.rng)

    def verb(self, cls: str, avoid: Verb | None = None) -> Verb:
        verb = self.vocab.verbs[cls].sample(self.rng)
        return self.vocab.verbs[cls].sample(self.rng) if verb == avoid else verb

    def adjective(self, kind: str) -> str:
        cls = "any" if self.chance(0.3) else ("thing" if kind == "thing" else "animate")
        return self.vocab.adjectives[cls].sample(self.rng)

    def adverb(self, cls: str) -> str:
        return self.vocab.adverbs[cls].sample(self.rng)

    def sample(self, table: Weighted) -> Any:
        return table.sample(self.rng)
