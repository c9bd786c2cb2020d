import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pos_corpus import unigram_accuracy, write_tagged_corpus

import lstm_nlp_pos
from lstm_nlp import plugins
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.registry import TASKS
from lstm_nlp.schema.validate import defaults_of
from lstm_nlp.tasks.base import RunContext
from lstm_nlp.text.sources import TextDataOptions, text_folder

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TINY = [
    "encoder.hidden_size=24",
    "encoder.num_layers=1",
    "encoder.dropout=0.0",
    "task.embedding_dim=16",
    "task.batch_size=16",
]


@pytest.fixture
def tagged_corpus(tmp_path) -> Path:
    return write_tagged_corpus(tmp_path / "corpus")


def compose(*overrides):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    plugins.load_plugins()
    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        return hydra_compose("train", overrides=["task=pos_tagging", *overrides])


def test_entry_point_is_discovered_and_registers_lazily(monkeypatch):
    (ep,) = [e for e in entry_points(group=plugins.GROUP) if e.name == "pos_tagging"]
    assert ep.value == "lstm_nlp_pos:register"
    monkeypatch.setattr(plugins, "_loaded_entry_points", False)
    monkeypatch.setattr(plugins, "_loaded", {})
    monkeypatch.setattr(plugins, "_failed", {})
    TASKS.unregister("pos_tagging")
    try:
        assert "pos_tagging" in TASKS.names()  # names() loads the entry points
        assert (
            plugins.loaded_plugins()["pos_tagging"] == "lstm_nlp_pos:register"
            and not plugins.failed_plugins()
        )
        entry = TASKS.entry("pos_tagging")
        assert entry.origin == "lstm-nlp-pos" and entry.target == "lstm_nlp_pos.task:build_task"
    finally:
        lstm_nlp_pos.register()
    from lstm_nlp_pos.task import build_task

    assert TASKS.get("pos_tagging") is build_task


@pytest.mark.slow
def test_registering_imports_neither_torch_nor_lightning():
    code = (
        "import sys; from lstm_nlp.registry import TASKS; assert 'pos_tagging' in TASKS.names(); "
        "heavy = [m for m in ('torch', 'lightning') if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_task_choice_resolves_through_the_config_store():
    cfg = compose("task.batch_size=8")
    assert cfg.task.name == "pos_tagging" and cfg.task.batch_size == 8
    defaults = defaults_of(lstm_nlp_pos.PosTaggingConfig)
    assert {k: v for k, v in cfg.task.items() if k not in ("name", "batch_size")} == {
        k: v for k, v in defaults.items() if k != "batch_size"
    }


def test_encoder_is_made_bidirectional():
    from lstm_nlp_pos.task import encoder_config

    def encoder_of(*overrides):
        cfg = compose(*overrides)
        return encoder_config(cfg, TASKS.options(cfg.task))

    assert encoder_of()["bidirectional"] is True
    assert encoder_of("task.bidirectional=false")["bidirectional"] is False
    with pytest.raises(ConfigError, match="task.bidirectional=false .* encoder.bidirectional=true"):
        encoder_of("task.bidirectional=false", "encoder.bidirectional=true")


def train_cli(corpus, run_dir, cache, epochs):
    cmd = [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        "task=pos_tagging",
        "data=text",
        f"data.path={corpus}",
        "encoder.bidirectional=true",
        "optim=adam",
        "optim.lr=0.01",
        f"trainer.max_epochs={epochs}",
        f"run_dir={run_dir}",
        "trainer.enable_progress_bar=false",
        "trainer.enable_model_summary=false",
        *TINY,
    ]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "LSTM_NLP_CACHE": str(cache),
        "WANDB_MODE": "offline",
    }
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_trains_a_tagger_that_uses_context_and_resumes(tagged_corpus, tmp_path):
    run_dir = tmp_path / "run"
    proc = train_cli(tagged_corpus, run_dir, tmp_path / "cache", epochs=4)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    majority = metrics["data/test_majority_acc"]
    assert 0.2 < majority < 0.4
    # A tagger that ignores context gets ~0.93 here: the ambiguous words need their neighbours.
    unigram = unigram_accuracy(tagged_corpus)
    assert (
        unigram < 0.95
        and metrics["test/acc"] > max(0.97, unigram + 0.03)
        and metrics["val/acc"] > 0.97
    ), metrics
    assert metrics["test/loss"] < 0.3 and metrics["epochs"] == 4
    tags = json.loads((run_dir / "tags.json").read_text())
    assert tags[0] == "<unk>" and set(tags[1:]) == {"DT", "JJ", "NN", "VBZ", "."}
    assert (run_dir / "tokenizer.json").is_file() and (
        run_dir / "checkpoints" / "best.ckpt"
    ).is_file()

    vocab = (run_dir / "tokenizer.json").read_text()
    (run_dir / "tags.json").write_text(
        json.dumps(["<unk>", ".", "NN", "DT", "VBZ", "JJ"])
    )  # a resumed run keeps it
    proc = train_cli(tagged_corpus, run_dir, tmp_path / "cache", epochs=5)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming from" in proc.stdout
    assert json.loads((run_dir / "metrics.json").read_text())["epochs"] == 5
    assert json.loads((run_dir / "tags.json").read_text())[1] == "."
    assert (run_dir / "tokenizer.json").read_text() == vocab


