"""Minimal-pair scoring speed (pairs/s) on one CPU thread.

Default: an untrained 2x200 LSTM language model over a 3,500-word vocabulary (the
`make train` model's size) and synthetic BLiMP-length pairs (5-10 words, one word
swapped).  Or a real checkpoint and pairs file:

    OMP_NUM_THREADS=1 python scripts/bench_eval.py
    OMP_NUM_THREADS=1 python scripts/bench_eval.py --state stream --pairs 1000
    OMP_NUM_THREADS=1 python scripts/bench_eval.py --checkpoint RUN_DIR --pairs-file suite.jsonl
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter

import torch

from lstm_nlp.evaluation.pairs import PairItem, read_pairs
from lstm_nlp.evaluation.scoring import PairScorer, ScoringOptions


def synthetic_model(vocab: int, hidden: int, layers: int):
    from lstm_nlp.tasks.language_model import LanguageModel
    from lstm_nlp.text.tokenizer import build_tokenizer

    tok = build_tokenizer(Counter({f"w{i}": vocab - i for i in range(vocab - 3)}))
    encoder = {"name": "lstm", "hidden_size": hidden, "num_layers": layers, "dropout": 0.2}
    model = LanguageModel(
        tok.get_vocab_size(), encoder, {"name": "sgd", "lr": 20.0}, embedding_dim=hidden
    )
    return model.eval(), tok


def synthetic_pairs(n: int, vocab: int, seed: int = 0) -> list[PairItem]:
    rng = random.Random(seed)
    items = []
    for _ in range(n):
        words = [f"w{rng.randrange(vocab - 3)}" for _ in range(rng.randint(5, 10))]
        bad = list(words)
        bad[rng.randrange(len(bad))] = f"w{rng.randrange(vocab - 3)}"
        items.append(PairItem(" ".join(words), " ".join(bad) + (" w0" if bad == words else "")))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=5000, help="synthetic pairs")
    parser.add_argument("--vocab", type=int, default=3500)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument(
        "--checkpoint", help="a real checkpoint or run directory instead of the synthetic model"
    )
    parser.add_argument(
        "--pairs-file", help="a real pairs file or folder instead of synthetic pairs"
    )
    parser.add_argument("--state", default="reset", choices=["reset", "stream", "warmup"])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.checkpoint:
        from lstm_nlp.tasks.checked_load import load_language_model

        model, tok = load_language_model(args.checkpoint)
    else:
        model, tok = synthetic_model(args.vocab, args.hidden, args.layers)
    items = (
        read_pairs(args.pairs_file) if args.pairs_file else synthetic_pairs(args.pairs, args.vocab)
    )
    warmup = "w1 w2 w3 w4 w5" if args.state == "warmup" else None
    scorer = PairScorer(
        model,
        tok,
        ScoringOptions(
            state=args.state, batch_size=args.batch_size, warmup_text=warmup, oov="include"
        ),
    )
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        scores = scorer.score(items)
        rates.append(sum(s.excluded is None for s in scores) / (time.perf_counter() - start))
    print(
        f"state={args.state} items={len(items)} threads={args.threads} "
        f"vocab={tok.get_vocab_size()} | pairs/s median {statistics.median(rates):,.0f} (best "
        f"{max(rates):,.0f}, worst {min(rates):,.0f})"
    )


if __name__ == "__main__":
    main()
