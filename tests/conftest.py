import os
import random
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("WANDB_MODE", "offline")


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Every test session gets its own token/corpus cache, shared by its subprocesses."""
    cache = tmp_path_factory.mktemp("lstm_nlp_cache")
    old = os.environ.get("LSTM_NLP_CACHE")
    os.environ["LSTM_NLP_CACHE"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("LSTM_NLP_CACHE", None)
    else:
        os.environ["LSTM_NLP_CACHE"] = old


def write_corpus(folder: Path, n_train: int = 400, n_eval: int = 60, seed: int = 0, layout: str = "{split}.txt") -> Path:
    """A small whitespace-tokenised corpus folder with some learnable structure."""
    rng = random.Random(seed)
    nouns, verbs = ["cat", "dog", "bird", "house", "tree"], ["sees", "likes", "eats", "finds"]
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("valid", n_eval), ("test", n_eval)):
        lines = [f"the {rng.choice(nouns)} {rng.choice(verbs)} the {rng.choice(nouns)} ." for _ in range(n)]
        (folder / layout.format(split=split)).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    return write_corpus(tmp_path / "corpus")
