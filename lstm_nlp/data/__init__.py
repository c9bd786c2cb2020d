"""Batching: contiguous LM streams for truncated BPTT, padded sentence batches."""
