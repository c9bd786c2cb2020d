"""Contamination and vocabulary coverage of evaluated sets (``results.md``'s last lines).

The sentences checked: for a minimal pair, the grammatical sentence (a prefix pair: prefix and
the right form); for a stream set, each line of its text; for SyntaxGym, every condition.
Words are the protocol's, lowercased on both sides for the overlap (a model trained on
lowercased text met them that way; one trained on cased text is judged a little generously).
The training corpus streams past once for all sets (:func:`add_corpus_checks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.text.tokenizer import EOS, UNK, word_ids

N = 8  # words per n-gram


def sentences_of(test_set: TestSet, scoring: ScoringOptions) -> list[list[str]]:
    """The set's sentences, as word lists."""
    if test_set.text is not None:
        return [[w for w in line if w != EOS] for line in test_set.text]
    out = []
    for item in test_set.items:
        if isinstance(item, PairItem):
            text = item.good if item.prefix is None else f"{item.prefix} {item.good}"
            out.append(scoring.words(text))
        else:
            out += [c.words(scoring.words) for c in item.conditions.values()]
    return out


def known_words(tokenizer: Any, words: set[str]) -> set[str]:
    """Those of ``words`` the tokenizer maps to ids other than ``<unk>``."""
    unk = tokenizer.token_to_id(UNK)
    return {w for w, ids in word_ids(tokenizer, words).items() if unk not in ids}


def add_corpus_checks(
    summaries: Sequence[dict],
    sentences: Sequence[list[list[str]]],
    checkpoint: Path,
    tokenizer: Any,
) -> None:
    """``vocabulary`` and ``contamination`` in each summary, from its set's sentences."""
    from lstm_nlp.evaluation.contamination import (
        checkpoint_corpus,
        corpus_lines,
        ngram_overlap,
        vocabulary_coverage,
    )

    for summary, sents in zip(summaries, sentences):
        words = [w for s in sents for w in s]
        coverage = vocabulary_coverage(words, known_words(tokenizer, set(words)))
        summary["vocabulary"] = coverage
    corpus = checkpoint_corpus(checkpoint)
    if not corpus:
        for summary in summaries:
            summary["contamination"] = {
                "share": None,
                "why": "the run's training corpus "
                "is not available (no run config, or a data source "
                "without files)",
            }
        return
    lowered = [[w.lower() for w in s] for sents in sentences for s in sents]
    found = ngram_overlap(lowered, corpus_lines(corpus, lowercase=True), N)
    hits, start = set(found["contaminated_index"]), 0
    for summary, sents in zip(summaries, sentences):
        mine = sum(1 for i in range(start, start + len(sents)) if i in hits)
        start += len(sents)
        summary["contamination"] = {
            "n": N,
            "sentences": len(sents),
            "contaminated": mine,
            "share": mine / len(sents) if sents else None,
            "corpus": [str(p) for p in corpus],
            "corpus_words": found["corpus_words"],
        }
