import numpy as np
import pytest
import torch

from lstm_nlp.data.lm_stream import BPTTBatches, batchify, shard
from lstm_nlp.errors import ConfigError


def examples_batchify(data: torch.Tensor, bsz: int) -> torch.Tensor:
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def test_batchify_matches_pytorch_examples():
    stream = np.arange(103, dtype=np.int32)
    assert torch.equal(batchify(stream, 4), examples_batchify(torch.arange(103, dtype=torch.int32), 4))


def test_windows_cover_stream_and_targets_shift_by_one():
    data = batchify(np.arange(1000, dtype=np.int32), 5)
    batches = BPTTBatches(data, bptt=35)
    seen = []
    for i in range(len(batches)):
        x, y = batches[i]
        assert x.dtype == torch.long and x.shape == y.shape
        assert torch.equal(y, x + 1)  # each column is contiguous text
        seen.append(x)
    covered = torch.cat(seen)
    assert torch.equal(covered, data[:-1].long())
    assert [len(s) for s in seen] == [35] * 5 + [199 - 175]


def test_variable_bptt_is_seeded_per_epoch():
    data = batchify(np.arange(5000, dtype=np.int32), 2)
    a, b = BPTTBatches(data, 70, variable=True, seed=3), BPTTBatches(data, 70, variable=True, seed=3)
    assert a.lengths == b.lengths and len(set(a.lengths)) > 3
    assert sum(a.lengths) == data.size(0) - 1
    first = list(a.lengths)
    a.set_epoch(1)
    assert a.lengths != first


def test_shards_are_contiguous_equal_and_disjoint():
    stream = np.arange(101)
    parts = [shard(stream, r, 4) for r in range(4)]
    assert all(len(p) == 25 for p in parts)
    assert np.array_equal(np.concatenate(parts), stream[:100])


def test_too_little_data_is_a_clear_error():
    with pytest.raises(ConfigError, match="too few for task.batch_size=20"):
        batchify(np.arange(10), 20)


def test_lightning_redraws_variable_windows_every_epoch():
    """Lightning calls set_epoch on the loader's sampler each epoch; the windows must follow."""
    import lightning.pytorch as pl

    from lstm_nlp.data.lm_datamodule import LMStreamDataModule

    seen = []

    class Probe(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def on_train_epoch_start(self):
            seen.append([])

        def training_step(self, batch, i):
            seen[-1].append(batch[0].size(0))
            return (self.w * batch[0].float().mean()).sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.1)

    dm = LMStreamDataModule({"train": np.arange(4000, dtype=np.int32)}, batch_size=2, eval_batch_size=2, bptt=30,
                            variable_bptt=True, seed=5)
    trainer = pl.Trainer(max_epochs=3, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False, use_distributed_sampler=False, limit_val_batches=0)
    trainer.fit(Probe(), datamodule=dm)
    expected = []
    for epoch in range(3):
        ds = BPTTBatches(batchify(np.arange(4000, dtype=np.int32), 2), 30, variable=True, seed=5)
        ds.set_epoch(epoch)
        expected.append(ds.lengths)
    n = min(len(s) for s in seen)
    assert [s[:n] for s in seen] == [e[:n] for e in expected]
    assert seen[0][:n] != seen[1][:n]
