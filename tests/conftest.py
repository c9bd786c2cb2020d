import os
from pathlib import Path

import pytest
from corpus_helpers import write_corpus

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


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    return write_corpus(tmp_path / "corpus")
