"""``data=hf``: a Hugging Face ``datasets`` dataset (a folder saved with ``save_to_disk``, a folder
of data files, a Hub id) becomes the same token streams as the same lines in a text folder,
written once into the cache; every bad input is one line naming the config key.

Nothing here reaches the network: datasets are built from files in a temporary folder, and
``datasets`` runs offline with its cache in that folder.
"""

from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest
from cli_helpers import metrics, one_line_error, run_in_process

datasets = pytest.importorskip("datasets")

from lstm_nlp.errors import LstmNlpError  # noqa: E402
from lstm_nlp.registry import DATA_SOURCES  # noqa: E402
from lstm_nlp.text import hub_files  # noqa: E402
from lstm_nlp.text.hub_corpus import hub_corpus  # noqa: E402
from lstm_nlp.text.prepare import prepare_corpus  # noqa: E402
from lstm_nlp.text.sources import text_folder  # noqa: E402

# each split's lines: empty ones, spaces only, several words
LINES = {
    "train": ["the cat sees the dog .", "", " = A heading = ", "the dog eats", "  ", "a cat ."] * 4,
    "valid": ["the cat eats the dog .", "", "a bird sees the cat", "the house ."],
    "test": ["", "the tree finds a cat .", "the dog", "zebra unseen ."],
}
HF_NAMES = {"train": "train", "valid": "validation", "test": "test"}


@pytest.fixture(autouse=True)
def offline_datasets(tmp_path, monkeypatch):
    """``datasets`` offline, its cache under ``tmp_path`` (set at its import: patched here)."""
    import huggingface_hub.constants

    hf = tmp_path / "hf_home"
    for var, value in (("HF_HOME", hf), ("HF_DATASETS_CACHE", hf / "datasets")):
        monkeypatch.setenv(var, str(value))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", hf / "datasets")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    datasets.disable_progress_bars()


def records(split: str) -> list[str]:
    """The split's lines as dataset records: train's end in a newline (wikitext's records do),
    valid's in a CRLF, test's in nothing; empty records stay empty."""
    end = {"train": "\n", "valid": "\r\n", "test": ""}[split]
    return [line + end if line else line for line in LINES[split]]


def saved_dataset(folder, columns=None, splits=HF_NAMES):
    """A DatasetDict saved with save_to_disk: ``text`` plus ``columns`` (name -> values)."""
    dd = datasets.DatasetDict(
        {
            hf: datasets.Dataset.from_dict(
                {
                    "text": records(ours),
                    **{k: v[: len(LINES[ours])] for k, v in (columns or {}).items()},
                }
            )
            for ours, hf in splits.items()
        }
    )
    dd.save_to_disk(str(folder))
    return folder


