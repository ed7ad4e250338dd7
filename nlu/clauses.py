"""A message cut into the clauses that may each say something of their own: "done, it sent —
do I still need the OS update?" is a fix result and a question. The sentence classifier reads
each clause (nlu/sentence_intents.py); the turn reader uses what they ask (reading.py)."""

from __future__ import annotations

import re

MAX_CLAUSES = 4
MIN_WORDS = 2  # a shorter piece stays with its neighbour ("ok. thanks" is one thing)
MIN_JOINED_WORDS = 4  # ... and a piece cut at a comma before a joining word, that word included ("..., and now this")
# sentence ends (an emoji ends one as a full stop does: "it sent 🙏 but will they ban me"), dashes,
# semicolons, line breaks, "btw"; "but" / "also" without a comma only when a question follows ("no vpn
# but can a vpn get me banned?"), never inside a statement ("i follow him but idk if ...")
_QUESTION = r"(?:can|could|is|are|do|does|did|will|would|should|how|what|why|when|where|who)\b"
_EMOJI = "\u2600-\u27bf\U0001f300-\U0001faff\ufe0f"
# a comma before a joining word, in each language, ends a clause too ("só ele sim, e ainda vejo o
# perfil": an answer and a fact); without the comma the words stay one statement ("mas de 3 veces"
# is Spanish "más" without its accent)
_JOIN = r"(?:and|but|e|mas(?!\s+(?:de|del|\d))|y|pero|dan|tapi|tp)\s"
_CUT = re.compile(
    rf"(?<=[.?!{_EMOJI}])\s+|\s+[—–-]+\s+|;\s*|\n+|,?\s+(?=btw\b)|,?\s+(?=(?:but|also|and also)\s+{_QUESTION})"
    rf"|(?P<join>,\s*(?={_JOIN}))",
    re.IGNORECASE,
)


def _spans(text: str) -> list[tuple[int, int, bool]]:
    """Where the pieces between the cuts start and end in `text` (empty ones left out), and whether
    each was cut at a comma before a joining word (not ", but why?": that cut is a question's)."""
    spans, start, joined = [], 0, False
    for m in _CUT.finditer(text):
        spans.append((start, m.start(), joined))
        start, joined = m.end(), m.lastgroup == "join"
    spans.append((start, len(text), joined))
    return [(a, b, joined) for a, b, joined in spans if text[a:b].strip(" ,")]


def clauses(text: str) -> list[str]:
    """The clauses of `text`, in order (one when it cannot be cut), at most MAX_CLAUSES. A piece too
    short to stand alone is glued to its neighbour with a space, or with its comma when it was cut
    before a joining word ("não, e eu uso vpn" keeps its comma for the fact reader's pieces)."""
    text = text or ""
    merged: list[str] = []
    for a, b, joined in _spans(text):
        piece = text[a:b].strip(" ,")
        least = MIN_JOINED_WORDS if joined else MIN_WORDS
        if merged and (len(piece.split()) < least or len(merged[-1].split()) < MIN_WORDS):
            merged[-1] = f"{merged[-1]}{', ' if joined else ' '}{piece}"
        else:
            merged.append(piece)
    if len(merged) > MAX_CLAUSES:
        merged = [*merged[: MAX_CLAUSES - 1], " ".join(merged[MAX_CLAUSES - 1 :])]
    return merged or [text]
