"""Diagnosis of "TikTok won't let me send messages": knowledge base and engine.

Plain Python (numpy, PyYAML, spaCy); no Rasa imports.
"""
