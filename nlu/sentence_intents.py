"""A second opinion on the intent of an English message when the intent reader is unsure.

The intent reader (intents.py) learns from the words of the training data; people who never saw
it use other words. When its best intent for a message, or for a clause of a message of several,
is below `gate`, this component embeds the text with a pretrained sentence encoder
(all-MiniLM-L6-v2, `nlu/minilm.py`), scores it with a logistic regression trained on the same
training examples (the English ones), and blends both rankings. The encoder knows English only:
messages read as another language keep the intent reader's readings. Confident messages (and
button payloads, which skip the NLU) cost nothing extra.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.knowledge import SOURCE_LANGUAGE
from troubleshooter.paths import ROOT

from . import code_fingerprint, fast
from .language import in_source_language, language_of, text_files
from .minilm import MiniLM

logger = logging.getLogger(__name__)
CLAUSES = "clauses"  # parse output per clause: {"text", "ranking": [[intent, p], ...]} (+ "outcome", "asks")
CLAUSE_RANKING = 3
_ENCODER: MiniLM | None = None


def encoder() -> MiniLM:
    """One encoder per process (90 MB of weights), loaded on first use."""
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = MiniLM()
    return _ENCODER


def softmax_scores(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """P(class) for each row of `x`, from a fitted LogisticRegression's coef_ and intercept_."""
    return fast.from_logits(x @ coef.T + intercept)


def blend(
    ranking: list[dict[str, Any]], classes: list[str], probs: np.ndarray, weight: float, length: int
) -> list[dict[str, Any]]:
    """weight * sentence classifier + (1 - weight) * the ranking given, best first."""
    scores = {c: weight * float(p) for c, p in zip(classes, probs)}
    for item in ranking:
        scores[item["name"]] = scores.get(item["name"], 0.0) + (1 - weight) * float(item["confidence"])
    ordered = sorted(scores.items(), key=lambda kv: -kv[1])[:length]
    return [{"name": name, "confidence": conf} for name, conf in ordered]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # data: the folders whose <language>.yml files hold examples in another language (left out)
        return {"gate": 0.8, "weight": 0.5, "C": 10.0, "ranking_length": 10, "data": ["data"]}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        folders = [ROOT / f for f in {**cls.get_default_config(), **config}["data"]]
        return code_fingerprint(*text_files(folders))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.classes, self.coef, self.intercept = classes or [], coef, intercept

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        english = in_source_language([e.get(TEXT) for e in examples], [ROOT / f for f in self.config["data"]])
        examples = [e for e, ok in zip(examples, english) if ok]  # the encoder reads English only
        if len({e.get(INTENT) for e in examples}) < 2:
            return self._resource
        x = encoder().embed([e.get(TEXT) for e in examples])
        model = LogisticRegression(C=self.config["C"], max_iter=3000, random_state=42)
        model.fit(x, [e.get(INTENT) for e in examples])
        self.classes, self.coef, self.intercept = [str(c) for c in model.classes_], model.coef_, model.intercept_
        with self._storage.write_to(self._resource) as folder:
            np.savez(
                folder / "sentence_intents.npz",
                classes=np.array(self.classes),
                coef=self.coef,
                intercept=self.intercept,
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                data = np.load(folder / "sentence_intents.npz", allow_pickle=False)
                return cls(
                    config, model_storage, resource, [str(c) for c in data["classes"]], data["coef"], data["intercept"]
                )
        except (ValueError, FileNotFoundError, KeyError):
            logger.warning("SentenceIntentClassifier: no trained model found; the intent reader's ranking is kept")
            return cls.create(config, model_storage, resource, execution_context)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.coef is None:
            return messages
        english = [m for m in messages if m.get(TEXT) and language_of(m) == SOURCE_LANGUAGE]
        unsure = [m for m in english if self._top(m) < self.config["gate"]]
        parts = [c for m in english for c in m.get(CLAUSES) or [] if _top(c["ranking"]) < self.config["gate"]]
        texts = [m.get(TEXT) for m in unsure] + [c["text"] for c in parts]
        if not texts:
            return messages
        probs = softmax_scores(encoder().embed(texts), self.coef, self.intercept)  # one pass for all
        weight = self.config["weight"]
        for message, p in zip(unsure, probs):
            ranking = blend(message.get("intent_ranking") or [], self.classes, p, weight, self.config["ranking_length"])
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        for clause, p in zip(parts, probs[len(unsure) :]):  # each clause read as a message is (in place)
            ranking = [{"name": n, "confidence": c} for n, c in clause["ranking"]]
            clause["ranking"] = [
                [r["name"], round(r["confidence"], 4)] for r in blend(ranking, self.classes, p, weight, CLAUSE_RANKING)
            ]
        return messages

    @staticmethod
    def _top(message: Message) -> float:
        ranking = message.get("intent_ranking") or []
        return float(ranking[0]["confidence"]) if ranking else 0.0


def _top(ranking: list[list[Any]]) -> float:
    """The best confidence of a clause's ranking ([[intent, confidence], ...])."""
    return float(ranking[0][1]) if ranking else 0.0
