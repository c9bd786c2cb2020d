"""One line for the overrides Hydra and OmegaConf answer with a bare Python error rather than
their own (``group_by.x=1``, a dotted key into a list, ends in ``ValueError: invalid literal for
int()``): the override at fault, found by composing without it, and what to write instead."""

from __future__ import annotations

from collections.abc import Callable

from omegaconf import DictConfig, ListConfig, OmegaConf

from lstm_nlp.cli.overrides import override_key

# what composing a command line can raise: Hydra's and OmegaConf's own errors, and the bare
# Python errors they let through for some overrides
BARE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)


def culprit(argv: list[str], compose: Callable[[list[str]], DictConfig]) -> str | None:
    """The first override without which the rest compose (None when none is alone at fault)."""
    for index, arg in enumerate(argv):
        rest = argv[:index] + argv[index + 1 :]
        try:
            compose(rest)
        except Exception:  # noqa: BLE001 - any failure means this override is not the one
            continue
        return arg
    return None


def list_parent(cfg: DictConfig, key: str) -> str | None:
    """The longest dotted prefix of ``key`` that is a list in ``cfg``."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:end])
        node = OmegaConf.select(cfg, parent, default=None, throw_on_missing=False)
        if isinstance(node, ListConfig):
            return parent
    return None


def compose_error_line(
    argv: list[str], err: BaseException, compose: Callable[[list[str]], DictConfig]
) -> str:
    """What is wrong with ``argv``, given the bare error ``err`` its composition raised."""
    arg = culprit(argv, compose)
    if arg is None:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        return f"cannot apply the overrides {argv} ({type(err).__name__}: {first})"
    key = override_key(arg)
    try:
        parent = list_parent(compose([a for a in argv if a != arg]), key)
    except Exception:  # noqa: BLE001 - then the plain message below
        parent = None
    if parent is not None:
        return (
            f"{arg}: {parent} is a list, not a group of options; give the whole list, e.g. "
            f"{parent}=[a,b]"
        )
    first = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return f"cannot apply the override {arg!r}: {first} (overrides are KEY=VALUE; see --help)"
