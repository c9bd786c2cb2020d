"""The splits of the corpus a checkpoint was trained on, found through its run's config (the
validation split for the searches, the training split for dynamic evaluation's statistics)."""

from __future__ import annotations

from pathlib import Path

from lstm_nlp.errors import DataError


def run_split(checkpoint: Path, split: str) -> Path | None:
    """The ``split`` file of the checkpoint's training corpus; None when the run's config or
    corpus is not available (no ``.hydra/`` beside the checkpoint, a folder that is gone)."""
    from lstm_nlp.evaluation.contamination import checkpoint_corpus
    from lstm_nlp.text.corpus import find_splits

    train = checkpoint_corpus(checkpoint)
    if not train:
        return None
    if split == "train":
        return train[0]
    try:
        return find_splits(train[0].parent, (split,))[split]
    except DataError:
        return None


def text_for(given: str | None, checkpoint: Path, split: str, key: str, needed_by: str) -> Path:
    """``given`` (a file), else the run's ``split``; a one-line :class:`DataError` naming
    ``key`` when there is neither."""
    if given is not None:
        path = Path(given).expanduser()
        if not path.is_file():
            raise DataError(f"{key}: {str(path)!r} is not a file")
        return path
    found = run_split(checkpoint, split)
    if found is None:
        raise DataError(
            f"{needed_by} needs a text: give {key}=FILE (the {split} split of {checkpoint}'s "
            "run is not available: no .hydra/config.yaml beside it, or its corpus is gone)"
        )
    return found
