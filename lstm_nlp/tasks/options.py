"""The options of the built-in tasks (``task=NAME``), each registered with its builder.

No torch or Lightning here: the commands list, check and document these options without
importing a model.  A task's builder receives its options as ``run.options`` (an instance of the
dataclass below, already checked); adding an option is one field here and its use there.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import TASKS
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.limits import MAX_BATCH, MAX_WIDTH, MAX_WINDOW

UNIT = dict(ge=0.0, lt=1.0)  # a probability of dropping
INIT_SCHEMES = ("pytorch_examples", "zaremba", "torch")  # task.init of task=language_model


@TASKS.component("language_model", "lstm_nlp.tasks.language_model:build_task")
@dataclass
class LanguageModelOptions(Options):
    """``task=language_model``: next-word prediction with truncated back-propagation through
    time; perplexity on valid and test."""

    batch_size: int = option(
        20, ge=1, le=MAX_BATCH, help="parallel stream columns for training (batchify)"
    )
    eval_batch_size: int = option(10, ge=1, le=MAX_BATCH, help="columns for validation and test")
    bptt: int = option(35, ge=1, le=MAX_WINDOW, help="truncated back-propagation window (tokens)")
    variable_bptt: bool = option(
        False, help="Merity et al. 2017: window ~ N(bptt, 5), bptt/2 with p=0.05"
    )
    embedding_dim: int = option(200, ge=1, le=MAX_WIDTH, help="word embedding size")
    dropout: float = option(0.2, **UNIT, help="dropout on the embedded input and encoder output")
    embedding_dropout: float = option(
        0.0, **UNIT, help="drops whole word types from the embedding (AWD dropoute)"
    )
    tie_weights: bool = option(
        False, help="share embedding and decoder matrices (a projection if sizes differ)"
    )
    init: str = option(
        "pytorch_examples",
        choices=INIT_SCHEMES,
        help="pytorch_examples: embedding, decoder ~ U(±init_range), decoder bias 0; zaremba: "
        "every parameter (LSTM, biases) ~ U(±init_range); torch: torch's defaults",
    )
    init_range: float = option(
        0.1, gt=0, help="bound of task.init's uniform draws (Zaremba et al.'s init_scale)"
    )
    ar_alpha: float = option(0.0, ge=0, help="activation regularisation (AWD-LSTM)")
    tar_beta: float = option(0.0, ge=0, help="temporal activation regularisation (AWD-LSTM)")
    head: str = option(
        "softmax",
        choices=("softmax", "adaptive"),
        help="output layer: full softmax, or adaptive softmax for large vocabularies (exact)",
    )
    adaptive_cutoffs: list[int] | None = option(
        None, ge=1, help="head=adaptive: ids where each tail cluster starts; null: by vocab size"
    )
    adaptive_div_value: float = option(
        4.0, gt=0, help="head=adaptive: each tail cluster's projection is this factor narrower"
    )

    def check(self) -> None:
        from lstm_nlp.errors import ConfigError

        cutoffs = self.adaptive_cutoffs
        if cutoffs is not None and (
            not cutoffs or any(a >= b for a, b in zip(cutoffs, cutoffs[1:]))
        ):
            raise ConfigError(f"adaptive_cutoffs must be null or increasing ids, got {cutoffs}")
        if self.head == "adaptive" and self.tie_weights:
            raise ConfigError(
                "tie_weights=true is not supported with head=adaptive (the adaptive softmax has "
                "no single output matrix to share); set tie_weights=false"
            )


@dataclass
class AgreementTaskOptions(Options):
    """Shared by ``task=number_agreement`` and ``task=pronoun_agreement``: a classifier on the
    encoder's last state over the prefix before the agreeing word."""

    format: str = option(
        "auto",
        choices=("auto", "linzen", "annotations"),
        help="auto: the JSONL sites if every split has them, else Linzen lines",
    )
    batch_size: int = option(32, ge=1, le=MAX_BATCH, help="prefixes per training batch")
    eval_batch_size: int = option(
        256, ge=1, le=MAX_BATCH, help="prefixes per validation/test batch"
    )
    embedding_dim: int = option(200, ge=1, le=MAX_WIDTH, help="word embedding size")
    dropout: float = option(0.3, **UNIT, help="on the embedded words and the pooled last state")
    breakdowns: list[str] = option(
        ["attractors", "number", "construction"],
        help="metadata keys to break accuracy down by: test/acc/KEY/VALUE",
    )
    bucket: bool = option(True, help="batch prefixes of similar length together (less padding)")
    num_workers: int = option(0, ge=0, help="DataLoader worker processes")


@TASKS.component("number_agreement", "lstm_nlp.tasks.number_agreement:build_task")
@dataclass
class NumberAgreementOptions(AgreementTaskOptions):
    """``task=number_agreement`` (Linzen et al. 2016): read a sentence up to its verb, predict VBZ
    (singular) or VBP (plural)."""


@TASKS.component("pronoun_agreement", "lstm_nlp.tasks.pronoun_agreement:build_task")
@dataclass
class PronounAgreementOptions(AgreementTaskOptions):
    """``task=pronoun_agreement``: predict the reflexive or pronoun that refers back to an
    antecedent (himself/herself/itself/themselves, he/she/it/they, ...)."""

    breakdowns: list[str] = option(
        ["attractors", "gender", "number", "type", "construction"],
        help="metadata keys to break accuracy down by: test/acc/KEY/VALUE",
    )


def check_language_model_encoder(encoder: object) -> None:
    """A language model reads left to right: its encoder cannot be bidirectional (a rule across
    task and encoder, checked before a run starts and again when the model is built)."""
    if getattr(encoder, "get", lambda key: None)("bidirectional"):
        raise ConfigError(
            "encoder.bidirectional=true cannot be used with task=language_model: a "
            "left-to-right language model would see the words it predicts (use "
            "encoder.bidirectional=false)"
        )
