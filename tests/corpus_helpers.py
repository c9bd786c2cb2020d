"""Small corpus folders for tests."""

import random
from pathlib import Path


def write_corpus(
    folder: Path, n_train: int = 400, n_eval: int = 60, seed: int = 0, layout: str = "{split}.txt"
) -> Path:
    """A small whitespace-tokenised corpus folder with some learnable structure."""
    rng = random.Random(seed)
    nouns, verbs = ["cat", "dog", "bird", "house", "tree"], ["sees", "likes", "eats", "finds"]
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        lines = [
            f"the {rng.choice(nouns)} {rng.choice(verbs)} the {rng.choice(nouns)} ."
            for _ in range(n)
        ]
        (folder / layout.format(split=split)).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
