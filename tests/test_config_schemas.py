"""Options: one dataclass each, checked by key in one line, documented by --help from the same
source."""

from dataclasses import MISSING, dataclass, field, fields
from importlib import import_module

import pytest
from omegaconf import OmegaConf

from lstm_nlp.cli.common import checked_config, compose, prepare
from lstm_nlp.cli.train import COMMAND as TRAIN
from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import REGISTRIES, TASKS, Registry, check_components
from lstm_nlp.schema import Options, option, options_from_node, validate_node
from lstm_nlp.schema.help import format_rows, option_rows
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.options import TrainerOptions, TrainOptions

COMMANDS = ["train", "eval", "generate", "suites", "inspect"]


def command(name):
    return import_module(f"lstm_nlp.cli.{name}").COMMAND


def composed(*overrides):
    prepare(TRAIN, [])
    return compose("train", list(overrides))


def built_in_schemas():
    prepare(TRAIN, [])
    for group, registry in REGISTRIES.items():
        for name in registry.names():
            entry = registry.entry(name)
            if entry.schema is not None and entry.origin == "lstm_nlp":
                yield pytest.param(entry.schema, id=f"{group}={name}")
    for schema in (TrainOptions, TrainerOptions, *(command(c).options for c in COMMANDS[1:])):
        yield pytest.param(schema, id=schema.__name__)


@pytest.mark.parametrize("schema", built_in_schemas())
def test_every_option_has_a_default_that_passes_and_a_line_of_help(schema):
    defaults = {
        f.name: f.default_factory() if f.default is MISSING else f.default for f in fields(schema)
    }
    validate_node(defaults, schema, "", "")  # each default passes its own rule ("???": required)
    for f in fields(schema):
        assert f.metadata.get("help"), f"{schema.__name__}.{f.name} has no help text"
        assert f.default is not MISSING or f.default_factory is not MISSING, f.name


