"""A message cut into the clauses that may each say something of their own: "done, it sent —
do I still need the OS update?" is a fix result and a question. The sentence classifier reads
each clause (nlu/sentence_intents.py); the turn reader uses what they ask (reading.py)."""

from __future__ import annotations

import re

MAX_CLAUSES = 4
MIN_WORDS = 2  # a shorter piece stays with its neighbour ("ok. thanks" is one thing)
# sentence ends (an emoji ends one as a full stop does: "it sent 🙏 but will they ban me"), dashes,
# semicolons, line breaks, "btw"; "but" / "also" only when a question follows ("no vpn, but can a
# vpn get me banned?"), never inside a statement ("i follow him but idk if ...")
_QUESTION = r"(?:can|could|is|are|do|does|did|will|would|should|how|what|why|when|where|who)\b"
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff\ufe0f"
# a comma before a joining word, in each language, ends a clause too ("só ele sim, e ainda vejo o
# perfil": an answer and a fact); without the comma the words stay one statement
_JOIN = r"(?:and|but|e|mas|y|pero|dan|tapi|tp)\b"
_CUT = re.compile(
    rf"(?<=[.?!{_EMOJI}])\s+|\s+[—–-]+\s+|;\s*|\n+|,?\s+(?=btw\b)|,?\s+(?=(?:but|also|and also)\s+{_QUESTION})"
    rf"|,\s+(?={_JOIN})",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    """The clauses of `text`, in order (one when it cannot be cut), at most MAX_CLAUSES."""
    pieces = [p.strip(" ,") for p in _CUT.split(text or "") if p and p.strip(" ,")]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(piece.split()) < MIN_WORDS or len(merged[-1].split()) < MIN_WORDS):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    if len(merged) > MAX_CLAUSES:
        merged = [*merged[: MAX_CLAUSES - 1], " ".join(merged[MAX_CLAUSES - 1 :])]
    return merged or [text]
