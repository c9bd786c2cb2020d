"""One registry per kind of component (tasks, encoders, data sources).

A registry maps a name to an object, or to a ``"module:attribute"`` string that is
imported only when the name is first used, so that listing names (``--help``, a
did-you-mean error) never imports torch or Lightning.  Names that come with a
config are also stored in Hydra's ConfigStore under the registry's config group,
which makes them choices on the command line (``task=my_task``).

External plugins are Python packages that declare an entry point in the group
``lstm_nlp.plugins`` (see :mod:`lstm_nlp.plugins`); they are loaded the first time
a registry is asked for a name or for its list of names.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from lstm_nlp.errors import RegistryError


@dataclass
class Entry:
    name: str
    target: Any  # the object, or a "module:attr" string resolved on first use
    config: dict | None = None
    origin: str = "lstm_nlp"  # the package or plugin that registered it
    _resolved: Any = field(default=None, repr=False)

    def resolve(self) -> Any:
        if self._resolved is None:
            self._resolved = (
                import_dotted(self.target) if isinstance(self.target, str) else self.target
            )
        return self._resolved


def import_dotted(path: str) -> Any:
    """Import ``"package.module:attr"`` (or ``"package.module.attr"``)."""
    module_name, sep, attr = path.partition(":")
    if not sep:
        module_name, _, attr = path.rpartition(".")
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class Registry:
    """Names of one kind of component; duplicate names are refused."""

    def __init__(self, kind: str, config_group: str) -> None:
        self.kind = kind  # "task", "encoder", "data source"
        self.config_group = config_group  # Hydra group: "task", "encoder", "data"
        self._entries: dict[str, Entry] = {}

    # -- registration ---------------------------------------------------------------
    def register(
        self,
        name: str,
        target: Any = None,
        *,
        config: dict | None = None,
        origin: str | None = None,
    ) -> Callable[[Any], Any] | Any:
        """Register ``target`` (an object or ``"module:attr"``) under ``name``.

        Used as a decorator when ``target`` is omitted.  ``config`` (a plain dict, or a
        schema dataclass whose fields carry ranges: :func:`lstm_nlp.schema.option`) becomes
        the Hydra config of that choice unless ``conf/<group>/<name>.yaml`` exists; its
        ``name`` key is filled in.  A schema's rules are checked before a run starts.
        """
        if target is None:

            def decorator(obj: Any) -> Any:
                self.register(name, obj, config=config, origin=origin)
                return obj

            return decorator
        if not isinstance(name, str) or not name.isidentifier():
            raise RegistryError(
                f"{self.kind} name {name!r} must be a Python identifier (letters, digits, _)"
            )
        if name in self._entries:
            raise RegistryError(
                f"{self.kind} {name!r} is already registered by {self._entries[name].origin}; "
                f"choose another name"
            )
        origin = origin or _caller_origin(target)
        if is_dataclass(config):  # a schema: its defaults are the config, its rules are checked
            from lstm_nlp.schema import register_schema

            schema = config if isinstance(config, type) else type(config)
            register_schema(self.config_group, name, schema)
            config = {
                k: v
                for k, v in asdict(config() if config is schema else config).items()
                if k != "name"
            }
        self._entries[name] = Entry(name, target, config, origin)
        if config is not None:
            _store_config(self.config_group, name, config)
        return target

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    # -- look-up --------------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.entry(name).resolve()

    def entry(self, name: str) -> Entry:
        if name not in self._entries:
            from lstm_nlp.plugins import load_plugins

            load_plugins()
        if name not in self._entries:
            raise RegistryError(self.unknown_message(name))
        return self._entries[name]

    def names(self) -> list[str]:
        from lstm_nlp.plugins import load_plugins

        load_plugins()
        return sorted(self._entries)

    def unknown_message(self, name: str) -> str:
        from lstm_nlp.plugins import failed_plugins

        known = sorted(self._entries)
        msg = f"unknown {self.kind} {name!r}; known: {', '.join(known) or '(none)'}"
        close = difflib.get_close_matches(str(name), known, n=1)
        if close:
            msg += f". Did you mean {close[0]!r}?"
        broken = failed_plugins()
        if broken:
            msg += f" (plugins that failed to load: {', '.join(sorted(broken))})"
        else:
            msg += (
                " (third-party names come from packages with an 'lstm_nlp.plugins' entry point "
                "or from plugins_dir=DIR)"
            )
        return msg

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


def _caller_origin(target: Any) -> str:
    if isinstance(target, str):
        return target.partition(":")[0].split(".")[0]
    module = getattr(target, "__module__", None) or "unknown"
    return module.split(".")[0]


def _store_config(group: str, name: str, config: dict) -> None:
    from hydra.core.config_store import ConfigStore

    node = dict(config)
    node.setdefault("name", name)
    ConfigStore.instance().store(group=group, name=name, node=node, provider="lstm_nlp plugin")


TASKS = Registry("task", "task")
ENCODERS = Registry("encoder", "encoder")
DATA_SOURCES = Registry("data source", "data")

REGISTRIES = {"task": TASKS, "encoder": ENCODERS, "data": DATA_SOURCES}

# Built-in components, registered by import path so that nothing heavy is imported here.
TASKS.register("language_model", "lstm_nlp.tasks.language_model:build_task", origin="lstm_nlp")
TASKS.register("number_agreement", "lstm_nlp.tasks.number_agreement:build_task", origin="lstm_nlp")
TASKS.register(
    "pronoun_agreement", "lstm_nlp.tasks.pronoun_agreement:build_task", origin="lstm_nlp"
)
ENCODERS.register("lstm", "lstm_nlp.modules.lstm_encoder:LSTMEncoder", origin="lstm_nlp")
ENCODERS.register(
    "reference_lstm", "lstm_nlp.modules.reference_lstm:ReferenceLSTM", origin="lstm_nlp"
)
DATA_SOURCES.register("text", "lstm_nlp.text.sources:text_folder", origin="lstm_nlp")
DATA_SOURCES.register("grammar", "lstm_nlp.grammar.source:grammar_corpus", origin="lstm_nlp")
