"""The options of ``lstm-nlp-eval`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.protocols import PROTOCOLS
from lstm_nlp.evaluation.scoring import OOV_POLICIES, SCORES, STATES
from lstm_nlp.schema import CommandOptions, option

PROTOCOL = "null: the protocol's"


@dataclass
class EvalOptions(CommandOptions):
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
    protocol: str | None = option(
        None, choices=tuple(PROTOCOLS), help="how items are scored; null: the source's paper's"
    )
    group_by: list[str] = option(
        [],
        help="metadata fields to break accuracy down by, e.g. [UID]; a+b: one row per "
        "combination (added to the source's own groups)",
    )
    score: str | None = option(
        None, choices=SCORES, help=f"sum: whole log-probability | mean: per token ({PROTOCOL})"
    )
    state: str | None = option(
        None,
        choices=STATES,
        help="reset: every item from zeros | stream: the set in order as one text | warmup: "
        f"every item after the warm-up text ({PROTOCOL})",
    )
    final_eos: bool | None = option(None, help=f"include log P(<eos> | sentence) ({PROTOCOL})")
    suffix: str | None = option(None, help=f"words appended to each sentence ({PROTOCOL})")
    lowercase: bool | None = option(None, help=f"lowercase the text first ({PROTOCOL})")
    split_punctuation: bool | None = option(
        None, help=f'split punctuation off words: "themselves." -> "themselves ." ({PROTOCOL})'
    )
    oov: str | None = option(
        None,
        choices=OOV_POLICIES,
        help="exclude: skip items whose compared words are unknown | exclude_any: items with "
        f"any unknown word | include: score them with <unk> ({PROTOCOL})",
    )
    warmup_text: str | None = option(None, help="state=warmup: the text read before each item")
    warmup_file: str | None = option(None, help="state=warmup: a UTF-8 file of warm-up text")
    batch_size: int = option(128, ge=1, help="items per forward call")
    contamination: bool = option(
        True, help="share of sentences with an 8-gram in the model's training corpus"
    )
    device: str = option("cpu", help="cpu, cuda, cuda:1, ...")
    threads: int = option(1, ge=1, help="torch CPU threads")
    plot: bool = option(True, help="write accuracy.png")
    out: str | None = option(
        None, help="output folder; null: eval_out/<name of the test file or folder>"
    )

    def check(self) -> None:
        given = [k for k in ("warmup_text", "warmup_file") if getattr(self, k) is not None]
        if len(given) == 2:
            raise ConfigError("give warmup_text or warmup_file, not both")
        protocol = PROTOCOLS.get(self.protocol or "")
        if self.state == "warmup" and not given and protocol and not protocol.warmup_text:
            raise ConfigError(
                "state=warmup needs warmup_text=TEXT or warmup_file=FILE "
                f"(protocol={protocol.name} has no warm-up text of its own)"
            )
        if self.state not in (None, "warmup") and given:
            raise ConfigError(
                f"{given[0]} is only used with state=warmup (state is {self.state!r})"
            )
