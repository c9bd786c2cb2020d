"""The options of ``lstm-nlp-eval`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.evaluation.precision_option import PrecisionOption
from lstm_nlp.evaluation.protocol_options import ProtocolOptions
from lstm_nlp.schema import CommandOptions, option
from lstm_nlp.schema.limits import MAX_THREADS


@dataclass
class EvalOptions(CommandOptions, PrecisionOption, ProtocolOptions):
    """lstm-nlp-eval: score a trained language model on the field's syntax test sets, each read
    in its native format and scored with its paper's protocol, beside the published LSTM numbers

    Examples:
      lstm-nlp-eval checkpoint=RUN_DIR path=agreement.jsonl           # writes eval_out/agreement/
      lstm-nlp-eval checkpoint=RUN_DIR path=blimp/                    # source=auto: BLiMP
      lstm-nlp-eval checkpoint=RUN_DIR benchmarks=all path=BENCHMARKS # every set in a folder
      lstm-nlp-eval checkpoint=RUN_DIR source=gulordava path=English protocol=gulordava
      lstm-nlp-eval checkpoint=RUN_DIR path=suite.tsv 'group_by=[category,category+attractors]'
      lstm-nlp-eval checkpoint=RUN_DIR path=suite.jsonl state=warmup warmup_file=story.txt

    Sources (source=auto recognises them by their files): blimp, marvin_linzen, gulordava,
    linzen, lakretz, syntaxgym, pairs (JSONL or TSV minimal pairs), suites (lstm-nlp-suites).
    Protocols set how each paper scored (docs/protocols.md); the scoring options below, when
    given, override the protocol's.  Writes OUT/results.json, OUT/results.md (accuracy overall
    and per group with 95% Wilson intervals, the published LSTM figure and its source,
    coverage, contamination), OUT/accuracy.png, OUT/items.jsonl."""

    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    path: str = option("???", help="the test set: a file or a folder, in the source's format")
    benchmarks: str | None = option(
        None,
        choices=("all",),
        help="all: evaluate every set found under path (one folder or file each) into one table",
    )
    group_by: list[str] = option(
        [],
        help="metadata fields to break accuracy down by, e.g. [UID]; a+b: one row per "
        "combination (added to the source's own groups)",
    )
    contamination: bool = option(
        True, help="share of sentences with an 8-gram in the model's training corpus"
    )
    device: str = option("cpu", help="cpu, cuda, cuda:1, ...")
    threads: int = option(1, ge=1, le=MAX_THREADS, help="torch CPU threads")
    plot: bool = option(True, help="write accuracy.png")
    out: str | None = option(
        None, help="output folder; null: eval_out/<name of the test file or folder>"
    )
