"""Gates, cells and hidden states of sentences, per layer and step: what ``lstm-nlp-inspect
mode=gates`` draws, read by :func:`lstm_nlp.insight.states.read_states`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.api.results import LayerStates, SentenceStates
from lstm_nlp.api.tokens import words_of
from lstm_nlp.insight.states import Inspectable, read_states
from lstm_nlp.modules.encoder import GATE_NAMES
from lstm_nlp.text.specials import EOS


def sentence_states(
    model: Any, tokenizer: Any, source: Path, sentences: Sequence[str], batch_size: int
) -> list[SentenceStates]:
    """Each sentence read as ``<eos> w1 ... wn``; step ``s`` is the state after token ``s``."""
    insp = Inspectable(model, tokenizer, source)
    words = [words_of(tokenizer, s) for s in sentences]
    seqs = [[insp.eos_id(), *w.ids] for w in words]
    layers = read_states(insp, seqs, batch_size=batch_size)
    out = []
    for j, (w, seq) in enumerate(zip(words, seqs)):
        per_layer = [
            LayerStates(k, **{n: layer[n][: len(seq), j].float().cpu() for n in GATE_NAMES})
            for k, layer in enumerate(layers)
        ]
        out.append(SentenceStates([EOS, *w.tokens], seq, w.unknown, per_layer))
    return out
