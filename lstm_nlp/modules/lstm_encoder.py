"""``LSTMEncoder``: ``nn.LSTM`` plus the AWD-LSTM regularisers, on the fused kernel.

Weight layout (state_dict keys, relative to the encoder):

* ``hidden_dropout == 0``: ``lstm.weight_ih_l0``, ... : ``self.lstm`` is one
  ``nn.LSTM`` with ``num_layers`` layers; strip ``lstm.`` to get nn.LSTM names.
* ``hidden_dropout > 0``: ``lstms.{k}.weight_ih_l0[_reverse]``, ... : one
  single-layer ``nn.LSTM`` per layer (so locked dropout can act between layers);
  layer ``k``'s ``*_l0*`` weights are nn.LSTM's ``*_l{k}*``.

Either way :meth:`LSTMEncoder.to_nn_lstm_state_dict` gives the nn.LSTM names, which
``nn.LSTM`` and :class:`~lstm_nlp.modules.reference_lstm.ReferenceLSTM` load
directly, and :meth:`LSTMEncoder.load_nn_lstm_state_dict` loads such weights back.
``load_state_dict`` also accepts a checkpoint saved with the other layout.

``last_layer_size`` (AWD-LSTM's model.py: the last layer is as wide as the tied embedding)
gives the last layer its own width, so one single-layer ``nn.LSTM`` per layer.  The state
stays one ``(num_layers * num_directions, batch, width)`` tensor per name, ``width`` the wider
of the two sizes: each layer's state in its first units, zeros beyond (a task carries and feeds
it back unchanged).  Such layers are no ``nn.LSTM``: the nn.LSTM views refuse them in one line.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.arguments import check_size
from lstm_nlp.modules.dropout import LockedDropout
from lstm_nlp.modules.reference_lstm import ReferenceLSTM
from lstm_nlp.modules.weight_drop import weight_drop_forward

if TYPE_CHECKING:
    from torch.nn.modules.module import _IncompatibleKeys

_NN_NAME = re.compile(r"^(weight|bias)_(ih|hh)_l(\d+)(_reverse)?$")
_PER_LAYER_NAME = re.compile(r"^(\d+)\.(weight|bias)_(ih|hh)_l0(_reverse)?$")


def _to_per_layer(name: str) -> str | None:
    """``weight_ih_l2_reverse`` -> ``2.weight_ih_l0_reverse`` (None if not an LSTM weight)."""
    match = _NN_NAME.match(name)
    return match and f"{match[3]}.{match[1]}_{match[2]}_l0{match[4] or ''}"


def _to_nn_name(name: str) -> str | None:
    """``2.weight_ih_l0_reverse`` -> ``weight_ih_l2_reverse`` (None if not an LSTM weight)."""
    match = _PER_LAYER_NAME.match(name)
    return match and f"{match[2]}_{match[3]}_l{match[1]}{match[4] or ''}"


def _accept_other_layout(module: LSTMEncoder, state_dict: dict, prefix: str, *_unused) -> None:
    """load_state_dict pre-hook: rename keys saved with the other weight layout."""
    old, new, rename = (
        ("lstm.", "lstms.", _to_per_layer) if module.per_layer else ("lstms.", "lstm.", _to_nn_name)
    )
    for key in [k for k in state_dict if k.startswith(prefix + old)]:
        renamed = rename(key[len(prefix + old) :])
        if renamed:
            state_dict[prefix + new + renamed] = state_dict.pop(key)


def _map_data(
    x: Tensor | PackedSequence, fn: Callable[[Tensor], Tensor]
) -> Tensor | PackedSequence:
    """Apply an elementwise ``fn`` to a tensor or to a PackedSequence's data."""
    return x._replace(data=fn(x.data)) if isinstance(x, PackedSequence) else fn(x)


