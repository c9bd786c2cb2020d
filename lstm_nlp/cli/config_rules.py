"""Rules on a command's composed config that no single option's schema holds: a registry's
group given options without a choice, and a ``--package`` that names no key."""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import REGISTRIES


def check_chosen(cfg: DictConfig) -> None:
    """A registry's group given options but no choice (``+agreement.x=1`` with agreement=null)
    would be skipped by every check and fail where it is used."""
    for group, registry in REGISTRIES.items():
        node = OmegaConf.select(cfg, registry.package, default=None)
        if isinstance(node, DictConfig) and "name" not in node:
            raise ConfigError(
                f"{registry.package} has options but no choice: choose one first with "
                f"{group}=NAME (--help lists them)"
            )


def check_package(argv: list[str], cfg: DictConfig) -> None:
    """``--cfg job --package KEY``: KEY must be in the config (Hydra says so after the fact, not
    as an error)."""
    for arg in argv:
        name, _, key = arg.partition("=")
        if name == "--package" and not key.startswith("hydra"):
            if key not in ("_global_", "") and OmegaConf.select(cfg, key) is None:
                raise ConfigError(
                    f"--package {key}: no such key in the config (--cfg job lists them)"
                )
