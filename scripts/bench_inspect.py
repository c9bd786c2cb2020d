#!/usr/bin/env python
"""How fast ``lstm-nlp-inspect mode=units`` scores the suite once per ablated unit.

Times, in one process on the same items, scoring the whole agreement suite with the general
:class:`~lstm_nlp.evaluation.scoring.PairScorer` (what ``lstm-nlp-eval`` does) against the
suffix scorer that ``mode=units`` runs once per ablation (from layer 0, and from the last layer
as an ablation there does); checks that both give the same decisions.

    OMP_NUM_THREADS=1 python scripts/bench_inspect.py RUN_DIR_OR_CHECKPOINT [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time


def timed(fn, rounds: int):
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", help="a language-model checkpoint or run directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n-per-cell", type=int, default=25)
    args = parser.parse_args()
    import torch

    from lstm_nlp.cli.inspect import load_inspectable
    from lstm_nlp.evaluation.pairs import PairItem
    from lstm_nlp.evaluation.scoring import PairScorer
    from lstm_nlp.insight.ablation import LayeredLM
    from lstm_nlp.insight.agreement_items import VERB_CATEGORIES, load_items
    from lstm_nlp.insight.states import lstm_weights
    from lstm_nlp.insight.suffix_scoring import SuffixScorer

    torch.set_num_threads(1)
    insp = load_inspectable(args.checkpoint)
    items, _ = load_items(
        suite=None,
        vocabulary=insp.vocabulary(),
        checkpoint=insp.checkpoint,
        categories=VERB_CATEGORIES,
        n_per_cell=args.n_per_cell,
        max_attractors=4,
        seed=None,
    )
    pairs = [
        PairItem(
            good=" ".join(it.words),
            bad=" ".join(w if i != it.target else it.bad for i, w in enumerate(it.words)),
        )
        for it in items
    ]
    general = PairScorer(insp.model, insp.tokenizer)
    t_general, scores = timed(lambda: general.score(pairs), args.rounds)
    lm = LayeredLM(insp.model, lstm_weights(insp.model.encoder))
    fast = SuffixScorer(lm, items, insp.ids, insp.eos_id(), insp.tokenizer.get_vocab_size(), 256)
    last = lm.num_layers - 1
    t_first, margins = timed(lambda: fast.margins(0), args.rounds)
    t_last, _ = timed(lambda: fast.margins(last), args.rounds)
    same = sum(bool(s.correct) == bool(m > 0) for s, m in zip(scores, margins.tolist()))
    print(f"{len(items)} pairs, {args.rounds} rounds (median), one thread")
    print(f"  PairScorer (lstm-nlp-eval)          {t_general:.3f} s")
    print(f"  suffix scorer from layer 0          {t_first:.3f} s  ({t_general / t_first:.2f}x)")
    print(f"  suffix scorer from layer {last} (cached) {t_last:.3f} s  ({t_general / t_last:.2f}x)")
    print(f"  same decision on {same}/{len(items)} pairs")


if __name__ == "__main__":
    main()
