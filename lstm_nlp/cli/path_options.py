"""A command's path options checked before it runs: output folders and files of the right kind,
and no output that is one of its inputs (a checkpoint, its run directory, a test set)."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.schema.paths import check_file, check_folder, check_not_an_input, expanded


def text_value(cfg: DictConfig, key: str) -> str | None:
    """The option ``key`` (dotted) as text; None when unset, null or not text."""
    value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
    return value if isinstance(value, str) and value != "???" else None


def input_paths(cfg: DictConfig, keys: tuple[str, ...]) -> dict[str, Path]:
    """Every input a command reads, by option name; a checkpoint also as the file it resolves to
    and that file's run directory."""
    from lstm_nlp.errors import DataError
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    found: dict[str, Path] = {}
    for key in keys:
        value = text_value(cfg, key)
        if not value or not value.strip():
            continue
        found[key] = expanded(value)
        if key == "checkpoint" and found[key].exists():
            try:
                ckpt = resolve_checkpoint(value)
            except DataError:
                continue  # the command says what is wrong with it
            found[f"{key} ({ckpt})"] = ckpt
            if ckpt.parent.name == "checkpoints":
                found[f"{key}'s run directory"] = ckpt.parent.parent
    return found


def check_path_options(
    cfg: DictConfig,
    folders: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
    inputs: tuple[str, ...] = (),
) -> None:
    """Output ``folders`` and ``files`` of the right kind, none of them one of the ``inputs``."""
    for key in folders:
        check_folder(key, text_value(cfg, key))
    for key in files:
        check_file(key, text_value(cfg, key))
    sources = input_paths(cfg, inputs) if folders or files else {}
    for key in (*folders, *files):
        check_not_an_input(key, text_value(cfg, key), sources)
