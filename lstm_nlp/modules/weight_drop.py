"""DropConnect on an ``nn.LSTM``'s hidden-to-hidden weights (AWD-LSTM's "WeightDrop").

The LSTM keeps its real parameters (so its state_dict is unchanged); for one
forward call each ``weight_hh_l{k}[_reverse]`` is swapped for ``F.dropout(w, p)``
with :func:`torch.func.functional_call`.  ``nn.LSTM.forward`` then hands the
substituted weights to the same fused kernel as always (``torch._VF.lstm``: oneDNN
on CPU, cuDNN on GPU), for padded and packed input alike; there is no Python loop
over time steps.  Gradients flow through the dropout into the raw weights.  The
mask is drawn once per call, so it is shared by every time step and every
sequence of the batch, as in Merity et al. (2017).
"""

from __future__ import annotations

import warnings

import torch.nn.functional as F
from torch import Tensor, nn
from torch.func import functional_call
from torch.nn.utils.rnn import PackedSequence

from lstm_nlp.modules.arguments import check_probability

# cuDNN warns when weights are not one flat buffer; with fresh masked weights every
# call they never are, and the copy it warns about is what DropConnect needs.
_CUDNN_LAYOUT_WARNING = "RNN module weights are not part of single contiguous chunk"

LSTMInput = Tensor | PackedSequence
LSTMState = tuple[Tensor, Tensor]


def hidden_weight_names(lstm: nn.LSTM) -> list[str]:
    """The names of ``lstm``'s hidden-to-hidden weights: ``weight_hh_l0``, ...."""
    return [
        name for name, _ in lstm.named_parameters(recurse=False) if name.startswith("weight_hh_l")
    ]


def weight_drop_forward(
    lstm: nn.LSTM,
    input: LSTMInput,
    hx: LSTMState | None = None,
    p: float = 0.0,
    training: bool = True,
) -> tuple[LSTMInput, LSTMState]:
    """``lstm(input, hx)`` with DropConnect rate ``p`` on the hidden-to-hidden weights.

    Plain ``lstm(input, hx)`` when not ``training`` or ``p == 0``.
    """
    p = check_probability(p, "weight_drop")
    if not training or p == 0.0:
        return lstm(input, hx)
    dropped = {
        name: F.dropout(getattr(lstm, name), p, training=True) for name in hidden_weight_names(lstm)
    }
    if not lstm.weight_hh_l0.is_cuda:
        return functional_call(lstm, dropped, (input, hx))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_CUDNN_LAYOUT_WARNING)
        return functional_call(lstm, dropped, (input, hx))
