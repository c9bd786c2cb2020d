"""The ``RNNModel`` of pytorch/examples' word_language_model (and of colorlessgreenRNNs, which
trains the same class): ``encoder`` (nn.Embedding) -> ``rnn`` (one nn.LSTM of ``nlayers``
layers) -> ``decoder`` (nn.Linear), the decoder optionally tied to the embedding.

Weights: ``encoder.weight``, ``rnn.{weight,bias}_{ih,hh}_l{k}``, ``decoder.weight``,
``decoder.bias``.  Settings read from a pickled model: ``rnn_type`` (only ``LSTM`` is taken),
``drop.p`` and ``rnn.dropout``.
"""

from __future__ import annotations

from pathlib import Path

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
from lstm_nlp.importing.stubs import attribute, children, short_name

LAYOUT = "word_language_model"


def read_rnnmodel(contents: Contents, path: Path) -> SourceModel:
    tensors = dict(contents.tensors)
    model = contents.model
    rnn = children(model).get("rnn")
    if rnn is not None and short_name(rnn) in ("GRU", "RNN"):
        raise not_an_lstm(path, f"its rnn is an nn.{short_name(rnn)}")
    rnn_type = attribute(model, "rnn_type")
    embedding = take(tensors, "encoder.weight", path, "the embedding")
    layers = []
    while f"rnn.weight_ih_l{len(layers)}" in tensors:
        k = len(layers)
        names = [f"rnn.{w}_{g}_l{k}" for w, g in (("weight", "ih"), ("weight", "hh"))]
        names += [f"rnn.bias_{g}_l{k}" for g in ("ih", "hh")]
        w_ih, w_hh, b_ih, b_hh = (tensors.pop(n, None) for n in names)
        layers.append(lstm_layer(path, f"rnn layer {k}", w_ih, w_hh, b_ih, b_hh, rnn_type))
    if not layers:
        take(tensors, "rnn.weight_ih_l0", path, "the first LSTM layer")
    decoder = take(tensors, "decoder.weight", path, "the output layer")
    bias = tensors.pop("decoder.bias", None)
    check_no_more(tensors, path, LAYOUT)
    source = SourceModel(
        LAYOUT,
        path,
        embedding,
        layers,
        decoder,
        bias,
        tied=is_tied(embedding, decoder),
        settings={
            "task.dropout": probability(attribute(children(model).get("drop"), "p")),
            "encoder.dropout": probability(attribute(rnn, "dropout")),
        },
    )
    check_chain(source)
    return source
