"""Targeted syntactic evaluation suites drawn from the grammar generator.

Two kinds of files, written by :func:`write_suites` (or ``lstm-nlp-suites out=DIR``)::

    DIR/summary.json                         counts, dropped items, seed, generator version
    DIR/<category>.jsonl                     minimal pairs (Marvin & Linzen 2018), one file per
                                             category
    DIR/number_prediction/{train,valid,test}.txt    (Linzen et al. 2016), when asked for
    DIR/pronoun_prediction/{train,valid,test}.txt

**Minimal pairs.**  One JSON object per line, with BLiMP's field names where they exist::

    {"sentence_good": "the keys to the cabinet are old .",
     "sentence_bad": "the keys to the cabinet is old .",
     "category": "pp",              # the file stem, see CATEGORIES
     "construction": "pp",          # the generator's site construction
     "attractors": 1,               # nouns between controller and target with the other number
     "number": "pl",                # the controller's number: sg | pl
     "attractor_number": "sg",      # the number of the attractor nearest the target, or null
     "condition": "pl_sg",          # number + "_" + attractor_number, or just the number
                                    # (no attractor)
     "gender": null,                # the controller's gender: m | f | n | null
     "target_index": 5,             # 0-based token index of the compared word ("." is a token)
     "good_word": "are", "bad_word": "is",
     "controller_index": 1,         # the subject / antecedent head
     "pairID": "17"}                # running number within the file, as in BLiMP

Sentences are in the corpus's text form (lowercase, whitespace-tokenised, ending in " .")
and differ in exactly one token, at ``target_index``.  ``bad_word`` is the form of the
other number; for ``pronoun_gender`` it is the other gender (he/she, him/her,
himself/herself) and the controller is always singular masculine or feminine.

Each (category, attractors, condition) cell holds ``n_per_cell`` pairs: the conditions are
``sg`` and ``pl`` without attractors, ``sg_pl`` and ``pl_sg`` with (attractors always have the
other number).  ``pronoun_gender`` has only singular controllers (``sg``, ``sg_pl``), half of
each cell masculine, half feminine.  A cell that cannot be filled (a small vocabulary) is
listed under ``incomplete`` in the summary.  No pair occurs twice in a file.

**Prediction files.**  One item per line, TAB-separated: the label, the prefix (the sentence
up to, not including, the target word), then ``key=value`` metadata columns that
Linzen-format readers ignore::

    number_prediction:   VBZ|VBP <TAB> prefix <TAB> attractors=K <TAB> construction=NAME
                         <TAB> number=sg|pl <TAB> good=VERB <TAB> bad=VERB
    pronoun_prediction:  PRONOUN <TAB> prefix <TAB> attractors=K <TAB> construction=NAME
                         <TAB> number=sg|pl <TAB> gender=m|f|n|none <TAB> good=PRONOUN
                         <TAB> bad=PRONOUN

e.g. ``VBP<TAB>the keys to the cabinet<TAB>attractors=1<TAB>construction=pp<TAB>number=pl...`` and
``themselves<TAB>the senators that the actress met hurt<TAB>...`` (``good`` is the word that
follows the prefix, ``bad`` its form with the other number; no value holds a space).  Items are
every present-tense agreeing verb (VBZ/VBP; not was/were) of the mixed grammar corpus, and every
reflexive or pronoun of its anaphora sentences; a sentence with two verbs gives two lines.
The three splits come from disjoint random streams and share no line (label + prefix);
valid and test have no repeated line either.  See :mod:`lstm_nlp.grammar.prediction`.

**Vocabulary.**  With ``vocabulary`` (``vocab=PATH``: a tokenizer.json, a checkpoint, or a run
directory) a pair is dropped when any word of either sentence is outside it, a prediction
line when any word of its prefix is; generation goes on until the cells are full, and the
summary counts what was dropped.  Words are drawn with the Zipf ranks of the ``seed``, so use
the seed (and generator parameters) of the corpus the model was trained on.

Everything is a function of the arguments: the same seed gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import atomic_dir, write_text
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.grammar.constructions import NO_ATTRACTORS
from lstm_nlp.grammar.generator import SentenceGenerator
from lstm_nlp.grammar.params import GENERATOR_VERSION, GrammarParams, make_params
from lstm_nlp.grammar.sentence import NOUN_TAGS, Sentence

SUITES_VERSION = 1  # bump whenever the files for the same arguments change
SUMMARY_FILE = "summary.json"
BATCH = (
    64  # sentences per generator stream; fixed, so a cell's candidates never depend on n_per_cell
)
MAX_DRAWS_PER_PAIR = (
    50  # give up on a (category, attractors) stream after this many candidates per wanted pair,
)
HOPELESS = 2000  # or after this many without one pair in the vocabulary


@dataclass(frozen=True)
class Category:
    construction: str  # the main site's construction
    description: str
    compare: str = "number"  # number: bad is the other number's form; gender: the other gender's
    relativizer: str | None = None  # keep only sentences whose relative clause opens with this word


CATEGORIES: dict[str, Category] = {
    "simple_agreement": Category("simple", "subject-verb agreement in a simple sentence"),
    "sent_comp": Category("sent_comp", "agreement in a sentential complement"),
    "vp_coord_short": Category(
        "vp_coord_short", "agreement of the second of two coordinated short VPs"
    ),
    "vp_coord_long": Category(
        "vp_coord_long", "agreement of the second of two coordinated long VPs"
    ),
    "pp": Category("pp", "agreement across a prepositional phrase"),
    "subj_rel": Category("subj_rel", "agreement across a subject relative clause"),
    "obj_rel": Category(
        "obj_rel", "agreement across an object relative clause with 'that'", relativizer="that"
    ),
    "obj_rel_no_that": Category(
        "obj_rel_no_that", "agreement across an object relative clause without 'that'"
    ),
    "within_obj_rel": Category(
        "within_obj_rel", "agreement of the verb inside an object relative clause"
    ),
    "reflexive_simple": Category("reflexive_simple", "reflexive anaphor in a simple sentence"),
    "reflexive_sent_comp": Category(
        "reflexive_sent_comp", "reflexive anaphor in a sentential complement"
    ),
    "reflexive_across_rel": Category(
        "reflexive_across_rel", "reflexive anaphor across a relative clause"
    ),
    "pronoun_gender": Category(
        "pronoun", "pronoun vs its antecedent's gender (he/she, him/her)", compare="gender"
    ),
    "pronoun_number": Category("pronoun", "pronoun vs its antecedent's number (he/they, him/them)"),
}

PAIR_FIELDS = (
    "sentence_good",
    "sentence_bad",
    "category",
    "construction",
    "attractors",
    "number",
    "attractor_number",
    "condition",
    "gender",
    "target_index",
    "good_word",
    "bad_word",
    "controller_index",
    "pairID",
)


# -- arguments (their types and ranges: the commands' options dataclasses, e.g. SuitesOptions) ----
def check_categories(categories: Iterable[str] | str | None) -> list[str]:
    """Category names in the canonical order; ``None`` means all of them."""
    if categories is None:
        return list(CATEGORIES)
    names = [categories] if isinstance(categories, str) else [str(c) for c in categories]
    for name in names:
        if name not in CATEGORIES:
            import difflib

            close = difflib.get_close_matches(name, CATEGORIES, n=1)
            hint = f". Did you mean {close[0]!r}?" if close else ""
            raise ConfigError(
                f"categories: unknown category {name!r}; known: {', '.join(CATEGORIES)}{hint}"
            )
    if not names:
        raise ConfigError("categories must name at least one category (or be null for all)")
    return [name for name in CATEGORIES if name in names]


def suite_params(
    seed: int, max_attractors: int, grammar: Mapping[str, Any] | None = None
) -> GrammarParams:
    """Generator parameters: ``grammar`` (e.g. a ``data=grammar`` config; other keys are ignored)
    with ``seed`` and ``max_attractors`` (the longest PP chains of the prediction sentences) set."""
    defaults = GrammarParams().as_dict()
    values = {}
    for key in defaults:
        if grammar is not None and key in grammar and key not in ("seed", "max_attractors"):
            value = grammar[key]
            if key == "construction_mix" and value is not None and hasattr(value, "items"):
                value = {k: v for k, v in value.items()}  # DictConfig -> dict
            values[key] = value
    return make_params("grammar.", **values, seed=seed, max_attractors=max_attractors)


def attractor_counts(category: str, max_attractors: int) -> list[int]:
    """The attractor counts a category has: 0 only, or 0..max_attractors."""
    if CATEGORIES[category].construction in NO_ATTRACTORS:
        return [0]
    return list(range(max_attractors + 1))


def conditions(category: str, attractors: int) -> tuple[str, ...]:
    numbers = ("sg",) if CATEGORIES[category].compare == "gender" else ("sg", "pl")
    return tuple(f"{n}_{'pl' if n == 'sg' else 'sg'}" if attractors else n for n in numbers)


def _quotas(category: str, attractors: int, n_per_cell: int) -> dict[tuple[str, str | None], int]:
    """How many pairs each (condition, gender) sub-cell wants; gender only splits pronoun_gender."""
    quotas = {}
    for cond in conditions(category, attractors):
        if CATEGORIES[category].compare == "gender":
            quotas[(cond, "m")] = (n_per_cell + 1) // 2
            quotas[(cond, "f")] = n_per_cell // 2
        else:
            quotas[(cond, None)] = n_per_cell
    return {key: n for key, n in quotas.items() if n > 0}


# -- pairs ---------------------------------------------------------------------------------------
def make_pair(category: str, sentence: Sentence) -> dict | None:
    """The minimal pair of ``sentence``'s main site, or ``None`` if it does not fit the category."""
    spec = CATEGORIES[category]
    site = sentence.main_site()
    if site is None or site.construction != spec.construction:
        return None
    if spec.relativizer and sentence.tokens[site.controller + 1] != spec.relativizer:
        return None
    if spec.compare == "gender":
        if site.bad_gender is None:
            return None
        bad = site.bad_gender
    else:
        bad = site.bad
    tokens = list(sentence.tokens)
    tokens[site.target] = bad
    if site.attractor_positions:
        nearest = min(site.attractor_positions, key=lambda i: abs(site.target - i))
        attractor_number = NOUN_TAGS[sentence.tags[nearest]]
        condition = f"{site.number}_{attractor_number}"
    else:
        attractor_number, condition = None, site.number
    return {
        "sentence_good": sentence.text(),
        "sentence_bad": " ".join(tokens),
        "category": category,
        "construction": site.construction,
        "attractors": site.attractors,
        "number": site.number,
        "attractor_number": attractor_number,
        "condition": condition,
        "gender": site.gender,
        "target_index": site.target,
        "good_word": site.good,
        "bad_word": bad,
        "controller_index": site.controller,
    }


