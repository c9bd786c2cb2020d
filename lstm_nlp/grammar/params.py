"""Generator parameters: defaults, validation (``data.<key>`` errors) and a stable digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from lstm_nlp.errors import ConfigError

GENERATOR_VERSION = 1  # bump whenever the output for the same parameters changes


@dataclass(frozen=True)
class GrammarParams:
    seed: int = 0
    train_sentences: int = 20000
    valid_sentences: int = 2000
    test_sentences: int = 2000
    max_attractors: int = (
        4  # longest PP chain on a subject (and most attractors) in the mixed corpus
    )
    plural_prob: float = 0.5  # chance that a noun phrase is plural
    present_prob: float = 0.7  # chance that a finite verb is present tense (else past or modal)
    adjective_prob: float = 0.15  # chance of an attributive adjective in a noun phrase
    zipf_exponent: float = 1.0  # rank r of a word class has weight 1 / (r + 3) ** zipf_exponent
    max_lemmas: int | None = None  # keep at most this many lemmas per word class (None: all)
    construction_mix: dict[str, float] = field(
        default_factory=dict
    )  # template weights overriding the defaults

    def split_sizes(self) -> dict[str, int]:
        return {
            "train": self.train_sentences,
            "valid": self.valid_sentences,
            "test": self.test_sentences,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def digest(self) -> str:
        """A short hash of everything that determines the generated files."""
        payload = json.dumps({"version": GENERATOR_VERSION, **self.as_dict()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


KEYS = tuple(f.name for f in fields(GrammarParams))
COUNTS = ("train_sentences", "valid_sentences", "test_sentences")
PROBABILITIES = ("plural_prob", "present_prob", "adjective_prob")


def _int(key: str, value: Any, minimum: int | None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (minimum is not None and value < minimum)
    ):
        kind = {None: "an integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}"
        )
        raise ConfigError(f"data.{key} must be {kind}, got {value!r}")
    return value


def _float(key: str, value: Any, lo: float, hi: float | None) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or value < lo or (hi is not None and value > hi) or value != value:
        bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise ConfigError(f"data.{key} must be a number {bound}, got {value!r}")
    return float(value)


def _mix(value: Any) -> dict[str, float]:
    from lstm_nlp.grammar.constructions import TEMPLATES

    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"data.construction_mix must be a mapping of construction name to weight, got {value!r}"
        )
    mix = {}
    for name, weight in value.items():
        if name not in TEMPLATES:
            raise ConfigError(
                f"data.construction_mix: unknown construction {name!r}; known: "
                f"{', '.join(TEMPLATES)}"
            )
        mix[str(name)] = _float(f"construction_mix.{name}", weight, 0.0, None)
    return dict(sorted(mix.items()))


def make_params(**values: Any) -> GrammarParams:
    """Validated :class:`GrammarParams`; unknown keyword arguments are a ``TypeError``."""
    unknown = set(values) - set(KEYS)
    if unknown:
        raise TypeError(f"unknown grammar parameters: {', '.join(sorted(unknown))}")
    p = {**GrammarParams().as_dict(), **values}
    p["seed"] = _int("seed", p["seed"], None)
    for key in COUNTS:
        p[key] = _int(key, p[key], 1)
    p["max_attractors"] = _int("max_attractors", p["max_attractors"], 0)
    for key in PROBABILITIES:
        p[key] = _float(key, p[key], 0.0, 1.0)
    p["zipf_exponent"] = _float("zipf_exponent", p["zipf_exponent"], 0.0, 10.0)
    if p["max_lemmas"] is not None:
        p["max_lemmas"] = _int("max_lemmas", p["max_lemmas"], 1)
    p["construction_mix"] = _mix(p["construction_mix"])
    if p["construction_mix"] and sum(_effective_mix(p["construction_mix"]).values()) <= 0:
        raise ConfigError("data.construction_mix gives every construction weight 0")
    return GrammarParams(**p)


def _effective_mix(overrides: Mapping[str, float]) -> dict[str, float]:
    from lstm_nlp.grammar.constructions import DEFAULT_MIX

    return {**DEFAULT_MIX, **overrides}


def params_from_config(cfg: Mapping[str, Any]) -> GrammarParams:
    """Read the generator's keys from a data config (a DictConfig or dict), with defaults."""
    values = {key: cfg.get(key, default) for key, default in GrammarParams().as_dict().items()}
    mix = values["construction_mix"]
    if mix is not None and hasattr(mix, "items") and not isinstance(mix, dict):
        values["construction_mix"] = {k: v for k, v in mix.items()}  # DictConfig -> dict
    return make_params(**values)
