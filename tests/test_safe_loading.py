"""A checkpoint that carries code is refused before the code runs, by every command that reads
one."""

import os
import shutil

import pytest
import torch
from cli_helpers import metrics, one_line_error, run_in_process, train

from lstm_nlp.errors import DataError
from lstm_nlp.text.checkpoint_file import read_checkpoint


class RunsCode:
    """Unpickling this would call ``os.system``: what a hostile checkpoint does."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def hostile_checkpoint(path, marker, base=None):
    ckpt = dict(base) if base else {"state_dict": {}}
    ckpt["callbacks"] = {"payload": RunsCode(marker)}
    torch.save(ckpt, path)
    return path


def test_reading_refuses_it_and_names_what_it_holds(tmp_path):
    marker = tmp_path / "ran"
    path = hostile_checkpoint(tmp_path / "evil.ckpt", marker)
    with pytest.raises(
        DataError,
        match=r"evil.ckpt: refused: the file holds a pickled \S*system \(code, not data\)",
    ):
        read_checkpoint(path)
    assert not marker.exists()


@pytest.mark.slow
def test_commands_refuse_it_in_one_line_and_training_resumes_past_it(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    assert train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}").returncode == 0
    good = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    marker = tmp_path / "ran"
    evil = hostile_checkpoint(tmp_path / "evil.ckpt", marker, base=good)

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"sentence_good": "the dog runs", "sentence_bad": "the dog run"}\n')
    for command, args in (
        ("generate", [f"checkpoint={evil}"]),
        ("eval", [f"checkpoint={evil}", f"path={pairs}"]),
    ):
        line = one_line_error(run_in_process(command, *args), prog=f"lstm-nlp-{command}")
        assert "refused: the file holds a pickled" in line, line

    # planted as the run's newest checkpoint: skipped with a warning, the run resumes from best.ckpt
    shutil.copy(evil, run_dir / "checkpoints" / "last.ckpt")
    os.utime(run_dir / "checkpoints" / "last.ckpt")
    proc = train(
        "data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "trainer.max_epochs=2"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "refused" in proc.stderr
    assert (
        "lstm-nlp: epoch 1 |" in proc.stdout and "lstm-nlp: epoch 0 |" not in proc.stdout
    )  # resumed, not restarted
    assert metrics(run_dir)["epochs"] == 2
    assert not marker.exists()
