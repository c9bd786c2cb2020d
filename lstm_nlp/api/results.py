"""What the model handle's methods return: small dataclasses, no torch at import."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import Tensor


@dataclass(frozen=True)
class TokenLogProb:
    """One token of a sentence and its log-probability given the tokens before it."""

    token: str  # the word as written ("<eos>" for the end of the sentence)
    id: int  # its id in the vocabulary (<unk>'s for an unknown word)
    logprob: float  # natural log
    known: bool = True  # False: the word is outside the vocabulary, read as <unk>

    @property
    def surprisal(self) -> float:
        """``-log2 p``: the token's surprisal in bits."""
        return -self.logprob / math.log(2)


@dataclass(frozen=True)
class NextWord:
    """A candidate next word and its log-probability after a prefix."""

    word: str
    id: int
    logprob: float

    @property
    def prob(self) -> float:
        return math.exp(self.logprob)


@dataclass(frozen=True)
class Perplexity:
    """A text's perplexity, read as ``lstm-nlp-ppl`` reads it (``float(result)`` is the value)."""

    perplexity: float
    nll: float  # summed negative log-likelihood of the scored tokens (nats)
    tokens: int  # tokens scored (every token but the first of each stream column)
    words: int  # tokens that are not <eos>
    oov: int  # of those, read as <unk>

    def __float__(self) -> float:
        return self.perplexity


@dataclass
class LayerStates:
    """One layer's gates and states at every step, each ``(steps, units)``: ``forget``,
    ``input`` and ``output`` gates (0..1), the ``candidate`` values, the ``cell`` C_t and the
    ``hidden`` h_t (the last layer's is the encoder's output)."""

    layer: int
    forget: Tensor
    input: Tensor
    candidate: Tensor
    output: Tensor
    cell: Tensor
    hidden: Tensor


@dataclass
class SentenceStates:
    """A sentence read as ``<eos> w1 ... wn``: step ``s`` is the state after ``tokens[s]``."""

    tokens: list[str]
    ids: list[int]
    unknown: list[str] = field(default_factory=list)  # words read as <unk>
    layers: list[LayerStates] = field(default_factory=list)
