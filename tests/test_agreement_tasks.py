"""task=number_agreement and task=pronoun_agreement: readers, pooling, breakdown metrics, the
CLI."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_helpers import metrics, one_line_error, run_cli

from lstm_nlp.errors import DataError
from lstm_nlp.tasks.agreement_data import breakdowns, label_set, read_examples, read_linzen
from lstm_nlp.tasks.number_agreement import SPEC as NUMBER
from lstm_nlp.tasks.pronoun_agreement import SPEC as PRONOUN
from lstm_nlp.text.corpus import CorpusFiles

SMALL_ENCODER = {"name": "lstm", "hidden_size": 8, "num_layers": 2, "dropout": 0.0}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def compose(*overrides):
    from lstm_nlp.cli.common import compose as compose_config
    from lstm_nlp.cli.common import prepare
    from lstm_nlp.cli.train import COMMAND

    prepare(COMMAND, [])  # the built-in options into Hydra's ConfigStore
    return compose_config("train", list(overrides))


# -- configs and registry --------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["number_agreement", "pronoun_agreement"])
def test_task_config_composes_and_every_option_has_help(task):
    from dataclasses import fields

    from lstm_nlp.registry import TASKS
    from lstm_nlp.schema.rules import help_of

    assert isinstance(TASKS.entry(task).target, str)  # registered lazily, by import path
    cfg = compose(f"task={task}", "task.batch_size=8")
    assert cfg.task.name == task and cfg.task.batch_size == 8 and cfg.task.format == "auto"
    options = fields(TASKS.schema(task))
    assert [f.name for f in options] == [key for key in cfg.task if key != "name"]
    assert all(help_of(f).strip() for f in options), [f.name for f in options if not help_of(f)]


# -- Linzen-format files ---------------------------------------------------------------------------
def test_linzen_reader_reads_labels_prefixes_and_metadata(tmp_path):
    path = write(
        tmp_path / "train.txt",
        "VBZ\tthe key to the cabinets\tattractors=1\tconstruction=pp\n"
        "\n"  # blank lines are skipped
        "VBP\t  the   keys \r\n"
        "VBP\tthe keys near the door\tnumber=pl\tattractors=7\tcustom=x\t\n",
    )
    split = read_linzen(path, NUMBER)
    assert split.prefixes == ["the key to the cabinets", "the keys", "the keys near the door"]
    assert split.labels == ["VBZ", "VBP", "VBP"] and split.lines == [1, 3, 4]
    assert split.meta[0] == {
        "attractors": "1",
        "construction": "pp",
        "number": "sg",
    }  # number implied by VBZ
    assert split.meta[1] == {"number": "pl"}
    assert split.meta[2] == {"number": "pl", "attractors": "7", "custom": "x"}
    groups = breakdowns(split.meta, ["attractors", "number", "construction", "absent"])
    assert groups.names == {
        "attractors": ["1", "4+"],
        "number": ["pl", "sg"],
        "construction": ["pp"],
    }
    assert groups.codes["attractors"].tolist() == [0, -1, 1] and groups.codes[
        "construction"
    ].tolist() == [0, -1, -1]


def test_pronoun_lines_take_any_label_and_imply_antecedent_features(tmp_path):
    path = write(
        tmp_path / "train.txt",
        "herself\tthe queen hurt\nthem\tthe king met the guards and thanked\n"
        "xyz\tsome prefix\tgender=m\n",
    )
    split = read_linzen(path, PRONOUN)
    assert split.labels == ["herself", "them", "xyz"]
    assert split.meta == [{"number": "sg", "gender": "f"}, {"number": "pl"}, {"gender": "m"}]


@pytest.mark.parametrize(
    "line, message",
    [
        ("VBZ the key to the cabinet", "no tab; expected LABEL<TAB>prefix"),
        ("VBD\tthe key", "unknown label 'VBD' for task=number_agreement; expected one of VBZ, VBP"),
        ("VBZ\t   ", "empty prefix"),
        ("\tthe key", "the label '' must be one word"),
        ("VBZ\tthe key\tattractors", "metadata column 'attractors' is not key=value"),
        (
            "VBZ\tthe key\tconstruction=two words",
            "metadata column 'construction=two words' is not key=value",
        ),
        ("VBZ\tthe key\tattractors=many", "attractors='many' must be a whole number >= 0"),
        ("VBZ\tthe key\tnumber=sg\tnumber=pl", "metadata key 'number' given twice"),
    ],
)
def test_malformed_linzen_lines_name_file_and_line(tmp_path, line, message):
    path = write(tmp_path / "valid.txt", f"VBZ\tthe key\nVBP\tthe keys\n{line}\n")
    with pytest.raises(DataError) as err:
        read_linzen(path, NUMBER)
    assert str(err.value).startswith(f"{path}:3: ") and message in str(err.value)


def test_empty_or_blank_linzen_file_is_an_error(tmp_path):
    for name, text in (("a.txt", ""), ("b.txt", "\n  \n\t\n")):
        with pytest.raises(DataError, match=rf"{tmp_path / name}: the file is empty"):
            read_linzen(write(tmp_path / name, text), NUMBER)


# -- examples derived from the embedded grammar ----------------------------------------------------
@pytest.fixture(scope="module")
def grammar_files(tmp_path_factory) -> CorpusFiles:
    from lstm_nlp.grammar import write_corpus

    root = tmp_path_factory.mktemp("grammar")
    write_corpus(root, seed=3, train_sentences=300, valid_sentences=40, test_sentences=40)
    splits = ("train", "valid", "test")
    return CorpusFiles(
        root,
        {s: root / f"{s}.txt" for s in splits},
        {s: root / f"{s}.jsonl" for s in splits},
        "grammar",
    )


def sites(files: CorpusFiles, split: str, types: tuple[str, ...]):
    lines = files.splits[split].read_text().splitlines()
    records = [json.loads(r) for r in files.annotations[split].read_text().splitlines()]
    return [
        (line.split(), s)
        for line, rec in zip(lines, records)
        for s in rec["sites"]
        if s["type"] in types
    ]


def test_number_examples_end_right_before_the_verb(grammar_files):
    examples = read_examples(grammar_files, NUMBER)  # format=auto: the annotations
    for split in ("train", "test"):
        expected = sites(grammar_files, split, ("subject_verb",))
        ex = examples[split]
        assert len(ex) == len(expected) > 0
        for prefix, label, meta, (tokens, site) in zip(ex.prefixes, ex.labels, ex.meta, expected):
            words = prefix.split()
            assert words == tokens[: site["target"]] and tokens[len(words)] == site["good"]
            assert label == {"sg": "VBZ", "pl": "VBP"}[site["number"]]
            assert meta["number"] == site["number"] and meta["attractors"] == str(
                site["attractors"]
            )
            assert meta["construction"] == site["construction"]
    assert {"VBZ", "VBP"} == set(examples["train"].labels)


def test_pronoun_examples_are_labelled_with_the_target_word(grammar_files):
    examples = read_examples(grammar_files, PRONOUN)
    expected = sites(grammar_files, "train", ("reflexive", "pronoun"))
    ex = examples["train"]
    assert len(ex) == len(expected) > 0
    for prefix, label, meta, (tokens, site) in zip(ex.prefixes, ex.labels, ex.meta, expected):
        assert prefix.split() == tokens[: site["target"]]
        assert label == tokens[site["target"]] == site["good"]
        assert meta["type"] == site["type"] and meta.get("gender") == site["gender"]
    assert set(ex.labels) <= {
        "himself",
        "herself",
        "itself",
        "themselves",
        "he",
        "she",
        "it",
        "they",
        "him",
        "her",
        "them",
    }
    assert {"themselves", "himself"} <= set(ex.labels)


def test_annotation_errors_name_file_and_line(grammar_files, tmp_path):
    root = tmp_path / "broken"
    root.mkdir()
    for split in ("train", "valid", "test"):
        for ext in (".txt", ".jsonl"):
            (root / f"{split}{ext}").write_bytes(
                (grammar_files.root / f"{split}{ext}").read_bytes()
            )
    files = CorpusFiles(
        root,
        {s: root / f"{s}.txt" for s in ("train", "valid", "test")},
        {s: root / f"{s}.jsonl" for s in ("train", "valid", "test")},
    )
    records = (root / "valid.jsonl").read_text().splitlines()
    records[4] = "{not json"
    (root / "valid.jsonl").write_text("\n".join(records) + "\n")
    with pytest.raises(DataError, match=rf"{root / 'valid.jsonl'}:5: not valid JSON"):
        read_examples(files, NUMBER)
    (root / "valid.jsonl").write_text("\n".join(records[:10]) + "\n")
    with pytest.raises(DataError, match=r"valid\.jsonl:11: 10 annotation records for the 40 lines"):
        read_examples(files, NUMBER)
    with pytest.raises(DataError, match=r"train\.txt:1: no tab"):  # read as Linzen lines
        read_examples(files, NUMBER, "linzen")


def test_label_set_is_written_once_and_reused(tmp_path):
    path = tmp_path / "run" / "labels.json"
    assert label_set(["him", "them", "them", "her"], path) == ["them", "her", "him"]
    assert json.loads(path.read_text()) == ["them", "her", "him"]
    assert label_set(["her"], path) == ["them", "her", "him"]  # a resumed run keeps its ids
    fixed = tmp_path / "fixed.json"
    assert label_set(["VBP"], fixed, ("VBZ", "VBP")) == ["VBZ", "VBP"]
    fixed.write_text('["VBP", "VBZ"]')
    with pytest.raises(DataError, match="differ from this task's"):
        label_set([], fixed, ("VBZ", "VBP"))


# -- the model: last-state pooling and breakdown metrics -------------------------------------------
def classifier(**encoder):
    from lstm_nlp.tasks.prefix_classifier import PrefixClassifier

    torch.manual_seed(0)
    return PrefixClassifier(
        vocab_size=30,
        labels=["VBZ", "VBP"],
        encoder={**SMALL_ENCODER, **encoder},
        optim={"name": "adam", "lr": 0.01},
        pad_id=2,
        embedding_dim=6,
    ).eval()


@pytest.mark.parametrize(
    "encoder",
    [
        {},
        {"bidirectional": True},
        {"batch_first": True},
        {"bidirectional": True, "batch_first": True},
        {"name": "reference_lstm"},
    ],
)
def test_last_state_pooling_matches_each_sequence_alone(encoder):
    from lstm_nlp.data.sentences import SentenceCollator

    model = classifier(**encoder)
    rng = np.random.default_rng(0)
    seqs = [rng.integers(3, 30, size=n) for n in (5, 1, 3, 7, 2)]
    collate = SentenceCollator(pad_id=2, batch_first=bool(encoder.get("batch_first")))
    from lstm_nlp.data.sentences import Sentence

    batch = collate([Sentence(i, s, None, 0) for i, s in enumerate(seqs)])
    with torch.no_grad():
        together = model(batch.tokens, batch.lengths)
        for i, s in enumerate(seqs):
            one = collate([Sentence(0, s, None, 0)])
            alone = model(one.tokens, one.lengths)
            torch.testing.assert_close(together[i], alone[0], atol=1e-5, rtol=1e-5)


def test_last_state_picks_the_last_real_token_and_the_backward_start():
    from lstm_nlp.tasks.prefix_classifier import last_state

    out = torch.arange(4 * 3 * 2, dtype=torch.float).view(4, 3, 2)  # (seq, batch, 2 features)
    lengths = torch.tensor([4, 1, 2])
    assert last_state(out, lengths).tolist() == [
        out[3, 0].tolist(),
        out[0, 1].tolist(),
        out[1, 2].tolist(),
    ]
    bi = last_state(out, lengths, bidirectional=True)
    assert bi.tolist() == [
        [out[3, 0, 0], out[0, 0, 1]],
        [out[0, 1, 0], out[0, 1, 1]],
        [out[1, 2, 0], out[0, 2, 1]],
    ]
    assert torch.equal(
        last_state(out.transpose(0, 1), lengths, batch_first=True), last_state(out, lengths)
    )


def test_breakdown_metrics_on_a_hand_made_batch(monkeypatch):
    from lstm_nlp.data.sentences import PaddedBatch

    model = classifier()
    meta = [
        {"attractors": "0", "number": "sg", "construction": "pp"},
        {"attractors": "1", "number": "pl", "construction": "pp"},
        {"attractors": "5", "number": "pl", "construction": "simple"},
        {"attractors": "0", "number": "sg"},
        {"attractors": "4", "number": "pl", "construction": "simple"},
        {"attractors": "2", "number": "sg", "construction": "simple"},
    ]
    model.breakdowns = {"test": breakdowns(meta, ["attractors", "number", "construction"])}
    # Two batches in shuffled order; predicted class per dataset index:
    #   index   0    1    2    3    4    5
    #   gold    0    1    1    0    1    0
    #   pred    0    0    1    0    0    1    -> right: 0, 2, 3
    gold = {0: 0, 1: 1, 2: 1, 3: 0, 4: 1, 5: 0}
    pred = {0: 0, 1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    model._eval_start("test")
    for rows in ([4, 0, 2], [5, 1, 3]):
        index = torch.tensor(rows)
        logits = torch.nn.functional.one_hot(torch.tensor([pred[i] for i in rows]), 2).float() * 5
        monkeypatch.setattr(model, "forward", lambda tokens, lengths, logits=logits: logits)
        batch = PaddedBatch(
            tokens=torch.zeros(2, 3, dtype=torch.long),
            lengths=torch.tensor([2, 2, 2]),
            index=index,
            labels=torch.tensor([gold[i] for i in rows]),
        )
        model._eval_step("test", batch)
    acc = model.accuracies("test")
    assert acc["test/acc"] == pytest.approx(3 / 6)
    assert acc["test/acc/attractors/0"] == 1.0 and acc["test/n/attractors/0"] == 2
    assert acc["test/acc/attractors/1"] == 0.0 and acc["test/acc/attractors/2"] == 0.0
    assert (
        acc["test/acc/attractors/4+"] == 0.5 and acc["test/n/attractors/4+"] == 2
    )  # 4 and 5 attractors
    assert "test/acc/attractors/3" not in acc  # no example: not logged
    assert acc["test/acc/number/sg"] == pytest.approx(2 / 3) and acc[
        "test/acc/number/pl"
    ] == pytest.approx(1 / 3)
    assert acc["test/acc/construction/pp"] == 0.5 and acc[
        "test/acc/construction/simple"
    ] == pytest.approx(1 / 3)
    assert acc["test/n/construction/simple"] == 3 and "test/n/construction/none" not in acc
    assert model.losses["test"].compute() > 0


# -- the command line ------------------------------------------------------------------------------
SG, PL = ["cat", "dog", "key", "idea"], ["cats", "dogs", "keys", "ideas"]


def write_linzen_corpus(folder: Path, sizes=(500, 100, 100), seed=0) -> Path:
    """Prefixes "the N1 (near the N2 (near the N3))"; the label is N1's number; N2, N3 are
    attractors or not."""
    rng = random.Random(seed)
    for split, n in zip(("train", "valid", "test"), sizes):
        lines = []
        for _ in range(n):
            number = rng.choice(("sg", "pl"))
            words = ["the", rng.choice(SG if number == "sg" else PL)]
            others = [rng.choice(("sg", "pl")) for _ in range(rng.randint(0, 2))]
            for other in others:
                words += ["near", "the", rng.choice(SG if other == "sg" else PL)]
            attractors = sum(o != number for o in others)
            construction = "pp" if others else "simple"
            lines.append(
                f"{'VBZ' if number == 'sg' else 'VBP'}\t{' '.join(words)}\tattractors={attractors}"
                f"\tconstruction={construction}"
            )
        write(folder / f"{split}.txt", "\n".join(lines) + "\n")
    return folder


CLI_TINY = [
    "encoder.hidden_size=24",
    "encoder.num_layers=1",
    "task.embedding_dim=16",
    "task.dropout=0.0",
    "task.batch_size=16",
    "optim=adam",
    "optim.lr=0.02",
    "trainer.max_epochs=4",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]


@pytest.mark.slow
def test_cli_learns_number_agreement_from_linzen_files(tmp_path):
    from lstm_nlp.text.checkpoint_file import TASK_KEY, read_checkpoint

    corpus, run_dir = write_linzen_corpus(tmp_path / "corpus"), tmp_path / "run"
    proc = run_cli(
        "train",
        "task=number_agreement",
        "data=text",
        f"data.path={corpus}",
        f"run_dir={run_dir}",
        *CLI_TINY,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert m["test/acc"] > 0.95 and m["val/acc"] > 0.95, m
    assert m["data/train_examples"] == 500 and m["data/labels"] == 2
    for key in (
        "attractors/0",
        "attractors/1",
        "attractors/2",
        "number/sg",
        "number/pl",
        "construction/pp",
        "construction/simple",
    ):
        assert f"test/acc/{key}" in m and f"test/n/{key}" in m and f"val/acc/{key}" in m, key
    assert m["test/n/number/sg"] + m["test/n/number/pl"] == 100
    assert json.loads((run_dir / "labels.json").read_text()) == ["VBZ", "VBP"]
    ckpt = read_checkpoint(run_dir / "checkpoints" / "best.ckpt")
    assert ckpt[TASK_KEY] == "number_agreement" and ckpt["labels"] == ["VBZ", "VBP"]
    assert ckpt["tokenizer_json"] == (run_dir / "tokenizer.json").read_text()
    assert "test/acc " in proc.stdout

    vocab = (run_dir / "tokenizer.json").read_text()
    proc = run_cli(
        "train",
        "task=number_agreement",
        "data=text",
        f"data.path={corpus}",
        f"run_dir={run_dir}",
        *CLI_TINY,
        "trainer.max_epochs=5",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "resuming from" in proc.stdout and metrics(run_dir)["epochs"] == 5
    assert (run_dir / "tokenizer.json").read_text() == vocab


@pytest.mark.slow
def test_cli_malformed_file_is_one_line_error(tmp_path):
    corpus = write_linzen_corpus(tmp_path / "corpus", sizes=(20, 5, 5))
    lines = (corpus / "train.txt").read_text().splitlines()
    lines[6] = "VBX\t" + lines[6].split("\t", 1)[1]
    (corpus / "train.txt").write_text("\n".join(lines) + "\n")
    proc = run_cli(
        "train",
        "task=number_agreement",
        "data=text",
        f"data.path={corpus}",
        f"run_dir={tmp_path / 'r'}",
    )
    line = one_line_error(proc)
    assert f"{corpus / 'train.txt'}:7: unknown label 'VBX'" in line


def test_pronoun_task_builds_labels_from_training_forms_and_reuses_them(tmp_path):
    from lstm_nlp.training.runner import build_task

    corpus = tmp_path / "corpus"
    write(
        corpus / "train.txt",
        "herself\tthe queen hurt\nthemselves\tthe kings hurt\nthemselves\tthe guards hurt\n",
    )
    write(corpus / "valid.txt", "himself\tthe king hurt\tconstruction=reflexive_simple\n")
    write(corpus / "test.txt", "herself\tthe queen hurt\tconstruction=reflexive_simple\n")
    cfg = compose(
        "task=pronoun_agreement",
        "data=text",
        f"data.path={corpus}",
        "encoder.hidden_size=8",
        "task.embedding_dim=4",
    )
    run_dir = tmp_path / "run"
    parts = build_task(cfg, run_dir)
    assert json.loads((run_dir / "labels.json").read_text()) == ["themselves", "herself"]
    assert parts.module.hparams.labels == ["themselves", "herself"] and (
        parts.monitor,
        parts.mode,
    ) == ("val/acc", "max")
    assert parts.summary["unseen_label_examples"] == 1  # "himself" in valid: always counted wrong
    assert parts.module.breakdowns["test"].names["gender"] == ["f"]
    (run_dir / "labels.json").write_text('["herself", "themselves", "himself"]')
    again = build_task(cfg, run_dir)
    assert again.module.hparams.labels == ["herself", "themselves", "himself"]
    assert "unseen_label_examples" not in again.summary
