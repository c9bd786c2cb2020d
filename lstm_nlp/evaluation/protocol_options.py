"""The scoring options a protocol sets and the command line may override: one dataclass for
``lstm-nlp-eval`` and the training-time learning curve ``agreement=eval`` (no torch here)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.protocols import PROTOCOLS
from lstm_nlp.evaluation.scoring import OOV_POLICIES, SCORES, STATES
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.limits import MAX_BATCH

PROTOCOL = "null: the protocol's"


@dataclass
class ProtocolOptions(Options):
    """How a test set is scored: a protocol (the paper's way), every part of it overridable."""

    protocol: str | None = option(
        None, choices=tuple(PROTOCOLS), help="how items are scored; null: the source's paper's"
    )
    score: str | None = option(
        None, choices=SCORES, help=f"sum: whole log-probability | mean: per token ({PROTOCOL})"
    )
    state: str | None = option(
        None,
        choices=STATES,
        help="reset: every item from zeros | stream: the set in order as one text | warmup: "
        f"every item after the warm-up text ({PROTOCOL})",
    )
    final_eos: bool | None = option(None, help=f"include log P(<eos> | sentence) ({PROTOCOL})")
    suffix: str | None = option(None, help=f"words appended to each sentence ({PROTOCOL})")
    lowercase: bool | None = option(None, help=f"lowercase the text first ({PROTOCOL})")
    split_punctuation: bool | None = option(
        None, help=f'split punctuation off words: "themselves." -> "themselves ." ({PROTOCOL})'
    )
    oov: str | None = option(
        None,
        choices=OOV_POLICIES,
        help="exclude: skip items whose compared words are unknown | exclude_any: items with "
        f"any unknown word | include: score them with <unk> ({PROTOCOL})",
    )
    warmup_text: str | None = option(None, help="state=warmup: the text read before each item")
    warmup_file: str | None = option(None, help="state=warmup: a UTF-8 file of warm-up text")
    batch_size: int = option(128, ge=1, le=MAX_BATCH, help="items per forward call")

    def check(self) -> None:
        given = [k for k in ("warmup_text", "warmup_file") if getattr(self, k) is not None]
        if len(given) == 2:
            raise ConfigError("give warmup_text or warmup_file, not both")
        protocol = PROTOCOLS.get(self.protocol or "")
        if self.state == "warmup" and not given and protocol and not protocol.warmup_text:
            raise ConfigError(
                "state=warmup needs warmup_text=TEXT or warmup_file=FILE "
                f"(protocol={protocol.name} has no warm-up text of its own)"
            )
        if self.state not in (None, "warmup") and given:
            raise ConfigError(
                f"{given[0]} is only used with state=warmup (state is {self.state!r})"
            )
