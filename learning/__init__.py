"""Learning the knowledge base's probabilities from finished episodes (`make learn`):
estimation (EM), calibration, a known-truth demonstration."""
