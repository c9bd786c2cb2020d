r"""A large generated corpus, prepared and trained on in bounded memory: peak RSS and wall times.

Writes a synthetic corpus of ``--tokens`` training tokens (Zipfian words, lines of 5-40
words; valid and test 0.5% of that each) to ``--out``, streamed to disk block by block,
then runs, each in a fresh process whose peak resident memory is recorded
(``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a wrapper process):

1. ``prepare``: ``prepare_corpus`` on the folder with an empty cache (the one pass
   over the text that counts, numbers and writes the int32 streams);
2. ``train``: ``lstm-nlp-train data=text data.path=OUT`` with a tiny model for
   ``--steps`` steps (``+trainer.max_steps``), the cache of step 1 warm (vocabulary and streams are
   mapped);
3. ``train_uncached``: the same command with a new, empty cache (preparation included).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_corpus_scale.py \
        --tokens 100000000 --out /tmp/big
    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_corpus_scale.py \
        --tokens 10000000 --out /tmp/mid --keep

The generated folder and caches are deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TINY = [
    "encoder.hidden_size=16",
    "encoder.num_layers=1",
    "task.embedding_dim=16",
    "task.batch_size=4",
    "task.eval_batch_size=4",
    "task.bptt=10",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
    "trainer.limit_val_batches=10",
    "trainer.limit_test_batches=10",
    "logger=csv",
]
_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); rc = subprocess.call(sys.argv[1:]); wall = time.perf_counter() - t\n"
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print('PEAK', kb * (1 if sys.platform == 'darwin' else 1024), wall, rc, file=sys.stderr)\n"
)


def word_list(n_types: int, rng: np.random.Generator) -> list[bytes]:
    """``n_types`` distinct lowercase words, 2-12 letters."""
    words: dict[bytes, None] = {}
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    while len(words) < n_types:
        for length in rng.integers(2, 13, size=n_types):
            words.setdefault(letters[rng.integers(0, 26, size=length)].tobytes(), None)
            if len(words) == n_types:
                break
    return list(words)


def write_split(
    path: Path, n_tokens: int, words: list[bytes], rng: np.random.Generator, block: int = 1 << 19
) -> int:
    """Write about ``n_tokens`` Zipf-distributed words (``<eos>`` counted) to ``path``; returns the
    bytes written."""
    table = np.zeros((len(words), max(map(len, words))), dtype=np.uint8)
    lengths = np.array([len(w) for w in words])
    for i, w in enumerate(words):
        table[i, : len(w)] = np.frombuffer(w, np.uint8)
    cdf = np.cumsum(1.0 / np.arange(1, len(words) + 1) ** 1.1)
    cdf /= cdf[-1]
    written = 0
    with open(path, "wb") as f:
        done = 0
        while done < n_tokens:
            n = min(block, n_tokens - done)
            ids = np.minimum(np.searchsorted(cdf, rng.random(n)), len(words) - 1)
            breaks = np.cumsum(
                rng.integers(5, 41, size=n // 5 + 2)
            )  # a line ends after these words
            breaks = breaks[breaks < n]
            sep = np.full(n, ord(" "), dtype=np.uint8)
            sep[breaks - 1] = ord("\n")
            sep[-1] = ord("\n")
            lens = lengths[ids] + 1
            starts = np.cumsum(lens) - lens
            out = np.empty(int(lens.sum()), dtype=np.uint8)
            within = np.arange(len(out)) - np.repeat(starts, lens)
            rows = np.repeat(ids, lens)
            out[:] = table[rows, np.minimum(within, table.shape[1] - 1)]
            out[starts + lens - 1] = sep
            f.write(out.tobytes())
            written += len(out)
            done += n + len(breaks) + 1  # words, and the <eos> of each line
    return written


def generate(out: Path, tokens: int, n_types: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    words = word_list(n_types, rng)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    sizes = {
        split: write_split(out / f"{split}.txt", n, words, rng)
        for split, n in (
            ("train", tokens),
            ("valid", max(tokens // 200, 10_000)),
            ("test", max(tokens // 200, 10_000)),
        )
    }
    return {"bytes": sizes, "seconds": time.perf_counter() - start}


def measured(cmd: list[str], env: dict[str, str]) -> dict:
    """Run ``cmd`` under a wrapper process; its wall time, peak RSS and the output's last lines."""
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd], capture_output=True, text=True, env=env
    )
    line = next(line for line in reversed(proc.stderr.splitlines()) if line.startswith("PEAK "))
    _, peak, wall, rc = line.split()
    if int(rc) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({rc}):\n{proc.stderr[-3000:]}")
    return {
        "peak_rss_bytes": int(peak),
        "wall_s": float(wall),
        "tail": proc.stdout.strip().splitlines()[-3:],
    }


