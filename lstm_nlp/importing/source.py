"""What an imported file's model is, once read: its tensors in a fixed shape, whatever the format.

Every format reader (:mod:`~lstm_nlp.importing.rnnmodel`, :mod:`~lstm_nlp.importing.awd`) fills
a :class:`SourceModel`: the embedding, one :class:`LSTMLayer` per layer in ``nn.LSTM``'s weight
layout (gate rows i, f, g, o), the decoder, and the settings it was trained with where the file
says them.  :func:`lstm_layer` checks one layer's tensors and names what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from lstm_nlp.errors import DataError

# rows of weight_ih per hidden unit: what kind of recurrent layer a file holds
GATE_ROWS = {4: "LSTM", 3: "GRU", 1: "RNN_TANH or RNN_RELU (a plain RNN)"}


@dataclass
class LSTMLayer:
    weight_ih: torch.Tensor  # (4 * hidden, input)
    weight_hh: torch.Tensor  # (4 * hidden, hidden)
    bias_ih: torch.Tensor | None
    bias_hh: torch.Tensor | None

    @property
    def hidden_size(self) -> int:
        return int(self.weight_hh.shape[1])

    @property
    def input_size(self) -> int:
        return int(self.weight_ih.shape[1])


@dataclass
class SourceModel:
    """A published LSTM language model, format-free: embedding -> LSTM layers -> decoder."""

    format: str  # word_language_model | awd
    path: Path
    embedding: torch.Tensor  # (vocab, embedding_dim)
    layers: list[LSTMLayer]
    decoder_weight: torch.Tensor  # (vocab, last hidden) or, tied, the embedding
    decoder_bias: torch.Tensor | None
    tied: bool
    settings: dict[str, Any] = field(default_factory=dict)  # dropouts the file records

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.shape[0])

    @property
    def embedding_dim(self) -> int:
        return int(self.embedding.shape[1])

    @property
    def sizes(self) -> list[int]:
        return [layer.hidden_size for layer in self.layers]


def lstm_layer(
    path: Path, where: str, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any, rnn_type: Any = None
) -> LSTMLayer:
    """One layer's tensors, checked: an LSTM's shapes, one bias for both or none."""
    if rnn_type is not None and rnn_type != "LSTM":
        raise not_an_lstm(path, f"rnn_type={rnn_type!r}")
    for name, tensor in (("weight_ih", w_ih), ("weight_hh", w_hh)):
        if not isinstance(tensor, torch.Tensor) or tensor.dim() != 2:
            raise DataError(f"{path}: {where} has no 2-d {name} (found {type(tensor).__name__})")
    hidden = w_hh.shape[1]
    rows = w_hh.shape[0] // max(hidden, 1)
    if rows * hidden != w_hh.shape[0] or rows != 4:
        kind = GATE_ROWS.get(rows, f"{w_hh.shape[0]} rows for {hidden} units")
        raise not_an_lstm(path, f"{where} is a {kind} layer")
    if w_ih.shape[0] != w_hh.shape[0]:
        raise DataError(
            f"{path}: {where}: weight_ih has {w_ih.shape[0]} rows, weight_hh {w_hh.shape[0]}"
        )
    if (b_ih is None) != (b_hh is None):
        raise DataError(f"{path}: {where} has only one of bias_ih and bias_hh")
    for name, bias in (("bias_ih", b_ih), ("bias_hh", b_hh)):
        if bias is not None and tuple(bias.shape) != (w_hh.shape[0],):
            raise DataError(f"{path}: {where}: {name} has shape {list(bias.shape)}")
    return LSTMLayer(w_ih, w_hh, b_ih, b_hh)


def not_an_lstm(path: Path, what: str) -> DataError:
    return DataError(
        f"{path}: {what}; lstm-nlp-import reads LSTM language models only (not GRU or plain RNN)"
    )


def check_chain(source: SourceModel) -> None:
    """Each layer reads what the one before gives, the first the embedding, the decoder the last."""
    for name, matrix in (("embedding", source.embedding), ("decoder", source.decoder_weight)):
        if matrix.dim() != 2 or not matrix.is_floating_point():
            raise DataError(
                f"{source.path}: the {name} weight is {matrix.dtype} of shape "
                f"{list(matrix.shape)}; expected a float matrix (vocabulary x size)"
            )
    path, width = source.path, source.embedding_dim
    for k, layer in enumerate(source.layers):
        if layer.input_size != width:
            raise DataError(
                f"{path}: LSTM layer {k} reads {layer.input_size} inputs, but gets {width}"
            )
        width = layer.hidden_size
    rows, cols = source.decoder_weight.shape
    if rows != source.vocab_size or cols != width:
        raise DataError(
            f"{path}: the decoder is {rows}x{cols}, expected {source.vocab_size}x{width} "
            "(vocabulary x last layer)"
        )
    if source.decoder_bias is not None and tuple(source.decoder_bias.shape) != (rows,):
        raise DataError(f"{path}: the decoder bias has shape {list(source.decoder_bias.shape)}")


def take(tensors: dict[str, torch.Tensor], name: str, path: Path, what: str) -> torch.Tensor:
    """Remove and return a weight the layout needs; its absence is one line."""
    if name not in tensors:
        raise DataError(f"{path}: no {name} ({what}) among its weights")
    return tensors.pop(name)


def check_no_more(tensors: dict[str, torch.Tensor], path: Path, layout: str) -> None:
    """Weights the layout does not have: a model of another kind (named where we know it)."""
    if not tensors:
        return
    names = sorted(tensors)
    if any(name.endswith("_reverse") for name in names):
        raise DataError(
            f"{path}: a bidirectional LSTM ({names[0]}); a language model reads left to right"
        )
    if any("weight_hr_" in name for name in names):
        raise DataError(
            f"{path}: an LSTM with projections (proj_size, {names[0]}) is not supported"
        )
    from lstm_nlp.text.checkpoint_checks import names_of

    raise DataError(f"{path}: unexpected weights {names_of(names)} for the {layout} layout")


def is_tied(embedding: torch.Tensor, decoder: torch.Tensor) -> bool:
    """The decoder shares the embedding's matrix (one tensor, or the same values: tying either
    gives the same model)."""
    if embedding is decoder:
        return True
    if embedding.shape != decoder.shape or embedding.dtype != decoder.dtype:
        return False
    return embedding.data_ptr() == decoder.data_ptr() or bool(torch.equal(embedding, decoder))


def probability(value: Any) -> float:
    """A dropout probability the file records, as one our options take (else 0: training only)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1
    return float(value) if ok else 0.0
