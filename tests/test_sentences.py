import numpy as np
import pytest
import torch

from lstm_nlp.data.sentences import (
    IGNORE_INDEX,
    BucketBatchSampler,
    PaddedBatch,
    SentenceCollator,
    SentenceDataModule,
    SentenceDataset,
    collate_sentences,
    encode_sentences,
)


def make_dataset(n=50, seed=0, with_labels=True):
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(3, 20, size=rng.integers(1, 30)) for _ in range(n)]
    tags = [s % 4 for s in seqs] if with_labels else None
    labels = [int(len(s) > 10) for s in seqs] if with_labels else None
    return SentenceDataset(seqs, token_labels=tags, labels=labels)


def test_dataset_items_round_trip():
    ds = SentenceDataset([[5, 6, 7], [8]], token_labels=[[0, 1, 2], [3]], labels=[1, 0])
    assert len(ds) == 2 and ds.num_tokens == 4 and ds.lengths.tolist() == [3, 1]
    item = ds[0]
    assert (
        item.index == 0
        and item.ids.tolist() == [5, 6, 7]
        and item.token_labels.tolist() == [0, 1, 2]
    )
    assert item.label == 1 and ds[-1].ids.tolist() == [8] and ds[-1].index == 1
    plain = SentenceDataset([[1, 2]])
    assert plain[0].token_labels is None and plain[0].label is None


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sequences=[[1], []]), "sequence 1 is empty"),
        (
            dict(sequences=[[1, 2]], token_labels=[[0]]),
            "sequence 0 has 2 tokens but 1 token labels",
        ),
        (dict(sequences=[[1, 2]], token_labels=[]), "0 token-label sequences for 1"),
        (dict(sequences=[[1, 2]], labels=[0, 1]), "2 labels for 1"),
    ],
)
def test_dataset_rejects_inconsistent_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SentenceDataset(**kwargs)


@pytest.mark.parametrize("batch_first", [False, True])
def test_collate_pads_and_keeps_layout(batch_first):
    ds = SentenceDataset([[5, 6, 7], [8]], token_labels=[[0, 1, 2], [3]], labels=[1, 0])
    batch = collate_sentences([ds[0], ds[1]], pad_id=2, batch_first=batch_first)
    tokens = batch.tokens if batch_first else batch.tokens.t()
    tags = batch.token_labels if batch_first else batch.token_labels.t()
    assert tokens.tolist() == [[5, 6, 7], [8, 2, 2]]
    assert tags.tolist() == [[0, 1, 2], [3, IGNORE_INDEX, IGNORE_INDEX]]
    assert batch.tokens.dtype == torch.int64 and batch.tokens.is_contiguous()
    assert (
        batch.lengths.tolist() == [3, 1]
        and batch.labels.tolist() == [1, 0]
        and batch.index.tolist() == [0, 1]
    )
    mask = batch.mask() if batch_first else batch.mask().t()
    assert mask.tolist() == [[True, True, True], [True, False, False]]
    assert len(batch) == 2 and batch.num_tokens == 4 and batch.batch_first is batch_first


def test_collate_without_labels_and_custom_label_pad():
    ds = SentenceDataset([[1], [2, 3]], token_labels=[[0], [1, 1]])
    batch = SentenceCollator(pad_id=0, label_pad_id=-1)([ds[0], ds[1]])
    assert batch.token_labels.t().tolist() == [[0, -1], [1, 1]] and batch.labels is None
    assert SentenceCollator(0)([SentenceDataset([[4]])[0]]).token_labels is None


def test_moving_a_batch_keeps_lengths_on_cpu():
    from lightning.fabric.utilities.apply_func import move_data_to_device

    batch = collate_sentences([make_dataset()[i] for i in range(4)], pad_id=2)
    moved = move_data_to_device(batch, torch.device("meta"))  # what Lightning does before each step
    assert isinstance(moved, PaddedBatch)
    assert moved.tokens.device.type == "meta" and moved.token_labels.device.type == "meta"
    assert moved.labels.device.type == "meta" and moved.lengths.device.type == "cpu"
    assert batch.tokens.device.type == "cpu"  # the original is untouched


def test_encode_sentences_gives_one_id_per_whitespace_token():
    from lstm_nlp.text.tokenizer import build_tokenizer, count_words

    tok = build_tokenizer(count_words(["the cat sat", "a dog"]))
    ids = encode_sentences(
        ["the dog flew", "cat\u001ca"], tok
    )  # \x1c: whitespace to str.split only
    unk = tok.token_to_id("<unk>")
    assert ids[0].tolist() == [tok.token_to_id("the"), tok.token_to_id("dog"), unk]
    assert ids[1].tolist() == [tok.token_to_id("cat"), tok.token_to_id("a")]


def _all(sampler):
    return [list(b) for b in sampler]


def test_sampler_covers_every_index_once_and_is_seeded_per_epoch():
    ds = make_dataset(n=103)
    s = BucketBatchSampler(ds.lengths, 8, shuffle=True, pool_size=4, seed=3)
    first = _all(s)
    assert sorted(i for b in first for i in b) == list(range(103)) and len(first) == len(s) == 13
    assert _all(BucketBatchSampler(ds.lengths, 8, shuffle=True, pool_size=4, seed=3)) == first
    s.set_epoch(1)
    second = _all(s)
    assert second != first and sorted(i for b in second for i in b) == list(range(103))
    assert _all(BucketBatchSampler(ds.lengths, 8, shuffle=True, pool_size=4, seed=4)) != first


