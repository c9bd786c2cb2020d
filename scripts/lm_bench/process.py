"""The whole process of a short run: start-up, 400 training steps, validation and test.

Two fresh processes per round, interleaved: the plain PyTorch loop (pytorch/examples'
word_language_model: read and tokenise the corpus, 2x200 LSTM, SGD lr 20, clipping 0.25,
batch 20, bptt 35, then the whole validation and test splits at batch 10) and
``lstm-nlp-train`` with the same recipe (``experiment=ptb_small``; with ``--precision``, e.g.
``bf16-mixed``).  Wall time from launch to exit; the ratio is the reference's over ours.

The corpus is PTB-sized, cut from WikiText-2 (or any folder with train/valid/test): the first
930k/74k/82k tokens of its splits, words outside the 10,000 most frequent training words written
as ``<unk>`` (PTB's own preprocessing), so both sides see the same 10k-type text.

    cd scripts && OMP_NUM_THREADS=1 python -m lm_bench.process --rounds 2 [--precision bf16-mixed]
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"train": 930_000, "valid": 74_000, "test": 82_000}  # PTB's tokens per split
VOCAB = 10_000
BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent.parent


def split_files(folder: Path) -> dict[str, Path]:
    """train/valid/test of a WikiText folder (``wiki.train.tokens``) or a plain one."""
    out = {}
    for split in SIZES:
        found = sorted(folder.glob(f"*{split}*"))
        if not found:
            raise SystemExit(f"{folder}: no {split} file")
        out[split] = found[0]
    return out


def head_lines(path: Path, tokens: int) -> list[list[str]]:
    lines, count = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words:
            continue
        lines.append(words)
        count += len(words) + 1  # <eos>
        if count >= tokens:
            break
    return lines


def ptb_sized(source: Path, target: Path) -> Path:
    """Write ``target/{train,valid,test}.txt`` (see the module's doc); returns ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    texts = {s: head_lines(p, SIZES[s]) for s, p in split_files(source).items()}
    counts = collections.Counter(w for line in texts["train"] for w in line)
    keep = {w for w, _ in counts.most_common(VOCAB - 2)}  # + <unk>, <eos>
    for split, lines in texts.items():
        rows = (" ".join(w if w in keep else "<unk>" for w in line) for line in lines)
        (target / f"{split}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return target


def reference_main(folder: Path, steps: int) -> None:
    """The plain loop's whole process (run as ``python -m lm_bench.process --reference``)."""
    import torch

    from lm_bench.corpus import ReferenceCorpus
    from lm_bench.reference import ReferenceLoop, RNNModel, evaluate

    torch.manual_seed(0)
    corpus = ReferenceCorpus({s: folder / f"{s}.txt" for s in SIZES})
    model = RNNModel(len(corpus.dictionary.idx2word), 200, 200, 2, dropout=0.2)
    streams = corpus.streams
    loop = ReferenceLoop(model, streams["train"], batch_size=20, bptt=35)
    for _ in range(steps):
        loop.step()
    valid, test = evaluate(model, streams["valid"], 35), evaluate(model, streams["test"], 35)
    print(f"reference: valid ppl {valid:.2f}, test ppl {test:.2f}")


def ours_command(folder: Path, run_dir: Path, steps: int, precision: str) -> list[str]:
    return [
        str(BIN / "lstm-nlp-train"),
        "data=text",
        f"data.path={folder}",
        "experiment=ptb_small",
        f"+trainer.max_steps={steps}",
        "trainer.max_epochs=1",
        f"trainer.precision={precision}",
        "logger=none",
        f"run_dir={run_dir}",
    ]


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start, proc.stdout.strip().splitlines()[-1]


def compare(source: Path, rounds: int, steps: int, precision: str) -> dict:
    times: dict[str, list[float]] = {"reference": [], "lstm_nlp": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = ptb_sized(source, Path(tmp) / "corpus")
        reference = [sys.executable, "-m", "lm_bench.process", "--reference", str(folder)]
        reference += ["--steps", str(steps)]
        timed(ours_command(folder, Path(tmp) / "warm", 2, precision), HERE)  # fills the cache
        for i in range(rounds):
            seconds, last = timed(reference, HERE)
            times["reference"].append(seconds)
            print(f"round {i}: reference {seconds:.1f} s ({last})", flush=True)
            run_dir = Path(tmp) / f"run{i}"
            seconds, last = timed(ours_command(folder, run_dir, steps, precision), HERE)
            times["lstm_nlp"].append(seconds)
            print(f"round {i}: lstm-nlp {seconds:.1f} s ({last})", flush=True)
    ref, ours = statistics.median(times["reference"]), statistics.median(times["lstm_nlp"])
    return {"precision": precision, "steps": steps, **times, "ratio": ref / ours}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=HERE.parent.parent / "shared/data/wikitext-2"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--precision", default="32-true")
    parser.add_argument("--reference", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        reference_main(args.reference, args.steps)
        return
    r = compare(args.corpus, args.rounds, args.steps, args.precision)
    print(
        f"whole process ({r['steps']} steps + validation + test, PTB-sized): reference "
        f"{statistics.median(r['reference']):.1f} s, lstm-nlp ({r['precision']}) "
        f"{statistics.median(r['lstm_nlp']):.1f} s: {r['ratio']:.2f}x"
    )


if __name__ == "__main__":
    main()
