"""``LanguageModelHandle``: a trained language model for notebooks and scripts.

Every method runs in ``torch.inference_mode`` and in the handle's :attr:`precision`, batches
its inputs, and reads text as the commands do (whitespace-separated words, ``<eos>`` before a
sentence; a file's lines each followed by ``<eos>``).  The model is a
:class:`~lstm_nlp.tasks.language_model.LanguageModel` (from a checkpoint) or an
:class:`~lstm_nlp.export.model.ExportedLanguageModel` (from an exported folder): the same
weights, names and results.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import torch

from lstm_nlp.api.tokens import as_list
from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.precision_option import SCORING_PRECISIONS

if TYPE_CHECKING:
    from lstm_nlp.api.results import NextWord, Perplexity, SentenceStates, TokenLogProb
    from lstm_nlp.evaluation.scoring import ItemScore

BATCH = 128  # sentences per forward call (fewer for long ones: the logits budget)


class LanguageModelHandle:
    """A language model, its tokenizer and where it came from; see the module docstring.

    ``lm = lstm_nlp.load(path)``; ``lm.logprobs(...)``, ``lm.perplexity(...)``,
    ``lm.compare(good, bad)``, ``lm.next_words(prefix)``, ``lm.generate(prompt)``,
    ``lm.states(sentence)``; ``lm.to("cuda")``, ``lm.precision = "bf16-mixed"``.
    """

    def __init__(
        self, model: Any, tokenizer: Any, source: Path, precision: str = "32-true"
    ) -> None:
        self.model, self.tokenizer, self.source = model.eval(), tokenizer, Path(source)
        self.precision = precision

    def __repr__(self) -> str:
        enc = self.model.encoder
        return (
            f"LanguageModelHandle({str(self.source)!r}, {type(enc).__name__} "
            f"{enc.num_layers}x{enc.hidden_size}, vocabulary {self.vocab_size}, "
            f"{self.device}, {self.precision})"
        )

    # -- settings -----------------------------------------------------------------------
    @property
    def precision(self) -> str:
        """``32-true`` or ``bf16-mixed`` (products in bfloat16, log-probabilities in fp32)."""
        return self._precision

    @precision.setter
    def precision(self, value: str) -> None:
        if value not in SCORING_PRECISIONS:
            raise ConfigError(
                f"precision must be one of {', '.join(SCORING_PRECISIONS)}, got {value!r}"
            )
        self._precision = value

    @property
    def device(self) -> torch.device:
        return self.model.embedding.weight.device

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.get_vocab_size()

    def to(self, device: str | torch.device) -> LanguageModelHandle:
        """Move the model to ``device`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``...); returns self."""
        self.model.to(device)
        return self

    @contextlib.contextmanager
    def _running(self) -> Iterator[None]:
        from lstm_nlp.evaluation.precision import scoring_precision

        with torch.inference_mode(), scoring_precision(self.precision, self.device):
            yield

    # -- scoring --------------------------------------------------------------------------
    @overload
    def logprobs(self, sentences: str, final_eos: bool = True) -> list[TokenLogProb]: ...
    @overload
    def logprobs(
        self, sentences: list[str] | tuple[str, ...], final_eos: bool = True
    ) -> list[list[TokenLogProb]]: ...
    def logprobs(
        self, sentences: str | list[str] | tuple[str, ...], final_eos: bool = True
    ) -> list[TokenLogProb] | list[list[TokenLogProb]]:
        """Each token's log-probability given ``<eos>`` and the words before it (``final_eos``:
        and the closing ``<eos>``); one sentence gives one list, a list of sentences a list of
        them."""
        from lstm_nlp.api.token_scores import token_logprobs

        texts = as_list(sentences, "sentences")
        with self._running():
            found = token_logprobs(self.model, self.tokenizer, texts, final_eos, BATCH)
        return found[0] if isinstance(sentences, str) else found

    def perplexity(
        self,
        text_or_file: str | os.PathLike,
        batch_size: int | None = None,
        bptt: int | None = None,
    ) -> Perplexity:
        """Perplexity as ``lstm-nlp-ppl`` computes it, of a text or of a file (a ``Path``, or a
        one-line string naming an existing file or folder: each of its ``.txt``/``.tokens``
        files, token-weighted).  ``batch_size``/``bptt``: null is the run's."""
        from lstm_nlp.api.perplexity import perplexity, texts_of

        texts = texts_of(self.tokenizer, text_or_file)
        with self._running():
            return perplexity(self.model, texts, batch_size, bptt)

    def compare(self, good: str, bad: str, prefix: str | None = None, **options: Any) -> ItemScore:
        """Score one minimal pair (``prefix``: compare the continuations ``good`` and ``bad``
        after it); ``options`` are :class:`~lstm_nlp.evaluation.scoring.ScoringOptions`
        (``score="mean"``, ``final_eos=False``, ``oov="include"``...)."""
        from lstm_nlp.evaluation.pairs import PairItem

        return self.compare_pairs([PairItem(good, bad, prefix)], **options)[0]

    def compare_pairs(
        self, items: Iterable[Any] | str | os.PathLike, **options: Any
    ) -> list[ItemScore]:
        """Score minimal pairs with the evaluation's pair scorer: ``(good, bad)`` or ``(prefix,
        good, bad)`` tuples, mappings with BLiMP's field names, ``PairItem``s, or a JSONL/TSV
        file; ``options`` as in :meth:`compare`."""
        from lstm_nlp.api.pairs import pair_items, scoring_options
        from lstm_nlp.evaluation.scoring import PairScorer

        scorer = PairScorer(self.model, self.tokenizer, scoring_options(options))
        pairs = pair_items(items)
        with self._running():
            return scorer.score(pairs)

    @overload
    def next_words(self, prefix: str, k: int = 10) -> list[NextWord]: ...
    @overload
    def next_words(
        self, prefix: list[str] | tuple[str, ...], k: int = 10
    ) -> list[list[NextWord]]: ...
    def next_words(
        self, prefix: str | list[str] | tuple[str, ...], k: int = 10
    ) -> list[NextWord] | list[list[NextWord]]:
        """The ``k`` most likely words after ``<eos> prefix``, most likely first (a list of
        prefixes: a list per prefix)."""
        from lstm_nlp.api.next_words import next_words

        texts = as_list(prefix, "prefix")
        with self._running():
            found = next_words(self.model, self.tokenizer, texts, k, BATCH)
        return found[0] if isinstance(prefix, str) else found

    # -- generation and states ----------------------------------------------------------------
    def generate(
        self, prompt: str = "", words: int = 50, temperature: float = 1.0, seed: int = 1234
    ) -> str:
        """The prompt and ``words`` sampled words, one line per sampled ``<eos>``: the text
        ``lstm-nlp-generate`` prints for the same settings."""
        from lstm_nlp.tasks.generation import GenerateOptions, generate_text

        options = GenerateOptions(prompt=prompt, words=words, temperature=temperature, seed=seed)
        with self._running():
            return generate_text(options, self.model, self.tokenizer)

    @overload
    def states(self, sentence: str) -> SentenceStates: ...
    @overload
    def states(self, sentence: list[str] | tuple[str, ...]) -> list[SentenceStates]: ...
    def states(
        self, sentence: str | list[str] | tuple[str, ...]
    ) -> SentenceStates | list[SentenceStates]:
        """Per layer and step, the gates, cell and hidden state (``(steps, units)`` tensors) of
        ``<eos> sentence``: what ``lstm-nlp-inspect mode=gates`` draws."""
        from lstm_nlp.api.states import sentence_states

        texts = as_list(sentence, "sentence")
        with self._running():
            found = sentence_states(self.model, self.tokenizer, self.source, texts, BATCH)
        return found[0] if isinstance(sentence, str) else found
