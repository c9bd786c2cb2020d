"""Scoring minimal pairs with a language model: which of the two does it prefer?

A sentence ``w1 ... wn`` is read as ``<eos> w1 ... wn <eos>``, as in the training
stream: the model is conditioned on a leading ``<eos>`` and the log-probabilities
of ``w1 ... wn`` (and of the final ``<eos>`` when ``final_eos``) are summed
(``score=sum``) or averaged per token (``score=mean``).  A prefix pair compares
``log P(good | <eos> prefix)`` with ``log P(bad | <eos> prefix)`` (summed or averaged
over the candidate's tokens when it has several).  An item is correct when the
good score is strictly higher; a tie counts as wrong.

Hidden state (``state``): ``reset`` starts every item from zeros (batched);
``warmup`` starts every item from the state after ``warmup_text`` (its lines
joined as ``<eos> line1 <eos> line2 ...``; batched); ``stream`` reads the items'
good sentences in order as one stream ``<eos> good1 <eos> good2 ...``, so both
sentences of item ``i`` start from the state after item ``i-1``'s good sentence
(excluded items are read too, just not scored).

Coverage (``oov``): the compared words are the words where good and bad differ
(what is left after removing their common beginning and end) or, for prefix
pairs, the two candidates.  ``exclude`` (default) skips items with a compared
word outside the vocabulary, ``exclude_any`` items with any unknown word,
``include`` scores them anyway.  Items whose two sides are the same words are
always excluded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.evaluation.normalize import normalize
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.span import Span
from lstm_nlp.schema import Options, option
from lstm_nlp.text.specials import EOS, PAD, UNK

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

SCORES = ("sum", "mean")
STATES = ("reset", "stream", "warmup")
OOV_POLICIES = ("exclude", "include", "exclude_any")
REASONS = ("identical", "oov_compared", "oov_other")  # why an item is excluded


@dataclass
class ScoreAndState(Options):
    """How a pair's two sides are scored, and where the hidden state starts."""

    score: str = option(
        "sum", choices=SCORES, help="sum: whole-sentence log-probability | mean: per token"
    )
    state: str = option(
        "reset",
        choices=STATES,
        help="reset: every item from zeros (batched) | stream: items in file order as one text | "
        "warmup: every item from the state after the warm-up text (batched)",
    )


@dataclass
class ScoringOptions(ScoreAndState):
    """How items are tokenised and scored; each field is the CLI key of the same name."""

    warmup_text: str | None = option(
        None, help="state=warmup: text read once before the items (lines separated by <eos>)"
    )
    final_eos: bool = option(True, help="sentence pairs: include log P(<eos> | sentence)")
    suffix: str = option(
        "", help='sentence pairs: words appended to both sentences (Marvin & Linzen: ".")'
    )
    lowercase: bool = option(False, help="lowercase the text first (a model of lowercased text)")
    split_punctuation: bool = option(
        False, help='split punctuation off words: "themselves." -> "themselves ."'
    )
    oov: str = option(
        "exclude",
        choices=OOV_POLICIES,
        help="exclude: skip items whose compared words are unknown | exclude_any: items with "
        "any unknown word | include: score every item anyway",
    )
    batch_size: int = option(128, ge=1, help="pairs per forward call (state=reset and warmup)")

    def check(self) -> None:
        has_text = isinstance(self.warmup_text, str) and bool(self.warmup_text.split())
        if self.state == "warmup" and not has_text:
            raise ConfigError(
                "state=warmup needs warmup_text=TEXT or warmup_file=FILE with some words"
            )
        if self.state != "warmup" and self.warmup_text is not None:
            raise ConfigError(
                f"warmup_text/warmup_file are only used with state=warmup (state is {self.state!r})"
            )

    def words(self, text: str) -> list[str]:
        return normalize(text, lowercase=self.lowercase, split_punctuation=self.split_punctuation)


