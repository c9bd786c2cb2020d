"""A checkpoint that unpickles but is damaged is one line naming the file and what is wrong, in
every command that reads one (eval, generate, inspect, ppl); the file is left as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from cli_helpers import one_line_error, run_in_process
from eval_helpers import save_checkpoint, tiny_model, write_jsonl

PAIRS = [{"sentence_good": "the cat is big", "sentence_bad": "the cat are big"}]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return save_checkpoint(
        tiny_model(hidden=6, layers=1)[0], tmp_path_factory.mktemp("ok") / "m.ckpt"
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    write_jsonl(folder / "pairs.jsonl", PAIRS)
    (folder / "text.txt").write_text("the cat is big .\nthe dogs are small .\n")
    return folder


def command_lines(ckpt: Path, inputs: Path, out: Path) -> dict[str, list[str]]:
    """One line per command that reads a checkpoint."""
    return {
        "eval": [f"checkpoint={ckpt}", f"path={inputs / 'pairs.jsonl'}", f"out={out / 'e'}"]
        + ["plot=false", "contamination=false"],
        "generate": [f"checkpoint={ckpt}", "words=3"],
        "inspect": [f"checkpoint={ckpt}", "sentence='the cat'", f"out={out / 'i'}"],
        "ppl": [f"checkpoint={ckpt}", f"path={inputs / 'text.txt'}"],
    }


def damaged(good: Path, folder: Path, damage: Callable[[dict], None]) -> Path:
    ckpt = torch.load(good, weights_only=True)
    damage(ckpt)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, folder / "damaged.ckpt")
    return folder / "damaged.ckpt"


def first_weight(ckpt: dict) -> str:
    return next(iter(ckpt["state_dict"]))


def set_weight(ckpt: dict, value: torch.Tensor) -> None:
    ckpt["state_dict"][first_weight(ckpt)] = value


DAMAGES: dict[str, tuple[Callable[[dict], None], str]] = {
    "no hyper_parameters": (lambda c: c.pop("hyper_parameters"), "has no hyper_parameters"),
    "null hyper_parameters": (
        lambda c: c.update(hyper_parameters=None),
        "hyper_parameters must be a mapping of settings, got null",
    ),
    "hyper_parameters a list": (
        lambda c: c.update(hyper_parameters=[1, 2]),
        "hyper_parameters must be a mapping of settings, got list",
    ),
    "unknown setting": (
        lambda c: c["hyper_parameters"].update(bogus=1),
        "its hyper_parameters do not describe a language model (TypeError",
    ),
    "negative vocabulary": (
        lambda c: c["hyper_parameters"].update(vocab_size=-3),
        "its hyper_parameters do not describe a language model",
    ),
    "huge vocabulary": (  # built on the meta device: refused without allocating it
        lambda c: c["hyper_parameters"].update(vocab_size=10**12),
        "weight embedding.weight has shape",
    ),
    "bad tokenizer": (
        lambda c: c.update(tokenizer_json="{not json"),
        "its tokenizer_json is not a valid tokenizer",
    ),
    "tokenizer not text": (
        lambda c: c.update(tokenizer_json=12),
        "its tokenizer_json is not a valid tokenizer",
    ),
    "wrong shape": (
        lambda c: set_weight(c, torch.zeros(3, 3)),
        "weight embedding.weight has shape [3, 3], its hyper_parameters need [",
    ),
    "missing weight": (
        lambda c: c["state_dict"].pop(first_weight(c)),
        "missing weight embedding.weight",
    ),
    "extra weight": (
        lambda c: c["state_dict"].update(stray=torch.zeros(1)),
        "unexpected weight stray",
    ),
    "weight not a tensor": (
        lambda c: c["state_dict"].update({first_weight(c): [1.0, 2.0]}),
        "not a tensor: weight embedding.weight",
    ),
    "no state_dict mapping": (lambda c: c.update(state_dict=[1]), "state_dict must be a mapping"),
    "NaN weights": (
        lambda c: set_weight(c, torch.full_like(c["state_dict"][first_weight(c)], float("nan"))),
        "has non-finite weights (embedding.weight)",
    ),
}


COMMANDS = ("eval", "generate", "inspect", "ppl")


@pytest.mark.parametrize("name", sorted(DAMAGES))
def test_a_damaged_checkpoint_is_one_line(good, inputs, tmp_path, name):
    """Each damage in one command (they take turns: every command meets several), the file and
    the run's outputs untouched."""
    damage, expected = DAMAGES[name]
    ckpt = damaged(good, tmp_path / "run", damage)
    before = ckpt.read_bytes()
    command = COMMANDS[sorted(DAMAGES).index(name) % len(COMMANDS)]
    args = command_lines(ckpt, inputs, tmp_path)[command]
    line = one_line_error(run_in_process(command, *args), prog=f"lstm-nlp-{command}")
    assert str(ckpt) in line and expected in line, (command, line)
    assert ckpt.read_bytes() == before
    assert not (tmp_path / "e").exists() and not (tmp_path / "i").exists()


