"""What an evaluation source reads: a :class:`TestSet`, and the options every source shares.

A source (``lstm-nlp-eval source=NAME path=PATH``) turns a file or folder in its native format
into a test set:

* minimal pairs (:class:`~lstm_nlp.evaluation.pairs.PairItem`): a sentence pair (BLiMP, Marvin
  & Linzen) or a prefix pair (Lakretz: the prefix, then the right and the wrong verb);
* targets in a running text (Gulordava, Linzen's LM form): ``text`` holds the file's lines,
  each item is a prefix pair whose ``line`` indexes ``text`` (the prefix is that line's words
  before the target; the stream protocols read the whole text, state carried across lines);
* SyntaxGym suites (:mod:`lstm_nlp.evaluation.syntaxgym`): items with conditions and regions.

Its options dataclass (a subclass of :class:`SourceOptions`, registered on ``EVAL_SOURCES``)
declares the source's default protocol, its default groups and how ``source=auto`` recognises
its files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from lstm_nlp.errors import ConfigError
from lstm_nlp.schema import Options


@dataclass
class TestSet:
    """The items of one benchmark set, in file order."""

    __test__: ClassVar[bool] = False  # not a pytest class

    items: list[Any]
    text: list[list[str]] | None = None  # stream sets: each line's words (its <eos> included)
    name: str = ""  # the benchmark ("blimp", "gulordava", ...): the published column's key
    info: dict[str, Any] = field(default_factory=dict)  # per-set facts (suites' predictions, ...)


@dataclass
class SourceOptions(Options):
    """Base of every evaluation source's options dataclass."""

    protocol: ClassVar[str] = "plain"  # the protocol its paper used (``protocol=null``)
    group_by: ClassVar[tuple[str, ...]] = ()  # groups reported by default (``file`` is always)
    benchmark: ClassVar[str] = ""  # the key of its published numbers
    targets: ClassVar[str] = ""  # "verb": every compared word is a verb (its number tells)

    @classmethod
    def recognises(cls, path: Path) -> bool:
        """Whether ``path`` (a file, or a folder's own files) is in this source's format, for
        ``source=auto``; cheap (file names, at most a first line)."""
        return False


def check_source_name(name: str, key: str = "source") -> None:
    """A one-line error unless ``name`` is a registered evaluation source (or ``auto``)."""
    from lstm_nlp.registry import EVAL_SOURCES
    from lstm_nlp.schema.validate import did_you_mean

    names = tuple(EVAL_SOURCES.names())
    if name not in names:
        raise ConfigError(
            f"{key} must be an evaluation source ({', '.join(names)}), got "
            f"{name!r}{did_you_mean(name, names)}"
        )
