"""Scoring speed of each protocol (items/s) on one CPU thread, against the plain minimal-pair
scorer measured in the same run.

An untrained 2x200 LSTM language model over a 3,500-word vocabulary (the ``make train`` model's
size) and synthetic sets shaped like the real ones: BLiMP/Marvin & Linzen pairs (5-10 words),
Gulordava/Linzen stream text (lines of 20-40 words, one target each), Lakretz prefixes after a
warm-up, SyntaxGym items (2 conditions of 4 regions).

    OMP_NUM_THREADS=1 python scripts/bench_benchmarks.py
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import torch
from bench_eval import synthetic_model

from lstm_nlp.evaluation.evaluate import score_set, scoring_options
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.protocols import PROTOCOLS
from lstm_nlp.evaluation.syntaxgym.formula import parse
from lstm_nlp.evaluation.syntaxgym.suite import GymCondition, GymItem, Suite
from lstm_nlp.evaluation.testset import TestSet


def words(rng: random.Random, vocab: int, n: int) -> list[str]:
    return [f"w{rng.randrange(vocab - 3)}" for _ in range(n)]


def pair_set(n: int, vocab: int, rng: random.Random) -> TestSet:
    items = []
    for _ in range(n):
        good = words(rng, vocab, rng.randint(5, 10))
        bad = list(good)
        bad[rng.randrange(len(bad))] = "w1" if bad[-1] != "w1" else "w2"
        items.append(PairItem(" ".join(good), " ".join(bad)))
    return TestSet(items, name="blimp")


def prefix_set(n: int, vocab: int, rng: random.Random) -> TestSet:
    items = [
        PairItem("w1", "w2", prefix=" ".join(words(rng, vocab, rng.randint(4, 8))))
        for _ in range(n)
    ]
    return TestSet(items, name="lakretz")


def stream_set(n: int, vocab: int, rng: random.Random) -> TestSet:
    text, items = [], []
    for line in range(n):
        ws = words(rng, vocab, rng.randint(20, 40)) + ["<eos>"]
        target = rng.randrange(1, len(ws) - 1)
        text.append(ws)
        bad = "w1" if ws[target] != "w1" else "w2"
        items.append(PairItem(ws[target], bad, prefix=" ".join(ws[:target]), line=line))
    return TestSet(items, text=text, name="gulordava")


def gym_set(n: int, vocab: int, rng: random.Random) -> TestSet:
    items = []
    for k in range(n):
        regions = [" ".join(words(rng, vocab, rng.randint(1, 4))) for _ in range(4)]
        other = [*regions[:3], " ".join(words(rng, vocab, 2))]
        conditions = {"a": GymCondition("a", regions), "b": GymCondition("b", other)}
        items.append(GymItem("number_prep", k + 1, conditions, {"suite": "number_prep"}))
    suite = Suite("number_prep", "agreement", [parse("(4;%b%) > (4;%a%)")], {}, items)
    return TestSet(items, name="syntaxgym", info={"suites": {"number_prep": suite}})


SETS = {
    "plain": pair_set,
    "blimp": pair_set,
    "marvin_linzen": pair_set,
    "lakretz": prefix_set,
    "gulordava": stream_set,
    "linzen": stream_set,
    "syntaxgym": gym_set,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--vocab", type=int, default=3500)
    args = parser.parse_args()
    torch.set_num_threads(1)
    model, tok = synthetic_model(args.vocab, 200, 2)
    rates: dict[str, list[float]] = {name: [] for name in SETS}
    for _ in range(args.rounds):  # interleaved, so that machine noise hits every protocol
        for name, make in SETS.items():
            test_set = make(args.items, args.vocab, random.Random(0))
            protocol = PROTOCOLS[name]
            options = scoring_options(EvalOptions(checkpoint="-", path="-"), protocol)
            start = time.perf_counter()
            scores = score_set(test_set, protocol, options, model, tok)
            seconds = time.perf_counter() - start
            rates[name].append(sum(s.excluded is None for s in scores) / seconds)
    reference = statistics.median(rates["plain"])
    print("| protocol | method | items/s (median) | vs plain pairs |")
    print("|---|---|---|---|")
    for name, values in rates.items():
        rate = statistics.median(values)
        method = PROTOCOLS[name].method
        print(f"| {name} | {method} | {rate:,.0f} | {rate / reference:.2f}x |")


if __name__ == "__main__":
    main()
