"""``task=pronoun_agreement``: predict the reflexive or pronoun that refers back to an antecedent.

The input is a sentence up to, not including, the anaphor; the output is its form
(himself/herself/itself/themselves, he/she/it/they, him/her/them: whatever forms occur in
the training data, saved as ``RUN_DIR/labels.json`` and reused on resume).  Accuracy is
broken down by attractors, the antecedent's gender and number, the site type
(reflexive/pronoun) and the construction.  Model, data and metrics:
:mod:`lstm_nlp.tasks.prefix_classifier` and :mod:`lstm_nlp.tasks.agreement_data`.

- ``data=grammar`` (default): every ``reflexive`` and ``pronoun`` site of the embedded
  corpus, labelled by the word at the site;
- ``data=text data.path=DIR``: ``LABEL<TAB>prefix[<TAB>key=value...]`` lines; a line
  without ``number=``/``gender=`` gets what its (English) label implies (``herself``:
  sg, f; ``them``: pl).

A valid/test example whose form never occurs in training counts as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omegaconf import DictConfig

from lstm_nlp.tasks.agreement_data import AgreementSpec
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.prefix_classifier import build_agreement_task

# What an English anaphor says about its antecedent (plural forms say nothing about gender).
IMPLIED = {
    **{w: {"number": "sg", "gender": "m"} for w in ("himself", "he", "him")},
    **{w: {"number": "sg", "gender": "f"} for w in ("herself", "she", "her")},
    **{w: {"number": "sg", "gender": "n"} for w in ("itself", "it")},
    **{w: {"number": "pl"} for w in ("themselves", "they", "them")},
}


def site_label(site: Mapping[str, Any], tokens: Sequence[str]) -> str:
    return tokens[site["target"]]


SPEC = AgreementSpec(
    name="pronoun_agreement",
    site_types=("reflexive", "pronoun"),
    site_label=site_label,
    labels=None,
    implied=IMPLIED,
)


def build_task(cfg: DictConfig, run: RunContext) -> TaskParts:
    return build_agreement_task(cfg, run, SPEC)
