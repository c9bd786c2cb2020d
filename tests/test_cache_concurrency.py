"""The token cache under concurrency: processes that prepare the same corpus into the same cache
at the same moment (DDP ranks, parallel sweep jobs) build each entry once and read the same ids.

Real processes (spawned, released together by a barrier); each notes every vocabulary and stream
it builds in a shared log (appends of one short line are atomic).
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import numpy as np
from corpus_helpers import write_corpus

PROCESSES = 3


def prepare_at_once(folder: Path, cache: Path, log: Path, barrier, out: Path) -> None:
    """In a fresh process: count the builds, wait for the others, prepare the corpus."""
    from lstm_nlp.text import prepare, token_store
    from lstm_nlp.text.corpus import CorpusFiles, find_splits

    def note(line: str) -> None:
        with open(log, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    write_stream, build_vocabulary = token_store.write_stream, prepare.build_vocabulary

    def counted_stream(target, fill):
        note(f"stream {target.name if target else None}")
        return write_stream(target, fill)

    def counted_vocabulary(*args, **kwargs):
        note("vocabulary")
        return build_vocabulary(*args, **kwargs)

    token_store.write_stream, prepare.build_vocabulary = counted_stream, counted_vocabulary
    files = CorpusFiles(folder, find_splits(folder))
    barrier.wait(timeout=60)
    corpus = prepare.prepare_corpus(files, cache_dir=cache)
    np.savez(out, vocab=np.array(corpus.tokenizer.to_str()), **corpus.streams)


def test_processes_asking_at_once_build_each_entry_once_and_read_the_same(tmp_path):
    folder = write_corpus(tmp_path / "corpus", n_train=30_000, n_eval=3_000)
    cache, log = tmp_path / "cache", tmp_path / "builds.log"
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    outs = [tmp_path / f"out{i}.npz" for i in range(PROCESSES)]
    procs = [
        ctx.Process(target=prepare_at_once, args=(folder, cache, log, barrier, out)) for out in outs
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [proc.exitcode for proc in procs] == [0] * PROCESSES

    builds = log.read_text().splitlines()
    streams = sorted(line.split()[1].split("-")[0] for line in builds if line != "vocabulary")
    assert builds.count("vocabulary") == 1 and streams == ["test", "train", "valid"], builds
    results = [np.load(out) for out in outs]
    for result in results[1:]:
        assert result.files == results[0].files
        for name in results[0].files:
            assert np.array_equal(result[name], results[0][name]), name
    assert len(results[0]["train"]) == 30_000 * 7  # six words and <eos> a line
