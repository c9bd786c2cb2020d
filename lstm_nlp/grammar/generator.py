"""Seeded sentence generation: a mixed corpus, or N sentences of one construction.

>>> gen = SentenceGenerator(make_params(seed=1))
>>> corpus = gen.corpus(100, stream="train")  # the mixed default corpus
>>> suite = gen.sentences(50, "pp", attractors=2)  # each has a main "pp" site with 2 attractors

Every call draws from its own RNG stream, seeded by ``(params.seed, stream)``, so the
same parameters and stream always give the same sentences.
"""

from __future__ import annotations

import hashlib
import random

from lstm_nlp.grammar.constructions import CONSTRUCTIONS, NO_ATTRACTORS, TEMPLATES
from lstm_nlp.grammar.context import Context, Vocabulary
from lstm_nlp.grammar.lexicon import Lexicon, default_lexicon
from lstm_nlp.grammar.params import GrammarParams
from lstm_nlp.grammar.phrases import initial_adjunct
from lstm_nlp.grammar.sentence import Builder, Sentence, Want
from lstm_nlp.grammar.zipf import Weighted

INITIAL_ADJUNCT_PROB = 0.12


def stream_seed(seed: int, stream: str) -> int:
    """An RNG seed for one named stream, independent of Python's hash randomisation."""
    digest = hashlib.sha256(f"lstm-nlp-grammar:{seed}:{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class SentenceGenerator:
    def __init__(self, params: GrammarParams | None = None, lexicon: Lexicon | None = None) -> None:
        self.params = params or GrammarParams()
        self.vocab = Vocabulary(lexicon or default_lexicon(), self.params)
        mix = self.params.mix()
        mix = {name: w for name, w in mix.items() if w > 0}
        self.mix = Weighted(list(mix), list(mix.values()))

    def context(self, stream: str) -> Context:
        return Context(
            self.vocab, self.params, random.Random(stream_seed(self.params.seed, stream))
        )

    def corpus(self, n: int, stream: str = "train") -> list[Sentence]:
        """``n`` sentences of the mixed corpus: templates drawn from the construction mix.

        Unlike :meth:`sentences`, some open with an adjunct ("today", "near the doors").
        """
        g = self.context(stream)
        return [self._build(g, Want(g.sample(self.mix)), INITIAL_ADJUNCT_PROB) for _ in range(n)]

    def sentences(
        self, n: int, construction: str, attractors: int | None = None, stream: str | None = None
    ) -> list[Sentence]:
        """``n`` sentences whose main site is ``construction`` with ``attractors`` attractors.

        ``attractors=None`` lets their number vary.  The main site's verb is always present
        tense, so the site exists; ``Sentence.main_site()`` returns it.
        """
        check_request(construction, attractors)
        g = self.context(stream or f"suite:{construction}:{attractors}")
        want = Want(construction, attractors, present=True)
        return [self._checked(self._build(g, want), want) for _ in range(n)]

    @staticmethod
    def _build(g: Context, want: Want, adjunct_prob: float = 0.0) -> Sentence:
        b = Builder()
        initial_adjunct(g, b, adjunct_prob)
        TEMPLATES[want.construction](g, b, want)
        return b.finish(want.construction)

    @staticmethod
    def _checked(sentence: Sentence, want: Want) -> Sentence:
        site = sentence.main_site()
        ok = site is not None and site.construction == want.construction
        if not ok or (want.attractors is not None and site.attractors != want.attractors):
            raise RuntimeError(
                f"grammar generator bug: {want} gave {sentence.text()!r} {sentence.record()}"
            )
        return sentence


def check_request(construction: str, attractors: int | None) -> None:
    if construction not in CONSTRUCTIONS:
        raise ValueError(
            f"unknown construction {construction!r}; known: {', '.join(CONSTRUCTIONS)}"
        )
    if attractors is None:
        return
    if isinstance(attractors, bool) or not isinstance(attractors, int) or attractors < 0:
        raise ValueError(f"attractors must be a non-negative integer or None, got {attractors!r}")
    if attractors > 0 and construction in NO_ATTRACTORS:
        raise ValueError(
            f"construction {construction!r} has no intervening nouns, so attractors must be 0"
        )
