"""The per-run report: ``RUN_DIR/report.md`` and a self-contained ``RUN_DIR/report.html``.

Config summary, parameter counts, learning curves, agreement accuracy by attractor count and
category, and the final metrics, with PNG plots in ``RUN_DIR/report/``. Readable without a
dashboard server and the same for every ``logger=`` choice: the learning curves come from
:class:`~lstm_nlp.report.history.TrainingHistory`, not from a logger's files.

The runner adds :class:`~lstm_nlp.report.history.TrainingHistory` to the trainer and calls
:func:`~lstm_nlp.report.write.write_run_report` on rank 0 once ``metrics.json`` is written (an
interrupted run writes no report).
"""
