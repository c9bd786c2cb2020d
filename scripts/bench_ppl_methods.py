"""Test perplexity of a small LM plain, with the neural cache pointer and with dynamic
evaluation, each method's hyper-parameters chosen on the validation split.

Trains the LM first (lstm-nlp-train, unless RUN_DIR already holds a checkpoint), then runs
`lstm-nlp-ppl` once per method and prints every command it ran and a Markdown table:

    OMP_NUM_THREADS=1 nice python scripts/bench_ppl_methods.py --data wikitext2 \
        --run-dir runs/ppl_wt2 --train-batches 1000
    OMP_NUM_THREADS=1 nice python scripts/bench_ppl_methods.py --data grammar \
        --run-dir runs/ppl_grammar --epochs 2

The model is lstm-nlp's default LM (pytorch/examples' recipe: 2x200 LSTM, embeddings 200,
dropout 0.2, SGD lr 20, batch 20, bptt 35); --hidden/--layers shrink it.  Each method runs as
a separate command (results in RUN_DIR/ppl/METHOD/results.json); --methods picks some.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

WIKITEXT2 = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wikitext-2"
BIN = Path(sys.executable).parent


def run(argv: list[str]) -> float:
    """Run a command (printed first), its output passed through; the wall time."""
    print("$ " + " ".join(shlex.quote(a) for a in argv), flush=True)
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env)
    return time.perf_counter() - start


def has_checkpoint(run_dir: Path) -> bool:
    return any((run_dir / "checkpoints" / n).is_file() for n in ("best.ckpt", "last.ckpt"))


def train(args: argparse.Namespace) -> float:
    data = (
        ["data=text", f"data.path={args.corpus}"]
        if args.data == "wikitext2"
        else ["data=grammar", *args.grammar]
    )
    limit = [f"trainer.limit_train_batches={args.train_batches}"] if args.train_batches else []
    return run(
        [
            str(BIN / "lstm-nlp-train"),
            *data,
            f"encoder.hidden_size={args.hidden}",
            f"encoder.num_layers={args.layers}",
            f"task.embedding_dim={args.hidden}",
            f"trainer.max_epochs={args.epochs}",
            *limit,
            "trainer.enable_progress_bar=false",
            f"run_dir={args.run_dir}",
        ]
    )


def test_text(args: argparse.Namespace) -> str:
    """WikiText-2's test file, or the test split of the run's own (grammar) corpus."""
    return f"path={Path(args.corpus) / 'test.txt'}" if args.data == "wikitext2" else "split=test"


def method_args(method: str, args: argparse.Namespace) -> list[str]:
    if method == "cache":
        return [f"cache.window={args.cache_window}", "cache.search=true"]
    if method == "dynamic":
        return [
            f"dynamic.method={args.dynamic_method}",
            "dynamic.search=true",
            f"dynamic.search_tokens={args.search_tokens}",
            f"dynamic.stats_batch_size={args.stats_batch_size}",
            f"dynamic.stats_batches={args.stats_batches}",
            f"batch_size={args.dynamic_batch_size}",
            f"bptt={args.dynamic_bptt}",
            *args.dynamic,
        ]
    return []


def chosen(results: dict, method: str) -> str:
    if method == "cache":
        c = results["cache"]
        return f"window {c['window']}, theta {c['theta']:g}, lambdah {c['lambdah']:g}"
    if method == "dynamic":
        d = results["dynamic"]
        return (
            f"{d['method']}, lr {d['lr']:g}, lamb {d['lamb']:g}, "
            f"batch_size {results['batch_size']}, bptt {results['bptt']}"
        )
    return f"batch_size {results['batch_size']}, bptt {results['bptt']}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", choices=("wikitext2", "grammar"), required=True)
    parser.add_argument("--corpus", default=str(WIKITEXT2), help="the WikiText-2 folder")
    parser.add_argument("--grammar", nargs="*", default=[], help="data.KEY=VALUE for grammar")
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-batches", type=int, default=None, help="per epoch; all: none")
    parser.add_argument("--methods", default="plain,cache,dynamic")
    parser.add_argument("--cache-window", type=int, default=500)
    parser.add_argument("--dynamic-method", choices=("sgd", "rms"), default="rms")
    parser.add_argument("--dynamic-batch-size", type=int, default=10)
    parser.add_argument("--dynamic-bptt", type=int, default=20)
    parser.add_argument("--search-tokens", type=int, default=30000)
    parser.add_argument("--stats-batch-size", type=int, default=20)
    parser.add_argument("--stats-batches", type=int, default=300)
    parser.add_argument("--dynamic", nargs="*", default=[], help="more dynamic.KEY=VALUE")
    parser.add_argument("--json", type=Path, help="write the rows here too")
    args = parser.parse_args()

    train_seconds = None if has_checkpoint(args.run_dir) else train(args)
    test = test_text(args)
    rows = []
    for method in args.methods.split(","):
        out = args.run_dir / "ppl" / method
        argv = [
            str(BIN / "lstm-nlp-ppl"),
            f"checkpoint={args.run_dir}",
            test,
            *method_args(method, args),
            f"out={out}",
        ]
        seconds = run(argv)
        results = json.loads((out / "results.json").read_text())
        total = results["total"]
        rows.append(
            {
                "method": method,
                "ppl": total["ppl"],
                "model_ppl": total.get("model_ppl", total["ppl"]),
                "chosen": chosen(results, method),
                "seconds": seconds,
                "command": " ".join(a if a != argv[0] else "lstm-nlp-ppl" for a in argv),
            }
        )
    print(f"\n{args.data}: {args.run_dir} (training: {train_seconds or 0:.0f} s)")
    print("| method | test ppl | model alone | change | chosen on valid | seconds |")
    print("|---|---:|---:|---:|---|---:|")
    for r in rows:
        change = r["ppl"] / r["model_ppl"] - 1
        print(
            f"| {r['method']} | {r['ppl']:.2f} | {r['model_ppl']:.2f} | {change:+.1%} | "
            f"{r['chosen']} | {r['seconds']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
