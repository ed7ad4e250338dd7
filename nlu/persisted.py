"""What the project's learned readers (facts.py, outcomes.py) share as Rasa graph components: a
config over defaults, a model fitted in `train` and kept with joblib in the model's storage, and
no model (a warning, nothing read) when the storage has none."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


class PersistedReader(GraphComponent):
    """A component whose fitted model is one joblib file, `FILE`, in its resource."""

    FILE = "model.joblib"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any], storage: ModelStorage, resource: Resource, model: Any = None):
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource, self.model = storage, resource, model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersistedReader:
        return cls(config, model_storage, resource)

    def keep(self, model: Any) -> Resource:
        """Use `model` from now on and write it to the resource."""
        self.model = model
        with self._storage.write_to(self._resource) as folder:
            joblib.dump(model, folder / self.FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> PersistedReader:
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, joblib.load(folder / cls.FILE))
        except (ValueError, FileNotFoundError):
            logger.warning("%s: no trained model found; it reads nothing", cls.__name__)
            return cls(config, model_storage, resource)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


READ_AT_MOST = 2000  # characters of a message the readers read: a pasted essay costs no more than a long story


def typed(messages: list[Message]) -> list[Message]:
    """The messages a person typed: some text, not a button payload ("/affirm{...}")."""
    return [m for m in messages if (m.get(TEXT) or "").strip() and not m.get(TEXT).startswith("/")]


def read_each(messages: list[Message], rank: Callable[[list[str]], list], clauses: str | None = None) -> Iterator:
    """(message, reading of its text, [reading of each clause]) for every typed message, where a
    message's clauses are the parse result's list under `clauses` (none when that is None) and
    `rank` reads all texts in one call."""
    read = typed(messages)
    cut = [(m.get(clauses) or []) if clauses else [] for m in read]
    texts = [t[:READ_AT_MOST] for m, parts in zip(read, cut) for t in (m.get(TEXT), *(c["text"] for c in parts))]
    readings = iter(rank(texts) if texts else [])
    for message, parts in zip(read, cut):
        yield message, next(readings), [next(readings) for _ in parts]


class RankingReader(PersistedReader):
    """A reader whose model ranks names for each text (`model.rankings(texts)`): every typed message
    (not a button payload) gets the ranking under `OUTPUT` in the parse result, best first."""

    OUTPUT = "ranking"

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is not None:
            for message, ranking, _ in read_each(messages, self.model.rankings):
                message.set(self.OUTPUT, named(ranking), add_to_output=True)
        return messages


def named(ranking: list[tuple[str, float]]) -> list[dict[str, Any]]:
    """A ranking as the parse result carries a message's: [{"name", "confidence"}, ...]."""
    return [{"name": n, "confidence": round(p, 4)} for n, p in ranking]
