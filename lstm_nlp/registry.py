"""One registry per kind of component, each the options of one Hydra config group.

A registered name maps to its implementation, an object or a ``"module:attribute"`` string
imported only when the name is first used (listing names, ``--help`` and config checks never
import torch or Lightning), and to its **options dataclass** (see :mod:`lstm_nlp.schema`): the
one place where each option's default, type, range and help are written.  The defaults become
the Hydra config of ``group=name`` (stored in Hydra's ConfigStore, with ``name`` filled in), and
the chosen node is checked against the dataclass and handed to the component as an instance of
it: components never read raw config keys.

Registering a component is one decorated dataclass::

    @ENCODERS.component("my_lstm", "my_package.encoder:MyLSTM")
    @dataclass
    class MyLSTMOptions(Options):
        hidden_size: int = option(200, ge=1, help="units per layer")

or, for an implementation whose options are plain keyword arguments,
``ENCODERS.register("my_lstm", "my_package.encoder:MyLSTM", config=MyLSTMOptions)``.

The built-ins register in light modules of their rooms (:attr:`Registry.builtins`, imported on
first use); third-party plugins through the entry-point group ``lstm_nlp.plugins`` or
``plugins_dir=DIR`` (:mod:`lstm_nlp.plugins`), loaded the first time a registry is asked.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, ClassVar

from lstm_nlp import plugins
from lstm_nlp.errors import ConfigError, RegistryError
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.validate import (
    check_schema,
    defaults_of,
    mapping_fields,
    options_from_node,
    plain,
)


@dataclass
class Entry:
    name: str
    target: Any  # the object, or a "module:attr" string resolved on first use
    schema: type | None = None  # the options dataclass, when the component declares one
    origin: str = "lstm_nlp"  # the package or plugin that registered it
    _resolved: Any = field(default=None, repr=False)

    def resolve(self) -> Any:
        if self._resolved is None:
            target = self.target
            self._resolved = import_dotted(target) if isinstance(target, str) else target
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

    def __init__(self, kind: str, group: str, builtins: tuple[str, ...] = ()) -> None:
        self.kind = kind  # "task", "encoder", "data source", ...
        self.group = group  # Hydra config group: "task", "encoder", "optim/scheduler", ...
        self.builtins = builtins  # light modules that register the built-in names
        self._entries: dict[str, Entry] = {}
        self._builtins_loaded = not builtins

    @property
    def package(self) -> str:
        """Where the chosen node sits in the composed config (``optim.scheduler``)."""
        return self.group.replace("/", ".")

    # -- registration ---------------------------------------------------------------------
    def register(
        self,
        name: str,
        target: Any = None,
        *,
        config: type | dict | None = None,
        origin: str | None = None,
    ) -> Any:
        """Register ``target`` (an object or ``"module:attr"``) under ``name``.

        Used as a decorator when ``target`` is omitted.  ``config`` is the options dataclass
        (its defaults become the Hydra node of ``group=name``; its rules are checked before a
        run starts) or, for a component without a schema, a plain dict of defaults.
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
                "choose another name"
            )
        schema, defaults, open_keys = None, config, []
        if is_dataclass(config):
            schema = config if isinstance(config, type) else type(config)
            check_schema(schema)
            defaults = defaults_of(schema) if config is schema else asdict(config)
            defaults.pop("name", None)
            open_keys = mapping_fields(schema)
        self._entries[name] = Entry(name, target, schema, origin or _origin(target))
        if defaults is not None:
            _store_config(self.group, name, {"name": name, **defaults}, open_keys)
        return target

    def component(self, name: str, target: Any, *, origin: str | None = None) -> Callable:
        """Decorator for an options dataclass: register ``target`` under ``name`` with it."""

        def decorator(schema: type) -> type:
            self.register(name, target, config=schema, origin=origin)
            return schema

        return decorator

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    # -- look-up ----------------------------------------------------------------------------
    def get(self, name: str) -> Any:
        return self.entry(name).resolve()

    def entry(self, name: str) -> Entry:
        self._load()
        if name not in self._entries:
            plugins.load_plugins()
        if name not in self._entries:
            raise RegistryError(self.unknown_message(name))
        return self._entries[name]

    def names(self) -> list[str]:
        self._load()
        plugins.load_plugins()
        return sorted(self._entries)

    def schema(self, name: str) -> type | None:
        return self.entry(name).schema

    def options(self, node: Mapping[str, Any], skip: tuple[str, ...] = ()) -> Any:
        """The chosen component's options from its config node (``node["name"]`` names it):
        an instance of its dataclass, checked; a plain dict for a component without one."""
        name = node.get("name")
        entry = self.entry(str(name))
        label = f"{self.kind} {name!r}"
        if entry.schema is None:
            return {k: v for k, v in plain(node).items() if k != "name" and k not in skip}
        return options_from_node(node, entry.schema, f"{self.package}.", label, skip=skip)

    def unknown_message(self, name: str) -> str:
        known = sorted(self._entries)
        msg = f"unknown {self.kind} {name!r}; known: {', '.join(known) or '(none)'}"
        close = difflib.get_close_matches(str(name), known, n=1)
        if close:
            msg += f". Did you mean {close[0]!r}?"
        broken = plugins.failed_plugins()
        if broken:
            msg += f" (plugins that failed to load: {', '.join(sorted(broken))})"
        else:
            msg += (
                " (third-party names come from packages with an 'lstm_nlp.plugins' entry point "
                "or from plugins_dir=DIR)"
            )
        return msg

    def _load(self) -> None:
        if not self._builtins_loaded:
            self._builtins_loaded = True
            for module in self.builtins:
                importlib.import_module(module)

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)


