"""The model side of SyntaxGym's protocol: word surprisals of every condition's sentence, for
:func:`lstm_nlp.evaluation.syntaxgym.scoring.score_items` to sum by region.

Words are the protocol's (``split_punctuation``, ``lowercase``); a word outside the vocabulary
is scored as ``<unk>`` and counted in the item's ``oov`` (SyntaxGym scores every item).
"""

from __future__ import annotations

from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.text.tokenizer import EOS, PAD, UNK, word_ids


def score_regions(test_set: TestSet, scoring: ScoringOptions, model: Any, tokenizer: Any) -> list:
    from lstm_nlp.evaluation.syntaxgym.scoring import score_items
    from lstm_nlp.evaluation.token_surprisal import sentence_surprisals

    suites = test_set.info.get("suites")
    if not suites:
        raise DataError("protocol=syntaxgym needs SyntaxGym suites (source=syntaxgym)")
    eos, pad, unk = (tokenizer.token_to_id(t) for t in (EOS, PAD, UNK))
    ids: dict[str, int] = {}

    def surprisals(sentences: list[list[str]]) -> list[list[float]]:
        new = word_ids(tokenizer, {w for s in sentences for w in s} - ids.keys())
        ids.update((w, found[0] if len(found) == 1 else unk) for w, found in new.items())
        rows = [[ids[w] for w in s] for s in sentences]
        return sentence_surprisals(
            model, rows, eos, pad, tokenizer.get_vocab_size(), scoring.batch_size
        )

    scores = score_items(suites, test_set.items, surprisals, scoring.words)
    for item, score in zip(test_set.items, scores):
        words = {w for c in item.conditions.values() for w in c.words(scoring.words)}
        score.oov = sorted(w for w in words if ids.get(w, unk) == unk)
    return scores
