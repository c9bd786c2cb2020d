"""The stream protocols (Gulordava et al. 2018; Linzen et al. 2016 in LM form).

The set's text is read as one stream, ``<eos> line1 <eos> line2 <eos> ...`` (each line of the
``.text`` file ends in its own ``<eos>``; one more is read first, as every training sentence
follows an ``<eos>``), with the hidden state carried across sentences.  At each target the
model's distribution over the next word gives log P(correct) and log P(wrong); the item is
correct when the correct form is strictly more probable.  The text is read as the file has it
(at a nonce sentence's target: the nonce sentence's own word), as in the papers' scripts.

The text goes through the model once, in chunks of :data:`CHUNK` tokens; only the rows of the
targets go through the decoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.scoring import ItemScore, ScoringOptions, evaluation_mode
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.text.tokenizer import EOS, UNK, word_ids

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

CHUNK = 2048  # tokens per forward call


class StreamScorer:
    """``StreamScorer(model, tokenizer, options).score(test_set) -> list[ItemScore]``."""

    def __init__(
        self, model: torch.nn.Module, tokenizer: Tokenizer, options: ScoringOptions
    ) -> None:
        self.model, self.tokenizer, self.options = model, tokenizer, options
        self.eos, self.unk = tokenizer.token_to_id(EOS), tokenizer.token_to_id(UNK)
        if self.eos is None or self.unk is None:
            raise DataError(f"tokenizer: the vocabulary lacks {EOS} or {UNK}")

    def score(self, test_set: TestSet) -> list[ItemScore]:
        import torch

        if test_set.text is None:
            raise DataError("the stream protocols need a set with a text (gulordava, linzen)")
        lines = [[self._word(w) for w in line] for line in test_set.text]
        ids = self._ids({w for line in lines for w in line} | self._item_words(test_set.items))
        stream = [self.eos] + [ids[w] for line in lines for w in line]
        offsets = [1]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        scores = [self._prepare(item, lines, ids) for item in test_set.items]
        wanted = {}  # stream position of the target -> the items scored there
        for item, score in zip(test_set.items, scores):
            if score.excluded is None:
                position = offsets[item.line] + len(self._prefix(item))
                wanted.setdefault(position, []).append((item, score))
        with evaluation_mode(self.model), torch.no_grad():
            for position, logprobs in target_logprobs(self.model, stream, sorted(wanted)):
                for item, score in wanted[position]:
                    good, bad = ids[self._word(item.good)], ids[self._word(item.bad)]
                    score.good, score.bad = float(logprobs[good]), float(logprobs[bad])
                    score.correct = score.good > score.bad
        return scores

    def _word(self, word: str) -> str:
        return word if word == EOS or not self.options.lowercase else word.lower()

    def _prefix(self, item: PairItem) -> list[str]:
        return (item.prefix or "").split()

    def _item_words(self, items: Sequence[PairItem]) -> set[str]:
        return {self._word(w) for item in items for w in (item.good, item.bad)}

    def _ids(self, words: set[str]) -> dict[str, int]:
        """One id per word (a word the tokenizer splits is unknown to a word-level stream)."""
        return {
            w: ids[0] if len(ids) == 1 else self.unk
            for w, ids in word_ids(self.tokenizer, words).items()
        }

    def _prepare(self, item: PairItem, lines: list[list[str]], ids: dict[str, int]) -> ItemScore:
        good, bad = self._word(item.good), self._word(item.bad)
        prefix = [self._word(w) for w in self._prefix(item)]
        if item.line is None or not 0 <= item.line < len(lines):
            raise DataError(f"{item.source}: the item names no line of the set's text")
        if lines[item.line][: len(prefix)] != prefix:
            raise DataError(f"{item.source}: the item's prefix is not the start of its line")
        unknown = list(dict.fromkeys(w for w in [*prefix, good, bad] if ids[w] == self.unk))
        score = ItemScore(compared=([good], [bad]), oov=unknown, good_tokens=1, bad_tokens=1)
        if good == bad:
            score.excluded = "identical"
        elif self.options.oov != "include" and (good in unknown or bad in unknown):
            score.excluded = "oov_compared"
        elif self.options.oov == "exclude_any" and unknown:
            score.excluded = "oov_other"
        return score


def target_logprobs(
    model: torch.nn.Module, stream: list[int], positions: list[int], chunk: int = CHUNK
) -> list[tuple[int, Any]]:
    """``[(position, log-probabilities of the token at position), ...]`` for sorted positions
    (``>= 1``) of one stream read from a zero state, in chunks with the state carried."""
    import torch

    from lstm_nlp.evaluation.logprobs import logits_at, model_device

    device = model_device(model)
    results, hidden, k = [], None, 0
    for begin in range(0, len(stream) - 1, chunk):
        end = min(begin + chunk, len(stream) - 1)  # inputs stream[begin:end] predict +1
        tokens = torch.tensor(stream[begin:end], dtype=torch.long, device=device).view(-1, 1)
        here = []
        while k < len(positions) and positions[k] - 1 < end:
            here.append(positions[k])
            k += 1
        need = torch.zeros(end - begin, 1, dtype=torch.bool, device=device)
        need[[p - 1 - begin for p in here], 0] = True
        logits, hidden = logits_at(model, tokens, hidden, need, exact=True)
        logprobs = torch.log_softmax(logits.float(), -1)
        results.extend(zip(here, logprobs))
    return results
