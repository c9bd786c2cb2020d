"""``precision=``: one option for every command that scores with a trained model (no torch
here)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.schema import Options, option

SCORING_PRECISIONS = ("32-true", "bf16-mixed")


@dataclass
class PrecisionOption(Options):
    """Numeric precision of scoring (the counterpart of ``trainer.precision``)."""

    precision: str = option(
        "32-true",
        choices=SCORING_PRECISIONS,
        help="bf16-mixed: the LSTM and output-layer products in bfloat16 (faster on CPUs with "
        "AVX512-BF16/AMX and on GPUs), log-softmax and sums in fp32",
    )
