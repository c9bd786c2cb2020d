"""lstm-nlp: a plugin-based NLP training framework for LSTM models."""

__version__ = "0.2.0"