@pytest.mark.parametrize(
    "override, message",
    [
        ("task.bptt=0", "task.bptt must be an integer in [1, 10000000], got 0"),
        ("task.bptt=2.5", "task.bptt must be an integer in [1, 10000000], got 2.5"),
        ("task.dropout=1.0", "task.dropout must be a number in [0, 1), got 1.0"),
        ("task.tie_weights=maybe", "task.tie_weights must be true or false, got 'maybe'"),
        ("task.head=hsm", "task.head must be one of softmax, adaptive, got 'hsm'"),
        (
            "task.head=adaptiv",
            "task.head must be one of softmax, adaptive, got 'adaptiv'. Did you mean 'adaptive'?",
        ),
        (
            "task.adaptive_cutoffs=[10,0]",
            "task.adaptive_cutoffs must be null or a list of integers, each >= 1, got [10, 0]",
        ),
        ("encoder.num_layers=0", "encoder.num_layers must be an integer in [1, 64], got 0"),
        ("data.plural_prob=1.5", "data.plural_prob must be a number in [0, 1], got 1.5"),
        (
            "data.encoding_errors=skip",
            "data.encoding_errors must be one of strict, replace, ignore, got 'skip'",
        ),
        (
            "+data.construction_mix.pp=-1",
            "data.construction_mix must be a mapping of names to a number >= 0, got {'pp': -1}",
        ),
        ("optim.lr=0", "optim.lr must be a number > 0, got 0"),
        (
            "optim.scheduler.factor=2",
            "optim.scheduler.factor must be null or a number in (0, 1), got 2",
        ),
        ("threads=0", "threads must be null or an integer in [1, 1024], got 0"),
        (
            "seed=99999999999999999999",
            "seed must be an integer in [0, 4294967295], got 99999999999999999999",
        ),
        ("nonfinite_loss=ignore", "nonfinite_loss must be one of stop, skip, got 'ignore'"),
        (
            "checkpoint_every_minutes=-5",
            "checkpoint_every_minutes must be null or a number > 0, got -5",
        ),
        (
            "trainer.max_epochs=abc",
            "trainer.max_epochs must be null or an integer >= -1, got 'abc'",
        ),
        (
            "trainer.limit_val_batches=1.5",
            "trainer.limit_val_batches must be a fraction in [0, 1] or a number of batches, "
            "got 1.5",
        ),
        (
            "trainer.limit_test_batches=1.5",
            "trainer.limit_test_batches must be a fraction in [0, 1] or a number of batches, "
            "got 1.5",
        ),
    ],
)
def test_a_bad_value_names_the_key_and_what_is_allowed(override, message):
    with pytest.raises(ConfigError) as err:
        check_config(composed(override), [override])
    assert str(err.value) == message


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            ["optim=adam", "optim.betas=[0.9]"],
            "optim.betas must be a list of 2 numbers, each in [0, 1), got [0.9]",
        ),
        (
            ["logger=wandb", "logger.wandb.mode=cloud"],
            "logger.wandb.mode must be null or one of online, offline, disabled, got 'cloud'",
        ),
        (
            ["agreement=suite", "agreement.score=max"],
            "agreement.score must be one of sum, mean, got 'max'",
        ),
        (
            ["task=number_agreement", "task.format=csv"],
            "task.format must be one of auto, linzen, annotations, got 'csv'",
        ),
        (
            ["encoder=reference_lstm", "+encoder.weight_drop=0.1"],
            "encoder.weight_drop is not an option of encoder 'reference_lstm' (options: "
            "batch_first, bias, bidirectional, dropout, hidden_size, num_layers)",
        ),
        (
            ["optim/scheduler=cosine", "optim.scheduler.t_max=0"],
            "optim.scheduler.t_max must be an integer >= 1, got 0",
        ),
        (
            ["task.head=adaptive", "task.tie_weights=true"],
            "task.tie_weights=true is not supported with task.head=adaptive (the "
            "adaptive softmax has no single output matrix to share); set task.tie_weights=false",
        ),
    ],
)
def test_group_choices_are_checked_by_their_own_dataclass(overrides, message):
    with pytest.raises(ConfigError) as err:
        check_components(composed(*overrides))
    assert str(err.value) == message


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["task.bpt=3"],
            "task.bpt is not an option of task 'language_model'; did you mean task.bptt?",
        ),
        (
            ["+task.bpt=3"],
            "task.bpt is not an option of task 'language_model'; did you mean task.bptt?",
        ),
        (["encoder.hiddensize=3"], "did you mean encoder.hidden_size?"),
        (["sed=3"], "sed is not an option of lstm-nlp-train; did you mean seed?"),
        (["+sed=3"], "sed is not an option of lstm-nlp-train; did you mean seed?"),
        (
            ["optim.scheduler.name=cosine"],
            "optim.scheduler.name is set by choosing the option: use optim/scheduler=cosine",
        ),
        (["data.cache_dir=/tmp/x"], "the cache folder is the root option cache_dir=DIR"),
        (["data.path=/tmp/x"], "data.path is not an option of data source 'grammar'"),
        (
            ["+trainer.max_step=3"],
            "trainer.max_step is not an argument of lightning.pytorch.Trainer",
        ),
    ],
)
def test_unknown_and_moved_keys_are_named_with_what_to_type(args, message):
    with pytest.raises(ConfigError) as err:
        checked_config(TRAIN, args)
    assert message in str(err.value)


@pytest.mark.parametrize(
    "args",
    [
        ["data.construction_mix={plain:0,pp:3}"],  # what the option's help shows
        ["data.construction_mix.plain=0", "data.construction_mix.pp=3"],
        ["+data.construction_mix.plain=0", "+data.construction_mix.pp=3"],
    ],
)
def test_a_mapping_option_takes_new_keys_without_plus(args):
    prepare(TRAIN, args)
    cfg = checked_config(TRAIN, args)
    assert OmegaConf.to_container(cfg.data.construction_mix) == {"plain": 0, "pp": 3}
    with pytest.raises(ConfigError, match="data.construction_mi.pp is not a config key"):
        checked_config(TRAIN, ["data.construction_mi.pp=3"])  # other nodes stay closed


def test_a_plugin_component_is_checked_by_its_dataclass():
    reg = Registry("widget", "widget_schema_test")

    @reg.component("round", "builtins:dict")
    @dataclass
    class RoundOptions(Options):
        width: int = option(8, ge=2, help="how wide")

        def check(self):
            if self.width == 13:
                raise ConfigError("width=13 is unlucky")

    assert reg.options(OmegaConf.create({"name": "round", "width": 4})) == RoundOptions(width=4)
    with pytest.raises(
        ConfigError, match=r"^widget_schema_test.width must be an integer >= 2, got 1$"
    ):
        reg.options(OmegaConf.create({"name": "round", "width": 1}))
    with pytest.raises(ConfigError, match=r"^widget_schema_test.width=13 is unlucky$"):
        reg.options(OmegaConf.create({"name": "round", "width": 13}))
    with pytest.raises(ConfigError, match="did you mean widget_schema_test.width"):
        reg.options(OmegaConf.create({"name": "round", "widht": 4}))
    assert RoundOptions().as_dict() == {"width": 8}
    with pytest.raises(ConfigError, match="width must be an integer >= 2"):
        RoundOptions(width=0)  # the same rule from Python


