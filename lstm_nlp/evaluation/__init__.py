"""Evaluation: minimal-pair scoring, breakdown tables, plots (see the agreement issue)."""
