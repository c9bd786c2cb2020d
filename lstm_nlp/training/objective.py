"""The value a Hydra sweeper (Optuna) optimises: a key of ``metrics.json`` named by
``optimized_metric`` (set by ``hparams_search=...``)."""

from __future__ import annotations

from lstm_nlp.errors import ConfigError


def check_objective(key: str | None, sweeper: str) -> None:
    """An optimising sweeper (Optuna) needs to know which metric to optimise, before the first trial
    trains."""
    if not key and "optuna" in sweeper.lower():
        raise ConfigError(
            "hydra/sweeper=optuna optimises the metric named by optimized_metric: add "
            "+optimized_metric=val/loss (or use hparams_search=lm_optuna, which sets it)"
        )


def objective_value(metrics: dict, key: str | None) -> float | None:
    """``metrics[key]`` as a float (NaN for a non-finite value); None without a key."""
    if not key:
        return None
    if key not in metrics:
        known = ", ".join(k for k, v in metrics.items() if isinstance(v, (float, str)) and "/" in k)
        raise ConfigError(
            f"optimized_metric={key} is not a metric of this run (metrics.json has: {known})"
        )
    return float(metrics[key])