class LSTMEncoder(nn.Module):
    """A (bi)LSTM encoder with the regularisers of AWD-LSTM (Merity et al. 2017).

    Arguments and shapes follow ``torch.nn.LSTM``; ``forward(x, hx=None,
    lengths=None)`` returns ``(output, (h_n, c_n))``.  ``lengths`` (a list or
    tensor, one per sequence, any order) packs the batch: the output is padded
    back to ``x``'s length with zeros and ``h_n``/``c_n`` are each sequence's last
    real state.

    Regularisers, all off at 0 and all inactive in eval mode:
    ``dropout`` nn.LSTM's dropout between layers; ``input_dropout`` /
    ``output_dropout`` locked dropout on the encoder's input / output;
    ``hidden_dropout`` locked dropout between layers (switches to one
    single-layer nn.LSTM per layer, see the module docstring); ``weight_drop``
    DropConnect on the hidden-to-hidden weights.  Every layer always runs the fused
    LSTM kernel.  ``last_layer_size`` (None: ``hidden_size``) is the last layer's width and
    so :meth:`get_output_dim`; the state's shape is in the module docstring.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        input_dropout: float = 0.0,
        hidden_dropout: float = 0.0,
        output_dropout: float = 0.0,
        weight_drop: float = 0.0,
        last_layer_size: int | None = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        last = (
            hidden_size
            if last_layer_size is None
            else check_size(last_layer_size, "last_layer_size")
        )
        self.layer_sizes = (hidden_size,) * (num_layers - 1) + (last,)
        self.state_size = max(self.layer_sizes)  # the width of the state tensors
        self.batch_first, self.bidirectional = batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        self.dropout, self.weight_drop = float(dropout), float(weight_drop)
        self.input_drop = LockedDropout(input_dropout, batch_first)
        self.hidden_drop = LockedDropout(hidden_dropout, batch_first)
        self.output_drop = LockedDropout(output_dropout, batch_first)
        self.per_layer = hidden_dropout > 0 or last != hidden_size
        if self.per_layer:
            sizes = [input_size] + [n * self.num_directions for n in self.layer_sizes[:-1]]
            self.lstms = nn.ModuleList(
                nn.LSTM(n, m, 1, bias, batch_first, 0.0, bidirectional)
                for n, m in zip(sizes, self.layer_sizes, strict=True)
            )
        else:  # one layer has nothing between layers: dropout would only make nn.LSTM warn
            between = dropout if num_layers > 1 else 0.0
            self.lstm = nn.LSTM(
                input_size, hidden_size, num_layers, bias, batch_first, between, bidirectional
            )
        self.register_load_state_dict_pre_hook(_accept_other_layout)

    def get_input_dim(self) -> int:
        return self.input_size

    state_layout = ("h", "c")

    def get_output_dim(self) -> int:
        return self.layer_sizes[-1] * self.num_directions

    def _require_uniform(self, what: str) -> None:
        if len(set(self.layer_sizes)) > 1:
            raise ConfigError(
                f"{what} needs layers of one size; this encoder's last layer has "
                f"{self.layer_sizes[-1]} units, the others {self.hidden_size} (last_layer_size)"
            )

    def as_reference(self) -> ReferenceLSTM:
        """A :class:`ReferenceLSTM` (eval mode) holding a copy of these weights: the same results
        as this encoder in eval mode, gate by gate."""
        self._require_uniform("the reference LSTM (gates)")
        weights = self.to_nn_lstm_state_dict()
        lstm = ReferenceLSTM(
            self.input_size,
            self.hidden_size,
            self.num_layers,
            bias="bias_ih_l0" in weights,
            batch_first=self.batch_first,
            bidirectional=self.bidirectional,
        )
        lstm.load_state_dict({k: v.detach().clone() for k, v in weights.items()})
        return lstm.to(next(iter(weights.values()))).eval()  # their device and dtype

    def forward_with_gates(
        self, x: Tensor, lengths: Tensor | Sequence[int] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor], list[dict[str, Tensor]]]:
        """``(output, (h_n, c_n), gates)`` as in eval mode, read through :meth:`as_reference`."""
        return self.as_reference().forward_with_gates(x, lengths=lengths)

    def forward(
        self,
        x: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,
        lengths: Tensor | Sequence[int] | None = None,
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        x = self.input_drop(x)
        if lengths is None:
            output, state = self._run_layers(x, hx)
            return self.output_drop(output), state
        lengths = torch.as_tensor(lengths, dtype=torch.int64).cpu()
        packed = pack_padded_sequence(x, lengths, self.batch_first, enforce_sorted=False)
        output, state = self._run_layers(packed, hx)
        total = x.size(1 if self.batch_first else 0)
        output, _ = pad_packed_sequence(output, self.batch_first, total_length=total)
        return self.output_drop(output), state

    def _run(
        self, lstm: nn.LSTM, x: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor | PackedSequence, tuple[Tensor, Tensor]]:
        return weight_drop_forward(lstm, x, hx, self.weight_drop, self.training)

    def _run_layers(
        self, x: Tensor | PackedSequence, hx: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor | PackedSequence, tuple[Tensor, Tensor]]:
        """Run every layer (fused) on a padded tensor or a PackedSequence."""
        if not self.per_layer:
            return self._run(self.lstm, x, hx)
        h_n, c_n, d = [], [], self.num_directions
        for k, (lstm, size) in enumerate(zip(self.lstms, self.layer_sizes, strict=True)):
            if k > 0:
                x = self.hidden_drop(
                    _map_data(x, lambda t: F.dropout(t, self.dropout, self.training))
                )
            layer_hx = None
            if hx is not None:  # this layer's rows, and its units of a wider state
                layer_hx = tuple(t[k * d : (k + 1) * d, :, :size].contiguous() for t in hx)
            x, (h, c) = self._run(lstm, x, layer_hx)
            pad = (0, self.state_size - size)  # zeros beyond a narrower layer's units
            h_n.append(F.pad(h, pad) if pad[1] else h)
            c_n.append(F.pad(c, pad) if pad[1] else c)
        return x, (torch.cat(h_n), torch.cat(c_n))

    def to_nn_lstm_state_dict(self) -> OrderedDict[str, Tensor]:
        """The weights under ``nn.LSTM``'s names (``weight_ih_l0``, ...), for either layout.

        Load them with ``nn.LSTM(...).load_state_dict(...)`` or
        ``ReferenceLSTM(...).load_state_dict(...)`` built with the same sizes.
        """
        self._require_uniform("nn.LSTM's weight layout")
        if not self.per_layer:
            return self.lstm.state_dict()
        return OrderedDict(
            (_to_nn_name(key), value) for key, value in self.lstms.state_dict().items()
        )

    def load_nn_lstm_state_dict(
        self, state_dict: dict[str, Tensor], strict: bool = True
    ) -> _IncompatibleKeys:
        """Load weights named as in ``nn.LSTM`` (e.g. ``nn_lstm.state_dict()``)."""
        if not self.per_layer:
            return self.lstm.load_state_dict(state_dict, strict)
        renamed = {_to_per_layer(key) or key: value for key, value in state_dict.items()}
        return self.lstms.load_state_dict(renamed, strict)