def pair_words(pair: Mapping[str, Any]) -> set[str]:
    return set(pair["sentence_good"].split(" ")) | {pair["bad_word"]}


def candidates(gen: SentenceGenerator, category: str, attractors: int) -> Iterator[dict]:
    """An endless, seeded stream of the category's pairs with ``attractors`` attractors."""
    construction = CATEGORIES[category].construction
    batch = 0
    while True:
        stream = f"suites:{category}:{attractors}:{batch}"
        for sentence in gen.sentences(BATCH, construction, attractors=attractors, stream=stream):
            pair = make_pair(category, sentence)
            if pair is not None:
                yield pair
        batch += 1


@dataclass
class CellReport:
    category: str
    attractors: int
    condition: str
    gender: str | None
    wanted: int
    got: int = 0


@dataclass
class SuiteResult:
    """One category's pairs and what it took to draw them."""

    category: str
    pairs: list[dict]
    cells: list[CellReport]
    dropped_by_vocab: dict[int, int] = field(default_factory=dict)  # attractors -> pairs dropped
    duplicates: int = 0
    candidates_drawn: int = 0
    oov: Counter = field(default_factory=Counter)

    def incomplete(self) -> list[CellReport]:
        return [c for c in self.cells if c.got < c.wanted]


def build_suite(
    category: str,
    n_per_cell: int,
    seed: int = 0,
    *,
    max_attractors: int = 4,
    vocabulary: set[str] | frozenset[str] | None = None,
    grammar: Mapping[str, Any] | None = None,
    generator: SentenceGenerator | None = None,
) -> SuiteResult:
    """The pairs of one category, cell by cell, with drop/duplicate counts (see
    :func:`build_pairs`)."""
    (category,) = check_categories([category])
    gen = generator or SentenceGenerator(suite_params(seed, max_attractors, grammar))
    result = SuiteResult(category, [], [])
    for k in attractor_counts(category, max_attractors):
        quotas = _quotas(category, k, n_per_cell)
        cells: dict[tuple[str, str | None], list[dict]] = {key: [] for key in quotas}
        seen: set[tuple[str, str]] = set()
        open_cells = len(quotas)
        budget = MAX_DRAWS_PER_PAIR * sum(quotas.values()) + 10 * BATCH
        result.dropped_by_vocab[k] = 0
        accepted = 0
        for drawn, pair in enumerate(candidates(gen, category, k), 1):
            if drawn > budget or (drawn > HOPELESS and not accepted):
                break
            key = (
                pair["condition"],
                pair["gender"] if CATEGORIES[category].compare == "gender" else None,
            )
            cell = cells.get(key)
            if cell is None or len(cell) >= quotas[key]:
                continue
            identity = (pair["sentence_good"], pair["sentence_bad"])
            if identity in seen:
                result.duplicates += 1
                continue
            seen.add(identity)
            if vocabulary is not None:
                missing = pair_words(pair) - vocabulary
                if missing:
                    result.dropped_by_vocab[k] += 1
                    result.oov.update(missing)
                    continue
            cell.append(pair)
            accepted += 1
            if len(cell) == quotas[key]:
                open_cells -= 1
                if open_cells == 0:
                    break
        result.candidates_drawn += drawn
        for (cond, gender), cell in cells.items():
            result.cells.append(
                CellReport(category, k, cond, gender, quotas[(cond, gender)], len(cell))
            )
            result.pairs.extend(cell)
    for i, pair in enumerate(result.pairs):
        pair["pairID"] = str(i)
    return result


