"""The pieces of an exact resume, one at a time (the end-to-end test kills a real run:
test_exact_resume)."""

import random

import numpy as np
import pytest
import torch

from lstm_nlp.data.resumable import SkipTrained
from lstm_nlp.data.sentences import BucketBatchSampler
from lstm_nlp.training import rng_state
from lstm_nlp.training.periodic_checkpoint import PeriodicCheckpoint


def test_skip_trained_resumes_the_saved_epoch_once_and_never_another():
    lengths = np.random.default_rng(0).integers(1, 30, size=200)
    plain = BucketBatchSampler(lengths, 8, shuffle=True, seed=3)
    wrapped = SkipTrained(BucketBatchSampler(lengths, 8, shuffle=True, seed=3))
    plain.set_epoch(2)
    full = list(plain)
    wrapped.resume_at(epoch=2, trained=5)
    wrapped.set_epoch(2)
    assert list(wrapped) == full[5:]  # the batches the interrupted run had not trained yet
    assert list(wrapped) == full  # the next pass (the same epoch again) is whole
    wrapped.resume_at(epoch=1, trained=5)
    wrapped.set_epoch(2)
    assert list(wrapped) == full  # a position from another epoch skips nothing
    assert len(wrapped) == len(full)


def test_skip_is_decided_when_the_pass_starts_after_set_epoch():
    """Lightning makes the iterator before it calls set_epoch for a resumed epoch."""
    lengths = np.arange(1, 101)
    wrapped = SkipTrained(BucketBatchSampler(lengths, 10, shuffle=True, seed=0))
    wrapped.resume_at(epoch=4, trained=3)
    passes = iter(wrapped)  # made while the sampler still says epoch 0
    wrapped.set_epoch(4)
    reference = BucketBatchSampler(lengths, 10, shuffle=True, seed=0)
    reference.set_epoch(4)
    assert list(passes) == list(reference)[3:]


def test_rng_states_round_trip_through_a_weights_only_checkpoint(tmp_path):
    torch.manual_seed(1), random.seed(2), np.random.seed(3)
    torch.rand(3), random.random(), np.random.rand(), np.random.randn()  # a cached gaussian too
    torch.save({"rng": rng_state.capture()}, tmp_path / "s.pt")
    expected = (torch.rand(5), [random.random() for _ in range(5)], np.random.randn(5))
    rng_state.restore(torch.load(tmp_path / "s.pt", weights_only=True)["rng"])
    assert torch.equal(torch.rand(5), expected[0])
    assert [random.random() for _ in range(5)] == expected[1]
    assert np.array_equal(np.random.randn(5), expected[2])


class FakeTrainer:
    world_size, is_global_zero, should_stop = 1, True, False
    num_training_batches, val_check_batch, check_val_every_n_epoch = 1000, 1000, 1

    def __init__(self):
        self.global_step, self.saved = 0, []

    def save_checkpoint(self, path):
        self.saved.append(self.global_step)


def run_batches(callback, trainer, steps, accumulate=1, start=0, on_batch=None):
    """Batches ``start..``: the optimiser steps after every ``accumulate``-th batch."""
    for batch_idx in range(start, start + steps * accumulate):
        callback.on_train_batch_start(trainer, None, None, batch_idx)
        if (batch_idx + 1) % accumulate == 0:
            trainer.global_step += 1
        if on_batch:
            on_batch(batch_idx)
        callback.on_train_batch_end(trainer, None, None, None, batch_idx)


def test_periodic_checkpoint_by_steps_and_by_minutes(tmp_path):
    now = [0.0]
    trainer = FakeTrainer()
    callback = PeriodicCheckpoint(
        tmp_path / "last.ckpt", every_n_steps=4, every_minutes=1.0, clock=lambda: now[0]
    )
    # 7 s a step, step 9 takes 30 s: by count steps 4, 8, 12; by time (60 s) none, since every
    # save restarts the clock and the longest stretch (after step 8 to 11: 30 + 7 + 7 s) is under a
    # minute
    run_batches(
        callback,
        trainer,
        12,
        on_batch=lambda i: now.__setitem__(0, now[0] + (30.0 if i == 8 else 7.0)),
    )
    assert trainer.saved == [4, 8, 12]
    callback = PeriodicCheckpoint(tmp_path / "last.ckpt", every_minutes=0.5, clock=lambda: now[0])
    trainer.saved = []
    run_batches(
        callback, trainer, 10, start=12, on_batch=lambda i: now.__setitem__(0, now[0] + 7.0)
    )
    assert trainer.saved == [17, 22]  # 35 s after the start, then 35 s after that save