def _origin(target: Any) -> str:
    if isinstance(target, str):
        return target.partition(":")[0].split(".")[0]
    module = getattr(target, "__module__", None) or "unknown"
    return module.split(".")[0]


def _store_config(group: str | None, name: str, defaults: dict, open_keys: list[str]) -> None:
    """``defaults`` as Hydra's config ``group/name``; the mapping options in ``open_keys`` stay
    open to new keys (struct off), so ``KEY={a:1}`` and ``KEY.a=1`` work without ``+``."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import DictConfig, OmegaConf

    node: Any = defaults  # a plain dict where nothing is open: cheaper to store
    if open_keys:
        node = OmegaConf.create(defaults)
        for key in open_keys:
            if isinstance(node[key], DictConfig):  # null stays null
                OmegaConf.set_struct(node[key], False)
    ConfigStore.instance().store(group=group, name=name, node=node, provider="lstm_nlp")


def store_options(schema: type, name: str, group: str | None = None) -> None:
    """A Hydra config node holding ``schema``'s defaults, for options that are no registered
    component: a command's own options (``name="eval_options"``) or ``trainer/default``."""
    check_schema(schema)
    _store_config(group, name, defaults_of(schema), mapping_fields(schema))


TARGET_HELP = "the class to build (a dotted import path); its other arguments: +KEY=VALUE"


@dataclass
class TargetOptions(Options):
    """Options of a ``custom`` choice: the class to build (``_target_``) and, as ``more``, any
    keyword arguments given with ``+KEY=VALUE`` (``optim=custom``, ``logger=custom``, ...)."""

    more_keys: ClassVar[bool] = True
    _target_: str = option("???", help=TARGET_HELP)

    def node(self, **fixed: Any) -> dict[str, Any]:
        """What :func:`instantiate_target` builds: the target, ``fixed`` values, the extras."""
        return {"_target_": self._target_, **fixed, **self.more}


def instantiate_target(
    node: Mapping[str, Any], key: str, skip: tuple[str, ...] = (), **given: Any
) -> Any:
    """Build ``node["_target_"]`` (any importable class or function: the escape hatch of every
    registry) with the node's other keys and ``given``, by Hydra's instantiate; one line naming
    ``key`` when that fails."""
    from hydra.errors import InstantiationException
    from hydra.utils import instantiate

    if not isinstance(node.get("_target_"), str) or node["_target_"] == "???":
        raise ConfigError(f"{key}._target_ is required: the class to build (a dotted import path)")
    kwargs = {k: v for k, v in node.items() if k not in ("name", *skip)}
    try:
        return instantiate(kwargs, **given)
    except InstantiationException as err:
        cause = err.__cause__ or err
        text = str(cause).strip()
        reason = text.splitlines()[-1] if text else type(cause).__name__
        raise ConfigError(f"{key}: cannot build {node['_target_']}: {reason}") from None


TASKS = Registry("task", "task", ("lstm_nlp.tasks.options",))
ENCODERS = Registry("encoder", "encoder", ("lstm_nlp.modules.options",))
DATA_SOURCES = Registry(
    "data source",
    "data",
    ("lstm_nlp.text.sources", "lstm_nlp.grammar.source", "lstm_nlp.text.hub_source"),
)
OPTIMIZERS = Registry("optimizer", "optim", ("lstm_nlp.tasks.optim",))
SCHEDULERS = Registry("learning-rate schedule", "optim/scheduler", ("lstm_nlp.tasks.optim",))
LOGGERS = Registry("logger", "logger", ("lstm_nlp.report.loggers",))
CURVES = Registry("learning curve", "agreement", ("lstm_nlp.training.options",))
EVAL_SOURCES = Registry(
    "evaluation source", "source", ("lstm_nlp.evaluation.sources", "lstm_nlp.evaluation.readers")
)

REGISTRIES: dict[str, Registry] = {
    r.group: r
    for r in (TASKS, ENCODERS, DATA_SOURCES, OPTIMIZERS, SCHEDULERS, LOGGERS, CURVES, EVAL_SOURCES)
}


def load_builtins() -> None:
    """Register every built-in component (their options go to Hydra's ConfigStore)."""
    for registry in REGISTRIES.values():
        registry._load()


def nested_groups(registry: Registry) -> tuple[str, ...]:
    """Keys of ``registry``'s node that are config groups of their own (``optim.scheduler``)."""
    prefix = registry.package + "."
    return tuple(
        r.package[len(prefix) :] for r in REGISTRIES.values() if r.package.startswith(prefix)
    )


def check_components(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """Check every registered group chosen in a composed config; ``{group: options}``."""
    from omegaconf import OmegaConf

    chosen = {}
    for group, registry in REGISTRIES.items():
        node = OmegaConf.select(cfg, registry.package) if OmegaConf.is_config(cfg) else None
        if node is not None and not isinstance(node, Mapping):
            raise ConfigError(
                f"{registry.package}={node}: {registry.package} is a config group; choose it "
                f"with {group}={node}"
            )
        if isinstance(node, Mapping) and "name" in node:
            chosen[group] = registry.options(node, skip=nested_groups(registry))
    return chosen


plugins.count_registrations_with(lambda: sum(len(r) for r in REGISTRIES.values()))
