"""Custom Rasa NLU components: the language reader, the intent reader (every language) and the
pretrained sentence encoder (numpy) that gives a second opinion on English when it is unsure; the
fact, outcome and question readers, learned from examples (kept in the model the same way,
persisted.py); the clause splitter they use."""

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
