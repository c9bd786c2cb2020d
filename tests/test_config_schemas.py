"""Config schemas: every shipped YAML matches its schema, and bad values are refused by key, in one
line."""

from dataclasses import MISSING, dataclass, fields
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from lstm_nlp.errors import ConfigError
from lstm_nlp.schema import SCHEMAS, check_schemas, option, register_schema, validate_node
from lstm_nlp.schema.definitions import Train

CONF = Path(__file__).resolve().parent.parent / "conf"


def default(f):
    return f.default_factory() if f.default is MISSING else f.default


def shipped_files():
    for group, _schemas in SCHEMAS.items():
        for path in sorted((CONF / group).glob("*.yaml")):
            yield pytest.param(group, path, id=f"{group}/{path.stem}")


@pytest.mark.parametrize("group, path", shipped_files())
def test_every_shipped_option_file_has_exactly_its_schemas_keys_and_defaults(group, path):
    node = OmegaConf.load(path)
    schema = SCHEMAS[group][node.get("name")]
    assert set(node) == {f.name for f in fields(schema)}
    for key in list(node):
        if OmegaConf.is_interpolation(
            node, key
        ):  # e.g. data.cache_dir: ${cache_dir}, the root's value
            node[key] = None
    validate_node(node, schema, f"{group}.", group)  # the defaults pass their own schema
    if node.name != default(next(f for f in fields(schema) if f.name == "name")):
        return  # a schema shared by several files (adam/adamw) holds the first one's defaults
    defaults = OmegaConf.to_container(OmegaConf.structured(schema))
    for key, value in OmegaConf.to_container(node).items():
        if value is not None and not isinstance(value, dict):
            assert value == defaults[key], key


def test_the_root_schema_matches_train_yaml():
    root = OmegaConf.load(CONF / "train.yaml")
    for f in fields(Train):
        assert f.name in root, f.name
        if not OmegaConf.is_interpolation(root, f.name) and "${" not in str(root[f.name]):
            assert root[f.name] == default(f), f.name


def composed(*overrides):
    from hydra import compose, initialize_config_module

    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        return compose("train", overrides=list(overrides))


@pytest.mark.parametrize(
    "override, message",
    [
        ("task.bptt=0", "task.bptt must be an integer >= 1, got 0"),
        ("task.bptt=2.5", "task.bptt must be an integer >= 1, got 2.5"),
        ("task.dropout=1.0", "task.dropout must be a number in [0, 1), got 1.0"),
        ("task.tie_weights=maybe", "task.tie_weights must be true or false, got 'maybe'"),
        ("task.head=hsm", "task.head must be one of softmax, adaptive, got 'hsm'"),
        (
            "task.adaptive_cutoffs=[10,0]",
            "task.adaptive_cutoffs must be null or a list of integers, each >= 1, got [10, 0]",
        ),
        ("encoder.num_layers=0", "encoder.num_layers must be an integer >= 1, got 0"),
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
        ("optim.scheduler.factor=2", "optim.scheduler.factor must be a number in (0, 1), got 2"),
        (
            "optim.scheduler.name=step",
            "optim.scheduler.name must be one of none, plateau, decay_after, cosine, got 'step'",
        ),
        ("threads=0", "threads must be null or an integer >= 1, got 0"),
        ("nonfinite_loss=ignore", "nonfinite_loss must be one of stop, skip, got 'ignore'"),
        (
            "checkpoint_every_minutes=-5",
            "checkpoint_every_minutes must be null or a number > 0, got -5",
        ),
        (
            "checkpoint_every_n_steps=0",
            "checkpoint_every_n_steps must be null or an integer >= 1, got 0",
        ),
    ],
)
def test_a_bad_value_names_the_key_and_what_is_allowed(override, message):
    with pytest.raises(ConfigError) as err:
        check_schemas(composed(override))
    assert str(err.value) == message


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            ["optim=adam", "optim.betas=[0.9]"],
            "optim.betas must be a list of 2 numbers, each in [0, 1), got [0.9]",
        ),
        (
            ["logger=wandb", "logger.mode=cloud"],
            "logger.mode must be null or one of online, offline, disabled, got 'cloud'",
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
            "batch_first, bias, bidirectional, dropout, hidden_size, name, num_layers)",
        ),
    ],
)
def test_group_choices_are_checked_by_their_own_schema(overrides, message):
    with pytest.raises(ConfigError) as err:
        check_schemas(composed(*overrides))
    assert str(err.value) == message