PREPARE = (
    "import sys, time; from pathlib import Path\n"
    "from lstm_nlp.text.corpus import CorpusFiles, find_splits\n"
    "from lstm_nlp.text.prepare import prepare_corpus\n"
    "folder = Path(sys.argv[1]); t = time.perf_counter()\n"
    "c = prepare_corpus(CorpusFiles(folder, find_splits(folder)), cache_dir=sys.argv[2])\n"
    "print('tokens', {s: len(x) for s, x in c.streams.items()}, 'vocab', c.vocab_size, "
    "'seconds', round(time.perf_counter() - t, 2))\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokens", type=int, default=100_000_000)
    parser.add_argument(
        "--types", type=int, default=50_000, help="distinct words of the generated corpus"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the generated corpus")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus and caches")
    args = parser.parse_args()
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        parser.error(
            f"--out {args.out} exists and is not an empty folder: give a new folder "
            "(the script writes a corpus there and deletes the folder afterwards unless --keep)"
        )
    env = dict(
        os.environ,
        OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"),
        TOKENIZERS_PARALLELISM="false",
        WANDB_MODE="offline",
        PYTHONUNBUFFERED="1",
    )
    work = Path(tempfile.mkdtemp(prefix="corpus-scale-"))
    result: dict = {"tokens": args.tokens, "types": args.types}
    try:
        result["generate"] = generate(args.out, args.tokens, args.types)
        print(
            f"generated {sum(result['generate']['bytes'].values()) / 1e6:.0f} MB of text in "
            f"{result['generate']['seconds']:.1f} s",
            flush=True,
        )
        result["prepare"] = measured(
            [sys.executable, "-c", PREPARE, str(args.out), str(work / "cache")], env
        )
        print(f"prepare: {result['prepare']}", flush=True)
        train = [
            sys.executable,
            "-m",
            "lstm_nlp.cli.train",
            "data=text",
            f"data.path={args.out}",
            *TINY,
            f"+trainer.max_steps={args.steps}",
        ]
        result["train"] = measured(
            [*train, f"cache_dir={work / 'cache'}", f"run_dir={work / 'run'}"], env
        )
        print(f"train (cache warm): {result['train']}", flush=True)
        result["train_uncached"] = measured(
            [*train, f"cache_dir={work / 'cache2'}", f"run_dir={work / 'run2'}"], env
        )
        print(f"train (empty cache): {result['train_uncached']}", flush=True)
        result["cache_bytes"] = sum(
            p.stat().st_size for p in (work / "cache").rglob("*") if p.is_file()
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(args.out, ignore_errors=True)
    gib = 2**30
    print(json.dumps(result, indent=1))
    print(
        f"{args.tokens:,} tokens: prepare {result['prepare']['wall_s']:.1f} s, peak RSS "
        f"{result['prepare']['peak_rss_bytes'] / gib:.2f} GiB; train {args.steps} steps (cached) "
        f"{result['train']['wall_s']:.1f} s, peak RSS "
        f"{result['train']['peak_rss_bytes'] / gib:.2f} GiB; prepare + train from scratch "
        f"{result['train_uncached']['wall_s']:.1f} s, peak RSS "
        f"{result['train_uncached']['peak_rss_bytes'] / gib:.2f} GiB"
    )


if __name__ == "__main__":
    main()