def jsonl_dataset(folder):
    folder.mkdir(parents=True)
    for ours, hf in HF_NAMES.items():
        rows = [json.dumps({"text": r, "id": i}) for i, r in enumerate(records(ours))]
        (folder / f"{hf}.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def text_corpus(folder):
    """The same lines in the PTB layout (train.txt valid.txt test.txt)."""
    folder.mkdir(parents=True)
    for split, lines in LINES.items():
        (folder / f"{split}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def options(**node):
    return DATA_SOURCES.options({"name": "hf", **node})


def streams_of(files, cache):
    corpus = prepare_corpus(files, cache_dir=cache)
    return corpus.tokenizer.get_vocab(), {s: np.asarray(x) for s, x in corpus.streams.items()}


@pytest.mark.parametrize("kind", ["saved", "jsonl", "txt"])
def test_same_token_streams_as_the_text_folder(tmp_path, kind):
    text = text_corpus(tmp_path / "corpus")
    if kind == "txt":  # the PTB layout is a folder of data files for datasets too
        source = text
    else:
        source = {"saved": saved_dataset, "jsonl": jsonl_dataset}[kind](tmp_path / "dataset")
    files = hub_corpus(options(path=str(source)), tmp_path / "cache")
    for split, lines in LINES.items():  # one line per record, empty records kept
        assert files.splits[split].read_text(encoding="utf-8").split("\n")[:-1] == lines
    vocab, streams = streams_of(files, tmp_path / "cache")
    text_vocab, text_streams = streams_of(text_folder(options_text(text)), tmp_path / "cache")
    assert vocab == text_vocab
    for split in LINES:
        np.testing.assert_array_equal(streams[split], text_streams[split])
    eos = vocab["<eos>"]
    assert all(int((streams[s] == eos).sum()) == len(LINES[s]) for s in LINES)  # one per line


def options_text(folder):
    return DATA_SOURCES.options({"name": "text", "path": str(folder)})


def test_training_run_reports_perplexities_and_reuses_the_entry(tmp_path, monkeypatch):
    data = saved_dataset(tmp_path / "dataset")
    cache, run_dir = tmp_path / "cache", tmp_path / "run"
    proc = run_in_process(
        "train",
        "data=hf",
        f"data.name={data}",  # the spelling: data.name=ID is data.path=ID for data=hf
        "encoder.hidden_size=8",
        "task.embedding_dim=8",
        "task.batch_size=2",
        "task.eval_batch_size=2",
        "task.bptt=4",
        "trainer.max_epochs=1",
        "trainer.enable_progress_bar=false",
        "trainer.enable_model_summary=false",
        f"cache_dir={cache}",
        f"run_dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert m["val/ppl"] > 1 and m["test/ppl"] > 1
    (entry,) = (cache / "hf").iterdir()
    described = json.loads((entry / "dataset.json").read_text())
    assert described["path"] == str(data) and described["records"]["train"] == len(LINES["train"])
    assert set(described["fingerprints"]) == {"train", "validation", "test"}
    before = {p.name: p.stat().st_mtime_ns for p in entry.iterdir()}

    def no_rewrite(*args, **kwargs):
        raise AssertionError("the cached entry was written again")

    monkeypatch.setattr(hub_files, "write_splits", no_rewrite)
    files = hub_corpus(options(path=str(data)), cache)
    assert files.root == entry and {p.name: p.stat().st_mtime_ns for p in entry.iterdir()} == before


def test_the_contamination_check_reads_an_hf_runs_training_text(tmp_path):
    from lstm_nlp.evaluation.contamination import training_corpus

    data, cache = saved_dataset(tmp_path / "dataset"), tmp_path / "cache"
    config = {"data": {"name": "hf", "path": str(data)}, "cache_dir": str(cache)}
    (train,) = training_corpus(config)
    assert train.read_text(encoding="utf-8").splitlines() == LINES["train"]
    gone = {"data": {"name": "hf", "path": str(tmp_path / "nowhere")}, "cache_dir": str(cache)}
    assert training_corpus(gone) is None


def test_data_name_names_the_dataset_only_for_hf():
    from lstm_nlp.cli.overrides import name_aliases

    given = ["data=hf", "data.name=Salesforce/wikitext", "data.config=wikitext-2-v1"]
    assert name_aliases(given) == ["data=hf", "data.path=Salesforce/wikitext", given[2]]
    assert name_aliases(["data=text", "data.name=x"]) == ["data=text", "data.name=x"]
    assert name_aliases(["data.name=hf"]) == ["data.name=hf"]  # no data=hf: name picks the source


def test_a_changed_dataset_or_column_makes_a_new_entry(tmp_path):
    data, cache = saved_dataset(tmp_path / "d", {"title": ["x y"] * 30}), tmp_path / "cache"
    first = hub_corpus(options(path=str(data)), cache).root
    titles = hub_corpus(options(path=str(data), text_field="title"), cache).root
    assert titles != first and (titles / "valid.txt").read_text() == "x y\n" * 4
    upper = datasets.load_from_disk(str(data)).map(lambda r: {"text": r["text"].upper()})
    upper.save_to_disk(str(tmp_path / "new"))
    shutil.rmtree(data)
    (tmp_path / "new").rename(data)  # the same folder, new contents: a new fingerprint
    changed = hub_corpus(options(path=str(data)), cache).root
    assert changed not in (first, titles)
    assert (changed / "test.txt").read_text().split("\n")[1] == LINES["test"][1].upper()


def test_held_out_carves_valid_and_test_from_the_end_of_train(tmp_path):
    rows = [f"line {i}" for i in range(20)]
    datasets.Dataset.from_dict({"text": rows}).save_to_disk(str(tmp_path / "one"))  # no splits
    files = hub_corpus(
        options(path=str(tmp_path / "one"), valid_split=None, test_split=None, held_out=0.1),
        tmp_path / "cache",
    )
    read = {s: p.read_text().splitlines() for s, p in files.splits.items()}
    assert read == {"train": rows[:16], "valid": rows[16:18], "test": rows[18:]}


def test_streaming_gives_the_same_lines_and_is_reused_without_loading(tmp_path, monkeypatch):
    data, cache = jsonl_dataset(tmp_path / "d"), tmp_path / "cache"
    streamed = hub_corpus(options(path=str(data), streaming=True), cache)
    whole = hub_corpus(options(path=str(data)), cache)
    assert streamed.root != whole.root
    for split in LINES:
        assert streamed.splits[split].read_text() == whole.splits[split].read_text()

    def no_load(*args, **kwargs):
        raise AssertionError("the dataset was loaded again")

    monkeypatch.setattr(hub_files, "open_splits", no_load)
    assert hub_corpus(options(path=str(data), streaming=True), cache).root == streamed.root


def failure(tmp_path, **node) -> str:
    with pytest.raises(LstmNlpError) as err:
        hub_corpus(options(**node), tmp_path / "cache")
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    assert not (tmp_path / "cache" / "hf").exists() or not any(
        (tmp_path / "cache" / "hf").iterdir()
    )
    return message


def test_bad_paths_configs_and_revisions(tmp_path):
    saved = saved_dataset(tmp_path / "saved")
    files = jsonl_dataset(tmp_path / "files")
    (tmp_path / "empty").mkdir()
    (tmp_path / "f.jsonl").write_text("{}\n")
    m = failure(tmp_path, path="nobody-here/no-such-dataset")
    assert m.startswith("data.path=nobody-here/no-such-dataset: not in the Hugging Face cache")
    assert "HF_DATASETS_OFFLINE=1" in m
    m = failure(tmp_path, path=str(tmp_path / "missing" / "folder"))
    assert m.startswith(f"data.path={tmp_path}/missing/folder: no such folder; expected a Hub")
    assert failure(tmp_path, path=str(tmp_path / "f.jsonl")).startswith(
        f"data.path={tmp_path}/f.jsonl is a file"
    )
    m = failure(tmp_path, path=str(tmp_path / "empty"))
    assert m.startswith(f"data.path={tmp_path}/empty: ") and "data files" in m
    m = failure(tmp_path, path=str(files), config="wikitext-2-v1")
    assert m.startswith("data.config=wikitext-2-v1: ") and "'default'" in m
    m = failure(tmp_path, path=str(saved), config="wikitext-2-v1")
    assert m.startswith("data.config=wikitext-2-v1: ") and "save_to_disk" in m
    m = failure(tmp_path, path=str(files), revision="v1.0")
    assert m.startswith("data.revision=v1.0: a revision pins a Hub dataset")
    m = failure(tmp_path, path=str(saved), streaming=True)
    assert m.startswith("data.streaming=true: ")


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            "DatasetNotFoundError",
            "data.path=Org/name: Dataset 'Org/name' doesn't exist on the Hub or cannot be "
            "accessed. (expected a Hub dataset id",
        ),
        ("revision", "data.revision=v9: Revision 'v9' doesn't exist for dataset 'Org/name'"),
        ("config", "data.config=null: Config name is missing. Please pick one among the "),
    ],
)
def test_hub_failures_name_the_key(tmp_path, monkeypatch, error, expected):
    """What the Hub answers (not reachable here), as datasets raises it."""

    def load_dataset(*args, **kwargs):
        if error == "config":
            raise ValueError(
                "Config name is missing.\nPlease pick one among the available configs: "
                "['wikitext-103-raw-v1', 'wikitext-2-v1']\nExample of usage:\n\t`load_dataset(...)`"
            )
        if error == "revision":  # datasets' words for huggingface_hub's RevisionNotFoundError
            raise datasets.exceptions.DatasetNotFoundError(
                "Revision 'v9' doesn't exist for dataset 'Org/name' on the Hub."
            )
        raise datasets.exceptions.DatasetNotFoundError(
            "Dataset 'Org/name' doesn't exist on the Hub or cannot be accessed."
        )

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    revision = "v9" if error == "revision" else None
    m = failure(tmp_path, path="Org/name", revision=revision)
    assert m.startswith(expected), m
    assert "Example of usage" not in m


