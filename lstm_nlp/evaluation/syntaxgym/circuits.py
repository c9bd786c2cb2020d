"""Hu et al. (2020)'s six circuits of test suites, and the SG score.

A suite's circuit comes from its name's **tag**, the part before its first ``_``, lowercased
(``number_prep`` -> ``number``, ``subordination_orc-orc`` -> ``subordination``,
``center_embed_mod`` -> ``center``), as in the paper's analysis code:

======================================  ===================================================
circuit                                  tags (the paper's suites)
======================================  ===================================================
agreement                                ``number`` (number_orc, number_prep, number_src)
licensing                                ``npi`` (4 suites), ``reflexive`` (6)
garden-path effects                      ``mvrr``, ``npz`` (mvrr, mvrr_mod, npz_* : 6)
gross syntactic state                    ``subordination`` (4)
center embedding                         ``center`` (center_embed, center_embed_mod)
long-distance dependencies               ``cleft`` (cleft, cleft_modifier), ``fgd`` (fgd_hierarchy,
                                         fgd_object, fgd_pp, fgd_subject)
======================================  ===================================================

Every other suite is ``other``: among them the three of the paper's repository that its
analysis left out, ``fgd-embed3``, ``fgd-embed4`` and ``nn-nv-rpl`` (their tags are the whole
name, no circuit's).  The **SG score** is the unweighted mean accuracy of the suites in the six
circuits (31 in the paper); ``other`` suites get a mean of their own but do not count in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean

OTHER = "other"
SG_SCORE = "SG score"
CIRCUITS: dict[str, tuple[str, ...]] = {
    "agreement": ("number",),
    "licensing": ("npi", "reflexive"),
    "garden-path effects": ("mvrr", "npz"),
    "gross syntactic state": ("subordination",),
    "center embedding": ("center",),
    "long-distance dependencies": ("cleft", "fgd"),
}
_BY_TAG = {tag: circuit for circuit, tags in CIRCUITS.items() for tag in tags}


def circuit_of(suite: str) -> str:
    """The circuit of the suite named ``suite`` (its ``meta.name``), or ``other``."""
    return _BY_TAG.get(suite.strip().lower().split("_", 1)[0], OTHER)


def sg_scores(suite_accuracies: Mapping[str, float]) -> dict[str, float | int | None]:
    """``{"SG score": mean over the circuits' suites, "suites": how many, CIRCUIT: mean, ...}``.

    Circuits with no suite among ``suite_accuracies`` are left out; ``other`` appears when some
    suite is in no circuit.  The SG score is None when no suite is in a circuit.
    """
    by_circuit: dict[str, list[float]] = {}
    for suite, accuracy in suite_accuracies.items():
        by_circuit.setdefault(circuit_of(suite), []).append(accuracy)
    counted = [a for circuit, values in by_circuit.items() if circuit != OTHER for a in values]
    scores: dict[str, float | int | None] = {
        SG_SCORE: fmean(counted) if counted else None,
        "suites": len(counted),
    }
    for circuit in (*CIRCUITS, OTHER):
        if circuit in by_circuit:
            scores[circuit] = fmean(by_circuit[circuit])
    return scores
