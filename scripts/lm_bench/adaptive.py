"""Training speed of the adaptive softmax head vs the full softmax at a WikiText-103-sized
vocabulary.

Both models are ``nn.Embedding(V, emb) -> nn.LSTM(emb, hidden, layers) -> head``
with the same sizes and initial encoder weights; only the head differs:

* full:     ``LMHead(hidden, V)`` trained through ``LMHead.nll`` (the fused, chunk-free
            linear + cross-entropy) when it exists, else ``F.cross_entropy(LMHead(h), t)``;
* adaptive: ``AdaptiveHead(hidden, V, cutoffs, div_value)`` trained through ``.nll``.

One training step is forward + backward + a plain SGD update of every parameter
(the dense embedding gradient included, as in the LM task), on a bptt x batch
block of synthetic token ids drawn from a Zipf(s) law over ``[0, V)`` — so id order
is frequency order, as the project's tokenizer makes it.  Rounds alternate
full, adaptive, full, adaptive, ...; each round runs one untimed warm-up step then
``steps`` timed ones; the result is each side's median tokens/s and their ratio.

    OMP_NUM_THREADS=1 python scripts/lm_bench/adaptive.py
    cd scripts && OMP_NUM_THREADS=1 python -m lm_bench.adaptive --vocab 267735 --steps 4
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_nlp.modules import AdaptiveHead, LMHead, default_cutoffs

WIKITEXT103_VOCAB = 267_735


def zipf_tokens(
    vocab_size: int, shape: Sequence[int], exponent: float = 1.1, seed: int = 0
) -> Tensor:
    """Token ids with ``P(id = k) ∝ (k + 1) ** -exponent`` on ``[0, vocab_size)``."""
    gen = torch.Generator().manual_seed(seed)
    probs = torch.arange(1, vocab_size + 1, dtype=torch.float64).pow(-exponent)
    n = 1
    for s in shape:
        n *= s
    return torch.multinomial(probs / probs.sum(), n, replacement=True, generator=gen).view(*shape)


class _Model(nn.Module):
    def __init__(self, vocab: int, emb: int, hidden: int, layers: int, head: nn.Module) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, layers)
        self.head = head


def _loss_fn(model: _Model, full_loss: str) -> Callable[[Tensor, Tensor], Tensor]:
    def loss(inputs: Tensor, targets: Tensor) -> Tensor:
        hidden, _ = model.lstm(model.embedding(inputs))
        if full_loss == "cross_entropy":
            logits = model.head(hidden)
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return model.head.nll(hidden, targets)

    return loss


def _round(loss: Callable, params: list[Tensor], data: Tensor, steps: int, lr: float) -> float:
    """One warm-up step then ``steps`` timed ones; tokens per second of the timed ones."""
    opt = torch.optim.SGD(params, lr=lr)
    bptt = data.size(1) - 1

    def step(i: int) -> None:
        block = data[i % data.size(0)]
        opt.zero_grad(set_to_none=True)
        loss(block[:bptt], block[1:]).backward()
        opt.step()

    step(0)
    start = time.perf_counter()
    for i in range(1, steps + 1):
        step(i)
    elapsed = time.perf_counter() - start
    return steps * bptt * data.size(2) / elapsed


def adaptive_vs_full(
    vocab_size: int = WIKITEXT103_VOCAB,
    hidden: int = 256,
    embedding: int = 256,
    layers: int = 1,
    cutoffs: Sequence[int] | None = None,
    div_value: float = 4.0,
    bptt: int = 35,
    batch: int = 20,
    rounds: int = 3,
    steps: int = 4,
    threads: int = 1,
    zipf_exponent: float = 1.1,
    full_loss: str = "auto",
    lr: float = 0.1,
    seed: int = 0,
) -> dict:
    """Median training tokens/s of the full-softmax and adaptive-softmax models, and their ratio.

    ``full_loss``: ``"auto"`` (``LMHead.nll`` when the class has it, else cross_entropy),
    ``"nll"`` or ``"cross_entropy"`` (the plain logits + ``F.cross_entropy`` path).
    """
    if full_loss == "auto":
        full_loss = "nll" if hasattr(LMHead, "nll") else "cross_entropy"
    if full_loss not in ("nll", "cross_entropy"):
        raise ValueError(f"full_loss must be auto, nll or cross_entropy, got {full_loss!r}")
    cutoffs = list(cutoffs) if cutoffs is not None else default_cutoffs(vocab_size)
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        data = zipf_tokens(vocab_size, (steps + 1, bptt + 1, batch), zipf_exponent, seed)
        torch.manual_seed(seed)
        full = _Model(vocab_size, embedding, hidden, layers, LMHead(hidden, vocab_size))
        adaptive = _Model(
            vocab_size,
            embedding,
            hidden,
            layers,
            AdaptiveHead(hidden, vocab_size, cutoffs, div_value),
        )
        adaptive.embedding.load_state_dict(full.embedding.state_dict())
        adaptive.lstm.load_state_dict(full.lstm.state_dict())
        runs = {
            "full": (full, _loss_fn(full, full_loss)),
            "adaptive": (adaptive, _loss_fn(adaptive, "nll")),
        }
        speeds: dict[str, list[float]] = {"full": [], "adaptive": []}
        for _ in range(rounds):
            for name in ("full", "adaptive"):
                model, loss = runs[name]
                speeds[name].append(_round(loss, list(model.parameters()), data, steps, lr))
        in_shortlist = (data[:, 1:] < cutoffs[0]).float().mean().item()
        median = {k: statistics.median(v) for k, v in speeds.items()}
        return {
            "vocab_size": vocab_size,
            "embedding": embedding,
            "hidden": hidden,
            "layers": layers,
            "bptt": bptt,
            "batch": batch,
            "cutoffs": cutoffs,
            "div_value": div_value,
            "zipf_exponent": zipf_exponent,
            "target_share_in_shortlist": round(in_shortlist, 4),
            "full_loss": "LMHead.nll" if full_loss == "nll" else "F.cross_entropy(LMHead(h), t)",
            "params_full": sum(p.numel() for p in full.parameters()),
            "params_adaptive": sum(p.numel() for p in adaptive.parameters()),
            "rounds": rounds,
            "steps_per_round": steps,
            "threads": threads,
            "tokens_per_s_full": round(median["full"], 1),
            "tokens_per_s_adaptive": round(median["adaptive"], 1),
            "ratio": round(median["adaptive"] / median["full"], 2),
            "all_tokens_per_s": {k: [round(x, 1) for x in v] for k, v in speeds.items()},
            "torch": torch.__version__,
            "cpu": platform.processor() or platform.machine(),
        }
    finally:
        torch.set_num_threads(old_threads)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vocab", type=int, default=WIKITEXT103_VOCAB)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--embedding", type=int, default=256)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument(
        "--cutoffs", type=int, nargs="+", help="default: lstm_nlp.modules.default_cutoffs(vocab)"
    )
    parser.add_argument("--div-value", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--steps", type=int, default=4, help="timed steps per round (after one warm-up step)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--full-loss", default="auto", choices=["auto", "nll", "cross_entropy"])
    args = parser.parse_args()
    result = adaptive_vs_full(
        vocab_size=args.vocab,
        hidden=args.hidden,
        embedding=args.embedding,
        layers=args.layers,
        cutoffs=args.cutoffs,
        div_value=args.div_value,
        rounds=args.rounds,
        steps=args.steps,
        threads=args.threads,
        full_loss=args.full_loss,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
