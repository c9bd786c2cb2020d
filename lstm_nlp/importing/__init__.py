"""``lstm-nlp-import``: published LSTM language models (pytorch/examples word_language_model,
colorlessgreenRNNs, AWD-LSTM) as lstm-nlp checkpoints, read without running their code."""
