"""``mode=gates``: one sentence's gates, cells and hidden states, per layer, as JSON and heatmaps.

``gates.json`` layout (every list of values is indexed ``[token][unit]``, all units of the layer)::

    {"format": "lstm-nlp-gates", "version": 1,
     "checkpoint": "...", "sentence": "the keys to the cabinet are",
     "tokens": ["<eos>", "the", "keys", ...],       # what was read; "<eos>" ends the line before
     "token_ids": [1, 5, 77, ...], "unknown": [],   # words read as <unk>
     "quantities": ["forget", "input", "output", "candidate", "cell", "hidden"],
     "select_by": "cell",
     "layers": [{"layer": 0, "units": 200,
                 "shown": [17, 3, ...],             # the heatmap's columns: units= or the top_k
                                                    # by variance
                 "variance": [...],                 # per unit, of `select_by` over the tokens
                 "forget": [[...], ...], "input": ..., "output": ..., "candidate": ...,
                 "cell": ..., "hidden": ...},
                ...]}

Row ``s`` is the state after reading ``tokens[s]``: ``forget``/``input``/``output`` are the gates
(sigmoid, 0..1), ``candidate`` the proposed values C~ (tanh), ``cell`` C_t = f*C_{t-1} + i*C~ and
``hidden`` h_t = o*tanh(C_t); the last layer's ``hidden`` is the model's encoder output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.insight.options import QUANTITIES

if TYPE_CHECKING:
    import torch

    from lstm_nlp.insight.states import Inspectable

FORMAT_VERSION = 1


def check_units(units: Sequence[int] | None, hidden_size: int) -> list[int] | None:
    """``units=[3,17]``: integers in ``0..hidden_size-1``, each once (None: choose by variance)."""
    if units is None:
        return None
    if isinstance(units, (int, str)) or not all(
        isinstance(u, int) and not isinstance(u, bool) for u in units
    ):
        raise ConfigError(f"units must be a list of unit numbers, e.g. units=[3,17], got {units!r}")
    if not units:
        raise ConfigError(
            "units must name at least one unit (or be null: the top_k units by variance)"
        )
    bad = [u for u in units if not 0 <= u < hidden_size]
    if bad:
        raise ConfigError(
            f"units: {bad[0]} is out of range: the layers have {hidden_size} units "
            f"(0..{hidden_size - 1})"
        )
    return list(dict.fromkeys(units))


def shown_units(
    layer: dict[str, torch.Tensor], units: list[int] | None, top_k: int, select_by: str
) -> list[int]:
    """``units`` as given, or the ``top_k`` units whose ``select_by`` varies most over the
    tokens."""
    if units is not None:
        return units
    variance = layer[select_by].var(dim=0, unbiased=False)
    k = min(top_k, variance.numel())
    return variance.topk(k).indices.tolist()


def sentence_tokens(insp: Inspectable, sentence: str) -> tuple[list[str], list[int], list[str]]:
    """``(tokens, ids, unknown words)`` of ``<eos> sentence``; no known word at all is an error."""
    from lstm_nlp.text.tokenizer import EOS

    words = str(sentence).split()
    if not words:
        raise ConfigError(
            'sentence is required for mode=gates: add sentence="the keys to the cabinet are"'
        )
    unknown = insp.unknown(words)
    if len(unknown) == len(set(words)):
        shown = ", ".join(repr(w) for w in unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        raise DataError(
            f"sentence: no word is in the model's vocabulary ({len(insp.vocabulary())} words); "
            f"unknown: {shown}"
        )
    return [EOS, *words], [insp.eos_id(), *insp.ids(words)], unknown


def gate_record(
    insp: Inspectable, sentence: str, units: list[int] | None, top_k: int, select_by: str = "cell"
) -> dict:
    """Run the sentence and return the ``gates.json`` record (see the module docstring)."""
    from lstm_nlp.insight.states import read_states

    if select_by not in QUANTITIES:
        raise ConfigError(f"select_by must be one of {', '.join(QUANTITIES)}, got {select_by!r}")
    tokens, ids, unknown = sentence_tokens(insp, sentence)
    layers = []
    for k, states in enumerate(read_states(insp, [ids])):
        layer = {name: states[name][:, 0].float().cpu() for name in QUANTITIES}
        record = {
            "layer": k,
            "units": insp.hidden_size,
            "shown": shown_units(layer, units, top_k, select_by),
            "variance": _rounded(layer[select_by].var(dim=0, unbiased=False).tolist()),
        }
        record.update(
            {name: [_rounded(row) for row in layer[name].tolist()] for name in QUANTITIES}
        )
        layers.append(record)
    return {
        "format": "lstm-nlp-gates",
        "version": FORMAT_VERSION,
        "checkpoint": str(insp.checkpoint),
        "sentence": " ".join(tokens[1:]),
        "tokens": tokens,
        "token_ids": ids,
        "unknown": unknown,
        "quantities": list(QUANTITIES),
        "select_by": select_by,
        "layers": layers,
    }


def _rounded(values: Sequence[float]) -> list[float]:
    return [round(float(v), 6) for v in values]
