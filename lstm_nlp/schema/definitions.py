"""The built-in config groups' schemas: every key of ``conf/<group>/<name>.yaml``, its type and
range.

``tests/test_config_schemas.py`` checks that each YAML file has exactly its schema's keys and
defaults, so the two cannot drift apart.  Plugins register schemas for their own options
with :func:`lstm_nlp.schema.register_schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstm_nlp.schema.rules import option

UNIT = dict(ge=0.0, lt=1.0)  # dropout probabilities
ENCODING_ERRORS = ("strict", "replace", "ignore")


@dataclass
class Train:
    """The root of ``lstm-nlp-train``'s config (its groups have their own schemas)."""

    seed: int = option(1234)
    threads: int | None = option(1, ge=1)
    run_dir: str = option("runs")
    cache_dir: str | None = option(None)
    plugins_dir: str | None = option(None)
    test: bool = option(True)
    nonfinite_loss: str = option("stop", choices=("stop", "skip"))
    checkpoint_every_n_steps: int | None = option(None, ge=1)
    checkpoint_every_minutes: float | None = option(30.0, gt=0)


@dataclass
class LanguageModelTask:
    name: str = "language_model"
    batch_size: int = option(20, ge=1)
    eval_batch_size: int = option(10, ge=1)
    bptt: int = option(35, ge=1)
    variable_bptt: bool = option(False)
    embedding_dim: int = option(200, ge=1)
    dropout: float = option(0.2, **UNIT)
    embedding_dropout: float = option(0.0, **UNIT)
    tie_weights: bool = option(False)
    init_range: float = option(0.1, gt=0)
    ar_alpha: float = option(0.0, ge=0)
    tar_beta: float = option(0.0, ge=0)
    head: str = option("softmax", choices=("softmax", "adaptive"))
    adaptive_cutoffs: list[int] | None = option(None, ge=1)
    adaptive_div_value: float = option(4.0, gt=0)


@dataclass
class AgreementTask:
    """``task=number_agreement`` and ``task=pronoun_agreement``."""

    name: str = "number_agreement"
    format: str = option("auto", choices=("auto", "linzen", "annotations"))
    batch_size: int = option(32, ge=1)
    eval_batch_size: int = option(256, ge=1)
    embedding_dim: int = option(200, ge=1)
    dropout: float = option(0.3, **UNIT)
    breakdowns: list[str] = option(["attractors", "number", "construction"])
    bucket: bool = option(True)
    num_workers: int = option(0, ge=0)


@dataclass
class ReferenceEncoder:
    """``encoder=reference_lstm``: nn.LSTM's arguments."""

    name: str = "reference_lstm"
    hidden_size: int = option(200, ge=1)
    num_layers: int = option(2, ge=1)
    bias: bool = option(True)
    batch_first: bool = option(False)
    dropout: float = option(0.2, **UNIT)
    bidirectional: bool = option(False)


@dataclass
class LSTMEncoder(ReferenceEncoder):
    """``encoder=lstm``: nn.LSTM's arguments and the regularisers."""

    name: str = "lstm"
    input_dropout: float = option(0.0, **UNIT)
    hidden_dropout: float = option(0.0, **UNIT)
    output_dropout: float = option(0.0, **UNIT)
    weight_drop: float = option(0.0, **UNIT)


@dataclass
class GrammarData:
    name: str = "grammar"
    seed: int = option(0)
    train_sentences: int = option(20000, ge=1)
    valid_sentences: int = option(2000, ge=1)
    test_sentences: int = option(2000, ge=1)
    max_attractors: int = option(4, ge=0)
    plural_prob: float = option(0.5, ge=0, le=1)
    present_prob: float = option(0.7, ge=0, le=1)
    adjective_prob: float = option(0.15, ge=0, le=1)
    zipf_exponent: float = option(1.0, ge=0, le=10)
    max_lemmas: int | None = option(None, ge=1)
    construction_mix: dict[str, float] = option({}, ge=0)
    cache_dir: str | None = option(None)
    min_freq: int = option(1, ge=1)
    max_size: int | None = option(None, ge=4)  # the three specials and one word
    lowercase: bool = option(False)
    encoding_errors: str = option("strict", choices=ENCODING_ERRORS)


@dataclass
class TextData:
    name: str = "text"
    path: str = option("???")
    min_freq: int = option(1, ge=1)
    max_size: int | None = option(None, ge=4)
    lowercase: bool = option(False)
    encoding_errors: str = option("strict", choices=ENCODING_ERRORS)


@dataclass
class Scheduler:
    name: str = option("plateau", choices=("none", "plateau", "decay_after", "cosine"))
    factor: float = option(0.25, gt=0, lt=1)  # plateau
    patience: int = option(0, ge=0)
    threshold: float = option(0.0, ge=0)
    min_lr: float = option(0.0, ge=0)
    start_epoch: int = option(0, ge=0)  # decay_after
    gamma: float = option(0.5, gt=0)
    t_max: int = option(10, ge=1)  # cosine


@dataclass
class SGD:
    name: str = "sgd"
    lr: float = option(20.0, gt=0)
    momentum: float = option(0.0, ge=0)
    weight_decay: float = option(0.0, ge=0)
    scheduler: Scheduler = field(default_factory=Scheduler)


@dataclass
class Adam:
    """``optim=adam`` and ``optim=adamw``."""

    name: str = "adam"
    lr: float = option(0.002, gt=0)
    weight_decay: float = option(0.0, ge=0)
    betas: list[float] = option([0.9, 0.999], ge=0, lt=1, length=2)
    scheduler: Scheduler = field(default_factory=Scheduler)


@dataclass
class PlainLogger:
    """``logger=csv``, ``logger=tensorboard`` and ``logger=none``."""

    name: str = "csv"


@dataclass
class WandbLogger:
    name: str = "wandb"
    project: str = option("lstm-nlp")
    entity: str | None = option(None)
    mode: str | None = option(None, choices=("online", "offline", "disabled"))
    tags: list[str] = option([])


@dataclass
class AgreementSuite:
    name: str = "suite"
    categories: list[str] | None = option(None)
    n_per_cell: int = option(10, ge=1)
    max_attractors: int = option(4, ge=0)
    seed: int | None = option(None)
    every_n_steps: int | None = option(None, ge=1)
    score: str = option("sum", choices=("sum", "mean"))
    state: str = option("reset", choices=("reset", "stream", "warmup"))


BUILT_IN: dict[str, dict[str, Any]] = {
    "task": {
        "language_model": LanguageModelTask,
        "number_agreement": AgreementTask,
        "pronoun_agreement": AgreementTask,
    },
    "encoder": {"lstm": LSTMEncoder, "reference_lstm": ReferenceEncoder},
    "data": {"grammar": GrammarData, "text": TextData},
    "optim": {"sgd": SGD, "adam": Adam, "adamw": Adam},
    "logger": {
        "csv": PlainLogger,
        "tensorboard": PlainLogger,
        "none": PlainLogger,
        "wandb": WandbLogger,
    },
    "agreement": {"suite": AgreementSuite},
}
