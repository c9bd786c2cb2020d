"""Checks of ``lstm-nlp-inspect``'s options: each bad value is one :class:`ConfigError` naming its
key."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError

MODES = ("gates", "units", "probe")
STATES = ("cell", "hidden")


def plain(value: Any) -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value


def check_mode(mode: Any) -> str:
    if mode in MODES:
        return mode
    close = difflib.get_close_matches(str(mode), MODES, n=1)
    hint = f". Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}{hint}")


def integer(cfg, key: str, minimum: int, none_ok: bool = False) -> int | None:
    value = cfg[key]
    if value is None and none_ok:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        also = " or null" if none_ok else ""
        raise ConfigError(f"{key} must be an integer >= {minimum}{also}, got {value!r}")
    return value


def fraction(cfg, key: str, low: float, high: float) -> float:
    value = cfg[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low < value < high
    ):
        raise ConfigError(
            f"{key} must be a number between {low} and {high} (exclusive), got {value!r}"
        )
    return float(value)


def non_negative(cfg, key: str) -> float:
    value = cfg[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise ConfigError(f"{key} must be a number >= 0, got {value!r}")
    return float(value)


def choice(cfg, key: str, allowed: tuple[str, ...]) -> str:
    if cfg[key] not in allowed:
        raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got {cfg[key]!r}")
    return cfg[key]


def out_dir(cfg) -> Path:
    out = cfg.out
    if not isinstance(out, str) or not out.strip():
        raise ConfigError(f"out must be a folder path, got {out!r}")
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"out: {out!r} exists and is not a folder")
    return path


def categories(cfg) -> list[str]:
    from lstm_nlp.grammar.suites import check_categories

    return check_categories(plain(cfg.categories))


def probe_states(cfg) -> list[str]:
    value = plain(cfg.probe_states)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or any(n not in STATES for n in names):
        raise ConfigError(
            f"probe_states must be a list of {' and/or '.join(STATES)}, e.g. [hidden,cell]; "
            f"got {value!r}"
        )
    return list(dict.fromkeys(names))


def suite_path(cfg) -> str | None:
    suite = cfg.suite
    if suite is not None and (not isinstance(suite, str) or not suite.strip()):
        raise ConfigError(
            f"suite must be null or a .jsonl/.tsv file or folder written by lstm-nlp-suites, "
            f"got {suite!r}"
        )
    if suite is None:
        return None
    path = Path(suite).expanduser()
    if not path.exists():
        from lstm_nlp.errors import DataError

        raise DataError(
            f"suite: {suite!r} does not exist (a .jsonl/.tsv file or a folder written by "
            "lstm-nlp-suites)"
        )
    return str(path)


def device(cfg):
    import torch

    try:
        dev = torch.device(str(cfg.device))
    except RuntimeError:
        raise ConfigError(f"device must be cpu, cuda or cuda:N, got {cfg.device!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device={cfg.device}: no CUDA device is available here (use device=cpu)")
    return dev


def common(cfg) -> dict:
    """Options every mode uses; sets torch's thread count."""
    import torch

    from lstm_nlp.insight.images_to_loggers import check_logger

    threads = integer(cfg, "threads", 1)
    torch.set_num_threads(threads)
    return {
        "out": out_dir(cfg),
        "logger": check_logger(plain(cfg.get("logger"))),
        "device": device(cfg),
        "batch_size": integer(cfg, "batch_size", 1),
    }


def suite_options(cfg) -> dict:
    """The arguments of :func:`lstm_nlp.insight.agreement_items.load_items` but the model's."""
    return {
        "suite": suite_path(cfg),
        "categories": categories(cfg),
        "n_per_cell": integer(cfg, "n_per_cell", 1),
        "max_attractors": integer(cfg, "max_attractors", 0),
        "seed": integer(cfg, "suite_seed", 0, none_ok=True),
    }