def test_an_unschemad_plugin_choice_is_left_to_the_plugin():
    TASKS.register("someone_elses_task", "builtins:dict", config={"anything": "goes"})
    try:
        cfg = composed("task=someone_elses_task")
        assert check_components(cfg)["task"] == {"anything": "goes"}
    finally:
        TASKS.unregister("someone_elses_task")


def test_a_scalar_where_a_group_of_options_belongs_is_refused():
    @dataclass
    class Inner(Options):
        x: int = option(1, help="x")

    @dataclass
    class Outer(Options):
        inner: Inner = field(default_factory=Inner, metadata={"help": "a group"})

    with pytest.raises(ConfigError, match=r"^o.inner must be a group of options, got 5$"):
        validate_node(OmegaConf.create({"inner": 5}), Outer, "o.", "o")
    assert options_from_node(OmegaConf.create({"inner": {"x": 3}}), Outer).inner == Inner(3)


def test_a_literal_a_list_of_one_and_kept_extra_keys():
    from typing import ClassVar, Literal

    @dataclass
    class Pick(Options):
        more_keys: ClassVar[bool] = True
        mode: Literal["fast", "exact"] = option("fast", help="how")
        sizes: list[int] = field(default_factory=lambda: [1], metadata={"help": "sizes"})

    options = options_from_node(OmegaConf.create({"mode": "exact", "sizes": 3, "beta": 2}), Pick)
    assert (options.mode, options.sizes, options.more) == ("exact", [3], {"beta": 2})
    assert Pick().more == {}
    with pytest.raises(ConfigError, match=r"^p.mode must be one of fast, exact, got 'exakt'. Did"):
        validate_node(OmegaConf.create({"mode": "exakt"}), Pick, "p.", "p")
    with pytest.raises(ConfigError, match=r"^mode must be one of fast, exact, got 'exakt'. Did"):
        Pick(mode="exakt")  # the same rule and words from Python


def test_a_field_type_the_checks_cannot_judge_is_refused_at_registration():
    from lstm_nlp.errors import RegistryError

    reg = Registry("gadget", "gadget_schema_test")

    @dataclass
    class Odd(Options):
        pair: tuple[int, int] = option((1, 2), help="a pair")

    with pytest.raises(RegistryError, match=r"^Odd.pair: type .* is not supported in options"):
        reg.register("odd", "builtins:dict", config=Odd)


def test_integers_become_floats_and_numbers_become_text_where_the_dataclass_says():
    cfg = composed("optim.lr=20", "data.seed=3")
    options = check_components(cfg)["optim"]
    assert isinstance(options.lr, float)
    gen = options_from_node(
        OmegaConf.create({"prompt": 1990, "checkpoint": "x"}), command("generate").options
    )
    assert gen.prompt == "1990"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_is_made_from_the_dataclasses(name, capsys, monkeypatch):
    """Every option of the command's dataclass appears in --help with its default."""
    from lstm_nlp.cli.common import run_app

    cmd = command(name)
    monkeypatch.setattr("sys.argv", [cmd.prog, "--help"])
    run_app(cmd, lambda: pytest.fail("--help must not run the command"))
    text = capsys.readouterr().out
    for row in option_rows(cmd.options):
        assert f"{row.key}={row.default}" in text, row.key
    assert text.startswith(cmd.prog)


def test_train_help_shows_the_chosen_components_options(capsys, monkeypatch):
    from lstm_nlp.cli.common import run_app

    monkeypatch.setattr("sys.argv", ["lstm-nlp-train", "task=number_agreement", "--help"])
    run_app(TRAIN, lambda: None)
    text = capsys.readouterr().out
    assert "task.breakdowns=[attractors,number,construction]" in text and "task.bptt" not in text
    assert (
        "number_agreement*" in text and "mogrifier_lstm" in text and "trainer.max_epochs=3" in text
    )


