"""Fresh against reused memory for the step's big matrices at WikiText-2 2x650 (33,279 x 650):
the decoder weight's bf16 copy, the weight gradient's product and its fp32 copy, the
embedding's zero gradient (docs/benchmarks.md, "The big gradients in reused memory").

    OMP_NUM_THREADS=1 .venv/bin/python scripts/lm_bench/big_buffers.py
"""

from __future__ import annotations

import time

import torch


def median_ms(fn, n: int = 7) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        del out
    return round(sorted(times)[n // 2] * 1e3, 1)


def main() -> None:
    torch.set_num_threads(1)
    vocab, dim, rows = 33279, 650, 700
    weight = torch.randn(vocab, dim)
    grad = torch.randn(rows, vocab).bfloat16()
    hidden = torch.randn(rows, dim).bfloat16()
    low = torch.empty(vocab, dim, dtype=torch.bfloat16)
    full = torch.empty(vocab, dim)
    product = torch.mm(grad.t(), hidden)
    rows_ = [
        ("weight to bf16", lambda: weight.to(torch.bfloat16), lambda: low.copy_(weight)),
        (
            "gradient product (bf16)",
            lambda: torch.mm(grad.t(), hidden),
            lambda: torch.mm(grad.t(), hidden, out=low),
        ),
        (
            "gradient to fp32, scaled",
            lambda: torch.mul(product, 0.5, out=torch.empty(vocab, dim)),
            lambda: full.copy_(product).mul_(0.5),
        ),
        ("zero gradient", lambda: torch.zeros(vocab, dim), lambda: full.zero_()),
    ]
    for name, fresh, reused in rows_:
        print(f"{name}: fresh {median_ms(fresh)} ms, reused {median_ms(reused)} ms")


if __name__ == "__main__":
    main()
