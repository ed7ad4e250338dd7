"""Whether a message, and each of its clauses, asks something, learned from examples.

"ya lo apagué. pero me pueden banear por haber usado vpn?" replies to the pending step in one
clause and asks in the other; "the broadband has been funny" may read close to a question about
networks but asks nothing. The turn reader answers a question only when its words ask one. This
reader learns what asking looks like in every language from the examples: those of the questions
(faq_*, ask_why, ask_cause, ask_how_to_check) against those of replies, reports and small talk (the intent
examples of answers, outcomes, facts, symptoms, acknowledgements, greetings and thanks; the fact
reader's statements that state a fact, data/facts/; the outcome reader's replies, data/outcomes/).
A problem told as a question ("why can't i send dms??") is a report: it asks for the diagnosis,
not for an answer beside it. Requests and out-of-scope examples are left out. A misread wording
is fixed by adding an example.

The parse result carries ASKS, the probability that the message asks something, and each clause
(CLAUSES, after the clause readers) its own under the same key.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from . import code_fingerprint
from .facts import marked_statements, statements_folder
from .outcomes import fit, replies, replies_folder
from .persisted import PersistedReader, read_each
from .sentence_intents import CLAUSES

logger = logging.getLogger(__name__)
ASKS = "asks"  # parse output: P(the text asks something), for the message and in each clause
QUESTION_INTENTS = ("faq_", "ask_why", "ask_cause", "ask_how_to_check")
STATEMENT_INTENTS = (
    "affirm",
    "deny",
    "unsure",
    "inform",
    "fix_worked",
    "fix_failed",
    "fix_partial",
    "acknowledge",
    "greet",
    "thanks",
    "goodbye",
)


def training_set(
    training_data: TrainingData, facts_folder: Path | None = None, replies_in: Path | None = None
) -> tuple[list[str], list[str]]:
    """(texts, ASKS or "states" of each): the intent examples of questions and of the rest, the
    statements in `facts_folder` (those marked `asks: true` are questions; of the others, those that
    state a fact) and the outcome replies in `replies_in`."""
    texts, labels = [], []
    for e in training_data.intent_examples:
        text, intent = e.get(TEXT), e.get(INTENT) or ""
        if not text:
            continue
        if intent.startswith(QUESTION_INTENTS):
            texts.append(text), labels.append(ASKS)
        elif intent in STATEMENT_INTENTS or intent.startswith("symptom_"):
            texts.append(text), labels.append("states")
    marked = marked_statements(facts_folder) if facts_folder is not None else []
    asked = [t for t, _, asks in marked if asks]
    stated = [t for t, facts, asks in marked if facts and not asks]
    told = [t for t, _ in replies(replies_in)] if replies_in is not None else []
    return texts + asked + stated + told, labels + [ASKS] * len(asked) + ["states"] * (len(stated) + len(told))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class QuestionReader(PersistedReader):
    """Adds ASKS to every typed message and to each of its clauses (after the clause readers)."""

    FILE = "questions.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # the folders of the fact reader's statements and the outcome reader's replies (relative to the project)
        return {"C": 10.0, "statements": "data/facts", "replies": "data/outcomes"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        config = {**cls.get_default_config(), **config}
        folders = [f for f in (statements_folder(config), replies_folder(config)) if f is not None]
        return code_fingerprint(*(p for folder in folders for p in sorted(folder.glob("*.yml"))))

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = training_set(training_data, statements_folder(self.config), replies_folder(self.config))
        if len(set(labels)) < 2:
            logger.warning("QuestionReader: too few questions or statements to learn from; none is read as asking")
            return self._resource
        return self.keep(fit(texts, labels, self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message, ranking, by_clause in read_each(messages, self.model.rankings, CLAUSES):
            message.set(ASKS, _asks(ranking), add_to_output=True)
            if by_clause:
                read_in = [{**c, ASKS: _asks(r)} for c, r in zip(message.get(CLAUSES), by_clause)]
                message.set(CLAUSES, read_in, add_to_output=True)
        return messages


def _asks(ranking: list[tuple[str, float]]) -> float:
    return round(dict(ranking).get(ASKS, 0.0), 4)
