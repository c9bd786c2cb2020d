"""``task=number_agreement``: Linzen, Dupoux & Goldberg (2016)'s number prediction.

The input is a sentence up to, not including, a present-tense verb; the output is the
verb's number: ``VBZ`` (singular) or ``VBP`` (plural).  Accuracy is broken down by the
number of attractors (nouns of the other number between subject and verb), the subject's
number and the construction.  Model, data and metrics: :mod:`lstm_nlp.tasks.prefix_classifier`
and :mod:`lstm_nlp.tasks.agreement_data`.

- ``data=grammar`` (default): every ``subject_verb`` site of the embedded corpus (was/were
  included), labelled by the subject's number;
- ``data=text data.path=DIR``: Linzen-format files, ``VBZ<TAB>prefix[<TAB>key=value...]``;
  a line without ``number=`` gets it from its label (VBZ: sg, VBP: pl).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omegaconf import DictConfig

from lstm_nlp.tasks.agreement_data import AgreementSpec
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.prefix_classifier import build_agreement_task

LABELS = ("VBZ", "VBP")  # class 0: singular, class 1: plural
NUMBER_LABEL = {"sg": "VBZ", "pl": "VBP"}


def site_label(site: Mapping[str, Any], tokens: Sequence[str]) -> str:
    number = site.get("number")
    if number not in NUMBER_LABEL:
        raise ValueError(f"number {number!r} is not sg or pl")
    return NUMBER_LABEL[number]


SPEC = AgreementSpec(
    name="number_agreement",
    site_types=("subject_verb",),
    site_label=site_label,
    labels=LABELS,
    implied={label: {"number": number} for number, label in NUMBER_LABEL.items()},
)


def build_task(cfg: DictConfig, run: RunContext) -> TaskParts:
    return build_agreement_task(cfg, run, SPEC)
