"""checkpoints/last.ckpt follows every validation, also the ones that do not improve (Lightning's
save_last=True writes it only beside a new best, so a resume would replay epochs)."""

import torch
from cli_helpers import run_in_process


def test_last_ckpt_is_the_latest_epoch_and_best_ckpt_the_best(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_in_process(
        "train",
        f"run_dir={run_dir}",
        "data.train_sentences=200",
        "data.valid_sentences=40",
        "data.test_sentences=40",
        "encoder.hidden_size=16",
        "task.embedding_dim=16",
        "optim.lr=400",  # diverges: validation loss goes 52.5, 40.2, 55.5 (no gain at epoch 2)
        "trainer.max_epochs=3",
        "logger=none",
        "test=false",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    epochs = [line for line in proc.stdout.splitlines() if line.startswith("lstm-nlp: epoch")]
    history = [float(line.split("val/loss ")[1].split()[0]) for line in epochs]
    assert len(history) == 3 and history[2] > min(history[:2])  # the last epoch did not improve
    load = lambda name: torch.load(run_dir / "checkpoints" / name, weights_only=False)  # noqa: E731
    last, best = load("last.ckpt"), load("best.ckpt")
    assert last["epoch"] == 2 and best["epoch"] == history.index(min(history))
    assert last["global_step"] > best["global_step"]