def test_resume_points_wait_for_a_batch_after_which_a_resume_is_exact(tmp_path):
    trainer = FakeTrainer()
    trainer.num_training_batches = trainer.val_check_batch = 10  # steps 10, 20, ... end an epoch
    callback = PeriodicCheckpoint(tmp_path / "last.ckpt", every_n_steps=5)
    for _epoch in range(3):
        run_batches(callback, trainer, 10, start=0)
    # step 10 ends epoch 0, step 20 epoch 1: their saves wait one batch (a validation follows them)
    assert trainer.saved == [5, 11, 15, 21, 25]

    trainer, callback = FakeTrainer(), PeriodicCheckpoint(tmp_path / "last.ckpt", every_n_steps=3)
    run_batches(callback, trainer, 7, accumulate=4)  # four batches per optimiser step
    assert trainer.saved == [
        3,
        6,
    ]  # once each, after the batch that stepped; never mid-accumulation


def test_a_signal_on_a_batch_before_a_validation_stops_after_the_next_batch(tmp_path):
    from lstm_nlp.training.interruption import Preempted, SaveOnSignal

    trainer = FakeTrainer()
    trainer.num_training_batches = trainer.val_check_batch = 10
    callback = SaveOnSignal(tmp_path / "last.ckpt")
    run_batches(callback, trainer, 9)
    callback.received = "SIGTERM"
    run_batches(
        callback, trainer, 1, start=9
    )  # the epoch's last batch: a validation follows, no save
    assert trainer.saved == []
    with pytest.raises(Preempted, match="SIGTERM at step 11: saved"):
        run_batches(callback, trainer, 1, start=0)  # the next epoch's first batch
    assert trainer.saved == [11]


def test_a_sentence_task_resumed_mid_epoch_trains_the_batches_it_had_not_trained(tmp_path):
    import lightning.pytorch as pl

    from lstm_nlp.data.sentences import SentenceDataModule, SentenceDataset

    rng = np.random.default_rng(0)
    data = {
        split: SentenceDataset(
            [rng.integers(1, 20, size=rng.integers(2, 9)).tolist() for _ in range(60)]
        )
        for split in ("train", "valid", "test")
    }

    class Recorder(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.zeros(1))
            self.seen = []

        def training_step(self, batch, batch_idx):
            self.seen.append((self.current_epoch, batch_idx, tuple(batch.index.tolist())))
            return (self.weight * batch.tokens.float().sum()).sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.0)

    class SaveAt(pl.Callback):
        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            if trainer.current_epoch == 1 and batch_idx == 3:
                trainer.save_checkpoint(tmp_path / "mid.ckpt")

    def fit(module, *callbacks, ckpt=None):
        dm = SentenceDataModule(data, pad_id=0, batch_size=8, seed=5)
        trainer = pl.Trainer(
            max_epochs=3,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            limit_val_batches=0,
            callbacks=list(callbacks),
            **SentenceDataModule.trainer_kwargs,
        )
        trainer.fit(module, datamodule=dm, ckpt_path=ckpt)

    whole = Recorder()
    fit(whole, SaveAt())
    resumed = Recorder()
    fit(resumed, ckpt=str(tmp_path / "mid.ckpt"))
    by_epoch = [[seen[2] for seen in whole.seen if seen[0] == epoch] for epoch in (0, 1)]
    assert by_epoch[0] != by_epoch[1]  # reshuffled every epoch
    assert resumed.seen == [seen for seen in whole.seen if (seen[0], seen[1]) > (1, 3)]
