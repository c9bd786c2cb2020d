"""Language-model training benchmarks (run from scripts/: python -m lm_bench.<name>)."""
