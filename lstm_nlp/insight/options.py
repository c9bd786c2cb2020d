"""The options of ``lstm-nlp-inspect`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.schema import CommandOptions, option
from lstm_nlp.schema.limits import (
    MAX_ATTRACTORS,
    MAX_BATCH,
    MAX_PER_CELL,
    MAX_SEED,
    MAX_THREADS,
    MAX_UNITS,
)

MODES = ("gates", "units", "probe")
QUANTITIES = ("forget", "input", "output", "candidate", "cell", "hidden")


@dataclass
class InspectOptions(CommandOptions):
    """lstm-nlp-inspect: look inside a trained LSTM language model.

    Examples:
      lstm-nlp-inspect checkpoint=RUN_DIR sentence="the keys to the cabinet are" out=inspect_out
      lstm-nlp-inspect mode=units checkpoint=RUN_DIR out=inspect_out     # number units, ablated
      lstm-nlp-inspect mode=probe checkpoint=RUN_DIR out=inspect_out     # probing by position
      lstm-nlp-inspect mode=units checkpoint=RUN_DIR path=lakretz/ out=inspect_out  # any test set
      lstm-nlp-inspect ... logger=tensorboard    # the pictures also to OUT/tensorboard (or wandb)

    mode=gates writes gates.json and gates_layer<k>.png, mode=units units.json, units.csv and two
    plots, mode=probe probe.json and probe_by_position.png.  mode=gates and mode=probe need an
    encoder that exposes its gates; mode=units one with nn.LSTM's weights."""

    mode: str = option("gates", choices=MODES, help="what to look at")
    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    out: str = option("???", help="output folder (created if needed)")
    sentence: str | None = option(
        None, help="mode=gates: the words to read; unknown words are read as <unk>"
    )
    top_k: int = option(
        20, ge=1, le=MAX_UNITS, help="mode=gates: heatmap columns (units varying most)"
    )
    units: list[int] | None = option(
        None, ge=0, le=MAX_UNITS, help="mode=gates: these units instead, e.g. [3,17]"
    )
    select_by: str = option("cell", choices=QUANTITIES, help="mode=gates: what top_k ranks by")
    path: str | None = option(
        None,
        help="units/probe: a test set (a file or folder; source=NAME its format, auto by default) "
        "to take agreement pairs from; null: generate them from the grammar",
    )
    categories: list[str] | None = option(
        None,
        help="units/probe: only these categories (a set's category/pattern/template/UID/file); "
        "null: every subject-verb one when generating, all of path's",
    )
    n_per_cell: int = option(
        25, ge=1, le=MAX_PER_CELL, help="units/probe: generated pairs per cell"
    )
    max_attractors: int = option(
        4, ge=0, le=MAX_ATTRACTORS, help="units/probe: attractor counts 0..max_attractors"
    )
    suite_seed: int | None = option(
        None,
        ge=0,
        le=MAX_SEED,
        help="generator seed; null: the run's data.seed (data=grammar), else 0",
    )
    rank_by: str = option(
        "cell", choices=("cell", "hidden"), help="mode=units: the state whose AUC ranks the units"
    )
    max_units: int | None = option(
        None,
        ge=1,
        le=MAX_UNITS,
        help="mode=units: null: ablate all; N: the top ones + a seeded random sample",
    )
    ablate_top: int = option(
        10, ge=0, le=MAX_UNITS, help="mode=units: best-ranked units always ablated"
    )
    plot_units: int = option(
        4, ge=1, le=MAX_UNITS, help="mode=units: units in units_cell_by_condition.png"
    )
    plot_category: str | None = option(
        None, help="mode=units: the category of that plot; null: pp if present, else any"
    )
    plot_attractors: int = option(
        1, ge=0, le=MAX_ATTRACTORS, help="mode=units: the attractor count of that plot"
    )
    probe_states: list[str] = option(
        ["hidden"], choices=("hidden", "cell"), help="mode=probe: hidden and/or cell"
    )
    test_fraction: float = option(
        0.3, gt=0, lt=1, help="mode=probe: share of the sentences held out"
    )
    l2: float = option(0.001, ge=0, help="mode=probe: L2 penalty (standardised features)")
    min_items: int = option(
        20, ge=2, le=MAX_BATCH, help="mode=probe: fewest items for a position to be probed"
    )
    seed: int = option(
        0, ge=0, le=MAX_SEED, help="random sample of units; the probe's train/test split"
    )
    batch_size: int = option(512, ge=1, le=MAX_BATCH, help="sentences per forward call")
    device: str = option("cpu", help="cpu, cuda, cuda:1, ...")
    threads: int = option(1, ge=1, le=MAX_THREADS, help="torch CPU threads")

    def check(self) -> None:
        from lstm_nlp.grammar.suites import check_categories

        if self.mode == "gates" and (self.sentence is None or not self.sentence.strip()):
            raise ConfigError(
                'sentence is required for mode=gates: add sentence="the keys to the cabinet are"'
            )
        if self.path is None and self.categories is not None:
            self.categories = check_categories(self.categories)
        self.probe_states = list(dict.fromkeys(self.probe_states))
        if not self.probe_states:
            raise ConfigError("probe_states must name hidden and/or cell, e.g. [hidden,cell]")

    def out_dir(self) -> Path:
        path = Path(self.out).expanduser()
        if not self.out.strip() or (path.exists() and not path.is_dir()):
            raise ConfigError(f"out: {self.out!r} must be a folder path")
        return path

    def set_path(self) -> str | None:
        if self.path is None:
            return None
        path = Path(self.path).expanduser()
        if not self.path.strip() or not path.exists():
            raise DataError(f"path: {self.path!r} does not exist (a test set file or folder)")
        return str(path)

    def suite_arguments(self, source: dict) -> dict:
        """The keyword arguments of :func:`lstm_nlp.insight.agreement_items.load_items` but the
        model's."""
        return {
            "path": self.set_path(),
            "source": source,
            "categories": self.categories,
            "n_per_cell": self.n_per_cell,
            "max_attractors": self.max_attractors,
            "seed": self.suite_seed,
        }
