"""Number- and pronoun-prediction files (Linzen et al. 2016) from the grammar generator.

Written by :func:`lstm_nlp.grammar.suites.write_suites` into ``number_prediction/`` and
``pronoun_prediction/``, one ``{train,valid,test}.txt`` each.  A line is TAB-separated::

    LABEL <TAB> PREFIX [<TAB> key=value ...]

``LABEL`` is ``VBZ`` (singular) or ``VBP`` (plural) for number prediction, the correct
pronoun form (``he``, ``themselves``, ...) for pronoun prediction; ``PREFIX`` is the sentence
up to, not including, that word.  The metadata columns are, in this order,
``attractors``, ``construction``, ``number``, (``gender`` for pronouns: m|f|n|none), ``good``
(the word at the target) and ``bad`` (its other-number form); keys and values never hold
whitespace.  Readers of the two-column format can ignore them; :func:`read_prediction`
returns them as a dict.

Items are the sites of the mixed grammar corpus (pronouns: of its anaphora templates only),
in order: every present-tense VBZ/VBP verb, and every reflexive or pronoun.  Each split is
drawn from its own streams (``prediction:<task>:<split>:<batch>``, so its own derived seeds),
test first, then valid, then train: a split never repeats a line (label + prefix) of a split
drawn before it, and valid and test hold no line twice, so test stays the same whatever the
train size.  Train keeps repeats, as a corpus would.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.grammar.generator import SentenceGenerator
from lstm_nlp.grammar.params import DEFAULT_MIX, GrammarParams
from lstm_nlp.grammar.sentence import Sentence

TASKS = ("number_prediction", "pronoun_prediction")
SPLITS = ("train", "valid", "test")
DRAW_ORDER = ("test", "valid", "train")
BATCH = 256  # sentences per stream
MAX_DRAWS_PER_LINE = 50  # give up on a split after this many sentences per wanted line,
HOPELESS = 2000  # or after this many without one line in the vocabulary
ANAPHORA_TEMPLATES = ("reflexive_simple", "reflexive_sent_comp", "reflexive_across_rel", "pronoun")


@dataclass(frozen=True)
class PredictionItem:
    label: str
    prefix: str
    meta: dict[str, str]

    def line(self) -> str:
        return (
            "\t".join([self.label, self.prefix, *(f"{k}={v}" for k, v in self.meta.items())]) + "\n"
        )


def check_sizes(sizes: Sequence[int] | None) -> dict[str, int] | None:
    """``(train, valid, test)`` line counts, or ``None`` for no prediction files."""
    if sizes is None:
        return None
    ok = not isinstance(sizes, (str, bytes)) and hasattr(sizes, "__len__") and len(sizes) == 3
    values = list(sizes) if ok else []
    if not ok or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in values):
        raise ConfigError(
            f"prediction_sizes must be null or three integers >= 0 (train, valid, test), "
            f"got {_show(sizes)}"
        )
    return dict(zip(SPLITS, values))


def _show(value: Any) -> str:
    return (
        repr(list(value))
        if hasattr(value, "__iter__") and not isinstance(value, (str, bytes))
        else repr(value)
    )


def items(task: str, sentence: Sentence) -> Iterator[PredictionItem]:
    """The prediction items of one sentence, in the order of their targets."""
    for site in sorted(sentence.sites, key=lambda s: s.target):
        tag = sentence.tags[site.target]
        if task == "number_prediction":
            if site.type != "subject_verb" or tag not in ("VBZ", "VBP"):
                continue
            label, extra = tag, {}
        elif site.type in ("reflexive", "pronoun"):
            label, extra = site.good, {"gender": site.gender or "none"}
        else:
            continue
        meta = {
            "attractors": str(site.attractors),
            "construction": site.construction,
            "number": site.number,
            **extra,
            "good": site.good,
            "bad": site.bad,
        }
        yield PredictionItem(label, " ".join(sentence.tokens[: site.target]), meta)


def generator_for(task: str, params: GrammarParams) -> SentenceGenerator:
    if task == "number_prediction":
        return SentenceGenerator(params)
    mix = {**DEFAULT_MIX, **params.construction_mix}
    mix = {name: (w if name in ANAPHORA_TEMPLATES else 0.0) for name, w in mix.items()}
    if not any(mix.values()):
        raise ConfigError(
            "grammar.construction_mix gives every reflexive and pronoun template weight 0, "
            "so pronoun_prediction would be empty; set prediction_sizes=null"
        )
    return SentenceGenerator(dataclasses.replace(params, construction_mix=mix))


def build_prediction(
    task: str,
    sizes: dict[str, int],
    params: GrammarParams,
    vocabulary: frozenset[str] | None = None,
) -> tuple[dict[str, str], dict]:
    """The text of each split's file, and a report (lines, drops, breakdowns; ``_oov``: a
    Counter)."""
    if task not in TASKS:
        raise ValueError(f"unknown prediction task {task!r}; known: {', '.join(TASKS)}")
    gen = generator_for(task, params)
    taken: set[tuple[str, str]] = set()
    texts, splits, oov = {}, {}, Counter()
    for split in DRAW_ORDER:
        lines, report = _draw_split(gen, task, split, sizes[split], taken, vocabulary, oov)
        texts[split] = "".join(item.line() for item in lines)
        splits[split] = report
    return {s: texts[s] for s in SPLITS}, {"splits": {s: splits[s] for s in SPLITS}, "_oov": oov}


def _draw_split(
    gen: SentenceGenerator,
    task: str,
    split: str,
    size: int,
    taken: set,
    vocabulary: frozenset[str] | None,
    oov: Counter,
) -> tuple[list[PredictionItem], dict[str, Any]]:
    lines: list[PredictionItem] = []
    mine: set[tuple[str, str]] = set()
    dropped = duplicates = drawn = 0
    budget = MAX_DRAWS_PER_LINE * size + 4 * BATCH
    batch = 0
    while len(lines) < size and drawn < budget and (lines or drawn < HOPELESS):
        for sentence in gen.corpus(BATCH, stream=f"prediction:{task}:{split}:{batch}"):
            drawn += 1
            for item in items(task, sentence):
                key = (item.label, item.prefix)
                if key in taken or (split != "train" and key in mine):
                    duplicates += 1
                    continue
                if vocabulary is not None:
                    missing = set(item.prefix.split(" ")) - vocabulary
                    if missing:
                        dropped += 1
                        oov.update(missing)
                        continue
                lines.append(item)
                mine.add(key)
                if len(lines) == size:
                    break
            if len(lines) == size or drawn >= budget:
                break
        batch += 1
    taken |= mine
    attractors = Counter(int(item.meta["attractors"]) for item in lines)
    report = {
        "lines": len(lines),
        "wanted": size,
        "dropped_by_vocab": dropped,
        "duplicates_skipped": duplicates,
        "sentences_drawn": drawn,
        "labels": dict(sorted(Counter(item.label for item in lines).items())),
        "attractors": {str(k): attractors[k] for k in sorted(attractors)},
        "constructions": dict(sorted(Counter(item.meta["construction"] for item in lines).items())),
    }
    return lines, report


def read_prediction(path: str | os.PathLike) -> list[PredictionItem]:
    """A prediction file back as items; columns after the prefix without ``=`` are ignored."""
    path = Path(path)
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0] or not columns[1]:
            raise DataError(
                f"{path}:{i}: expected LABEL<TAB>PREFIX[<TAB>key=value...], got {line[:60]!r}"
            )
        meta = dict(col.split("=", 1) for col in columns[2:] if "=" in col)
        out.append(PredictionItem(columns[0], columns[1], meta))
    return out