def test_bad_splits_and_columns(tmp_path):
    data = saved_dataset(tmp_path / "d", {"n": list(range(30))}, {"train": "train", "test": "test"})
    m = failure(tmp_path, path=str(data))
    assert m.startswith(
        "data.valid_split=validation: d has no split 'validation' (its splits: train, test); "
        "or data.valid_split=null data.held_out=0.01"
    )
    m = failure(
        tmp_path,
        path=str(data),
        train_split="training",
        valid_split="test",
        test_split=None,
        held_out=0.1,
    )
    assert m.startswith("data.train_split=training: d has no split 'training'")
    m = failure(
        tmp_path,
        path=str(data),
        valid_split="test",
        test_split=None,
        held_out=0.1,
        text_field="body",
    )
    assert (
        m == "data.text_field=body: split 'train' of d has no column 'body' (its columns: text, n)"
    )
    m = failure(
        tmp_path, path=str(data), valid_split="test", test_split=None, held_out=0.1, text_field="n"
    )
    assert m == (
        "data.text_field=n: column 'n' of split 'train' of d holds Value('int64'), not text "
        "(its text columns: text)"
    )
    m = failure(tmp_path, path=str(data), valid_split=None, test_split=None, held_out=0.49)
    assert m.startswith("data.held_out=0.49: split 'train' of d has 24 records, too few")


