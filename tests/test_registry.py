import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint

import pytest

from lstm_nlp import plugins
from lstm_nlp.errors import RegistryError
from lstm_nlp.registry import DATA_SOURCES, ENCODERS, TASKS, Registry


@pytest.fixture
def fresh_plugins(monkeypatch):
    """Reset the plugin loader's memory and let a test choose the installed entry points."""
    monkeypatch.setattr(plugins, "_loaded_entry_points", False)
    monkeypatch.setattr(plugins, "_failed", {})
    monkeypatch.setattr(plugins, "_loaded", {})
    monkeypatch.setattr(plugins, "_loaded_dirs", set())

    def install(*eps):
        monkeypatch.setattr(
            plugins, "entry_points", lambda group: [e for e in eps if e.group == group]
        )

    install()
    return install


def test_builtins_are_registered_lazily():
    assert "language_model" in TASKS.names()
    assert {"lstm", "reference_lstm"} <= set(ENCODERS.names())
    assert {"text", "grammar"} <= set(DATA_SOURCES.names())
    code = (  # the task's module (torch, Lightning) is imported on first use, not when listed
        "import sys; from lstm_nlp.registry import TASKS; TASKS.names(); "
        "TASKS.entry('language_model'); print('lstm_nlp.tasks.language_model' in sys.modules); "
        "TASKS.get('language_model'); print('lstm_nlp.tasks.language_model' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"], out.stdout


def test_decorator_and_get():
    reg = Registry("widget", "widget")

    @reg.register("round")
    class Round:
        pass

    assert reg.get("round") is Round
    assert reg.names() == ["round"]


def test_duplicate_name_is_refused():
    reg = Registry("widget", "widget")
    reg.register("a", object())
    with pytest.raises(RegistryError, match="'a' is already registered"):
        reg.register("a", object())


def test_unknown_name_lists_known_and_suggests_closest():
    with pytest.raises(RegistryError) as err:
        TASKS.get("languag_model")
    msg = str(err.value)
    assert "unknown task 'languag_model'" in msg
    assert "known: " in msg and "language_model" in msg
    assert "Did you mean 'language_model'?" in msg
    assert "\n" not in msg


def test_invalid_name_is_refused():
    with pytest.raises(RegistryError, match="identifier"):
        Registry("widget", "widget").register("bad-name", object())


def test_config_goes_to_hydra_config_store():
    from hydra.core.config_store import ConfigStore

    reg = Registry("widget", "widget_group_test")
    reg.register("blue", object(), config={"size": 3})
    node = ConfigStore.instance().load("widget_group_test/blue.yaml").node
    assert node.size == 3 and node.name == "blue"


def _plugin_module(tmp_path, monkeypatch, name, body):
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_entry_point_plugin_registers_a_task(tmp_path, monkeypatch, fresh_plugins):
    _plugin_module(
        tmp_path,
        monkeypatch,
        "my_plugin",
        """
        from lstm_nlp.registry import TASKS
        def register():
            TASKS.register("my_task", "my_plugin:build", config={"lr": 1})
        def build(cfg, run):
            return "built"
    """,
    )
    fresh_plugins(EntryPoint("mine", "my_plugin:register", plugins.GROUP))
    try:
        assert TASKS.get("my_task")(None, None) == "built"
        assert plugins.loaded_plugins() == {"mine": "my_plugin:register"}
    finally:
        TASKS.unregister("my_task")


def test_broken_plugin_is_reported_and_others_still_load(tmp_path, monkeypatch, fresh_plugins):
    _plugin_module(tmp_path, monkeypatch, "broken_plugin", "raise RuntimeError('boom at import')\n")
    _plugin_module(
        tmp_path,
        monkeypatch,
        "good_plugin",
        """
        from lstm_nlp.registry import ENCODERS
        ENCODERS.register("good_encoder", object)
    """,
    )
    fresh_plugins(
        EntryPoint("broken", "broken_plugin", plugins.GROUP),
        EntryPoint("good", "good_plugin", plugins.GROUP),
    )
    try:
        with pytest.warns(plugins.PluginWarning, match="plugin 'broken'.*boom at import"):
            names = ENCODERS.names()
        assert "good_encoder" in names and "lstm" in names
        assert plugins.failed_plugins() == {"broken": "RuntimeError: boom at import"}
        with pytest.raises(RegistryError, match="plugins that failed to load: broken"):
            ENCODERS.get("nonexistent")
    finally:
        ENCODERS.unregister("good_encoder")