def test_every_shipped_experiment_passes():
    for path in sorted((CONF / "experiment").glob("*.yaml")):
        check_schemas(composed(f"experiment={path.stem}"))


def test_a_plugin_registers_a_schema_for_its_own_option(monkeypatch):
    @dataclass
    class Tiny:
        name: str = "tiny_task"
        width: int = option(8, ge=2)

    monkeypatch.setitem(SCHEMAS, "task", dict(SCHEMAS["task"]))
    register_schema("task", "tiny_task", Tiny)
    cfg = composed()
    cfg.task = OmegaConf.create({"name": "tiny_task", "width": 1})
    with pytest.raises(ConfigError, match=r"^task.width must be an integer >= 2, got 1$"):
        check_schemas(cfg)
    cfg.task.width = 4
    check_schemas(cfg)
    with pytest.raises(TypeError):
        register_schema("task", "x", dict)


def test_the_readme_plugin_schema_example_works_as_written(tmp_path):
    """A schema without a ``name`` field (the registry adds the name to the Hydra node)."""
    from cli_helpers import TINY, run_cli

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "my_plugin.py").write_text(
        "from dataclasses import dataclass\n"
        "from lstm_nlp.registry import TASKS\n"
        "from lstm_nlp.schema import option\n"
        "from lstm_nlp.tasks.language_model import build_task\n\n"
        "@dataclass\n"
        "class MyTaskConfig:\n"
        "    batch_size: int = option(32, ge=1)\n"
        "    dropout: float = option(0.3, ge=0.0, lt=1.0)\n\n"
        "def my_task(cfg, run):\n"
        "    import copy\n"
        "    cfg = copy.deepcopy(cfg)\n"
        "    cfg.task = {**cfg.task, 'name': 'language_model', **{k: v for k, v in "
        "dict(eval_batch_size=4, bptt=10, variable_bptt=False, embedding_dim=16, "
        "embedding_dropout=0.0, tie_weights=False, init_range=0.1, "
        "ar_alpha=0.0, tar_beta=0.0).items()}}\n"
        "    return build_task(cfg, run)\n\n"
        "TASKS.register('my_task', my_task, config=MyTaskConfig)\n"
    )
    bad = run_cli(
        "train",
        f"plugins_dir={plugins}",
        "task=my_task",
        "task.dropout=1.5",
        f"run_dir={tmp_path / 'r'}",
    )
    assert "task.dropout must be a number in [0, 1), got 1.5" in bad.stderr and bad.returncode == 2
    ok = run_cli(
        "train",
        f"plugins_dir={plugins}",
        "task=my_task",
        "task.batch_size=4",
        *TINY[:2],
        *TINY[6:],
        "data.train_sentences=200",
        f"run_dir={tmp_path / 'ok'}",
    )
    assert ok.returncode == 0, ok.stderr[-2000:]


def test_an_unschemad_plugin_choice_is_left_to_the_plugin():
    cfg = composed()
    cfg.task = OmegaConf.create({"name": "someone_elses_task", "anything": "goes"})
    check_schemas(cfg)


def test_the_example_plugin_checks_its_options_through_its_schema(tmp_path):
    """lstm-nlp-pos registers a schema dataclass as its task config: defaults in Hydra, ranges
    checked."""
    pytest.importorskip("lstm_nlp_pos")
    from cli_helpers import one_line_error, run_cli

    line = one_line_error(
        run_cli("train", "task=pos_tagging", "task.dropout=2", f"run_dir={tmp_path / 'run'}")
    )
    assert line == "lstm-nlp-train: error: task.dropout must be a number in [0, 1), got 2"
    assert not (tmp_path / "run").exists()


def test_a_scalar_where_a_group_of_options_belongs_is_refused():
    from lstm_nlp.schema.definitions import SGD

    node = OmegaConf.create({"name": "sgd", "lr": 1.0, "scheduler": 5})
    with pytest.raises(ConfigError, match=r"^optim.scheduler must be a group of options, got 5$"):
        validate_node(node, SGD, "optim.", "optim 'sgd'")
