"""Held-out evaluation sets (tests/wild/, tests/nlu/) and how they are scored against the running assistant."""
