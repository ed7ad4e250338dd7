"""The intent of every message, in every language, learned from the intent examples.

A logistic regression over word n-grams with negation scope and character n-grams (the features
of the fact and outcome readers), trained on the intent examples of every language: the parse
result's `intent` and `intent_ranking`, and for a message of several clauses each clause's best
intents (CLAUSES), so that "no nada. oye, tiktok esta caido?" answers the question in one clause
and asks another. When it is unsure of an English message or clause, the sentence encoder gives
a second opinion (sentence_intents.py); it was trained on English only.

Measured against the DIET classifier it replaced (model dd31617, wild NLU sets): as accurate in
English (with the encoder's second opinion 93.4 / 91.2 / 91.3 against 92.6 / 90.0 / 89.8 on
dev / check / sealed), 2-8 points more accurate in Spanish, Portuguese and Indonesian, its
confidences spread as DIET's were (the turn reader's thresholds keep their meaning), and trained
in a minute instead of seven (12,600 examples later: 154 s with lbfgs, 65 s with regression.py's
solver)."""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from . import code_fingerprint
from .clauses import clauses
from .outcomes import fit
from .persisted import READ_AT_MOST, PersistedReader, typed
from .sentence_intents import CLAUSE_RANKING, CLAUSES

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentReader(PersistedReader):
    """Sets `intent` and `intent_ranking` of every typed message, and CLAUSES (each clause's best
    intents) of a message of several clauses."""

    FILE = "intents.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # every word n-gram is kept: leaving out those of one example only fitted in 99 s instead of
        # 150 (lbfgs) but typed users resolved fewer (README, training time, 2026-12-07)
        return {"C": 10.0, "ranking_length": 10}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        return code_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("IntentReader: too few intents to learn from; no intent will be read")
            return self._resource
        return self.keep(fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples], self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        read = typed(messages)
        if self.model is None or not read:
            return messages
        texts = [m.get(TEXT)[:READ_AT_MOST] for m in read]
        cut = [(m, parts) for m, parts in zip(read, map(clauses, texts)) if len(parts) > 1]
        rankings = iter(self.model.rankings(texts + [p for _, parts in cut for p in parts], known_only=False))
        length = self.config["ranking_length"]
        for message in read:
            ranking = [{"name": n, "confidence": p} for n, p in next(rankings)[:length]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        for message, parts in cut:
            read = [
                {"text": part, "ranking": [[n, round(p, 4)] for n, p in next(rankings)[:CLAUSE_RANKING]]}
                for part in parts
            ]
            message.set(CLAUSES, read, add_to_output=True)
        return messages
