"""Custom Rasa NLU components: a pretrained sentence encoder (numpy) and the intent classifier
that uses it when DIET is unsure; the fact reader and the outcome reader, learned from examples
(kept in the model the same way, persisted.py); the clause splitter they use."""

from __future__ import annotations

import hashlib
from pathlib import Path

_HERE = Path(__file__).parent


def code_fingerprint(*extra: Path) -> str:
    """A hash of this package's code (and `extra` files a component reads): Rasa's training cache
    keys a trained component on its config and data only, so a changed component must say so."""
    h = hashlib.sha256()
    for path in [*sorted(_HERE.glob("*.py")), *extra]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