@pytest.mark.parametrize("source", ["text", "hf"])
def test_help_of_a_choice_with_required_options_not_given_yet(source, capsys, monkeypatch):
    from lstm_nlp.cli.common import run_app

    monkeypatch.setattr("sys.argv", ["lstm-nlp-train", f"data={source}", "--help"])
    run_app(TRAIN, lambda: pytest.fail("--help must not run the command"))
    text = capsys.readouterr().out
    assert "data.path=required" in text and text.endswith("required, not given yet: data.path\n")
    monkeypatch.setattr("sys.argv", ["lstm-nlp-train", f"data={source}", "data.pth=x", "--help"])
    with pytest.raises(SystemExit):  # a typo is still the one-line error
        run_app(TRAIN, lambda: None)
    assert "did you mean data.path?" in capsys.readouterr().err
    monkeypatch.setattr("sys.argv", ["lstm-nlp-train", "task.dropout=2", "--help"])
    with pytest.raises(SystemExit):  # nothing required is missing: the check's own line
        run_app(TRAIN, lambda: None)
    assert "task.dropout must be a number in [0, 1), got 2" in capsys.readouterr().err


def test_the_help_table_wraps_and_leaves_out_the_obvious():
    @dataclass
    class Demo(Options):
        flag: bool = option(False, help="a switch")
        rate: float = option(0.5, gt=0, help="a rate " * 20)

    text = format_rows(option_rows(Demo, "demo."), width=60)
    assert "demo.flag=false" in text and "[true or false]" not in text
    assert "[a number > 0]" in text and max(len(line) for line in text.splitlines()) <= 60


BAD_OPTION = {
    "train": (["task.dropout=1.5"], "task.dropout must be a number in [0, 1), got 1.5"),
    "eval": (
        ["checkpoint=x", "path=y", "score=max"],
        "score must be null or one of sum, mean, got 'max'",
    ),
    "generate": (["checkpoint=x", "words=0"], "words must be an integer in [1, 1000000], got 0"),
    "suites": (["out=o", "n_per_cell=-2"], "n_per_cell must be an integer in [1, 100000], got -2"),
    "inspect": (
        ["checkpoint=x", "out=o", "mode=unit"],
        "mode must be one of gates, units, probe, got 'unit'. Did you mean 'units'?",
    ),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_refuses_a_bad_option_in_one_line(name, capsys, monkeypatch):
    from lstm_nlp.cli.common import run_app

    args, message = BAD_OPTION[name]
    cmd = command(name)
    monkeypatch.setattr("sys.argv", [cmd.prog, *args])
    with pytest.raises(SystemExit) as code:
        run_app(cmd, lambda: pytest.fail("a bad option must stop before the command runs"))
    assert code.value.code == 2
    assert capsys.readouterr().err == f"{cmd.prog}: error: {message}\n"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_names_an_unknown_key_with_a_did_you_mean(name, capsys, monkeypatch):
    from lstm_nlp.cli.common import run_app

    cmd = command(name)
    first = next(f.name for f in fields(cmd.options) if len(f.name) > 4)
    typo = first[:-1]
    monkeypatch.setattr("sys.argv", [cmd.prog, f"{typo}=1"])
    with pytest.raises(SystemExit):
        run_app(cmd, lambda: None)
    assert f"did you mean {first}?" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("name", COMMANDS)
def test_help_imports_no_heavy_library(name):
    """--help reads the options dataclasses only: no torch, Lightning, numpy or tokenizers."""
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io, importlib\n"
        "sys.argv = ['prog', '--help']\n"
        f"command = importlib.import_module('lstm_nlp.cli.{name}')\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    command.main()\n"
        "heavy = ('torch', 'lightning', 'numpy', 'tokenizers')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_field_without_any_default_is_required_in_one_line():
    reg = Registry("gizmo", "gizmo_schema_test")

    @reg.component("plain", "builtins:dict")
    @dataclass
    class NoDefault(Options):
        size: int = field(metadata={"help": "how big"})

    with pytest.raises(ConfigError, match=r"^gizmo_schema_test.size is required \(how big\)"):
        reg.options(OmegaConf.create({"name": "plain"}))
    assert reg.options(OmegaConf.create({"name": "plain", "size": 3})).size == 3


def test_every_command_checks_its_chosen_components_before_it_runs():
    from cli_helpers import config_error

    line = config_error(
        "inspect",
        "checkpoint=x",
        "out=o",
        "sentence=a b",
        "logger=wandb",
        "logger.wandb.mode=banana",
    )
    assert (
        "logger.wandb.mode must be null or one of online, offline, disabled, got 'banana'" in line
    )