def build_pairs(
    category: str,
    n_per_cell: int,
    seed: int = 0,
    *,
    max_attractors: int = 4,
    vocabulary: set[str] | frozenset[str] | None = None,
    grammar: Mapping[str, Any] | None = None,
) -> list[dict]:
    """``n_per_cell`` minimal pairs per (attractors, condition) cell of ``category``, no files.

    Pairs come grouped by attractor count, then condition, in the order drawn.  With
    ``vocabulary``, pairs with a word outside it are skipped and more are drawn; a cell that
    still cannot be filled comes back short.  ``grammar``: generator parameters to match
    a training corpus (``max_lemmas``, ``zipf_exponent``, ...; see :func:`suite_params`).
    """
    return build_suite(
        category,
        n_per_cell,
        seed,
        max_attractors=max_attractors,
        vocabulary=vocabulary,
        grammar=grammar,
    ).pairs


def pairs_jsonl(pairs: Sequence[Mapping[str, Any]]) -> str:
    return "".join(
        json.dumps({k: p[k] for k in PAIR_FIELDS}, separators=(", ", ": ")) + "\n" for p in pairs
    )


def read_pairs(path: str | os.PathLike) -> list[dict]:
    """A minimal-pair file back as dicts; a malformed line is a :class:`DataError` naming it."""
    path = Path(path)
    pairs = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            pair = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{i}: not a JSON object ({e.msg})") from None
        if not isinstance(pair, dict) or not {"sentence_good", "sentence_bad"} <= set(pair):
            raise DataError(f"{path}:{i}: a pair needs sentence_good and sentence_bad")
        pairs.append(pair)
    return pairs


