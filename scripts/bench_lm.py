"""Language-model training speed of lstm-nlp against a plain PyTorch reference loop, and the rest of
issue 4's figures.

Sections (``--sections``, default all but ``adaptive``/``ppl``, which take minutes; ``all`` for
every one):

* ``train``    tokens/s of the reference loop (pytorch/examples' word_language_model, written
               in ``scripts/lm_bench/reference.py``) and of lstm-nlp's LanguageModel step run by
               a Lightning Trainer, same model, data, batch 20, bptt 35 and threads, interleaved
               A B A B ..., median of ``--rounds``; achieved GFLOP/s of both against the machine's
               matrix-multiply GFLOP/s at the step's shapes.  On the corpus's full vocabulary
               (WikiText-2: 33,278 types) at every ``--sizes`` and at a PTB-sized vocabulary
               (the 10,000 most frequent types) at the first size.
* ``ppl``      validation perplexity of both after ``--ppl-steps`` steps from the same weights.
* ``bf16``     validation perplexity of lstm-nlp in fp32 and in bf16-mixed after ``--ppl-steps``
               steps from the same weights (``--precision`` times the ``train`` section in bf16).
* ``threads``  lstm-nlp's step at 1 and 2 threads.
* ``corpus``   corpus preparation vs the reference's Python loop; bytes of memory per token.
* ``startup``  ``lstm-nlp-train --help``; command start to first training step vs
  ``import lightning``.
* ``adaptive`` adaptive vs full softmax at a 267,735-word vocabulary (synthetic tokens).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_lm.py --corpus ../shared/data/wikitext-2
    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_lm.py --sections train --sizes 200 --rounds 3
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import sys
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECTIONS = "train,threads,corpus,startup"


def load_corpus(folder: Path, max_size: int | None = None):
    from lstm_nlp.paths import cache_dir
    from lstm_nlp.text.corpus import CorpusFiles, find_splits
    from lstm_nlp.text.prepare import prepare_corpus

    files = CorpusFiles(root=folder, splits=find_splits(folder), name=folder.name)
    return prepare_corpus(files, max_size=max_size, cache_dir=cache_dir())


def quiet_lightning() -> None:
    import logging

    warnings.filterwarnings("ignore")
    for name in ("lightning", "lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)


def compare_training(
    corpus, emb: int, hidden: int, layers: int, rounds: int, steps: int, precision: str = "32-true"
) -> dict:
    """Interleaved rounds of the reference loop (fp32) and lstm-nlp's Lightning step (at
    ``precision``); tokens/s and GFLOP/s."""
    from lm_bench.flops import machine_gflops, training_flops
    from lm_bench.reference import ReferenceLoop, RNNModel
    from lm_bench.training import LightningLoop, build_model

    vocab, train = corpus.vocab_size, torch.from_numpy(corpus.streams["train"].astype("int64"))
    torch.manual_seed(0)
    reference = ReferenceLoop(RNNModel(vocab, emb, hidden, layers), train, batch_size=20, bptt=35)
    ours = LightningLoop(
        build_model(vocab, emb, hidden, layers),
        {"train": corpus.streams["train"]},
        20,
        35,
        precision,
    )
    ref_tps, our_tps = [], []
    for _ in range(rounds):
        ref_tps.append(reference.tokens_per_second(steps))
        our_tps.append(ours.tokens_per_second(steps))
    ref, us = statistics.median(ref_tps), statistics.median(our_tps)
    flops_per_token = training_flops(20, 35, emb, hidden, layers, vocab) / (20 * 35)
    machine = machine_gflops(20, 35, emb, hidden, layers, vocab)
    return {
        "precision": precision,
        "size": f"{layers}x{hidden}",
        "vocab": vocab,
        "reference_tokens_s": ref,
        "lstm_nlp_tokens_s": us,
        "ratio": us / ref,
        "rounds_reference": ref_tps,
        "rounds_lstm_nlp": our_tps,
        "reference_gflops": ref * flops_per_token / 1e9,
        "lstm_nlp_gflops": us * flops_per_token / 1e9,
        "machine_gflops": machine,
        "lstm_nlp_fraction_of_machine": us * flops_per_token / 1e9 / machine["best"],
        "reference_fraction_of_machine": ref * flops_per_token / 1e9 / machine["best"],
    }


def perplexities(
    corpus, emb: int, hidden: int, layers: int, steps: int, dropout: float, perturb: float = 0.0
) -> tuple[float, float]:
    """Validation perplexity of the reference loop and of lstm-nlp after ``steps`` steps from the
    same weights; ``perturb`` scales the reference's starting weights by ``1 + perturb`` (a
    rounding-size nudge)."""
    from lm_bench.reference import ReferenceLoop, RNNModel, evaluate
    from lm_bench.training import LightningLoop, build_model, copy_reference_weights

    vocab, train = corpus.vocab_size, torch.from_numpy(corpus.streams["train"].astype("int64"))
    torch.manual_seed(0)
    model = RNNModel(vocab, emb, hidden, layers, dropout=dropout)
    ours = build_model(vocab, emb, hidden, layers, dropout=dropout)
    copy_reference_weights(ours, model)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(1 + perturb)
    torch.manual_seed(1)
    reference = ReferenceLoop(model, train, batch_size=20, bptt=35)
    for _ in range(steps):
        reference.step()
    ref_ppl = evaluate(model, torch.from_numpy(corpus.streams["valid"].astype("int64")), bptt=35)
    torch.manual_seed(1)
    loop = LightningLoop(
        ours, {"train": corpus.streams["train"], "valid": corpus.streams["valid"]}, 20, 35
    )
    loop.train(steps)
    return ref_ppl, loop.validation_ppl()


def compare_perplexity(corpus, emb: int, hidden: int, layers: int, steps: int) -> dict:
    """Same computation: without dropout, a few steps from the same weights give the same
    perplexity. Same training: with dropout, after ``steps`` steps, next to the spread the reference
    itself shows when its starting weights move by one part in 10^7 (SGD at lr 20 amplifies
    rounding)."""
    exact_ref, exact_ours = perplexities(corpus, emb, hidden, layers, 10, dropout=0.0)
    ref, ours = perplexities(corpus, emb, hidden, layers, steps, dropout=0.2)
    nudged, _ = perplexities(corpus, emb, hidden, layers, steps, dropout=0.2, perturb=1e-7)
    return {
        "steps": steps,
        "no_dropout_10_steps": [exact_ref, exact_ours],
        "reference_val_ppl": ref,
        "lstm_nlp_val_ppl": ours,
        "reference_nudged_val_ppl": nudged,
        "relative_difference": ours / ref - 1,
        "reference_spread": nudged / ref - 1,
    }


def compare_bf16(
    corpus,
    emb: int,
    hidden: int,
    layers: int,
    steps: int,
    seed: int = 0,
    dropout_stream: int = 1,
    only: str | None = None,
) -> dict:
    """Validation perplexity of lstm-nlp after ``steps`` steps in fp32 and in bf16-mixed from
    the same weights on the same stream (issue 15's quality criterion); ``dropout_stream``
    seeds the training's random draws (dropout masks) apart from the weights; ``only``
    (``lstm``/``output``) keeps the other half of the bf16 run in fp32."""
    import copy

    from lm_bench.bf16_parts import bf16_only
    from lm_bench.training import LightningLoop, build_model

    torch.manual_seed(seed)
    start = build_model(corpus.vocab_size, emb, hidden, layers)
    streams = {"train": corpus.streams["train"], "valid": corpus.streams["valid"]}
    result = {"steps": steps, "vocab": corpus.vocab_size, "size": f"{layers}x{hidden}"}
    result.update(seed=seed, dropout_stream=dropout_stream, bf16_only=only)
    for precision in ("32-true", "bf16-mixed"):
        torch.manual_seed(seed + dropout_stream)
        loop = LightningLoop(copy.deepcopy(start), streams, 20, 35, precision)
        with bf16_only(only if precision != "32-true" else None):
            loop.train(steps)
        result[precision] = loop.validation_ppl()  # the loss in fp32 either way
    result["relative_difference"] = result["bf16-mixed"] / result["32-true"] - 1
    return result


def run_bf16(args, corpus) -> dict:
    size = args.size_list[0]
    r = compare_bf16(
        corpus(args.ppl_max_size),
        size,
        size,
        2,
        args.ppl_steps,
        args.seed,
        args.dropout_stream,
        args.bf16_only,
    )
    print(
        f"bf16 quality, {r['size']}, vocabulary {r['vocab']:,}, seed {r['seed']}, dropout "
        f"stream {r['dropout_stream']}, bf16 in {r['bf16_only'] or 'both halves'}, {r['steps']} "
        "steps from the same "
        f"weights: val ppl fp32 {r['32-true']:.2f}, bf16-mixed {r['bf16-mixed']:.2f} "
        f"({r['relative_difference']:+.2%})"
    )
    return r


def compare_threads(corpus, emb: int, hidden: int, layers: int, steps: int) -> dict:
    from lm_bench.training import LightningLoop, build_model

    loop = LightningLoop(
        build_model(corpus.vocab_size, emb, hidden, layers),
        {"train": corpus.streams["train"]},
        20,
        35,
    )
    result = {}
    for threads in (1, 2, 1, 2):
        torch.set_num_threads(threads)
        result.setdefault(threads, []).append(loop.tokens_per_second(steps))
    torch.set_num_threads(1)
    return {f"threads_{k}_tokens_s": statistics.median(v) for k, v in result.items()}


def run_train(args, corpus) -> list[dict]:
    sizes = args.size_list
    runs = [
        compare_training(corpus(), h, h, 2, args.rounds, args.steps, args.precision) for h in sizes
    ]
    small = corpus(10_000)
    runs.append(
        dict(
            compare_training(small, sizes[0], sizes[0], 2, args.rounds, args.steps, args.precision),
            note="PTB-sized vocabulary",
        )
    )
    for r in runs:
        m = r["machine_gflops"]
        print(
            f"train {r['size']} vocab {r['vocab']:,} ({r['precision']}): reference "
            f"{r['reference_tokens_s']:,.0f} tok/s, lstm-nlp {r['lstm_nlp_tokens_s']:,.0f} "
            f"tok/s, ratio {r['ratio']:.2f}x | "
            f"GFLOP/s: reference {r['reference_gflops']:.0f} "
            f"({r['reference_fraction_of_machine']:.0%}), lstm-nlp {r['lstm_nlp_gflops']:.0f} "
            f"({r['lstm_nlp_fraction_of_machine']:.0%}) of the machine's {m['best']:.0f} at "
            f"these shapes (MKL {m['mkl']:.0f}, oneDNN {m['onednn']:.0f}; 2048^3 "
            f"{m['square_2048']:.0f})"
        )
    return runs


def run_ppl(args, corpus) -> dict:
    data = corpus(args.ppl_max_size)
    h = args.size_list[0]
    r = dict(compare_perplexity(data, h, h, 2, args.ppl_steps), vocab=data.vocab_size)
    a, b = r["no_dropout_10_steps"]
    print(f"ppl, no dropout, 10 steps: reference {a:.3f}, lstm-nlp {b:.3f} ({b / a - 1:+.5%})")
    print(
        f"ppl after {r['steps']} steps (vocabulary {r['vocab']:,}): reference "
        f"{r['reference_val_ppl']:.2f}, lstm-nlp {r['lstm_nlp_val_ppl']:.2f} "
        f"({r['relative_difference']:+.2%}); the reference from weights nudged by 1e-7: "
        f"{r['reference_nudged_val_ppl']:.2f} ({r['reference_spread']:+.2%})"
    )
    return r


def run_threads(args, corpus) -> dict:
    h = args.size_list[0]
    r = compare_threads(corpus(), h, h, 2, args.steps)
    print("threads: " + ", ".join(f"{k} {v:,.0f}" for k, v in r.items()))
    return r


def run_corpus(args, corpus) -> dict:
    from lm_bench.corpus import corpus_prep

    r = corpus_prep(args.corpus)
    print(f"corpus: {r['summary']}")
    return r


def run_startup(args, corpus) -> dict:
    from lm_bench.startup import startup

    r = startup()
    print(
        f"startup: --help {r['help_s']:.2f} s; first training step {r['first_step_s']:.2f} s "
        f"after start, import lightning {r['import_lightning_s']:.2f} s "
        f"(ratio {r['first_step_ratio']:.2f})"
    )
    return r


def run_adaptive(args, corpus) -> dict:
    from lm_bench.adaptive import adaptive_vs_full

    r = adaptive_vs_full()
    print(f"adaptive: {json.dumps(r, default=str)}")
    return r


SECTIONS = {
    "train": run_train,
    "ppl": run_ppl,
    "threads": run_threads,
    "corpus": run_corpus,
    "startup": run_startup,
    "adaptive": run_adaptive,
    "bf16": run_bf16,
}
NEEDS_CORPUS = {"train", "ppl", "threads", "corpus", "bf16"}


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "wikitext-2",
        help="folder with train/valid/test (WikiText-2 layout or train.txt/valid.txt/test.txt)",
    )
    parser.add_argument(
        "--sections",
        default=DEFAULT_SECTIONS,
        help=f"comma-separated: {','.join(SECTIONS)}, or all",
    )
    parser.add_argument(
        "--sizes", default="200,650", help="hidden (= embedding) sizes of 2-layer models"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--steps", type=int, default=15, help="timed steps per round (after 2 warm-up steps)"
    )
    parser.add_argument("--ppl-steps", type=int, default=300)
    parser.add_argument(
        "--ppl-max-size", type=int, help="vocabulary cap for the ppl section (e.g. 10000)"
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0, help="bf16 section: weights and stream")
    parser.add_argument(
        "--dropout-stream", type=int, default=1, help="bf16 section: seed of the dropout masks"
    )
    parser.add_argument(
        "--bf16-only",
        choices=("lstm", "output"),
        help="bf16 section: only this half in bf16, the other in fp32",
    )
    parser.add_argument(
        "--precision",
        default="32-true",
        help="Lightning precision of lstm-nlp's step (the reference loop stays fp32), e.g. "
        "bf16-mixed",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    args.sections = list(SECTIONS) if args.sections == "all" else args.sections.split(",")
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}, all")
    if set(args.sections) & NEEDS_CORPUS and not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: no such folder (give a WikiText-2 or PTB folder)")
    args.size_list = [int(s) for s in args.sizes.split(",")]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    quiet_lightning()
    print(
        f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s)"
    )
    corpus = functools.cache(lambda max_size=None: load_corpus(args.corpus, max_size=max_size))
    results: dict = {"num_threads": args.threads, "torch": torch.__version__}
    for name in args.sections:
        results[name] = SECTIONS[name](args, corpus)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
