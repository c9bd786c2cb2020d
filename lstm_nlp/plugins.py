"""Loading third-party plugins: entry points in the group ``lstm_nlp.plugins`` and local folders.

Both routes behave alike: the plugin's module is imported, and if it defines (or, for an entry
point, names) a callable ``register``, that is called with no argument.  Its registrations
(tasks, encoders, data sources, ...) then sit in :mod:`lstm_nlp.registry` beside the built-ins.
Each plugin is loaded on its own: one that fails is reported by name in one line (a
:class:`PluginWarning`, and in :func:`failed_plugins`) and the others, and the built-ins, keep
working; one that registers nothing is reported too.

A folder (``plugins_dir=DIR``) is put on ``sys.path``, so its modules import each other and a
lazy registration such as ``TASKS.register("x", "my_module:build")`` finds ``my_module``.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from lstm_nlp.errors import ConfigError, LstmNlpWarning

GROUP = "lstm_nlp.plugins"

_loaded_entry_points = False
_failed: dict[str, str] = {}
_loaded: dict[str, str] = {}  # plugin name -> what it was loaded from
_loaded_dirs: set[Path] = set()
_count: Callable[[], int] = lambda: 0  # noqa: E731 - the registry installs its own


HOW_TO_REGISTER = (
    "call e.g. TASKS.register(...) when the module is imported, or in a function named register()"
)


class PluginWarning(LstmNlpWarning):
    pass


def count_registrations_with(count: Callable[[], int]) -> None:
    """The registry hands over how to count what is registered (to notice an idle plugin)."""
    global _count
    _count = count


def failed_plugins() -> dict[str, str]:
    """Plugin name -> one-line reason, for every plugin that failed to load."""
    return dict(_failed)


def loaded_plugins() -> dict[str, str]:
    return dict(_loaded)


def _warn(message: str) -> None:
    warnings.warn(f"lstm-nlp: {message}", PluginWarning, stacklevel=3)


def _load(name: str, source: str, load: Callable[[], object], idle_warning: bool = True) -> bool:
    """Run one plugin's ``load``; report a failure or (``idle_warning``) a plugin that registers
    nothing."""
    before = _count()
    try:
        obj = load()
        register = obj if callable(obj) else getattr(obj, "register", None)
        if callable(register):
            register()
    except (Exception, SystemExit) as exc:  # a broken plugin must never take the others down
        reason = failure_reason(exc)
        _failed[name] = reason
        _warn(f"plugin {name!r} ({source}) failed to load and is skipped: {reason}")
        return False
    _loaded[name] = source
    if idle_warning and _count() == before:
        _warn(f"plugin {name!r} ({source}) registered nothing: {HOW_TO_REGISTER}")
    return True


def failure_reason(exc: BaseException) -> str:
    """Why a plugin failed, in one line (a plugin that calls ``sys.exit`` would otherwise end the
    command, quietly, before it did anything)."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r}) while loading"
    return (f"{type(exc).__name__}: {exc}".splitlines() or [type(exc).__name__])[0]


def load_plugins() -> None:
    """Load every installed entry-point plugin once (later calls do nothing)."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in entry_points(group=GROUP):
        if ep.name not in _loaded and ep.name not in _failed:
            _load(ep.name, ep.value, ep.load)


def load_plugins_dir(folder: str | Path) -> list[str]:
    """Import every ``*.py`` module (and package) in ``folder``; returns the names loaded."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"plugins_dir: {str(path)!r} is not a folder")
    if path in _loaded_dirs:
        return []
    _loaded_dirs.add(path)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    names, before = [], _count()
    for file in sorted(path.iterdir()):
        is_module = file.suffix == ".py" or (file / "__init__.py").is_file()
        if not is_module or file.name.startswith(("_", ".")):
            continue
        name = file.stem if file.suffix == ".py" else file.name
        load = lambda name=name, file=file: _import_from(name, file)  # noqa: E731
        if _load(name, str(file), load, idle_warning=False):  # a folder may hold helper modules
            names.append(name)
    if names and _count() == before:
        _warn(
            f"plugins_dir {str(path)!r}: none of its modules registered anything: {HOW_TO_REGISTER}"
        )
    return names


def _import_from(name: str, file: Path) -> ModuleType:
    """Import ``name`` from the plugins folder, refusing a name an installed module already has."""
    module = sys.modules.get(name) or importlib.import_module(name)
    origin = Path(getattr(module, "__file__", "") or "").resolve()
    if origin not in (file.resolve(), (file / "__init__.py").resolve()):
        raise ImportError(
            f"the name {name!r} is taken by {origin or 'a built-in module'}; rename it"
        )
    return module
