"""The options of ``lstm-nlp-train`` that belong to the runner: the root keys, the ``trainer``
group (Lightning's Trainer arguments) and the ``agreement`` learning curve.

No torch or Lightning here (``--help`` and the config checks read these).
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.protocol_options import ProtocolOptions
from lstm_nlp.evaluation.scoring import ScoreAndState
from lstm_nlp.registry import CURVES, store_options
from lstm_nlp.schema import CommandOptions, Options, option
from lstm_nlp.schema.limits import MAX_ATTRACTORS, MAX_PER_CELL, MAX_SEED, MAX_THREADS

FRACTION_OR_COUNT = "a fraction in [0, 1] or a number of batches"
PRECISIONS = (
    "32-true", "32", "64-true", "64", "16-mixed", "16", "bf16-mixed", "bf16", "16-true",
    "bf16-true", "transformer-engine", "transformer-engine-float16",
)  # fmt: skip


@dataclass
class TrainOptions(CommandOptions):
    """lstm-nlp-train: train an LSTM on a task, then validate and test its best checkpoint.

    Every option below is KEY=VALUE on the command line; every config group is swapped with
    GROUP=OPTION (task, encoder, data, optim, optim/scheduler, logger, trainer, callbacks, ...).
    Running the same command with the same run_dir resumes the run."""

    seed: int = option(
        1234, ge=0, le=MAX_SEED, help="seeds python, numpy and torch (and data-loader workers)"
    )
    threads: int | None = option(
        1,
        ge=1,
        le=MAX_THREADS,
        help="torch CPU threads (null: torch's choice); 1 is robust on shared machines",
    )
    run_dir: str = option(
        "runs/${task.name}/${now:%Y-%m-%d_%H-%M-%S}",
        help="the run directory; the same command with the same run_dir resumes",
    )
    cache_dir: str | None = option(
        None, help="token and corpus cache; null: $LSTM_NLP_CACHE or ~/.cache/lstm-nlp"
    )
    resume: str = option(
        "auto",
        choices=("auto", "force"),
        help="re-running a run_dir: auto refuses settings other than the saved ones (except "
        "epochs/steps, logger, devices, threads, test, ...); force resumes with them, noted in "
        "RUN_DIR/commands.jsonl",
    )
    test: bool = option(True, help="evaluate the best checkpoint on the test split at the end")
    nonfinite_loss: str = option(
        "stop", choices=("stop", "skip"), help="a NaN/inf training loss: stop, or skip the batch"
    )
    checkpoint_every_n_steps: int | None = option(
        None, ge=1, help="also save checkpoints/last.ckpt every N steps (resume points)"
    )
    checkpoint_every_minutes: float | None = option(
        30.0, gt=0, help="... and every this many minutes (null: only at validations)"
    )
    progress_every_seconds: float | None = option(
        30.0,
        gt=0,
        help="stdout not a terminal (a batch job's log): one progress line every this many "
        "seconds (epoch, step, loss, tokens/s, lr, ETA; validation and test batches too); "
        "null: none",
    )
    watch: str | None = option(
        None,
        choices=("gradients", "parameters", "all"),
        help="histograms of gradients and/or weights: W&B's watch, TensorBoard's histograms",
    )
    watch_every_n_steps: int = option(100, ge=1, help="steps between two watch histograms")


@dataclass
class TrainerOptions(Options):
    """``trainer``: keyword arguments of ``lightning.pytorch.Trainer``; add any other with
    ``+trainer.KEY=VALUE`` (e.g. ``+trainer.max_steps=400``)."""

    max_epochs: int | None = option(3, ge=-1, help="epochs to train (-1: no limit)")
    accelerator: str = option("auto", help="cpu, gpu, auto, ...")
    devices: int | str | list[int] = option(
        1, ge=-1, le=1024, help="devices per node: a count, -1/auto, or ids"
    )
    num_nodes: int = option(1, ge=1, help="machines (DDP across nodes)")
    strategy: str = option("auto", help="auto, ddp, ddp_spawn, ...")
    precision: str = option("32-true", choices=PRECISIONS, help="numeric precision of training")
    gradient_clip_val: float | None = option(0.25, ge=0, help="clip gradients (null: never)")
    gradient_clip_algorithm: str = option("norm", choices=("norm", "value"), help="how to clip")
    log_every_n_steps: int | None = option(50, ge=1, help="steps between logged training values")
    val_check_interval: float | int = option(
        1.0, ge=0, help=f"validate after this much of an epoch: {FRACTION_OR_COUNT}"
    )
    check_val_every_n_epoch: int | None = option(1, ge=1, help="validate every N epochs")
    limit_train_batches: float | int = option(1.0, ge=0, help=FRACTION_OR_COUNT)
    limit_val_batches: float | int = option(1.0, ge=0, help=FRACTION_OR_COUNT)
    limit_test_batches: float | int = option(1.0, ge=0, help=FRACTION_OR_COUNT)
    num_sanity_val_steps: int = option(0, ge=-1, help="validation batches before training")
    deterministic: bool | str = option(False, help="ask torch for deterministic kernels")
    enable_progress_bar: bool | None = option(
        None, help="null: a bar on a terminal, one line per epoch otherwise"
    )
    enable_model_summary: bool = option(True, help="print the parameters per module")

    def check(self) -> None:
        fractions = ("val_check_interval", "limit_train_batches", "limit_val_batches")
        for key in (*fractions, "limit_test_batches"):
            value = getattr(self, key)
            if isinstance(value, float) and value > 1:
                raise ConfigError(f"{key} must be {FRACTION_OR_COUNT}, got {value!r}")


store_options(TrainerOptions, "default", group="trainer")


@dataclass
class MoreTrainerOptions(Options):
    """Trainer arguments users add with ``+trainer.KEY=VALUE`` (no default in the config, so
    Lightning's own applies); checked only when given."""

    max_steps: int = option(-1, ge=-1, help="stop after this many optimiser steps (-1: no limit)")
    min_epochs: int | None = option(None, ge=0, help="train at least this many epochs")
    min_steps: int | None = option(None, ge=0, help="train at least this many steps")
    accumulate_grad_batches: int = option(1, ge=1, help="batches per optimiser step")
    max_time: str | None = option(None, help="stop after DD:HH:MM:SS of training")
    fast_dev_run: bool | int = option(False, ge=0, help="run N batches of each split and stop")


@CURVES.component("suite", "lstm_nlp.training.agreement_curve:build_curve")
@dataclass
class AgreementSuiteOptions(ScoreAndState):
    """``agreement=suite``: score a minimal-pair suite from the grammar while a language model
    trains (syntax learning curves, RUN_DIR/agreement/)."""

    categories: list[str] | None = option(
        None, help="suite categories (simple_agreement, pp, obj_rel, ...); null: all"
    )
    n_per_cell: int = option(
        10, ge=1, le=MAX_PER_CELL, help="pairs per (category, attractors, condition) cell"
    )
    max_attractors: int = option(
        4, ge=0, le=MAX_ATTRACTORS, help="attractor counts 0..max_attractors"
    )
    seed: int | None = option(
        None, help="generator seed; null: data.seed with data=grammar (its word ranks), else 0"
    )
    every_n_steps: int | None = option(
        None, ge=1, help="null: score at every validation; N: every N training steps"
    )

    def check(self) -> None:
        from lstm_nlp.grammar.suites import check_categories

        if self.state == "warmup":
            raise ConfigError("state=warmup needs a warm-up text; here use reset or stream")
        if self.categories is not None:
            check_categories(self.categories)


@CURVES.component("eval", "lstm_nlp.training.eval_curve:build_eval_curve")
@dataclass
class AgreementEvalOptions(ProtocolOptions):
    """``agreement=eval``: score any evaluation source (BLiMP, Marvin & Linzen, Gulordava,
    Linzen, Lakretz, SyntaxGym, pairs, suites) with its paper's protocol while a language model
    trains, as lstm-nlp-eval scores it (learning curves per the source's groups, RUN_DIR/agreement/
    with the published column at the end).  The set is read before training starts."""

    path: str = option("???", help="the test set: a file or a folder, in the source's format")
    source: str = option("auto", help="its format (an evaluation source); auto: by its files")
    group_by: list[str] = option(
        [], help="metadata fields to break accuracy down by too, e.g. [UID]; a+b: combinations"
    )
    every_n_steps: int | None = option(
        None, ge=1, help="null: score at every validation; N: every N training steps"
    )

    def check(self) -> None:
        from lstm_nlp.evaluation.testset import check_source_name

        super().check()
        check_source_name(self.source)