# -- vocabulary ----------------------------------------------------------------------------------
def vocabulary_fingerprint(vocabulary: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(vocabulary)).encode("utf-8")).hexdigest()[:16]


# -- everything into a folder --------------------------------------------------------------------
def write_suites(
    folder: str | os.PathLike,
    *,
    seed: int,
    n_per_cell: int,
    max_attractors: int = 4,
    vocabulary: set[str] | frozenset[str] | None = None,
    prediction_sizes: Sequence[int] | None = None,
    categories: Iterable[str] | None = None,
    grammar: Mapping[str, Any] | None = None,
) -> dict:
    """Write the minimal-pair files (and prediction files) into ``folder``; return the summary.

    ``prediction_sizes=(train, valid, test)`` lines per split of number_prediction/ and
    pronoun_prediction/; ``None`` writes none.  ``categories`` restricts the pair files
    (default: all of :data:`CATEGORIES`).  ``grammar``: generator parameters (see
    :func:`suite_params`).  Each file is written atomically, ``summary.json`` last.
    Raises :class:`ConfigError` for bad arguments, and :class:`DataError` when a vocabulary
    leaves no pair at all (the wrong tokenizer, or a model trained on another corpus).
    """
    from lstm_nlp.grammar import prediction

    names = check_categories(categories)
    params = suite_params(seed, max_attractors, grammar)
    sizes = prediction.check_sizes(prediction_sizes)
    vocab = frozenset(vocabulary) if vocabulary is not None else None
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"out: {str(folder)!r} exists and is not a folder")

    gen = SentenceGenerator(params)
    results = [
        build_suite(
            name, n_per_cell, seed, max_attractors=max_attractors, vocabulary=vocab, generator=gen
        )
        for name in names
    ]
    oov = Counter()
    for r in results:
        oov.update(r.oov)
    if vocab is not None and not any(r.pairs for r in results):
        common = ", ".join(w for w, _ in oov.most_common(5))
        raise DataError(
            f"vocab: every generated pair has a word outside the vocabulary ({len(vocab)} words; "
            f"commonest missing: {common}); use the tokenizer of a model trained on the grammar "
            "corpus, with the same seed"
        )
    files = {f"{r.category}.jsonl": pairs_jsonl(r.pairs) for r in results}
    predictions = None
    if sizes is not None:
        predictions = {}
        for task in prediction.TASKS:
            texts, report = prediction.build_prediction(task, sizes, params, vocab)
            predictions[task] = report
            for split, text in texts.items():
                files[f"{task}/{split}.txt"] = text
            oov.update(report.pop("_oov"))

    summary = {
        "format": "lstm-nlp-suites",
        "suites_version": SUITES_VERSION,
        "generator_version": GENERATOR_VERSION,
        "seed": params.seed,
        "n_per_cell": n_per_cell,
        "max_attractors": params.max_attractors,
        "grammar": {k: v for k, v in params.as_dict().items() if not k.endswith("_sentences")},
        "vocabulary": None
        if vocab is None
        else {"size": len(vocab), "fingerprint": vocabulary_fingerprint(vocab)},
        "categories": {r.category: _category_summary(r) for r in results},
        "pairs": sum(len(r.pairs) for r in results),
        "counts": {r.category: _per_attractors(r.pairs) for r in results},
        "dropped_by_vocab": {
            "pairs": {r.category: sum(r.dropped_by_vocab.values()) for r in results},
            **(
                {
                    task: {s: rep["splits"][s]["dropped_by_vocab"] for s in rep["splits"]}
                    for task, rep in predictions.items()
                }
                if predictions
                else {}
            ),
        },
        "oov_words": dict(oov.most_common(20)),
        "incomplete": [vars(c) for r in results for c in r.incomplete()],
        "prediction": predictions,
        "files": sorted(files) + [SUMMARY_FILE],
    }
    if folder.is_dir():  # file by file; a reader that finds summary.json finds this run's files
        (folder / SUMMARY_FILE).unlink(missing_ok=True)
        _write_files(folder, files, summary)
    else:  # a new folder appears complete, or not at all
        with atomic_dir(folder) as tmp:
            _write_files(tmp, files, summary)
    return json.loads(json.dumps(summary))  # exactly what summary.json holds


def _write_files(folder: Path, files: Mapping[str, str], summary: dict) -> None:
    for name, text in files.items():
        write_text(folder / name, text)
    write_text(
        folder / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n"
    )  # keys in CATEGORIES order


def _per_attractors(pairs: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts = Counter(p["attractors"] for p in pairs)
    return {str(k): counts[k] for k in sorted(counts)}


def _category_summary(r: SuiteResult) -> dict:
    cells: dict[str, dict[str, int]] = {}
    for c in r.cells:
        per = cells.setdefault(str(c.attractors), {})
        per[c.condition] = per.get(c.condition, 0) + c.got
    return {
        "file": f"{r.category}.jsonl",
        "construction": CATEGORIES[r.category].construction,
        "description": CATEGORIES[r.category].description,
        "pairs": len(r.pairs),
        "attractors": sorted({c.attractors for c in r.cells}),
        "cells": cells,
        "dropped_by_vocab": {str(k): n for k, n in r.dropped_by_vocab.items()},
        "duplicates_skipped": r.duplicates,
        "candidates_drawn": r.candidates_drawn,
    }
