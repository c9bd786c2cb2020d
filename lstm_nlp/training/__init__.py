"""The training runner and its runtime parts.

:mod:`~lstm_nlp.training.runner` fits, validates and tests a task and writes ``metrics.json``;
the other modules are the parts it assembles: the trainer and its callbacks
(:mod:`~lstm_nlp.training.trainer`), checkpoints and exact resume, signals, periodic saves, the
random generators' state, the non-finite-loss guard, progress and the console lines, and the
checks of a composed config that run before anything starts.  Nothing here is imported by the
rooms below it (tasks, data, modules, text, ...).
"""
