"""Scoring protocols: how each paper scored its test set (``lstm-nlp-eval protocol=NAME``).

A protocol fixes the scoring options (every one can still be overridden on the command line:
``protocol=marvin_linzen suffix=null``) and the method:

* ``pairs``: each item on its own (or after a warm-up text), the two sides compared by their
  summed log-probabilities (:class:`~lstm_nlp.evaluation.scoring.PairScorer`);
* ``stream``: the set's whole text read as one stream, the hidden state carried across
  sentences; at each target, log P(correct) against log P(wrong) from the same state
  (:mod:`lstm_nlp.evaluation.stream_scoring`);
* ``regions``: SyntaxGym's region surprisals and prediction formulas
  (:mod:`lstm_nlp.evaluation.syntaxgym`).

``docs/protocols.md`` gives each protocol's source and where we deviate from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError

METHODS = ("pairs", "stream", "regions")

# Lakretz et al. 2019 read a fixed text before each prefix, so that the first word is not
# predicted from a zero state; ours is neutral, unrelated to agreement, and documented.
LAKRETZ_WARMUP = (
    "the weather was cold and the day was long .\n"
    "people went home early and the streets were quiet ."
)


@dataclass(frozen=True)
class Protocol:
    """One paper's way of scoring: the method and the scoring options it implies."""

    name: str
    method: str
    paper: str  # who scored this way
    score: str = "sum"
    state: str = "reset"
    final_eos: bool = True
    suffix: str = ""  # words appended to every sentence of a sentence pair
    lowercase: bool = False
    split_punctuation: bool = False
    oov: str = "exclude"
    warmup_text: str | None = None


PROTOCOLS = {
    p.name: p
    for p in (
        Protocol(
            "plain",
            "pairs",
            "whole-sentence log-probability, each item alone, the text as written (our files)",
        ),
        Protocol(
            "blimp",
            "pairs",
            "Warstadt et al. 2020: whole-sentence log-probability, each sentence alone",
            split_punctuation=True,
        ),
        Protocol(
            "marvin_linzen",
            "pairs",
            "Marvin & Linzen 2018: whole-sentence log-probability with ' . <eos>' appended",
            suffix=".",
            lowercase=True,
        ),
        Protocol(
            "gulordava",
            "stream",
            "Gulordava et al. 2018: the .text file as one stream, log P(correct) vs log P(wrong)",
            state="stream",
            oov="exclude",
        ),
        Protocol(
            "linzen",
            "stream",
            "Linzen et al. 2016, LM form (as scored by Gulordava et al. 2018 and Kuncoro et al. "
            "2018): one stream, log P(correct verb) vs log P(wrong verb)",
            state="stream",
        ),
        Protocol(
            "lakretz",
            "pairs",
            "Lakretz et al. 2019: a fixed warm-up text, then the prefix; the two verb forms",
            state="warmup",
            lowercase=True,
            warmup_text=LAKRETZ_WARMUP,
        ),
        Protocol(
            "syntaxgym",
            "regions",
            "Hu et al. 2020: region surprisals in bits, <eos> in the last region, the first "
            "word scoring 0; an item passes when all its predictions hold",
            split_punctuation=True,
        ),
    )
}


def protocol_named(name: str) -> Protocol:
    if name not in PROTOCOLS:
        raise ConfigError(f"protocol must be one of {', '.join(PROTOCOLS)}, got {name!r}")
    return PROTOCOLS[name]
