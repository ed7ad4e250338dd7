"""rasa_sdk actions: thin adapters between Rasa trackers and the diagnosis engine."""
