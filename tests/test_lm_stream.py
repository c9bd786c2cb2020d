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
    assert torch.equal(
        batchify(stream, 4), examples_batchify(torch.arange(103, dtype=torch.int32), 4)
    )


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
    a, b = (
        BPTTBatches(data, 70, variable=True, seed=3),
        BPTTBatches(data, 70, variable=True, seed=3),
    )
    assert a.lengths.tolist() == b.lengths.tolist() and len(set(a.lengths.tolist())) > 3
    assert a.lengths.sum() == data.size(0) - 1
    first = a.lengths.tolist()
    a.set_epoch(1)
    assert a.lengths.tolist() != first


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

    dm = LMStreamDataModule(
        {"train": np.arange(4000, dtype=np.int32)},
        batch_size=2,
        eval_batch_size=2,
        bptt=30,
        variable_bptt=True,
        seed=5,
    )
    trainer = pl.Trainer(
        max_epochs=3,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        use_distributed_sampler=False,
        limit_val_batches=0,
    )
    trainer.fit(Probe(), datamodule=dm)
    expected = []
    for epoch in range(3):
        ds = BPTTBatches(batchify(np.arange(4000, dtype=np.int32), 2), 30, variable=True, seed=5)
        ds.set_epoch(epoch)
        expected.append(ds.lengths.tolist())
    n = min(len(s) for s in seen)
    assert [s[:n] for s in seen] == [e[:n] for e in expected]
    assert seen[0][:n] != seen[1][:n]


def _mapped_stream(tmp_path, n):
    from lstm_nlp.text.id_file import IdWriter, open_ids

    with IdWriter(tmp_path / "ids.npy") as writer:
        writer.write(np.arange(n) % 1000)
    return open_ids(tmp_path / "ids.npy")


def test_batchify_of_a_memory_map_is_a_view_not_a_copy(tmp_path):
    stream = _mapped_stream(tmp_path, 1003)
    data = batchify(shard(stream, 1, 2), 5)
    assert data.dtype == torch.int32 and data.shape == (100, 5) and not data.is_contiguous()
    assert data.data_ptr() == stream.ctypes.data + 501 * 4  # the mapped pages themselves
    assert torch.equal(data, examples_batchify(torch.from_numpy(np.array(stream[501:1002])), 5))


@pytest.mark.parametrize("variable", [False, True])
def test_windows_of_a_memory_map_equal_those_of_a_contiguous_copy(tmp_path, variable):
    stream = _mapped_stream(tmp_path, 4321)
    lazy = BPTTBatches(batchify(stream, 3), 35, variable=variable, seed=2)
    copied = examples_batchify(
        torch.from_numpy(np.array(stream)), 3
    )  # the former layout, in memory
    assert lazy.n_tokens == BPTTBatches(copied, 35, variable=variable, seed=2).n_tokens
    for i in range(len(lazy)):
        x, y = lazy[i]
        start, seq = int(lazy.starts[i]), int(lazy.lengths[i])
        assert x.dtype == torch.long and x.is_contiguous() and y.is_contiguous()
        assert torch.equal(x, copied[start : start + seq].long())
        assert torch.equal(y, copied[start + 1 : start + 1 + seq].long())


def test_datamodule_pickles_mapped_streams_by_name(tmp_path):
    import pickle

    from lstm_nlp.data.lm_datamodule import LMStreamDataModule

    stream = _mapped_stream(tmp_path, 200_000)
    dm = LMStreamDataModule({"train": stream, "valid": np.arange(100, dtype=np.int32)}, 4, 4, 10)
    dm.setup()
    blob = pickle.dumps(dm)
    assert len(blob) < 20_000  # the name of the file, not its 800 kB
    again = pickle.loads(blob)
    assert isinstance(again.streams["train"], np.memmap) and np.array_equal(
        again.streams["train"], stream
    )
    assert np.array_equal(again.streams["valid"], np.arange(100))
    again.setup()
    assert torch.equal(again.datasets["train"][3][0], dm.datasets["train"][3][0])


@pytest.mark.parametrize("n_rows", [2, 3, 35, 36, 37, 71, 1000])
def test_fixed_windows_cover_every_step_once(n_rows):
    from lstm_nlp.data.lm_stream import window_lengths

    lengths = window_lengths(n_rows, 35, False, None)
    assert lengths.sum() == n_rows - 1 and (lengths[:-1] == 35).all() and 1 <= lengths[-1] <= 35


def test_variable_bptt_gives_every_ddp_rank_as_many_windows():
    """DDP ranks must run the same number of steps, or their gradient all-reduces never pair up (a
    hang)."""
    from types import SimpleNamespace

    from lstm_nlp.data.lm_datamodule import LMStreamDataModule

    stream = np.arange(2800, dtype=np.int32)
    counts, firsts = [], []
    for rank in range(2):
        dm = LMStreamDataModule(
            {"train": stream},
            batch_size=4,
            eval_batch_size=4,
            bptt=35,
            variable_bptt=True,
            seed=1234,
        )
        dm.trainer = SimpleNamespace(global_rank=rank, world_size=2)
        dm.setup("fit")
        windows = dm.datasets["train"]
        counts.append([(windows.set_epoch(e), windows.lengths.tolist())[1] for e in range(5)])
        firsts.append(windows[0][0])
    assert counts[0] == counts[1]
    assert not torch.equal(firsts[0], firsts[1])  # still each rank's own data


def test_windows_of_an_int64_stream_are_copies_not_views_of_the_corpus():
    stream = np.arange(400, dtype=np.int64)
    inputs, targets = BPTTBatches(batchify(stream, 4), bptt=5)[0]
    inputs.zero_()
    targets.zero_()
    assert np.array_equal(stream, np.arange(400))
    assert inputs.is_contiguous() and targets.dtype == torch.long
