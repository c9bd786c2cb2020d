"""Runs at a glance: the runs under a folder (a sweep's members too) as one table.

``lstm-nlp-runs DIR`` (:mod:`lstm_nlp.cli.runs`) and the summary a ``-m`` sweep leaves in its
folder (:mod:`.sweep_summary`, a Hydra callback) are the same table:

- :mod:`.discover` finds the run folders under a folder;
- :mod:`.status` says whether a run finished, was interrupted, failed or is running;
- :mod:`.commands` reads a run's ``commands.jsonl`` (who trained it, when);
- :mod:`.curves` reads a run's learning curves (``report/history.json`` or a CSV logger's file);
- :mod:`.record` reads one run into a :class:`~.record.Run`;
- :mod:`.table` picks the settings that differ and the metrics, and sorts;
- :mod:`.render` writes the table as text, Markdown or JSON; :mod:`.plots` and :mod:`.html` draw;
- :mod:`.summary` writes a sweep's ``summary.{md,json,png}``.

Nothing here imports torch or Lightning: the listing is fast on a login node.
"""
