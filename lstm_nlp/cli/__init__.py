"""Thin Hydra entry points: parse, build, run. No training logic lives here."""
