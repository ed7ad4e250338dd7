"""NLU components at the edge: a pretrained sentence encoder (numpy) and the
Rasa graph component that uses it when DIET is unsure."""
