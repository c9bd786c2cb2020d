"""Issue 17's bad command lines, one named regression each: every one ends in one line on stderr
(exit code 2) that names the key, file or flag and says what is expected, never a traceback, a
hang or a silent success; most are refused before the command does anything (``config_error``
replaces the command itself with one that fails the test if it is reached)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import config_error, one_line_error, run_in_process
from eval_helpers import save_checkpoint, tiny_model


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory) -> Path:
    return save_checkpoint(
        tiny_model(hidden=6, layers=1)[0], tmp_path_factory.mktemp("m") / "m.ckpt"
    )


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Each command runs in its own folder: nothing lands in the repository."""
    monkeypatch.chdir(tmp_path)


def needs(command: str, ckpt: Path, tmp_path: Path) -> list[str]:
    """The required options of a command, valid."""
    return {
        "train": [],
        "eval": [f"checkpoint={ckpt}", f"path={tmp_path / 'pairs.jsonl'}"],
        "generate": [f"checkpoint={ckpt}"],
        "inspect": [f"checkpoint={ckpt}", f"out={tmp_path / 'i'}", "sentence=the"],
        "suites": [f"out={tmp_path / 's'}"],
        "ppl": [f"checkpoint={ckpt}", f"path={tmp_path / 'text.txt'}"],
    }[command]


HUGE = "99999999999999999999"


def test_generate_words_99999999999999999999_is_refused_at_once(ckpt):
    line = config_error("generate", f"checkpoint={ckpt}", f"words={HUGE}")
    assert line.endswith(f"words must be an integer in [1, 1000000], got {HUGE}")


SIZES = {  # (command, option): words of its range
    ("train", "seed"): "seed must be an integer in [0, 4294967295]",
    ("train", "threads"): "threads must be null or an integer in [1, 1024]",
    ("train", "trainer.devices"): "trainer.devices must be an integer in [-1, 1024]",
    ("generate", "seed"): "seed must be an integer in [0, 4294967295]",
    ("eval", "batch_size"): "batch_size must be an integer in [1, 1000000]",
    ("eval", "threads"): "threads must be an integer in [1, 1024]",
    ("inspect", "top_k"): "top_k must be an integer in [1, 1000000]",
    ("inspect", "n_per_cell"): "n_per_cell must be an integer in [1, 100000]",
    ("inspect", "max_attractors"): "max_attractors must be an integer in [0, 20]",
    ("inspect", "batch_size"): "batch_size must be an integer in [1, 1000000]",
    ("inspect", "seed"): "seed must be an integer in [0, 4294967295]",
    ("inspect", "threads"): "threads must be an integer in [1, 1024]",
    ("suites", "n_per_cell"): "n_per_cell must be an integer in [1, 100000]",
    ("suites", "max_attractors"): "max_attractors must be an integer in [0, 20]",
    ("suites", "prediction_sizes"): "prediction_sizes must be null or a list of 3 integers",
    ("ppl", "batch_size"): "batch_size must be null or an integer in [1, 1000000]",
    ("ppl", "bptt"): "bptt must be null or an integer in [1, 10000000]",
    ("ppl", "cache.window"): "cache.window must be an integer in [0, 10000000]",
    ("ppl", "threads"): "threads must be an integer in [1, 1024]",
}


@pytest.mark.parametrize(("command", "key"), sorted(SIZES))
def test_every_size_count_seed_and_thread_option_is_bounded(ckpt, tmp_path, command, key):
    value = f"[{HUGE},1,1]" if key == "prediction_sizes" else "4294967296000"
    line = config_error(command, *needs(command, ckpt, tmp_path), f"{key}={value}")
    assert SIZES[command, key] in line, line


@pytest.mark.parametrize("command", ["eval", "generate", "inspect", "ppl"])
def test_checkpoint_null_is_one_line(ckpt, tmp_path, command):
    args = [a for a in needs(command, ckpt, tmp_path) if not a.startswith("checkpoint=")]
    line = config_error(command, *args, "checkpoint=null")
    assert line.endswith("checkpoint must be a string, got None"), line


LISTS = {  # a command and an option of it whose value is a list
    "train": ["agreement=eval", "agreement.path=x", "agreement.group_by"],
    "eval": ["group_by"],
    "inspect": ["probe_states"],
    "suites": ["prediction_sizes"],
    "ppl": ["cache.theta_grid"],
}


@pytest.mark.parametrize("command", sorted(LISTS))
def test_a_dotted_key_into_a_list_is_one_line(ckpt, tmp_path, command):
    *given, key = LISTS[command]
    line = config_error(command, *needs(command, ckpt, tmp_path), *given, f"{key}.x=1")
    assert f"{key}.x=1: {key} is a list, not a group of options; give the whole list" in line


