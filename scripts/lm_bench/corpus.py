"""Corpus preparation against pytorch/examples' Python loop, and memory per corpus token.

The reference is ``Corpus.tokenize`` of pytorch/examples' word_language_model ``data.py``,
re-stated here: for every line, ``line.split() + ['<eos>']``, each word added to a
``Dictionary``; then a second pass over the file collecting the ids in a list, turned
into ``torch.tensor(ids).type(torch.int64)``; train, valid and test in turn.

Ours is ``prepare_corpus`` with an empty cache (nothing reused): read, count, build the
vocabulary and the tokenizer, write and map the three int32 streams.  Both run in this
process, interleaved A B A B ..., the median of ``rounds`` each.

Memory per token is measured in a fresh subprocess (``python corpus.py --probe DIR``):
resident memory (``VmRSS``) after preparing the corpus and walking every training window
of the batchified stream, minus the resident memory before, divided by the training
tokens.  The peak during preparation (``VmHWM``) is reported the same way.

    OMP_NUM_THREADS=1 .venv/bin/python -m lm_bench.corpus ../shared/data/wikitext-2  (from scripts/)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class Dictionary:
    def __init__(self) -> None:
        self.word2idx: dict[str, int] = {}
        self.idx2word: list[str] = []

    def add_word(self, word: str) -> int:
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]


class ReferenceCorpus:
    """pytorch/examples' ``data.Corpus``: one dictionary over the three splits, int64 id tensors."""

    def __init__(self, splits: dict[str, Path]) -> None:
        self.dictionary = Dictionary()
        self.streams = {split: self.tokenize(path) for split, path in splits.items()}

    def tokenize(self, path: Path):
        import torch

        with open(path, encoding="utf8") as f:
            for line in f:
                for word in line.split() + ["<eos>"]:
                    self.dictionary.add_word(word)
        with open(path, encoding="utf8") as f:
            ids = []
            for line in f:
                for word in line.split() + ["<eos>"]:
                    ids.append(self.dictionary.word2idx[word])
        return torch.tensor(ids).type(torch.int64)


def _ours(splits: dict[str, Path], cache: Path):
    from lstm_nlp.text.corpus import CorpusFiles
    from lstm_nlp.text.prepare import prepare_corpus

    return prepare_corpus(CorpusFiles(next(iter(splits.values())).parent, splits), cache_dir=cache)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _trim() -> None:
    """Hand freed heap memory back to the system (glibc keeps it otherwise), so RSS shows what is in
    use."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name and hasattr(ctypes.CDLL(name), "malloc_trim"):
        ctypes.CDLL(name).malloc_trim(0)


def _walk(streams: dict) -> int:
    """Batchify the streams as training does and make every training window once."""
    from lstm_nlp.data.lm_datamodule import LMStreamDataModule

    dm = LMStreamDataModule(streams, batch_size=20, eval_batch_size=10, bptt=35)
    dm.setup()
    train = dm.datasets["train"]
    return sum(int(train[i][0][0, 0]) for i in range(len(train)))


def probe(corpus_dir: Path) -> dict:
    """Resident memory of our prepared, batchified training stream (run in a fresh process).

    A small warm-up corpus first runs every code path (so that library pages are in);
    then ``fixed`` is the growth from preparing the corpus (vocabulary and tokenizer: it grows
    with the vocabulary, not the text; measured after ``malloc_trim``, as glibc keeps freed
    chunk buffers otherwise), and ``per token`` the growth from batchifying the training
    stream and making every window (the mapped stream's pages).
    """
    import gc

    import numpy as np
    import torch  # noqa: F401  (imported before the baseline, as training would have it)

    from lstm_nlp.text.corpus import find_splits

    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        warm.mkdir()
        for split in ("train", "valid", "test"):
            (warm / f"{split}.txt").write_text("the cat sat on the mat .\n" * 500)
        _walk(_ours(find_splits(warm), Path(tmp) / "cache").streams)
    splits = find_splits(corpus_dir)
    gc.collect()
    _trim()
    before = _status_kb("VmRSS")
    with tempfile.TemporaryDirectory() as cache:
        corpus = _ours(splits, Path(cache))
        peak = _status_kb("VmHWM")
        gc.collect()
        _trim()
        prepared = _status_kb("VmRSS")
        checksum = _walk(corpus.streams)
        gc.collect()
        after = _status_kb("VmRSS")
        tokens = int(len(corpus.streams["train"]))
        nbytes = sum(int(np.asarray(s).nbytes) for s in corpus.streams.values())
        all_tokens = sum(len(s) for s in corpus.streams.values())
    return {
        "train_tokens": tokens,
        "stream_rss_bytes": (after - prepared) * 1024,
        "fixed_rss_bytes": (prepared - before) * 1024,
        "peak_delta_bytes": (peak - before) * 1024,
        "stream_bytes_per_token": nbytes / all_tokens,
        "checksum": checksum,
    }


def corpus_prep(corpus_dir: Path, rounds: int = 3) -> dict:
    """Our uncached preparation of train/valid/test against the reference loop, and bytes per
    token."""
    from lstm_nlp.text.corpus import find_splits

    splits = find_splits(corpus_dir)
    ref_s, ours_s = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        ref = ReferenceCorpus(splits)
        ref_s.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            ours = _ours(splits, Path(cache))
            ours_s.append(time.perf_counter() - start)
            tokens = {s: int(len(x)) for s, x in ours.streams.items()}
            del ours
    assert tokens == {s: int(len(x)) for s, x in ref.streams.items()}, (
        "token counts differ from the reference"
    )
    out = subprocess.run(
        [sys.executable, __file__, "--probe", str(corpus_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    mem = json.loads(out.stdout.strip().splitlines()[-1])
    ref_med, ours_med = statistics.median(ref_s), statistics.median(ours_s)
    per_token = mem["stream_rss_bytes"] / mem["train_tokens"]
    summary = (
        f"prepare {sum(tokens.values()):,} tokens: reference loop {ref_med:.3f} s, ours "
        f"{ours_med:.3f} s (uncached) = {ref_med / ours_med:.1f}x; batchified training stream "
        f"resident after every window: {per_token:.2f} bytes/token (RSS), plus "
        f"{mem['fixed_rss_bytes'] / 2**20:.0f} MiB for the vocabulary and tokenizer; peak during "
        f"preparation +{mem['peak_delta_bytes'] / 2**20:.0f} MiB"
    )
    return {
        "reference_s": ref_med,
        "ours_s": ours_med,
        "speedup": ref_med / ours_med,
        "reference_rounds_s": ref_s,
        "ours_rounds_s": ours_s,
        "tokens": tokens,
        "rss_bytes_per_train_token": per_token,
        **mem,
        "summary": summary,
    }


def main() -> None:
    if sys.argv[1:2] == ["--probe"]:
        print(json.dumps(probe(Path(sys.argv[2]))))
        return
    folder = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[3] / "shared/data/wikitext-2"
    )
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    result = corpus_prep(folder, rounds)
    print(json.dumps({k: v for k, v in result.items() if k != "summary"}, indent=1))
    print(result["summary"])


if __name__ == "__main__":
    main()
