"""Pickles of plain data only (Marvin & Linzen's template files), read without running code.

A pickle can name any importable callable and call it while loading (a global, a class, a
``__reduce__``), so a pickle from elsewhere is a program.  :class:`PlainUnpickler` refuses every
such name: every global, class, reduce and extension code goes through ``find_class``, which
refuses them all, and persistent ids have no loader.  What is left builds only the containers
and scalars the pickle opcodes make themselves: dicts, lists, tuples, sets, strings, bytes,
numbers, booleans and None.  A refused or broken pickle is a one-line :class:`DataError` naming
the file, raised before anything it names is imported.

Python 2 pickles (``S'...'`` strings, as LM_syneval's are) are read with their byte strings
decoded as UTF-8.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, NoReturn

from lstm_nlp.errors import DataError

ALLOWED = "only dicts, lists, tuples, sets, strings, bytes, numbers, booleans and None"


class RefusedGlobal(pickle.UnpicklingError):
    """A pickle that names a global (a function, a class): refused, not imported."""


class PlainUnpickler(pickle.Unpickler):
    """An unpickler that builds plain data and refuses every global."""

    def find_class(self, module: str, name: str) -> NoReturn:
        raise RefusedGlobal(f"it names {module}.{name}")


def load_plain(path: Path) -> Any:
    """The plain data pickled in ``path``; anything else is a :class:`DataError`."""
    try:
        with path.open("rb") as f:
            return PlainUnpickler(f, encoding="utf-8").load()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
    except RefusedGlobal as e:
        raise DataError(
            f"{path}: refused to load the pickle: {e}, and {ALLOWED} may be loaded "
            "(nothing in it was run)"
        ) from None
    except Exception as e:  # noqa: BLE001  # a malformed pickle fails in many ways
        detail = " ".join(str(e).split()) or type(e).__name__
        raise DataError(f"{path}: not a readable pickle ({detail})") from None
