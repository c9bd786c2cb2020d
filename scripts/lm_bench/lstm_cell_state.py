"""A 650-unit LSTM layer's error against fp32 after 35 steps when oneDNN runs it in bf16, with
the cell state passed in bf16 (what autocast does) or in fp32 (docs/benchmarks.md, the 2x650
quality paragraph). Random weights, forget bias +3 (long memory, as trained LMs have).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/lm_bench/lstm_cell_state.py
"""

from __future__ import annotations

import torch


def main() -> None:
    torch.manual_seed(0)
    size, steps, batch = 650, 35, 20
    lstm = torch.nn.LSTM(size, size, 1)
    with torch.no_grad():
        lstm.bias_hh_l0[size : 2 * size] += 3.0
    x = torch.randn(steps, batch, size) * 0.5
    h0, c0 = torch.zeros(1, batch, size), torch.randn(1, batch, size) * 2
    with torch.no_grad():
        y32, (_, c32) = lstm(x, (h0, c0))
    w = [p.bfloat16() for p in lstm._flat_weights]

    def layer(cx: torch.Tensor) -> tuple[torch.Tensor, ...]:
        args = (x.bfloat16(), *w, h0.bfloat16()[0], cx, False, [], 2, size, 1, True)
        return torch.mkldnn_rnn_layer(*args, False, False, False)[:3]

    def error(a: torch.Tensor, b: torch.Tensor) -> float:
        return float((a.float() - b).norm() / b.norm())

    for name, cx in (("bf16", c0[0].bfloat16()), ("fp32", c0[0])):
        y, _, c = layer(cx)
        print(f"cell state in {name}: output {error(y, y32):.2%}, cell {error(c, c32[0]):.2%}")


if __name__ == "__main__":
    main()
