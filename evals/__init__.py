"""Evals for answer correctness and safety."""
