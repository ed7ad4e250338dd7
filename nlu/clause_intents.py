"""Each clause's intents in Spanish, Portuguese and Indonesian.

A message of several clauses gets each clause's intents (CLAUSES, from the sentence encoder in
sentence_intents.py), so that "no, just plain text. could tiktok be down?" answers the question in
one clause and asks another. The sentence encoder was trained on English: it cannot tell what a
Spanish clause asks. This reader is learned from the intent examples of every language (word and
character n-grams, as the fact and outcome readers), and ranks the clauses of a message whose
language reading is not English; English clauses keep the encoder's ranking."""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.knowledge import SOURCE_LANGUAGE

from . import code_fingerprint
from .language import LANGUAGE
from .outcomes import fit
from .persisted import PersistedReader
from .sentence_intents import CLAUSE_RANKING, CLAUSES

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ClauseIntentReader(PersistedReader):
    """Re-ranks CLAUSES of messages read as another language than English (after LanguageReader)."""

    FILE = "clause_intents.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 10.0}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        return code_fingerprint()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("ClauseIntentReader: too few intents to learn from; clauses keep their ranking")
            return self._resource
        return self.keep(fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples], self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        foreign = [m for m in messages if m.get(CLAUSES) and _language(m) not in (None, SOURCE_LANGUAGE)]
        texts = [c["text"] for m in foreign for c in m.get(CLAUSES)]
        if not texts:
            return messages
        rankings = iter(self.model.rankings(texts))
        for message in foreign:
            read = [
                {"text": c["text"], "ranking": [[n, round(p, 4)] for n, p in next(rankings)[:CLAUSE_RANKING]]}
                for c in message.get(CLAUSES)
            ]
            message.set(CLAUSES, read, add_to_output=True)
        return messages


def _language(message: Message) -> str | None:
    ranking = message.get(LANGUAGE) or []
    return ranking[0].get("name") if ranking else None
