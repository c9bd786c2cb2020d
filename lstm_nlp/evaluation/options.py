"""The options of ``lstm-nlp-eval`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.schema import CommandOptions, option


@dataclass
class EvalOptions(ScoringOptions, CommandOptions):
    """lstm-nlp-eval: which of two sentences does a trained language model prefer? (minimal
    pairs, e.g. BLiMP)

    Examples:
      lstm-nlp-eval checkpoint=RUN_DIR pairs=agreement.jsonl            # writes eval_out/agreement/
      lstm-nlp-eval checkpoint=RUN_DIR pairs=blimp/data lowercase=true split_punctuation=true \\
          'group_by=[linguistics_term]'
      lstm-nlp-eval checkpoint=RUN_DIR pairs=suite.tsv 'group_by=[category,category+attractors]'
      lstm-nlp-eval checkpoint=RUN_DIR pairs=suite.jsonl state=warmup warmup_file=story.txt

    Pairs (source=pairs: JSONL, or TSV with a header row): sentence pairs {"sentence_good": ...,
    "sentence_bad": ...} compare whole sentences, read as "<eos> w1 ... wn <eos>"; prefix pairs
    {"prefix": ..., "good": ..., "bad": ...} compare log P(good | prefix) with log P(bad | prefix).
    Other fields are metadata to group by.  Writes OUT/results.json (accuracy overall and per
    group, 95% Wilson intervals, coverage), OUT/results.md, OUT/accuracy.png, OUT/items.jsonl."""

    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    pairs: str = option("???", help="the test set: a file, or a folder of files (source= reads it)")
    group_by: list[str] = option(
        [],
        help="metadata fields to break accuracy down by, e.g. [UID]; a+b: one row per "
        "combination (overall, file and attractors are always reported when present)",
    )
    warmup_file: str | None = option(None, help="state=warmup: a UTF-8 file of warm-up text")
    device: str = option("cpu", help="cpu, cuda, cuda:1, ...")
    threads: int = option(1, ge=1, help="torch CPU threads")
    plot: bool = option(True, help="write accuracy.png")
    out: str | None = option(
        None, help="output folder; null: eval_out/<name of the pairs file or folder>"
    )

    def check(self) -> None:
        given = [k for k in ("warmup_text", "warmup_file") if getattr(self, k) is not None]
        if len(given) == 2:
            raise ConfigError("give warmup_text or warmup_file, not both")
        if self.state == "warmup" and not given:
            raise ConfigError("state=warmup needs warmup_text=TEXT or warmup_file=FILE")
        if self.state != "warmup" and given:
            raise ConfigError(
                f"{given[0]} is only used with state=warmup (state is {self.state!r})"
            )
