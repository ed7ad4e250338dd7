"""An answer stated in other words: "their page loads fine" to "can you still
see their profile?" is a yes. The reply is compared with the knowledge base's
phrases for the pending question's yes and no; it counts only when it is close
to one side and clearly closer to it than to the other. `embed` maps texts to
unit vectors (the adapter passes the sentence encoder), so this stays testable
without one."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .knowledge import KnowledgeBase

Embed = Callable[[list[str]], np.ndarray]
CLOSE = 0.45  # cosine similarity to the nearest phrase
MARGIN = 0.1  # ... and this much closer than to the other answer's phrases


class AnswerMatcher:
    def __init__(self, kb: KnowledgeBase, embed: Embed, cache: Path | None = None, model_id: str = ""):
        self.embed = embed
        self.labels = [
            (eid, answer) for eid, ev in kb.evidence.items() for answer, ps in ev.phrases.items() for _ in ps
        ]
        self.phrases = [p for ev in kb.evidence.values() for ps in ev.phrases.values() for p in ps]
        self.vectors = _vectors(self.phrases, embed, cache, model_id)
        self.rows: dict[tuple[str, str], np.ndarray] = {}
        for i, key in enumerate(self.labels):
            self.rows.setdefault(key, [])
            self.rows[key].append(i)
        self.rows = {k: np.array(v) for k, v in self.rows.items()}

    def answer(self, evidence: str, text: str) -> tuple[str | None, float]:
        """("yes" | "no" | None, similarity) for `text` as a reply to the question `evidence`."""
        if not text.strip() or evidence not in {e for e, _ in self.rows}:
            return None, 0.0
        v = self.embed([text])[0]
        best: dict[str, tuple[float, int]] = {}
        for a in ("yes", "no"):
            rows = self.rows.get((evidence, a))
            if rows is not None:
                sims = self.vectors[rows] @ v
                best[a] = (float(sims.max()), int(rows[int(sims.argmax())]))
        if not best:
            return None, 0.0
        value = max(best, key=lambda a: best[a][0])
        score, row = best[value]
        other = best.get("no" if value == "yes" else "yes", (0.0, -1))[0]
        # Sentence vectors barely notice "not": the reply and its nearest phrase must agree on negation.
        if score < CLOSE or score - other < MARGIN or negated(text) != negated(self.phrases[row]):
            return None, score
        return value, score


_NEGATION = re.compile(
    r"\b(no|not|never|none|nothing|nobody|neither|nor|without)\b|n't\b|\b(dont|cant|wont|didnt|"
    r"doesnt|isnt|havent|aint)\b"
)


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text.lower().replace("’", "'")))


def _vectors(phrases: list[str], embed: Embed, cache: Path | None, model_id: str) -> np.ndarray:
    """The phrases' vectors, kept in `cache` (keyed by the model and the phrases) between starts;
    a cache that can't be read or written is only a slower start."""
    key = hashlib.sha256("\n".join([model_id, *phrases]).encode()).hexdigest()[:16]
    path = cache / f"answer-phrases-{key}.npy" if cache else None
    try:
        if path is not None and path.is_file():
            vectors = np.load(path)
            if vectors.shape[0] == len(phrases):
                return vectors
    except (OSError, ValueError):
        pass
    vectors = embed(phrases)
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
    except OSError:
        pass
    return vectors
