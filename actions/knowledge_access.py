"""One knowledge base, engine and answer matcher per process, built on first use."""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from troubleshooter.engine import Engine
from troubleshooter.knowledge import DEFAULT_DIR, KnowledgeBase, load_knowledge_base
from troubleshooter.meaning import AnswerMatcher

CACHE = DEFAULT_DIR.parent / "build" / "cache"
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base(os.environ.get("TROUBLESHOOTER_KB", DEFAULT_DIR))


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(knowledge_base())


@lru_cache(maxsize=1)
def answer_matcher() -> AnswerMatcher | None:
    """Answers stated in other words, read with the sentence encoder (loaded on first use);
    None when the encoder can't be loaded: answers are then read from cues and the NLU only."""
    try:
        from nlu.minilm import WEIGHTS_SHA256, MiniLM

        return AnswerMatcher(knowledge_base(), MiniLM().embed, CACHE, WEIGHTS_SHA256)
    except Exception:
        logger.exception("answers in other words are not read: the sentence encoder could not be loaded")
        return None


def answer_meaning(evidence: str, text: str) -> tuple[str | None, float]:
    """The `Meaning` the turn reader asks only when a reply has no answer word."""
    matcher = answer_matcher()
    if matcher is None:
        return None, 0.0
    try:
        return matcher.answer(evidence, text)
    except Exception:
        logger.exception("could not read %r as an answer in other words", text)
        return None, 0.0
