"""Scoring in bf16 against fp32 on the same trained model: speed, flipped decisions, perplexity.

Loads a checkpoint written by ``lstm-nlp-train``, then alternates fp32 and bf16-mixed rounds
(``precision=32-true`` / ``bf16-mixed`` of ``lstm-nlp-eval`` and ``lstm-nlp-ppl``, through
the same library functions the commands call): the minimal-pair set at ``--path`` (any source
``lstm-nlp-eval`` reads) and, with ``--text``, the perplexity of a text file.  Prints the median
items/s and tokens/s of each side, their ratio, the pairs whose decision differs (flips) and the
relative difference of the perplexities.

    OMP_NUM_THREADS=1 python scripts/bench_precision.py --checkpoint RUN_DIR --path SUITES \
        --text CORPUS/test.txt
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from lstm_nlp.evaluation.evaluate import evaluate_set
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.perplexity.options import PplOptions
from lstm_nlp.perplexity.run import evaluate as perplexity
from lstm_nlp.tasks.checked_load import load_language_model
from lstm_nlp.text.checkpoint_file import resolve_checkpoint

PRECISIONS = ("32-true", "bf16-mixed")


def pair_round(model, tokenizer, checkpoint: Path, path: Path, precision: str):
    options = EvalOptions(checkpoint=str(checkpoint), path=str(path), precision=precision)
    start = time.perf_counter()
    done = evaluate_set(options, {"name": "auto"}, path, model, tokenizer)
    seconds = time.perf_counter() - start
    decisions = [s.correct for s in done.scores]
    return sum(d is not None for d in decisions) / seconds, decisions


def ppl_round(model, tokenizer, checkpoint: Path, text: Path, precision: str):
    options = PplOptions(checkpoint=str(checkpoint), path=str(text), precision=precision)
    record = perplexity(options, model, tokenizer, checkpoint)
    total = record["total"]
    return total["tokens"] / record["seconds"], total["ppl"]


def compare(args: argparse.Namespace) -> dict:
    checkpoint = resolve_checkpoint(str(args.checkpoint))
    model, tokenizer = load_language_model(checkpoint)
    rates = {p: [] for p in PRECISIONS}
    ppl_rates = {p: [] for p in PRECISIONS}
    decisions, ppls = {}, {}
    for _ in range(args.rounds):
        for precision in PRECISIONS:
            rate, decisions[precision] = pair_round(
                model, tokenizer, checkpoint, args.path, precision
            )
            rates[precision].append(rate)
            if args.text:
                rate, ppls[precision] = ppl_round(
                    model, tokenizer, checkpoint, args.text, precision
                )
                ppl_rates[precision].append(rate)
    fp32, bf16 = decisions["32-true"], decisions["bf16-mixed"]
    result = {
        "checkpoint": str(checkpoint),
        "items": len(fp32),
        "items_per_s": {p: statistics.median(v) for p, v in rates.items()},
        "flips": sum(a != b for a, b in zip(fp32, bf16, strict=True)),
        "accuracy": {p: sum(d is True for d in decisions[p]) / len(fp32) for p in PRECISIONS},
    }
    if args.text:
        result["tokens_per_s"] = {p: statistics.median(v) for p, v in ppl_rates.items()}
        result["ppl"] = ppls
    return result


def report(r: dict) -> None:
    speed = r["items_per_s"]
    print(
        f"pairs: {r['items']} items, fp32 {speed['32-true']:,.0f}/s, bf16-mixed "
        f"{speed['bf16-mixed']:,.0f}/s ({speed['bf16-mixed'] / speed['32-true']:.2f}x); "
        f"flips {r['flips']} ({r['flips'] / r['items']:.2%}); accuracy fp32 "
        f"{r['accuracy']['32-true']:.4f}, bf16 {r['accuracy']['bf16-mixed']:.4f}"
    )
    if "ppl" in r:
        t, p = r["tokens_per_s"], r["ppl"]
        print(
            f"perplexity: fp32 {t['32-true']:,.0f} tok/s, bf16-mixed {t['bf16-mixed']:,.0f} tok/s "
            f"({t['bf16-mixed'] / t['32-true']:.2f}x); ppl fp32 {p['32-true']:.3f}, bf16 "
            f"{p['bf16-mixed']:.3f} ({p['bf16-mixed'] / p['32-true'] - 1:+.3%})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", type=Path, required=True, help="a .ckpt or run folder")
    parser.add_argument("--path", type=Path, required=True, help="a minimal-pair set")
    parser.add_argument("--text", type=Path, help="a text file for the perplexity rows")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = compare(args)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
