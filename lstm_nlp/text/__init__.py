"""Text handling without Lightning or Hydra: corpus readers, tokenizer/vocabulary, token streams."""