@dataclass
class ItemScore:
    """One item's result; scores are None when it was excluded (``excluded`` names the reason)."""

    good: float | None = None
    bad: float | None = None
    correct: bool | None = None
    excluded: str | None = None
    compared: tuple[list[str], list[str]] = field(
        default_factory=lambda: ([], [])
    )  # differing words: good, bad
    oov: list[str] = field(default_factory=list)  # the item's words outside the vocabulary
    good_tokens: int = 0  # tokens in each score
    bad_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class PairScorer:
    """``PairScorer(model, tokenizer, options).score(items) -> list[ItemScore]``.

    ``tokenizer`` defaults to the one stored on the model (``model.tokenizer_json``).
    Scoring runs in eval mode under ``no_grad`` and puts every submodule's
    training flag back afterwards, so it can run on a model in training.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        tokenizer: Tokenizer | None = None,
        options: ScoringOptions | None = None,
    ) -> None:
        if tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(model.tokenizer_json)
        self.model, self.tokenizer = model, tokenizer
        self.options = options or ScoringOptions()
        specials = {name: tokenizer.token_to_id(name) for name in (EOS, UNK, PAD)}
        missing = [name for name, i in specials.items() if i is None]
        if missing:
            raise DataError(f"tokenizer: the vocabulary lacks {', '.join(missing)}")
        self.eos, self.unk, self.pad = specials[EOS], specials[UNK], specials[PAD]
        self._ids: dict[str, tuple[int, ...]] = {}

    def score(self, items: Sequence[PairItem]) -> list[ItemScore]:
        import torch

        scores, spans = self.prepare(items)
        with evaluation_mode(self.model), torch.no_grad():
            if self.options.state == "stream":
                self._score_stream(scores, spans)
            else:
                self._score_batched(scores, spans, self._warmup_state())
        return scores

    # -- tokens and coverage ---------------------------------------------------------------
    def prepare(self, items: Sequence[PairItem]) -> tuple[list[ItemScore], list[tuple[Span, Span]]]:
        """Each item's coverage verdict (scores still empty) and its good and bad spans."""
        o = self.options
        end = o.words(o.suffix)
        texts = [
            (o.words(it.prefix or ""), *((o.words(side) + end) for side in (it.good, it.bad)))
            if it.prefix is None
            else (o.words(it.prefix), o.words(it.good), o.words(it.bad))
            for it in items
        ]
        self._lookup({w for triple in texts for words in triple for w in words})
        prepared = [self._prepare_item(item, *words) for item, words in zip(items, texts)]
        return [p[0] for p in prepared], [p[1] for p in prepared]

    def _prepare_item(
        self, item: PairItem, context: list[str], good: list[str], bad: list[str]
    ) -> tuple[ItemScore, tuple[Span, Span]]:
        compared = differing(good, bad) if item.prefix is None else (good, bad)
        unknown = list(dict.fromkeys(w for w in context + good + bad if self.unk in self._ids[w]))
        score = ItemScore(
            compared=compared, oov=unknown, excluded=self._exclusion(good, bad, compared, unknown)
        )
        final_eos = self.options.final_eos and item.prefix is None
        spans = tuple(self._span(context, words, final_eos) for words in (good, bad))
        score.good_tokens, score.bad_tokens = spans[0].count, spans[1].count
        return score, spans

    def _exclusion(
        self,
        good: list[str],
        bad: list[str],
        compared: tuple[list[str], list[str]],
        unknown: list[str],
    ) -> str | None:
        if good == bad:
            return "identical"
        if self.options.oov != "include" and any(w in unknown for w in compared[0] + compared[1]):
            return "oov_compared"
        if self.options.oov == "exclude_any" and unknown:
            return "oov_other"
        return None

    def _span(self, context: list[str], words: list[str], final_eos: bool) -> Span:
        before, scored = self._encode(context), self._encode(words)
        ids = (self.eos, *before, *scored, self.eos)
        return Span(ids, len(before), len(before) + len(scored) + int(final_eos))

    def _lookup(self, words: set[str]) -> None:
        from lstm_nlp.text.tokenizer import word_ids

        self._ids.update(word_ids(self.tokenizer, words - self._ids.keys()))

    def _encode(self, words: list[str]) -> list[int]:
        return [i for w in words for i in self._ids[w]]

    # -- scoring ----------------------------------------------------------------------------
    def _warmup_state(self) -> Any:
        from lstm_nlp.evaluation.logprobs import feed

        if self.options.state != "warmup":
            return None
        lines = [self.options.words(line) for line in self.options.warmup_text.splitlines()]
        self._lookup({w for line in lines for w in line})
        ids = [i for line in lines if line for i in (self.eos, *self._encode(line))]
        return feed(self.model, ids)

    def _score_batched(
        self, scores: list[ItemScore], spans: list[tuple[Span, Span]], hidden: Any
    ) -> None:
        from lstm_nlp.evaluation.logprobs import batched_pair_logprobs

        todo = [i for i, s in enumerate(scores) if s.excluded is None]
        vocab = self.tokenizer.get_vocab_size()
        results = batched_pair_logprobs(
            self.model, [spans[i] for i in todo], vocab, hidden, self.pad, self.options.batch_size
        )
        for i, (good, bad) in zip(todo, results):
            self._set(scores[i], good, bad)

    def _score_stream(self, scores: list[ItemScore], spans: list[tuple[Span, Span]]) -> None:
        from lstm_nlp.evaluation.logprobs import column, feed, run_spans

        hidden = None
        for score, (good, bad) in zip(scores, spans):
            if score.excluded is not None:
                hidden = feed(self.model, good.ids[:-1], hidden)
            elif len(good.ids) >= len(bad.ids):  # good is not padded: its final state is exact
                (g, b), final = run_spans(self.model, [good, bad], hidden, self.pad, paired=True)
                self._set(score, g, b)
                hidden = column(final, 0)
            else:
                (g,), after_good = run_spans(self.model, [good], hidden, self.pad)
                (b,), _ = run_spans(self.model, [bad], hidden, self.pad)
                self._set(score, g, b)
                hidden = after_good

    def _set(self, score: ItemScore, good: tuple[float, int], bad: tuple[float, int]) -> None:
        mean = self.options.score == "mean"
        score.good, score.bad = ((total / count if mean else total) for total, count in (good, bad))
        score.correct = score.good > score.bad


def differing(good: list[str], bad: list[str]) -> tuple[list[str], list[str]]:
    """What is left of each side after removing the words both begin and end with."""
    shortest = min(len(good), len(bad))
    begin = 0
    while begin < shortest and good[begin] == bad[begin]:
        begin += 1
    end = 0
    while end < shortest - begin and good[-1 - end] == bad[-1 - end]:
        end += 1
    return good[begin : len(good) - end], bad[begin : len(bad) - end]


@contextmanager
def evaluation_mode(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode inside; every submodule's training flag as it was afterwards."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training
