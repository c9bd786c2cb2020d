"""The options of ``lstm-nlp-ppl`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.precision_option import PrecisionOption
from lstm_nlp.schema import CommandOptions, Options, option
from lstm_nlp.schema.limits import MAX_BATCH, MAX_THREADS, MAX_WINDOW

VALID_HELP = "validation text for the search; null: the checkpoint's run's validation split"


@dataclass
class CacheOptions(Options):
    """The neural cache pointer (Grave, Joulin & Usunier 2017)."""

    window: int = option(
        0,
        ge=0,
        le=MAX_WINDOW,
        help="past positions each stream column remembers; 0: no cache (awd-lstm-lm uses 500 on "
        "PTB, 3785 on WikiText-2)",
    )
    theta: float = option(1.0, ge=0.0, help="flatness of the cache: exp(theta * h_t . h_i)")
    lambdah: float = option(
        0.1, ge=0.0, le=1.0, help="weight of the cache: (1-lambdah) p_model + lambdah p_cache"
    )
    search: bool = option(
        False, help="choose theta and lambdah from the grids below by perplexity on valid_path"
    )
    valid_path: str | None = option(None, help=VALID_HELP)
    theta_grid: list[float] = option(
        [0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0], ge=0.0, help="thetas tried by search"
    )
    lambdah_grid: list[float] = option(
        [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5], ge=0.0, le=1.0, help="lambdahs tried by search"
    )

    @property
    def on(self) -> bool:
        return self.window > 0

    def check(self) -> None:
        if self.search and not self.on:
            raise ConfigError(
                "cache.search=true needs a cache: set cache.window (e.g. cache.window=500)"
            )
        for name in ("theta_grid", "lambdah_grid"):
            if self.search and not getattr(self, name):
                raise ConfigError(f"cache.{name} is empty: cache.search=true needs values")


@dataclass
class DynamicOptions(Options):
    """Dynamic evaluation (Krause, Kahembwe, Murray & Renals 2018)."""

    method: str | None = option(
        None,
        choices=("sgd", "rms"),
        help="null: off; sgd: w -= lr g, plus lamb (w0 - w); rms: Krause et al.'s update, "
        "g / RMS(training gradients), decay scaled per weight",
    )
    lr: float = option(5e-5, gt=0.0, help="learning rate eta of the update after each segment")
    lamb: float = option(
        0.002, ge=0.0, help="decay lambda toward the trained weights (Krause et al.'s --lamb)"
    )
    epsilon: float = option(2e-5, gt=0.0, help="rms: added to the RMS of each weight's gradient")
    stats_path: str | None = option(
        None,
        help="rms: text whose mean squared gradients scale the update; null: the checkpoint's "
        "run's training split",
    )
    stats_batch_size: int = option(
        100, ge=1, le=MAX_BATCH, help="rms: stream columns for the statistics"
    )
    stats_batches: int | None = option(
        None, ge=1, help="rms: at most this many bptt windows of stats_path; null: all of it"
    )
    search: bool = option(
        False, help="choose lr and lamb from the grids below by perplexity on valid_path"
    )
    valid_path: str | None = option(None, help=VALID_HELP)
    search_tokens: int | None = option(
        None, ge=2, help="search on the first N tokens of valid_path only; null: all of it"
    )
    lr_grid: list[float] = option(
        [3e-5, 1e-4, 3e-4, 1e-3], gt=0.0, help="learning rates tried by search"
    )
    lamb_grid: list[float] = option([0.001, 0.003, 0.01], ge=0.0, help="lambs tried by search")

    @property
    def on(self) -> bool:
        return self.method is not None

    def check(self) -> None:
        if self.search and not self.on:
            raise ConfigError(
                "dynamic.search=true needs a method: set dynamic.method=rms or dynamic.method=sgd"
            )
        for name in ("lr_grid", "lamb_grid"):
            if self.search and not getattr(self, name):
                raise ConfigError(f"dynamic.{name} is empty: dynamic.search=true needs values")


@dataclass
class PplOptions(CommandOptions, PrecisionOption):
    """lstm-nlp-ppl: perplexity of any text under a trained language model, tokenised as its
    training corpus was (each line a sentence followed by <eos>), the hidden state carried through
    the whole text; optionally with the neural cache pointer and dynamic evaluation

    Examples:
      lstm-nlp-ppl checkpoint=RUN_DIR path=test.txt
      lstm-nlp-ppl checkpoint=RUN_DIR split=test                        # the run's own corpus
      lstm-nlp-ppl checkpoint=RUN_DIR path=CORPUS_DIR out=ppl_out        # every .txt/.tokens
      lstm-nlp-ppl checkpoint=RUN_DIR path=test.txt cache.window=500 cache.theta=0.5
      lstm-nlp-ppl checkpoint=RUN_DIR path=test.txt cache.window=500 cache.search=true
      lstm-nlp-ppl checkpoint=RUN_DIR path=test.txt dynamic.method=rms dynamic.search=true
      lstm-nlp-ppl checkpoint=RUN_DIR path=test.txt dynamic.method=sgd dynamic.lr=0.1 batch_size=1

    The text is cut into batch_size parallel stream columns and read in windows of bptt
    tokens, as validation reads a split; each file starts afresh (hidden state, cache, trained
    weights).  Prints a table per file and the total (token-weighted); with out=, writes
    OUT/results.json and OUT/results.md.  The searches run on validation text (the run's
    validation split unless valid_path is given) and are recorded with the results."""

    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    path: str | None = option(
        None, help="a text file, or a folder: each of its .txt and .tokens files, and the total"
    )
    split: str | None = option(
        None,
        choices=("train", "valid", "test"),
        help="instead of path: that split of the corpus the checkpoint's run trained on",
    )
    batch_size: int | None = option(
        None,
        ge=1,
        le=MAX_BATCH,
        help="parallel stream columns; null: the run's task.eval_batch_size, fewer for a text "
        "shorter than that many bptt windows",
    )
    bptt: int | None = option(
        None,
        ge=1,
        le=MAX_WINDOW,
        help="tokens per window (dynamic: per update); null: the run's task.bptt",
    )
    cache: CacheOptions = field(
        default_factory=CacheOptions, metadata={"help": "the neural cache pointer"}
    )
    dynamic: DynamicOptions = field(
        default_factory=DynamicOptions, metadata={"help": "dynamic evaluation"}
    )
    device: str = option("cpu", help="cpu, cuda, cuda:1, ...")
    threads: int = option(1, ge=1, le=MAX_THREADS, help="torch CPU threads")
    out: str | None = option(
        None, help="a folder for results.json and results.md; null: print only"
    )

    def check(self) -> None:
        if (self.path is None) == (self.split is None):
            given = "both" if self.path is not None else "neither"
            raise ConfigError(
                f"path or split: give one ({given} given): path=FILE_OR_DIR, or split=test for "
                "the test split of the run's corpus"
            )
