"""Evals: is the copilot right? Cases as data, ground truth in SQL, τ-style state checks."""
