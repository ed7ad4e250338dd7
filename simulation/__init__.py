"""Simulated users: one in-process loop against the engine, one driver over REST,
and the users they play (scripted cases, typed personas, a sampled population)."""
