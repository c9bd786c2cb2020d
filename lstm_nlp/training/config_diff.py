"""Re-running a run directory: the new command's settings against the ones it was trained with.

The run's settings are ``RUN_DIR/.hydra/config.yaml``, written when its training started.  A
re-run resumes that training, so its settings must be the same, except the keys in
:data:`CHANGEABLE_ON_RESUME`: how long to train, where and on how many devices, what is logged
and shown, and what happens after training.  Any other difference is refused in one line that
lists the keys, unless ``resume=force``; every difference (allowed or forced) is noted in the
run's ``commands.jsonl`` (:mod:`lstm_nlp.training.run_record`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.errors import ConfigError

# The one list of settings a re-run may change without resume=force (a key and all below it).
CHANGEABLE_ON_RESUME: tuple[str, ...] = (
    # this command's own: where the run is, how it resumes, where caches and plugins live
    "run_dir",
    "resume",
    "cache_dir",
    "plugins_dir",
    "threads",
    "optimized_metric",
    # how long to train
    "trainer.max_epochs",
    "trainer.max_steps",
    "trainer.max_time",
    "trainer.min_epochs",
    "trainer.min_steps",
    # where, on how many devices
    "trainer.accelerator",
    "trainer.devices",
    "trainer.num_nodes",
    "trainer.strategy",
    # what is logged and shown
    "logger",
    "trainer.log_every_n_steps",
    "trainer.enable_progress_bar",
    "trainer.enable_model_summary",
    "trainer.num_sanity_val_steps",
    "progress_every_seconds",
    "watch",
    "watch_every_n_steps",
    "callbacks.lr_monitor",
    "callbacks.grad_norm",
    "callbacks.throughput",
    "callbacks.system_metrics",
    # resume points, a non-finite loss, and what happens after training
    "checkpoint_every_n_steps",
    "checkpoint_every_minutes",
    "nonfinite_loss",
    "test",
    "trainer.limit_test_batches",
)
ABSENT = "(absent)"
SHOWN_KEYS = 6  # differences named in the refusal; the rest are counted


def changeable(key: str) -> bool:
    return any(key == k or key.startswith(f"{k}.") for k in CHANGEABLE_ON_RESUME)


def flat(node: Any, prefix: str = "") -> dict[str, Any]:
    """``{"encoder.hidden_size": 16, ...}``: every leaf under its dotted key (lists are leaves)."""
    if not isinstance(node, Mapping) or not node:
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        out.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return out


def settings(cfg: DictConfig) -> dict[str, Any]:
    """Every leaf of ``cfg`` under its dotted key, an interpolation resolved where it can be
    (``${task.embedding_dim}``), else as written (``${now:...}``, ``${hydra:...}``)."""
    leaves = flat(OmegaConf.to_container(cfg, resolve=False))
    for key, value in leaves.items():
        if isinstance(value, str) and "${" in value:
            try:
                found = OmegaConf.select(cfg, key, throw_on_resolution_failure=True)
            except Exception:  # a resolver only the run knows, or none registered here
                continue
            leaves[key] = OmegaConf.to_container(found) if OmegaConf.is_config(found) else found
    return leaves


def differences(saved: DictConfig, new: DictConfig) -> dict[str, tuple[Any, Any]]:
    """Every dotted key whose value differs: ``{key: (saved, new)}`` (:data:`ABSENT` for none)."""
    old, now = settings(saved), settings(new)
    changed = sorted(k for k in set(old) | set(now) if old.get(k, ABSENT) != now.get(k, ABSENT))
    return {k: (old.get(k, ABSENT), now.get(k, ABSENT)) for k in changed}


def saved_config(run_dir: Path) -> DictConfig | None:
    """The settings the run was trained with; None for a run directory without them."""
    path = run_dir / ".hydra" / "config.yaml"
    if not path.is_file():
        return None
    try:
        cfg = OmegaConf.load(path)
    except Exception as err:  # yaml and omegaconf raise many types for a damaged file
        raise ConfigError(
            f"{path}: the run's saved settings are unreadable ({type(err).__name__}); "
            "resume=force resumes without comparing them"
        ) from None
    if not isinstance(cfg, DictConfig):
        raise ConfigError(f"{path}: the run's saved settings are not a mapping")
    return cfg


def shown(value: Any) -> str:
    text = value if value == ABSENT else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def refusal(run_dir: Path, refused: dict[str, tuple[Any, Any]]) -> str:
    named = [
        f"{k} ({shown(a)}, now {shown(b)})" for k, (a, b) in list(refused.items())[:SHOWN_KEYS]
    ]
    more = len(refused) - len(named)
    listed = ", ".join(named) + (f" and {more} more" if more > 0 else "")
    return (
        f"run_dir {run_dir} was trained with other settings: {listed}; re-run it with its own "
        f"settings ({run_dir / '.hydra' / 'overrides.yaml'}), add resume=force to go on with "
        "these, or choose another run_dir"
    )


def new_default(key: str, change: tuple[Any, Any], overrides: Sequence[str]) -> bool:
    """A setting the run's version of lstm-nlp did not have, at its default (not given on this
    command line): the run trained without it, so it changes nothing already done."""
    # +key=v, ~key: key; a group choice optim/scheduler=cosine: every key under optim.scheduler
    given = {o.lstrip("+~").partition("=")[0].replace("/", ".") for o in overrides}
    parents = {".".join(key.split(".")[:i]) for i in range(1, key.count(".") + 2)}
    return change[0] == ABSENT and not parents & given


def check_resume(
    cfg: DictConfig, run_dir: Path, mode: str, overrides: Sequence[str] = ()
) -> dict[str, tuple[Any, Any]]:
    """The differences from the run's saved settings, refused in one line unless every one is
    :func:`changeable` or :func:`new_default`, or ``mode == "force"`` (which also goes past
    unreadable saved settings)."""
    try:
        saved = saved_config(run_dir)
    except ConfigError:
        if mode == "force":
            return {}
        raise
    if saved is None:
        return {}
    changes = differences(saved, cfg)
    refused = {
        k: v for k, v in changes.items() if not changeable(k) and not new_default(k, v, overrides)
    }
    if refused and mode != "force":
        raise ConfigError(refusal(run_dir, refused))
    return changes