@pytest.mark.parametrize("command", ["train", "eval", "generate", "inspect", "suites", "ppl"])
@pytest.mark.parametrize("arg", ["=3", "+=3", "~="])
def test_an_empty_key_is_one_line(ckpt, tmp_path, command, arg):
    line = config_error(command, *needs(command, ckpt, tmp_path), arg)
    assert f"{arg!r} has no key: an override is KEY=VALUE" in line


def test_run_dir_a_file_and_cache_dir_a_file_are_refused(ckpt):
    assert config_error("train", f"run_dir={ckpt}").endswith(
        f"run_dir: '{ckpt}' is a file; run_dir must be a folder"
    )
    assert config_error("train", f"cache_dir={ckpt}").endswith(
        f"cache_dir: '{ckpt}' is a file; cache_dir must be a folder"
    )
    assert "cannot be made" in config_error("train", f"run_dir={ckpt}/run")


def test_an_empty_run_dir_is_refused_instead_of_training_into_the_current_folder(tmp_path):
    assert "run_dir is empty: give a folder" in config_error("train", "run_dir=")
    assert "run_dir is empty" in config_error("train", "run_dir='  '")
    assert list(tmp_path.iterdir()) == []


def test_generate_out_a_folder_is_refused(ckpt, tmp_path):
    line = config_error("generate", f"checkpoint={ckpt}", f"out={tmp_path}")
    assert line.endswith(f"out: '{tmp_path}' is a folder; out must be a file name")
    assert "out is empty" in config_error("generate", f"checkpoint={ckpt}", "out=")


def test_generate_out_the_checkpoint_it_reads_is_refused_and_leaves_it(ckpt, tmp_path):
    before = ckpt.read_bytes()
    line = one_line_error(
        run_in_process("generate", f"checkpoint={ckpt}", f"out={ckpt}"), "lstm-nlp-generate"
    )
    assert f"out: '{ckpt}' is the command's input checkpoint" in line
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "best.ckpt").write_bytes(before)
    line = config_error("generate", f"checkpoint={run}", f"out={run / 'checkpoints/best.ckpt'}")
    assert "is the command's input checkpoint" in line
    assert ckpt.read_bytes() == before == (run / "checkpoints" / "best.ckpt").read_bytes()


@pytest.mark.parametrize("command", ["eval", "inspect", "suites", "ppl"])
def test_an_output_folder_that_is_a_file_is_refused(ckpt, tmp_path, command):
    args = [a for a in needs(command, ckpt, tmp_path) if not a.startswith("out=")]
    line = config_error(command, *args, f"out={ckpt}")
    assert line.endswith(f"out: '{ckpt}' is a file; out must be a folder"), line


def test_eval_out_the_run_directory_it_reads_is_refused(tmp_path, ckpt):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "best.ckpt").write_bytes(ckpt.read_bytes())
    line = config_error("eval", f"checkpoint={run}", f"path={tmp_path}", f"out={run}")
    assert "out: " in line and "is the command's input checkpoint" in line


def test_trainer_strategy_bogus_is_refused_before_training():
    line = config_error("train", "trainer.strategy=bogsu")
    assert "trainer.strategy must be one of auto, ddp," in line and "got 'bogsu'" in line


def test_trainer_accelerator_tpu_is_refused_before_training():
    from lstm_nlp.training.lightning_names import available_accelerators

    if available_accelerators()["tpu"]:
        pytest.skip("this machine has a TPU")
    line = config_error("train", "trainer.accelerator=tpu")
    assert (
        line.endswith(
            "trainer.accelerator=tpu: this machine has no tpu device (available here: auto, cpu)"
        )
        or "available here: auto, cpu, cuda" in line
    )
    assert "trainer.accelerator must be one of" in config_error("train", "trainer.accelerator=tp")


def test_train_seed_and_threads_that_torch_and_numpy_refuse(tmp_path):
    assert f"seed must be an integer in [0, 4294967295], got {HUGE}" in config_error(
        "train", f"seed={HUGE}"
    )
    assert "seed must be an integer in [0, 4294967295], got -1" in config_error("train", "seed=-1")
    assert f"threads must be null or an integer in [1, 1024], got {HUGE}" in config_error(
        "train", f"threads={HUGE}"
    )


@pytest.mark.parametrize("command", ["train", "suites", "inspect", "eval"])
def test_a_new_root_key_is_refused_naming_the_command(ckpt, tmp_path, command):
    for arg in ("++nonexistent=1", "+nonexistent=1"):
        line = config_error(command, *needs(command, ckpt, tmp_path), arg)
        assert f"nonexistent is not an option of lstm-nlp-{command}" in line, line