def test_bucketing_cuts_padding():
    ds = make_dataset(n=400)

    def padded(sampler):
        return sum(len(b) * ds.lengths[b].max() for b in map(np.asarray, sampler))

    plain = padded(BucketBatchSampler(ds.lengths, 16, shuffle=True, bucket=False))
    bucketed = padded(BucketBatchSampler(ds.lengths, 16, shuffle=True, bucket=True, pool_size=10))
    assert bucketed < 0.8 * plain
    evaluation = _all(BucketBatchSampler(ds.lengths, 16, shuffle=False))
    flat = [i for b in evaluation for i in b]
    assert list(ds.lengths[flat]) == sorted(ds.lengths) and evaluation == _all(
        BucketBatchSampler(ds.lengths, 16, shuffle=False)
    )
    assert _all(BucketBatchSampler(ds.lengths, 16, shuffle=False, bucket=False))[0] == list(
        range(16)
    )


@pytest.mark.parametrize("equal", [False, True])
def test_sampler_shards_across_ranks(equal):
    lengths = make_dataset(n=45).lengths  # 12 batches of 4 (the last one short) over 5 ranks
    shards = [
        _all(
            BucketBatchSampler(
                lengths, 4, shuffle=True, seed=1, num_replicas=5, rank=r, equal_shards=equal
            )
        )
        for r in range(5)
    ]
    counts = [len(s) for s in shards]
    assert counts == ([2] * 5 if equal else [3, 3, 2, 2, 2])
    for r, _shard in enumerate(shards):
        assert (
            len(BucketBatchSampler(lengths, 4, num_replicas=5, rank=r, equal_shards=equal))
            == counts[r]
        )
    seen = [i for shard in shards for b in shard for i in b]
    assert len(seen) == len(set(seen))
    if not equal:
        assert sorted(seen) == list(range(45))


def test_sampler_rejects_bad_arguments():
    from lstm_nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="batch size"):
        BucketBatchSampler([1, 2], 0)
    with pytest.raises(ValueError, match="rank"):
        BucketBatchSampler([1, 2], 1, num_replicas=2, rank=2)


def test_datamodule_in_a_trainer_reshuffles_each_epoch_and_packs_with_the_encoder():
    import lightning.pytorch as pl

    from lstm_nlp.modules import LSTMEncoder

    datasets = {
        split: make_dataset(n=40, seed=i) for i, split in enumerate(("train", "valid", "test"))
    }
    dm = SentenceDataModule(
        datasets, pad_id=0, batch_size=8, eval_batch_size=16, seed=5, batch_first=True
    )

    class Probe(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(20, 4)
            self.enc = LSTMEncoder(4, 3, batch_first=True, bidirectional=True)
            self.orders = []

        def training_step(self, batch, batch_idx):
            if batch_idx == 0:
                self.orders.append([])
            self.orders[-1].append(batch.index.tolist())
            out, _ = self.enc(self.emb(batch.tokens), lengths=batch.lengths)
            assert out.shape[:2] == batch.tokens.shape and not out[~batch.mask()].any()
            return out.sum()

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    probe = Probe()
    trainer = pl.Trainer(
        max_epochs=2,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=0,
        **SentenceDataModule.trainer_kwargs,
    )
    trainer.fit(probe, datamodule=dm)
    assert len(probe.orders) == 2 and probe.orders[0] != probe.orders[1]
    assert sorted(i for b in probe.orders[1] for i in b) == list(range(40))
    assert len(dm.test_dataloader()) == 3


def test_datamodule_rejects_bad_sizes():
    from lstm_nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="task.eval_batch_size"):
        SentenceDataModule({}, pad_id=0, batch_size=4, eval_batch_size=-1)


def test_a_small_evaluation_split_still_gives_every_process_a_batch():
    """Under DDP each rank evaluates its own batches: with fewer batches of eval_batch_size than
    processes, the batches shrink (the accuracy is summed over the ranks), and a split with fewer
    examples than processes is one line naming it."""
    from lstm_nlp.errors import ConfigError

    small = SentenceDataset([[1, 2]] * 5, labels=[0] * 5)
    module = SentenceDataModule(
        {"train": small, "valid": small, "test": SentenceDataset([[1]], labels=[0])},
        pad_id=0,
        batch_size=2,
        eval_batch_size=256,
    )
    assert module.shared_batch_size("valid", world=1) == 256
    for world in (2, 3, 5):
        size = module.shared_batch_size("valid", world)
        shards = [
            list(BucketBatchSampler(small.lengths, size, num_replicas=world, rank=r))
            for r in range(world)
        ]
        assert all(shards), (world, size)
        assert sorted(i for shard in shards for batch in shard for i in batch) == list(range(5))
    with pytest.raises(ConfigError, match=r"the test split has 1 example\(s\), fewer than the 2"):
        module.shared_batch_size("test", world=2)
