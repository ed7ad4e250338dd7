"""One engine and one evidence extractor per process, built on first use."""
from __future__ import annotations

import os
from functools import lru_cache

from troubleshooter.engine import Engine
from troubleshooter.extract import EvidenceExtractor
from troubleshooter.knowledge import DEFAULT_DIR, KnowledgeBase, load_knowledge_base
from troubleshooter.meaning import AnswerMatcher

CACHE = DEFAULT_DIR.parent / "build" / "cache"


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base(os.environ.get("TROUBLESHOOTER_KB", DEFAULT_DIR))


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(knowledge_base())


@lru_cache(maxsize=1)
def extractor() -> EvidenceExtractor:
    return EvidenceExtractor(knowledge_base())


@lru_cache(maxsize=1)
def answer_matcher() -> AnswerMatcher:
    """Answers stated in other words, read with the sentence encoder (loaded on first use)."""
    from nlu.minilm import MiniLM

    return AnswerMatcher(knowledge_base(), MiniLM().embed, CACHE)