def test_plugin_registering_a_taken_name_is_isolated(tmp_path, monkeypatch, fresh_plugins):
    _plugin_module(
        tmp_path,
        monkeypatch,
        "dup_plugin",
        """
        from lstm_nlp.registry import TASKS
        TASKS.register("language_model", object)
    """,
    )
    fresh_plugins(EntryPoint("dup", "dup_plugin", plugins.GROUP))
    with pytest.warns(plugins.PluginWarning, match="already registered"):
        TASKS.names()
    assert TASKS.entry("language_model").origin == "lstm_nlp"


def test_plugins_dir_loads_local_modules(tmp_path, fresh_plugins):
    folder = tmp_path / "local_plugins"
    folder.mkdir()
    (folder / "shapes.py").write_text(
        "from lstm_nlp.registry import DATA_SOURCES\nDATA_SOURCES.register('shapes', dict)\n"
    )
    (folder / "bad.py").write_text("import not_a_module_anywhere\n")
    try:
        with pytest.warns(plugins.PluginWarning, match="'bad'"):
            assert plugins.load_plugins_dir(folder) == ["shapes"]
        assert DATA_SOURCES.get("shapes") is dict
    finally:
        DATA_SOURCES.unregister("shapes")


def test_plugins_dir_calls_register_and_puts_the_folder_on_the_path(tmp_path, fresh_plugins):
    """A folder's module behaves like an entry point: its register() is called; and its lazy
    "module:attr" registrations import modules of the folder (it is on sys.path)."""
    folder = tmp_path / "plugs"
    folder.mkdir()
    (folder / "late.py").write_text(
        "from lstm_nlp.registry import TASKS\n"
        "def register():\n"
        "    TASKS.register('late_task', '_late_impl:build')\n"
    )
    (folder / "_late_impl.py").write_text("def build(cfg, run):\n    return 'built lazily'\n")
    try:
        assert plugins.load_plugins_dir(folder) == ["late"]
        assert TASKS.get("late_task")(None, None) == "built lazily"
        assert "_late_impl" in sys.modules  # imported on use, not when the folder was loaded
    finally:
        TASKS.unregister("late_task")
        sys.path.remove(str(folder.resolve()))
        sys.modules.pop("late", None)
        sys.modules.pop("_late_impl", None)


def test_a_plugin_that_registers_nothing_is_named(tmp_path, monkeypatch, fresh_plugins):
    _plugin_module(tmp_path, monkeypatch, "idle_plugin", "x = 1\n")
    fresh_plugins(EntryPoint("idle", "idle_plugin", plugins.GROUP))
    with pytest.warns(
        plugins.PluginWarning, match=r"plugin 'idle' \(idle_plugin\) registered nothing"
    ):
        TASKS.names()
    folder = tmp_path / "idle_folder"
    folder.mkdir()
    (folder / "helper.py").write_text("y = 2\n")
    with pytest.warns(plugins.PluginWarning, match="none of its modules registered anything"):
        plugins.load_plugins_dir(folder)
    sys.path.remove(str(folder.resolve()))
    sys.modules.pop("helper", None)


def test_a_plugin_module_named_like_an_installed_one_is_refused(tmp_path, fresh_plugins):
    folder = tmp_path / "clash"
    folder.mkdir()
    (folder / "json.py").write_text("from lstm_nlp.registry import TASKS\n")
    with pytest.warns(plugins.PluginWarning, match=r"plugin 'json'.*the name 'json' is taken"):
        assert plugins.load_plugins_dir(folder) == []
    sys.path.remove(str(folder.resolve()))
