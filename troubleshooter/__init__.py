"""The running assistant's core: the knowledge base, the diagnosis state, the engine
(belief, questions, fix order), reading a turn in context, the dialogue, and what
the bot says. Plain Python (numpy, PyYAML, spaCy); no Rasa imports.

Imports run one way: this core <- adapters (actions/, nlu/) <- edges (channels/,
scaleout/, analytics/, learning/, simulation/, evaluation/, harness/, bench/).
"""