def test_eval_plus_foo_names_eval_and_the_closest_option(ckpt, tmp_path):
    line = config_error("eval", *needs("eval", ckpt, tmp_path), "+foo=1")
    assert line.endswith("foo is not an option of lstm-nlp-eval; did you mean oov?")


def test_removing_an_option_is_refused(ckpt, tmp_path):
    assert "~grammar: an option cannot be removed" in config_error("suites", "out=o", "~grammar")
    assert "~seed: an option cannot be removed" in config_error("train", "~seed")
    line = config_error("train", "~task.bptt")
    assert line.endswith(
        "~task.bptt: an option cannot be removed (it always has a value); set it "
        "instead: task.bptt=VALUE"
    )


def test_a_prompt_given_as_a_list_is_refused(ckpt):
    line = config_error("generate", f"checkpoint={ckpt}", "prompt=[a,b]")
    assert line.endswith("prompt must be a string, got ['a', 'b']")


def test_a_plugin_that_calls_sys_exit_is_a_failed_plugin_not_the_end(tmp_path):
    folder = tmp_path / "plugs"
    folder.mkdir()
    (folder / "quitter17.py").write_text("import sys\nsys.exit(0)\n")
    proc = run_in_process("suites", f"plugins_dir={folder}", "out=o", "--help")
    assert proc.returncode == 0 and "lstm-nlp-suites" in proc.stdout
    assert "plugin 'quitter17'" in proc.stderr and "called sys.exit(0) while loading" in proc.stderr


@pytest.mark.parametrize("flags", [["--cfg", "job"], ["--cfg=job"], ["-c", "job"]])
def test_a_flag_after_the_overrides_is_taken(tmp_path, flags):
    proc = run_in_process("suites", f"out={tmp_path / 's'}", "seed=7", *flags)
    assert proc.returncode == 0, proc.stderr
    assert "seed: 7" in proc.stdout and "usage" not in proc.stderr


def test_multirun_after_the_overrides_runs_the_sweep(ckpt, tmp_path):
    proc = run_in_process("generate", f"checkpoint={ckpt}", "words=2", "seed=1,2", "-m")
    assert proc.returncode == 0, proc.stderr
    assert len([line for line in proc.stdout.splitlines() if line.strip()]) >= 2


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--bogus"], "unknown flag '--bogus' (Hydra's flags: --help, --cfg job|hydra|all"),
        (["--cfg"], "--cfg needs one of job, hydra, all (e.g. --cfg job)"),
        (["--cfg", "nope"], "--cfg must be one of job, hydra, all, got 'nope'"),
        (["-m", "--cfg", "job"], "give only one of --run, --multirun, --cfg"),
        (["--multirun=1"], "--multirun takes no value"),
        (["--config-name", "x"], "--config-name is not supported: each lstm-nlp command"),
    ],
)
def test_a_bad_flag_is_one_line_not_hydras_usage(flags, expected):
    line = config_error("suites", "out=o", *flags)
    assert expected in line, line


def test_a_sweep_without_multirun_says_what_it_could_mean():
    line = config_error("suites", "out=o", "seed=1,2")
    assert "seed=1,2 is a sweep: add -m to run one job per value; for a list write seed=[1,2]" in (
        line
    )


def test_a_non_ascii_path_gets_a_hint_to_quote_it(tmp_path):
    line = config_error("generate", "checkpoint=/tmp/modèle.ckpt")
    assert "cannot parse the override 'checkpoint=/tmp/modèle.ckpt'" in line
    assert "quote the value so that it is read as it stands: checkpoint='/tmp/modèle.ckpt'" in line


def test_a_quoted_non_ascii_path_is_read(tmp_path):
    ckpt = save_checkpoint(tiny_model(hidden=6, layers=1)[0], tmp_path / "modèle.ckpt")
    proc = run_in_process("generate", f"checkpoint='{ckpt}'", "words=2")
    assert proc.returncode == 0, proc.stderr


def test_plus_on_an_existing_key_says_to_drop_the_plus():
    line = config_error("suites", "out=o", "+seed=3")
    assert line.endswith("+seed: seed is already in the config; set it without '+': seed=VALUE")


def test_an_output_inside_the_run_directory_read_is_refused(tmp_path, ckpt):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "best.ckpt").write_bytes(ckpt.read_bytes())
    (run / "tokenizer.json").write_text("{}")
    line = config_error("generate", f"checkpoint={run}", f"out={run / 'tokenizer.json'}")
    assert f"out: '{run / 'tokenizer.json'}' is inside the run directory '{run}'" in line
    line = config_error("inspect", f"checkpoint={run}", "sentence=the", f"out={run / 'gates'}")
    assert "is inside the run directory" in line and (run / "tokenizer.json").read_text() == "{}"
