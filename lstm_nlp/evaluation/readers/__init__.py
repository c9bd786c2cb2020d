"""Readers of the field's agreement test sets, each in the format its authors published.

Importing this package registers every built-in evaluation source (``lstm-nlp-eval
source=NAME``): ``blimp``, ``marvin_linzen``, ``gulordava``, ``linzen``, ``lakretz`` and
``syntaxgym``.  Each is an options dataclass (a :class:`~lstm_nlp.evaluation.testset.
SourceOptions`: its paper's protocol, its default groups, the key of its published numbers and
how ``source=auto`` recognises its files) and a ``read(options, path) -> TestSet``.  Every
malformed line is one :class:`~lstm_nlp.errors.DataError` naming ``file:line``.
"""

from lstm_nlp.evaluation.readers import (  # noqa: F401  (registration)
    blimp,
    gulordava,
    lakretz,
    linzen_lm,
    marvin_linzen,
    syntaxgym,
)
