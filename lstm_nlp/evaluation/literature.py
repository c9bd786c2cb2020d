"""The published LSTM figure beside each of the model's numbers, and SyntaxGym's SG scores.

Each row of a summary (overall, or a group's value) whose benchmark, group and value have a
published number (:mod:`lstm_nlp.evaluation.published`) gets ``published``: the headline
model's accuracy, the model and the citation.  A SyntaxGym summary gets ``sg``: the SG score
and the circuit scores, each the unweighted mean of its suites' accuracies (Hu et al. 2020),
and its ``circuit`` rows show those means.
"""

from __future__ import annotations

from typing import Any

from lstm_nlp.evaluation.testset import TestSet

SG_GROUP = "SG score"


def published_entry(benchmark: str, group: str, value: str) -> dict[str, Any] | None:
    from lstm_nlp.evaluation.published import lookup, overall

    found = overall(benchmark) if group == "overall" else lookup(benchmark, group, value)
    if found is None:
        return None
    return {"value": found.value, "model": found.model, "citation": found.citation}


def add_literature(summary: dict, test_set: TestSet, scores: list) -> None:
    """Add the published column (and, for SyntaxGym, the SG scores) to ``summary``."""
    benchmark = test_set.name
    if "suites" in test_set.info and "suite" in summary["groups"]:
        add_sg_scores(summary)
    found = published_entry(benchmark, "overall", "")
    if found and "sg" not in summary:  # SyntaxGym's whole-set figure is the SG score's
        summary["overall"]["published"] = found
    for group, values in summary["groups"].items():
        for value, stats in values.items():
            found = published_entry(benchmark, "overall" if group == SG_GROUP else group, value)
            if found:
                stats["published"] = found


def add_sg_scores(summary: dict) -> None:
    from lstm_nlp.evaluation.syntaxgym.circuits import SG_SCORE, sg_scores

    suites = {
        suite: stats["accuracy"]
        for suite, stats in summary["groups"]["suite"].items()
        if stats["accuracy"] is not None
    }
    sg = sg_scores(suites)
    summary["sg"] = sg
    circuits = summary["groups"].get("circuit", {})
    for circuit, stats in circuits.items():
        if circuit in sg:
            stats.update(accuracy=sg[circuit], ci95=None, mean_of_suites=True)
    if sg[SG_SCORE] is not None:
        summary["groups"] = {
            SG_GROUP: {
                "overall": {
                    "n": sg["suites"],
                    "correct": None,
                    "accuracy": sg[SG_SCORE],
                    "ci95": None,
                    "excluded": 0,
                    "mean_of_suites": True,
                }
            },
            **summary["groups"],
        }
