"""Evaluation and benchmarks (`make bench`)."""
