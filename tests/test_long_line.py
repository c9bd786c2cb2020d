"""A corpus whose training split is one 100 MB line: read in bounded pieces, counted exactly, in
little memory."""

import json
import subprocess
import sys

import pytest
from cli_helpers import env

MEASURE = """
import json, resource, sys
from pathlib import Path
from lstm_nlp.text.corpus import CorpusFiles, find_splits
from lstm_nlp.text.prepare import prepare_corpus
folder = Path(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
corpus = prepare_corpus(CorpusFiles(folder, find_splits(folder)), cache_dir=folder / "cache")
train = corpus.streams["train"]
eos = corpus.tokenizer.token_to_id("<eos>")
print(json.dumps({"tokens": int(len(train)), "eos": int((train == eos).sum()), \
"last_is_eos": bool(train[-1] == eos),
                  "types": corpus.num_types, \
"first": [corpus.tokenizer.id_to_token(int(i)) for i in train[:3]],
                  "growth_mib": \
(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""


@pytest.mark.slow
def test_a_single_100_mb_line(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    block = " ".join(f"w{i % 997}" for i in range(200_000)) + " "  # 997 word types, ~1 MB
    repeats = -(-100_000_000 // len(block.encode()))
    with open(folder / "train.txt", "w", encoding="utf-8") as f:
        for _ in range(repeats):
            f.write(block)
        f.write("end\n")  # one line of > 100 MB, then its newline
    (folder / "valid.txt").write_text("w1 w2\n", encoding="utf-8")
    (folder / "test.txt").write_text("w3 end\n", encoding="utf-8")
    assert (folder / "train.txt").stat().st_size > 100_000_000

    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder)],
        capture_output=True,
        text=True,
        env=env(),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["tokens"] == repeats * 200_000 + 2  # every word, "end" and the line's <eos>
    assert result["eos"] == 1 and result["last_is_eos"]
    assert result["first"] == ["w0", "w1", "w2"]
    assert result["types"] == 997 + 2  # + "end" and <eos>
    # the line is never held whole: 20M int32 ids are 80 MB; the 100 MB of text never all in memory
    assert result["growth_mib"] < 250, result
