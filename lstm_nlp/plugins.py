"""Loading third-party plugins: entry points in the group ``lstm_nlp.plugins`` and local folders.

An entry point names a module or a callable.  Importing the module (or calling the
callable, with no argument) registers the plugin's tasks, encoders and data sources.
Each plugin is loaded on its own: one that fails is reported by name (a warning,
and in :func:`failed_plugins`) and the others, and the built-ins, keep working.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from importlib.metadata import entry_points
from pathlib import Path

from lstm_nlp.errors import ConfigError

GROUP = "lstm_nlp.plugins"

_loaded_entry_points = False
_failed: dict[str, str] = {}
_loaded: dict[str, str] = {}  # plugin name -> what it was loaded from
_loaded_dirs: set[Path] = set()


class PluginWarning(UserWarning):
    pass


def failed_plugins() -> dict[str, str]:
    """Plugin name -> one-line reason, for every plugin that failed to load."""
    return dict(_failed)


def loaded_plugins() -> dict[str, str]:
    return dict(_loaded)


def _report(name: str, source: str, exc: BaseException) -> None:
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    _failed[name] = reason
    warnings.warn(
        f"lstm-nlp: plugin {name!r} ({source}) failed to load and is skipped: {reason}",
        PluginWarning,
        stacklevel=3,
    )


def load_plugins() -> None:
    """Load every installed entry-point plugin once (later calls do nothing)."""
    global _loaded_entry_points
    if _loaded_entry_points:
        return
    _loaded_entry_points = True
    for ep in entry_points(group=GROUP):
        if ep.name in _loaded or ep.name in _failed:
            continue
        try:
            obj = ep.load()
            if callable(obj):
                obj()
            _loaded[ep.name] = ep.value
        except Exception as exc:  # a broken plugin must never take the others down
            _report(ep.name, ep.value, exc)


def load_plugins_dir(folder: str | Path) -> list[str]:
    """Import every ``*.py`` module (and package) in ``folder``; returns the names loaded."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(f"plugins_dir: {str(path)!r} is not a folder")
    if path in _loaded_dirs:
        return []
    _loaded_dirs.add(path)
    names = []
    candidates = sorted(
        p
        for p in path.iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").is_file())
        and not p.name.startswith(("_", "."))
    )
    for file in candidates:
        name = file.stem if file.suffix == ".py" else file.name
        module_name = f"lstm_nlp_local_plugins.{name}"
        location = file if file.suffix == ".py" else file / "__init__.py"
        try:
            spec = importlib.util.spec_from_file_location(module_name, location)
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
            _loaded[name] = str(location)
            names.append(name)
        except Exception as exc:
            sys.modules.pop(module_name, None)
            _report(name, str(location), exc)
    return names
