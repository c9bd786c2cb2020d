"""A language model's encoder read gate by gate: every gate, cell and hidden state of every token.

Any encoder that exposes its gates will do (:class:`~lstm_nlp.modules.encoder.ExposesGates`):
``encoder=lstm`` reads them through a :class:`ReferenceLSTM` holding its weights (weight drop is
inactive in eval mode), ``encoder=reference_lstm`` and ``encoder=mogrifier_lstm`` compute them
themselves.  An encoder without the capability is refused in one line.

A sentence ``w1 ... wn`` is read as the model read its training stream: ``<eos> w1 ... wn`` (the
leading ``<eos>`` ends the line before).  *State index* ``s`` is the state after reading token ``s``
of that sequence, so index 0 is the state after ``<eos>`` and the state after the prefix
``w1 ... wt`` (the one that predicts ``w(t+1)``) is index ``t``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.modules.encoder import GATE_NAMES, ExposesGates, HasLSTMWeights, require

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer


@dataclass
class Inspectable:
    """A language model in eval mode, its tokenizer, and the checkpoint it came from."""

    model: Any  # LanguageModel
    tokenizer: Any
    checkpoint: Path

    @property
    def encoder(self) -> Any:
        return self.model.encoder

    @property
    def num_layers(self) -> int:
        return self.encoder.num_layers

    @property
    def hidden_size(self) -> int:
        return self.encoder.hidden_size

    @property
    def device(self) -> torch.device:
        return self.model.embedding.weight.device

    def vocabulary(self) -> KnownWords:
        return KnownWords(self.tokenizer)

    def ids(self, words: Sequence[str]) -> list[int]:
        """One id per word (``<unk>``'s for unknown words)."""
        if not words:
            return []
        return list(
            self.tokenizer.encode(list(words), is_pretokenized=True, add_special_tokens=False).ids
        )

    def eos_id(self) -> int:
        from lstm_nlp.text.tokenizer import EOS

        return self.tokenizer.token_to_id(EOS)

    def unknown(self, words: Sequence[str]) -> list[str]:
        """The words outside the vocabulary (after the tokenizer's normalisation), each once, in
        order."""
        known = self.vocabulary()
        return list(dict.fromkeys(w for w in words if w not in known))


class KnownWords(frozenset):
    """The model's vocabulary; ``word in known`` first normalises ``word`` as the tokenizer does
    (a model trained with ``data.lowercase=true`` knows "The" as "the")."""

    def __new__(cls, tokenizer: Tokenizer) -> KnownWords:
        known = super().__new__(cls, tokenizer.get_vocab())
        known.normalizer = tokenizer.normalizer
        return known

    def __contains__(self, word: object) -> bool:
        if self.normalizer is not None and isinstance(word, str):
            word = self.normalizer.normalize_str(word)
        return super().__contains__(word)


def lstm_weights(encoder: Any) -> dict:
    """The encoder's weights under ``nn.LSTM``'s names (``weight_ih_l0``, ...)."""
    require(encoder, HasLSTMWeights, "lstm-nlp-inspect mode=units (it ablates units through them)")
    return dict(encoder.to_nn_lstm_state_dict())


def read_states(
    insp: Inspectable,
    sequences: Sequence[Sequence[int]],
    names: Sequence[str] | None = None,
    batch_size: int = 256,
) -> list[dict[str, torch.Tensor]]:
    """Per layer, ``{name: (steps, items, hidden)}`` for token-id sequences (zero past each one's
    end).

    ``names``: which of :data:`~lstm_nlp.modules.reference_lstm.GATE_NAMES` to keep (default all).
    The sequences are run in batches of ``batch_size`` through the embedding and the encoder.
    """
    import torch

    require(insp.encoder, ExposesGates, "lstm-nlp-inspect mode=gates, mode=probe and mode=units")
    names = tuple(names or GATE_NAMES)
    steps = max(len(s) for s in sequences)
    parts: list[list[dict[str, torch.Tensor]]] = []
    with torch.no_grad():
        for begin in range(0, len(sequences), batch_size):
            chunk = sequences[begin : begin + batch_size]
            tokens = torch.zeros(steps, len(chunk), dtype=torch.long, device=insp.device)
            for j, seq in enumerate(chunk):
                tokens[: len(seq), j] = torch.as_tensor(list(seq), dtype=torch.long)
            x = insp.model.embedding(tokens)
            _, _, gates = insp.encoder.forward_with_gates(x, lengths=[len(s) for s in chunk])
            parts.append([{n: layer[n] for n in names} for layer in gates])
    return [
        {n: torch.cat([p[k][n] for p in parts], dim=1) for n in names}
        for k in range(insp.num_layers)
    ]
