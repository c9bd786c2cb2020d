"""AWD-LSTM's ``RNNModel`` (salesforce/awd-lstm-lm): ``encoder`` (nn.Embedding) -> ``rnns`` (one
single-layer nn.LSTM per layer, each in a ``WeightDrop``) -> ``decoder`` (nn.Linear, tied to the
embedding), the last layer as wide as the embedding (e.g. 400 -> 1150 -> 1150 -> 400).

Weights: ``encoder.weight``, ``rnns.{l}.module.weight_ih_l0``, ``rnns.{l}.module.weight_hh_l0_raw``
(WeightDrop's parameter: the weight itself; a ``weight_hh_l0`` beside it is the last forward
pass's dropped copy, stale, and ignored), ``rnns.{l}.module.bias_{ih,hh}_l0`` (without
WeightDrop: ``rnns.{l}.weight_hh_l0`` ...), ``decoder.weight``, ``decoder.bias``.

main.py saves ``[model, criterion, optimizer]``; its ``SplitCrossEntropyLoss`` is a plain
softmax below 75,000 words and a two-level split softmax above (``tail_vectors``,
``tail_bias``), which lstm-nlp's output layers cannot represent: refused in one line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.importing.contents import Contents
from lstm_nlp.importing.source import (
    SourceModel,
    check_chain,
    check_no_more,
    is_tied,
    lstm_layer,
    not_an_lstm,
    probability,
    take,
)
from lstm_nlp.importing.stubs import attribute, children, module_tensors, short_name

LAYOUT = "awd"
SPLIT_ABOVE = 75_000  # awd-lstm-lm's main.py: a split softmax for larger vocabularies
LAYER = re.compile(r"^rnns\.(\d+)\.")


def read_awd(contents: Contents, path: Path) -> SourceModel:
    tensors = dict(contents.tensors)
    model = contents.model
    rnn_type = attribute(model, "rnn_type")
    if rnn_type == "QRNN" or any(".linear." in name for name in tensors):
        raise not_an_lstm(path, "a QRNN model (rnn_type='QRNN')")
    embedding = take(tensors, "encoder.weight", path, "the embedding")
    count = 1 + max((int(m[1]) for m in map(LAYER.match, tensors) if m), default=0)
    layers = [_layer(tensors, k, path, rnn_type) for k in range(count)]
    decoder = take(tensors, "decoder.weight", path, "the output layer")
    bias = tensors.pop("decoder.bias", None)
    check_no_more(tensors, path, "AWD-LSTM")
    check_criterion(contents, path, int(embedding.shape[0]))
    source = SourceModel(
        LAYOUT,
        path,
        embedding,
        layers,
        decoder,
        bias,
        tied=is_tied(embedding, decoder),
        settings=settings(model),
    )
    check_chain(source)
    return source


def _layer(tensors: dict, k: int, path: Path, rnn_type: Any) -> Any:
    prefix = f"rnns.{k}.module." if f"rnns.{k}.module.weight_ih_l0" in tensors else f"rnns.{k}."
    stale = tensors.pop(f"{prefix}weight_hh_l0", None)
    w_hh = tensors.pop(f"{prefix}weight_hh_l0_raw", None)
    w_ih = take(tensors, f"{prefix}weight_ih_l0", path, f"LSTM layer {k}")
    b_ih, b_hh = (tensors.pop(f"{prefix}bias_{g}_l0", None) for g in ("ih", "hh"))
    return lstm_layer(
        path, f"rnns.{k}", w_ih, stale if w_hh is None else w_hh, b_ih, b_hh, rnn_type
    )


def check_criterion(contents: Contents, path: Path, vocab_size: int) -> None:
    """A plain softmax: a criterion without tail vectors, or a vocabulary main.py never splits."""
    criterion = contents.criterion
    if criterion is None:
        if contents.model is None and vocab_size > SPLIT_ABOVE:
            raise DataError(
                f"{path}: a state_dict of {vocab_size} words: awd-lstm-lm trains a split softmax "
                f"above {SPLIT_ABOVE:,} words, whose tail vectors a state_dict of the model lacks; "
                "give the file main.py saved ([model, criterion, optimizer])"
            )
        return
    nsplits = attribute(criterion, "nsplits")
    if module_tensors(criterion) or (isinstance(nsplits, int) and nsplits > 1):
        splits = attribute(criterion, "splits")
        raise DataError(
            f"{path}: its {short_name(criterion)} is a split softmax (splits {splits}, "
            "tail_vectors): a two-level softmax over tied weights with tail biases, which "
            "lstm-nlp's output layers cannot represent"
        )


def settings(model: Any) -> dict[str, float]:
    """The dropouts model.py keeps, as lstm-nlp's options (training only: eval ignores them)."""
    rnns = children(children(model).get("rnns")).values()
    wdrop = next((attribute(r, "dropout") for r in rnns if short_name(r) == "WeightDrop"), 0)
    return {
        "task.dropout": 0.0,
        "task.embedding_dropout": probability(attribute(model, "dropoute")),
        "encoder.input_dropout": probability(attribute(model, "dropouti")),
        "encoder.hidden_dropout": probability(attribute(model, "dropouth")),
        "encoder.output_dropout": probability(attribute(model, "dropout")),
        "encoder.weight_drop": probability(wdrop),
        "encoder.dropout": 0.0,
    }
