"""The encoder contract: what a task may rely on in any ``encoder=NAME``, and what some offer more.

Every registered encoder satisfies :class:`Encoder` (``tests/test_contracts.py`` checks each one,
plugins' included).  Capabilities beyond it are protocols of their own, and code that needs one
asks for it by capability, never by class: ``lstm-nlp-inspect`` reads gates from any encoder that
:class:`ExposesGates`, and ablates units of any encoder that :class:`HasLSTMWeights`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from lstm_nlp.errors import DataError

if TYPE_CHECKING:
    from torch import Tensor

GATE_NAMES = ("forget", "input", "candidate", "output", "cell", "hidden")


@runtime_checkable
class Encoder(Protocol):
    """An ``nn.Module`` with ``torch.nn.LSTM``'s sizes, shapes and state layout.

    * ``forward(x, hx=None, lengths=None) -> (output, state)``: ``x`` is ``(seq, batch,
      input_size)`` (``(batch, seq, input_size)`` when ``batch_first``); ``output`` has
      :meth:`get_output_dim` features at every position; ``lengths`` (one per sequence) packs the
      batch: outputs past a sequence's end are zero and the state is its last real one.
    * ``state`` (and ``hx``): one tensor per name in ``state_layout`` (``("h", "c")`` for an
      LSTM: a tuple), each ``(num_layers * num_directions, batch, hidden_size)``.
    """

    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    batch_first: bool
    state_layout: tuple[str, ...]

    def get_output_dim(self) -> int: ...

    def forward(self, x: Tensor, hx: Any = None, lengths: Any = None) -> tuple[Tensor, Any]: ...


@runtime_checkable
class ExposesGates(Protocol):
    """An encoder whose gates can be read: per layer (and direction, forward first), the
    :data:`GATE_NAMES` tensors ``(seq, batch, hidden_size)`` of every step, in eval mode."""

    def forward_with_gates(
        self, x: Tensor, lengths: Any = None
    ) -> tuple[Tensor, Any, list[dict[str, Tensor]]]: ...


@runtime_checkable
class HasLSTMWeights(Protocol):
    """An encoder whose weights are ``nn.LSTM``'s (``weight_ih_l0``, ... with gate rows i, f, g,
    o): a unit can be cut out of it by zeroing its rows and columns."""

    def to_nn_lstm_state_dict(self) -> dict[str, Tensor]: ...


def require(encoder: Any, capability: type, needed_by: str) -> None:
    """A one-line :class:`DataError` when ``encoder`` lacks ``capability``."""
    if not isinstance(encoder, capability):
        what = {ExposesGates: "expose its gates", HasLSTMWeights: "have nn.LSTM's weights"}
        raise DataError(
            f"the model's encoder ({type(encoder).__name__}) does not "
            f"{what.get(capability, capability.__name__)}, which {needed_by} needs"
        )
