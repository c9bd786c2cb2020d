"""The base of every options dataclass: checked on construction, with rules across fields.

Subclasses are plain dataclasses whose fields come from :func:`~lstm_nlp.schema.option`::

    @dataclass
    class MyTaskOptions(Options):
        hidden: int = option(64, ge=1, help="units of the classifier's hidden layer")

        def check(self) -> None:  # optional: rules that span fields
            ...

``MyTaskOptions(hidden=0)`` raises ``ConfigError: hidden must be an integer >= 1, got 0``, the
same rule and words the command line gets (there as ``task.hidden ...``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from lstm_nlp.errors import ConfigError
from lstm_nlp.schema.rules import option
from lstm_nlp.schema.validate import MISSING_VALUE, coerce, field_problem, type_hints


class Options:
    """Mixin for option dataclasses: field rules checked in ``__post_init__``, then ``check()``.

    ``more_keys = True`` (a class attribute) opens the schema: keys it does not name are kept in
    ``more`` (``optim=custom``'s keyword arguments for its ``_target_``) instead of refused.
    """

    more_keys: ClassVar[bool] = False
    more: ClassVar[dict[str, Any]] = {}  # per instance when more_keys; read-only otherwise

    def __post_init__(self) -> None:
        hints = type_hints(type(self))
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, str) and value == MISSING_VALUE:
                continue  # required: the component says so when it needs the value
            problem = field_problem(f, value, hints[f.name])
            if problem:
                raise ConfigError(problem)
            object.__setattr__(self, f.name, coerce(value, hints[f.name]))
        self.check()

    def check(self) -> None:
        """Rules that span several fields; raise :class:`ConfigError` naming them."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass
class CommandOptions(Options):
    """What every command takes besides its own options."""

    plugins_dir: str | None = option(
        None,
        help="a folder of plugin modules to load first (its modules named _x: only when used)",
    )
