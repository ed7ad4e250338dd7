"""The dialogue policy (config.yml): Rasa's rule policy, with this project's one rule answered
directly (respond.py)."""
