"""Looking inside a trained LSTM language model (``lstm-nlp-inspect``).

* :mod:`~lstm_nlp.insight.states`: a checkpoint's LSTM as a :class:`ReferenceLSTM`, and its gates,
  cells and hidden states for given sentences;
* ``mode=gates``: :mod:`~lstm_nlp.insight.gates` (the JSON record), :mod:`~lstm_nlp.insight.heatmap`
  (the PNGs), run by :mod:`~lstm_nlp.insight.mode_gates`;
* ``mode=units``: :mod:`~lstm_nlp.insight.agreement_items` (the suite and its landmarks),
  :mod:`~lstm_nlp.insight.ranking` (AUC per unit), :mod:`~lstm_nlp.insight.ablation` (cutting a unit
  out), :mod:`~lstm_nlp.insight.suffix_scoring` (scoring the suite fast, many times),
  :mod:`~lstm_nlp.insight.units` (rank, ablate, name), :mod:`~lstm_nlp.insight.unit_report` and
  :mod:`~lstm_nlp.insight.unit_plots` (files and pictures), run by
  :mod:`~lstm_nlp.insight.mode_units`;
* ``mode=probe``: :mod:`~lstm_nlp.insight.probe` (diagnostic classifiers),
  :mod:`~lstm_nlp.insight.probe_plot`, run by :mod:`~lstm_nlp.insight.mode_probe`;
* :mod:`~lstm_nlp.insight.images_to_loggers`: the same pictures into TensorBoard or W&B;
  :mod:`~lstm_nlp.insight.options`: the checks of the command's options.

``modules/`` stays free of this package; nothing here imports Lightning at module level, and
matplotlib is imported inside the plotting functions.
"""
