"""bf16 autocast for scoring, and whether this machine can run it.

``precision=bf16-mixed`` on ``lstm-nlp-eval`` and ``lstm-nlp-ppl`` is the training flag's
counterpart: the LSTM and the output layer's matrix products in bfloat16 (fp32 accumulation in
oneDNN on CPUs, cuDNN/cuBLAS on GPUs), the log-softmax and every sum of log-probabilities in
fp32. Where a CPU lacks bf16 matrix instructions it would be slower than fp32, so scoring stays
fp32 and one line says so.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any


def cpu_has_bf16() -> bool:
    """AVX512-BF16 or AMX: oneDNN runs bf16 products faster than fp32 ones."""
    import torch

    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def bf16_fallback_line(flag: str, what: str) -> str:
    return (
        f"lstm-nlp: {flag}: this CPU has no bf16 matrix instructions (AVX512-BF16 or AMX); "
        f"{what} in fp32 (32-true)"
    )


@contextlib.contextmanager
def scoring_precision(precision: str, device: Any, flag: str = "precision") -> Iterator[bool]:
    """Autocast to bfloat16 on ``device`` for ``bf16-mixed`` (yields whether it is on); fp32
    otherwise, and for bf16 on a CPU without bf16 instructions (one line on stderr)."""
    import torch

    device = torch.device(device)
    wanted = str(precision).startswith("bf16")
    if wanted and device.type == "cpu" and not cpu_has_bf16():
        print(bf16_fallback_line(f"{flag}={precision}", "scoring"), file=sys.stderr, flush=True)
        wanted = False
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=wanted):
        yield wanted
