"""A :class:`~lstm_nlp.importing.source.SourceModel` as lstm-nlp's ``LanguageModel``: the
settings (``hyper_parameters``) from the tensors' sizes, the weights copied under our names.

Mapping: ``encoder.weight`` -> ``embedding.weight``; the LSTM layers -> ``encoder=lstm``
(``hidden_size`` of every layer but the last, ``last_layer_size`` for an AWD-LSTM's narrower last
layer); ``decoder`` -> ``decoder.decoder`` (``task.tie_weights`` when it is the embedding).
Specials the vocabulary lacks get new rows after the original ids: a zero embedding and an
output bias of :data:`NEVER`, so their probability is exactly 0 in float32 and every original
word's log-probability is unchanged.
"""

from __future__ import annotations

from typing import Any

import torch

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.importing.source import SourceModel
from lstm_nlp.importing.tokenizer import ImportedVocabulary
from lstm_nlp.text.checkpoint_file import TASK_KEY

NEVER = -1.0e4  # output bias of an appended special: exp(NEVER - anything sane) == 0.0
IMPORT_KEY = "lstm_nlp_import"  # where the checkpoint records what it was imported from


def encoder_options(source: SourceModel) -> dict[str, Any]:
    """``encoder=lstm``'s options for these layers (one size for all but the last)."""
    from lstm_nlp.modules.options import LSTMEncoderOptions

    sizes, path = source.sizes, source.path
    hidden, last = sizes[0], sizes[-1]
    if any(size != hidden for size in sizes[:-1]):
        raise DataError(
            f"{path}: layer sizes {sizes}: lstm-nlp's LSTM encoder has one size for every layer "
            "but the last"
        )
    biased = {layer.bias_ih is not None for layer in source.layers}
    if len(biased) > 1:
        raise DataError(f"{path}: some LSTM layers have biases and some do not")
    keys = ("dropout", "input_dropout", "hidden_dropout", "output_dropout", "weight_drop")
    dropouts = {k: source.settings.get(f"encoder.{k}", 0.0) for k in keys}
    try:
        options = LSTMEncoderOptions(
            hidden_size=hidden,
            num_layers=len(sizes),
            bias=biased.pop(),
            last_layer_size=None if last == hidden else last,
            **dropouts,
        )
    except ConfigError as err:
        raise DataError(f"{path}: its LSTM does not fit encoder=lstm: {err}") from None
    return {"name": "lstm", **options.as_dict()}


def task_options(source: SourceModel) -> Any:
    from lstm_nlp.tasks.options import LanguageModelOptions

    try:
        return LanguageModelOptions(
            embedding_dim=source.embedding_dim,
            tie_weights=source.tied,
            dropout=source.settings.get("task.dropout", 0.0),
            embedding_dropout=source.settings.get("task.embedding_dropout", 0.0),
        )
    except ConfigError as err:
        raise DataError(
            f"{source.path}: its embedding does not fit task=language_model: {err}"
        ) from None


def build_model(source: SourceModel, vocabulary: ImportedVocabulary) -> Any:
    """The ``LanguageModel`` (eval mode) holding the source's weights, its tokenizer attached."""
    from lstm_nlp.tasks.language_model import LanguageModel
    from lstm_nlp.tasks.optim import SGDOptions

    size = len(vocabulary.ids)
    optim = {"name": "sgd", **SGDOptions().as_dict()}  # training settings: lstm-nlp's defaults
    model = LanguageModel(size, encoder_options(source), optim, options=task_options(source))
    model.load_state_dict(weights(source, size))
    model.tokenizer_json = vocabulary.tokenizer().to_str()
    return model.eval()


def weights(source: SourceModel, size: int) -> dict[str, torch.Tensor]:
    """The source's tensors under our names (``nn.LSTM``'s names for the encoder: it loads
    them in either of its layouts), padded to ``size`` words."""
    extra = size - source.vocab_size
    embedding = _rows(source.embedding, extra, 0.0)
    state = {"embedding.weight": embedding}
    for k, layer in enumerate(source.layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            tensor = getattr(layer, name)
            if tensor is not None:
                state[f"encoder.lstm.{name}_l{k}"] = tensor.float()
    state["decoder.decoder.weight"] = (
        embedding if source.tied else _rows(source.decoder_weight, extra, 0.0)
    )
    bias = source.decoder_bias
    bias = torch.zeros(source.vocab_size) if bias is None else bias.float()
    state["decoder.decoder.bias"] = torch.cat([bias, torch.full((extra,), NEVER)])
    return state


def _rows(matrix: torch.Tensor, extra: int, value: float) -> torch.Tensor:
    matrix = matrix.float()
    return torch.cat([matrix, matrix.new_full((extra, matrix.shape[1]), value)])


def checkpoint_of(model: Any, record: dict[str, Any]) -> dict[str, Any]:
    """What ``lstm-nlp-train`` writes that the commands read (weights, settings, task,
    tokenizer), and ``record``: where it came from."""
    return {
        "state_dict": model.state_dict(),
        "hyper_parameters": dict(model.hparams),
        TASK_KEY: "language_model",
        "tokenizer_json": model.tokenizer_json,
        IMPORT_KEY: record,
    }
