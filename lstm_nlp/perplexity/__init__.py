"""Perplexity of any text under a trained language model (``lstm-nlp-ppl``), with the neural
cache pointer (Grave et al. 2017) and dynamic evaluation (Krause et al. 2018)."""