@pytest.mark.parametrize("name", ["NaN weights", "wrong shape", "null hyper_parameters"])
def test_every_command_refuses_the_same_damage(good, inputs, tmp_path, name):
    damage, expected = DAMAGES[name]
    ckpt = damaged(good, tmp_path / "run", damage)
    for command, args in command_lines(ckpt, inputs, tmp_path).items():
        line = one_line_error(run_in_process(command, *args), prog=f"lstm-nlp-{command}")
        assert str(ckpt) in line and expected in line, (command, line)


def test_nan_weights_are_refused_by_generate_in_the_words_of_the_issue(good, tmp_path):
    nan = damaged(
        good, tmp_path, lambda c: c["state_dict"]["decoder.decoder.bias"].fill_(float("nan"))
    )
    line = one_line_error(run_in_process("generate", f"checkpoint={nan}"), "lstm-nlp-generate")
    assert line == (
        f"lstm-nlp-generate: error: checkpoint {nan} has non-finite weights (decoder.decoder.bias)"
    )


def without_tokenizer(good: Path, path: Path) -> Path:
    ckpt = torch.load(good, weights_only=True)
    tokenizer = ckpt.pop("tokenizer_json")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(ckpt, path)
    return Path(tokenizer)  # not a path: the tokenizer's JSON, returned for the caller


def test_a_checkpoint_without_its_tokenizer_is_refused_outside_a_run_directory(good, tmp_path):
    ckpt = tmp_path / "a" / "b" / "m.ckpt"
    without_tokenizer(good, ckpt)
    (tmp_path / "tokenizer.json").write_text("{}")  # two folders up: never looked at
    line = one_line_error(run_in_process("generate", f"checkpoint={ckpt}"), "lstm-nlp-generate")
    assert f"checkpoint {ckpt} stores no tokenizer (tokenizer_json)" in line
    assert "not in a run directory's checkpoints/ folder" in line


def test_a_checkpoint_without_its_tokenizer_uses_its_run_directorys(good, tmp_path):
    run = tmp_path / "run"
    tokenizer = without_tokenizer(good, run / "checkpoints" / "last.ckpt")
    line = one_line_error(run_in_process("generate", f"checkpoint={run}"), "lstm-nlp-generate")
    assert f"but {run / 'tokenizer.json'} does not exist" in line
    (run / "tokenizer.json").write_text(str(tokenizer))
    ok = run_in_process("generate", f"checkpoint={run}", "words=3")
    assert ok.returncode == 0 and ok.stdout.strip(), ok.stderr


def test_a_tokenizer_larger_than_the_model_is_refused(good, tmp_path):
    from eval_helpers import WORDS

    big = tiny_model(words=[*WORDS, *(f"w{i}" for i in range(50))], hidden=6, layers=1)[1]
    ckpt = damaged(good, tmp_path, lambda c: c.update(tokenizer_json=big.to_str()))
    line = one_line_error(run_in_process("generate", f"checkpoint={ckpt}"), "lstm-nlp-generate")
    assert f"its tokenizer has {big.get_vocab_size()} words, the model only" in line


def test_a_good_checkpoint_still_loads(good, tmp_path):
    copy = tmp_path / "m.ckpt"
    shutil.copyfile(good, copy)
    ok = run_in_process("generate", f"checkpoint={copy}", "words=4", "seed=3")
    assert ok.returncode == 0 and len(ok.stdout.split()) >= 1, ok.stderr