def test_bad_records(tmp_path):
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_dict({"text": ["a b", None, "c"]}),
            "validation": datasets.Dataset.from_dict({"text": ["a"]}),
            "test": datasets.Dataset.from_dict({"text": ["b"]}),
        }
    ).save_to_disk(str(tmp_path / "nulls"))
    m = failure(tmp_path, path=str(tmp_path / "nulls"))
    assert m == "data.text_field=text: record 2 of split 'train' of nulls is null, not text"
    empty_test = jsonl_dataset(tmp_path / "empty_test")  # datasets itself refuses it, unless
    (empty_test / "test.jsonl").write_text("")  # streamed
    m = failure(tmp_path, path=str(empty_test))
    assert m.startswith(f"data.path={empty_test}: cannot load the dataset: ValueError: ")
    m = failure(tmp_path, path=str(empty_test), streaming=True)
    assert m == "data.test_split=test: split 'test' of empty_test has no records"


@pytest.mark.parametrize(
    "args, expected",
    [
        (["data.valid_split=null"], "data.valid_split=null needs data.held_out > 0"),
        (["data.held_out=0.1"], "data.held_out=0.1 is used only when data.valid_split or"),
        (
            ["data.test_split=null", "data.held_out=0.1", "data.streaming=true"],
            "data.held_out needs the number of training records: not with data.streaming=true",
        ),
        (["data.test_split=validation"], "data.train_split, data.valid_split and data.test_split"),
        (
            ["data.held_out=0.5", "data.test_split=null"],
            "data.held_out must be a number in [0, 0.5)",
        ),
    ],
)
def test_option_rules_are_checked_before_the_run(args, expected):
    from cli_helpers import config_error

    line = config_error("train", "data=hf", "data.path=Org/name", *args)
    assert line.startswith(f"lstm-nlp-train: error: {expected}"), line


def test_the_command_line_shows_one_line(tmp_path, monkeypatch):
    data = saved_dataset(tmp_path / "d", splits={"train": "train", "test": "test"})
    line = one_line_error(
        run_in_process("train", "data=hf", f"data.path={data}", f"run_dir={tmp_path / 'r'}")
    )
    assert line.startswith("lstm-nlp-train: error: data.valid_split=validation: d has no split")
    monkeypatch.setitem(sys.modules, "datasets", None)  # not installed
    line = one_line_error(
        run_in_process("train", "data=hf", f"data.path={data}", f"run_dir={tmp_path / 'r'}")
    )
    assert (
        line
        == "lstm-nlp-train: error: data=hf needs the datasets package: pip install 'lstm-nlp[hub]'"
    )
    assert not (tmp_path / "r").exists() or not (tmp_path / "r" / "metrics.json").exists()


def test_help_lists_the_options():
    out = run_in_process("train", "data=hf", "data.path=x", "--help").stdout
    for key in (
        "path",
        "config",
        "revision",
        "text_field",
        "train_split",
        "valid_split",
        "test_split",
        "held_out",
        "streaming",
        "min_freq",
    ):
        assert f"  data.{key}=" in out, key
