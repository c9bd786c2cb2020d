"""The options of the built-in encoders (``encoder=NAME``), each registered with its module.

No torch here: the commands list, check and document these options without importing a model.
An encoder is built with its options as keyword arguments beside ``input_size`` (the task's
embedding size): ``LSTMEncoder(input_size, **options)``, as ``torch.nn.LSTM`` takes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.registry import ENCODERS
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.limits import MAX_LAYERS, MAX_WIDTH

UNIT = dict(ge=0.0, lt=1.0)  # a probability of dropping


@dataclass
class LSTMArguments(Options):
    """``torch.nn.LSTM``'s arguments (``input_size`` is the task's embedding size)."""

    hidden_size: int = option(200, ge=1, le=MAX_WIDTH, help="units per layer and direction")
    num_layers: int = option(2, ge=1, le=MAX_LAYERS, help="stacked LSTM layers")
    bias: bool = option(True, help="bias vectors b_ih and b_hh")
    batch_first: bool = option(False, help="tensors are (batch, seq, feature), not (seq, batch, …)")
    dropout: float = option(0.2, **UNIT, help="dropout between stacked layers (nn.LSTM's)")
    bidirectional: bool = option(False, help="also read each sequence backwards (concatenated)")


@ENCODERS.component("reference_lstm", "lstm_nlp.modules.reference_lstm:ReferenceLSTM")
@dataclass
class ReferenceLSTMOptions(LSTMArguments):
    """``encoder=reference_lstm``: the four LSTM steps written out in Python (slow; exposes the
    gates; same results and weights as nn.LSTM)."""


@ENCODERS.component("lstm", "lstm_nlp.modules.lstm_encoder:LSTMEncoder")
@dataclass
class LSTMEncoderOptions(LSTMArguments):
    """``encoder=lstm``: nn.LSTM's fused kernels plus the AWD-LSTM regularisers."""

    input_dropout: float = option(0.0, **UNIT, help="locked (variational) dropout on the input")
    hidden_dropout: float = option(0.0, **UNIT, help="locked dropout between layers (dropouth)")
    output_dropout: float = option(0.0, **UNIT, help="locked dropout on the output")
    weight_drop: float = option(0.0, **UNIT, help="DropConnect on hidden-to-hidden weights")
    last_layer_size: int | None = option(
        None,
        ge=1,
        help="units of the last layer (AWD-LSTM: the tied embedding size); null: hidden_size",
    )


@ENCODERS.component("mogrifier_lstm", "lstm_nlp.modules.mogrifier_lstm:MogrifierLSTM")
@dataclass
class MogrifierLSTMOptions(LSTMArguments):
    """``encoder=mogrifier_lstm``: input and state gate each other for ``rounds`` rounds before
    every LSTM step (Melis et al. 2020); a Python loop over time steps (slow), exposes the gates."""

    rounds: int = option(5, ge=0, help="rounds of mutual gating before each step (0: an LSTM)")
    rank: int = option(0, ge=0, help="factorise the gating matrices through this rank (0: full)")
