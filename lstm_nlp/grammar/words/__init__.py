"""Raw word lists of the grammar's lexicon, as whitespace-separated strings.

An entry is a base form, optionally followed by ``|`` and irregular forms:
nouns ``singular|plural`` (``man|men``); verbs ``base|past`` or ``base|past|3sg``
(``run|ran``, ``stop|stopped``).  Regular forms are derived by
:mod:`lstm_nlp.grammar.morphology`.  :mod:`lstm_nlp.grammar.lexicon` parses them.
"""