def build(corpus, tmp_path):
    from lstm_nlp_pos.task import build_task

    cfg = compose("data=text", f"data.path={corpus}", *TINY)
    return build_task(
        cfg, RunContext(tmp_path / "run", 0, tmp_path / "cache", options=TASKS.options(cfg.task))
    )


def test_build_task_parts(tagged_corpus, tmp_path):
    parts = build(tagged_corpus, tmp_path)
    assert (parts.monitor, parts.mode) == ("val/acc", "max")
    assert parts.trainer_kwargs == {"use_distributed_sampler": False}
    assert parts.module.encoder.bidirectional and parts.summary["tags"] == 5


def test_default_grammar_corpus_is_tagged(tmp_path):
    from lstm_nlp_pos.task import build_task

    sizes = ["data.train_sentences=300", "data.valid_sentences=50", "data.test_sentences=50"]
    cfg = compose("data=grammar", f"cache_dir={tmp_path / 'cache'}", *sizes, *TINY)
    parts = build_task(
        cfg, RunContext(tmp_path / "run", 0, tmp_path / "cache", options=TASKS.options(cfg.task))
    )
    assert parts.summary["corpus"] == "grammar" and parts.summary["train_sentences"] == 300
    assert parts.summary["tags"] >= 5 and 0 < parts.summary["test_majority_acc"] < 0.6
    tags = json.loads((tmp_path / "run" / "tags.json").read_text())
    assert {"DT", "NN"} <= set(tags)


def test_missing_annotation_file_is_a_data_error(tagged_corpus, tmp_path):
    (tagged_corpus / "valid.jsonl").unlink()
    with pytest.raises(DataError, match=r"valid\.txt: no POS annotations for the valid split"):
        build(tagged_corpus, tmp_path)


def test_tag_count_mismatch_names_file_and_line(tagged_corpus):
    path = tagged_corpus / "test.jsonl"
    lines = path.read_text().splitlines()
    lines[6] = json.dumps({"pos": ["DT", "NN"]})
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=rf"{path}:7: 2 POS tags for the \d+ tokens of line 7 of .*test\.txt"
    ):
        lstm_nlp_pos.data.read_tagged(text_folder(TextDataOptions(path=str(tagged_corpus))), "test")


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda lines: lines[:-2], r"train\.jsonl:599: no record for line 599 of .*train\.txt"),
        (
            lambda lines: lines + ['{"pos": []}'],
            r"train\.jsonl:601: more records than the 600 lines",
        ),
        (lambda lines: lines[:3] + ["{not json"] + lines[4:], r"train\.jsonl:4: not valid JSON"),
        (
            lambda lines: lines[:3] + ['{"tags": ["DT"]}'] + lines[4:],
            r'train\.jsonl:4: expected an object with "pos"',
        ),
    ],
)
def test_malformed_annotations_are_data_errors(tagged_corpus, edit, match):
    path = tagged_corpus / "train.jsonl"
    path.write_text("\n".join(edit(path.read_text().splitlines())) + "\n")
    with pytest.raises(DataError, match=match):
        lstm_nlp_pos.data.read_tagged(
            text_folder(TextDataOptions(path=str(tagged_corpus))), "train"
        )


def test_empty_lines_are_skipped_and_unseen_tags_map_to_unk(tmp_path):
    from lstm_nlp_pos.data import read_tagged, tag_set

    root = tmp_path / "c"
    root.mkdir()
    for split in ("train", "valid", "test"):
        (root / f"{split}.txt").write_text("a b\n\nc\n")
        (root / f"{split}.jsonl").write_text('{"pos": ["X", "Y"]}\n{"pos": []}\n{"pos": ["X"]}\n')
    lines, tags = read_tagged(text_folder(TextDataOptions(path=str(root))), "train")
    assert lines == ["a b", "c"] and tags == [["X", "Y"], ["X"]]
    assert tag_set(tags, tmp_path / "tags.json") == ["<unk>", "X", "Y"]
    (tmp_path / "bad.json").write_text('["X"]')
    with pytest.raises(DataError, match="bad.json: expected a JSON list"):
        tag_set(tags, tmp_path / "bad.json")
