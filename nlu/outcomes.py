"""What a reply says about the fix the bot suggested, learned from examples.

After "Did that fix it?" people answer in their own words, most of them about
the fix itself ("deleted it and downloaded it again, all good", "he followed
back and the button is there now"). Those words are the words of symptom
reports and facts too, so the intent classifier, which reads every message,
cannot be taught them without misreading openings. This reader is taught them
apart: from the replies kept for it alone (data/outcomes/*.yml, which the
intent classifier never sees; under `other:` the replies that say no outcome,
such as a fact volunteered instead) and the intent examples of the outcomes
(fix_worked and affirm, fix_failed and deny, fix_partial, ask_other_fix,
acknowledge), against the examples of intents that are not an outcome
(questions, requests, chat, a bare "thanks", "not sure"), in every language. A
reply with no word it knows is OTHER, left to the other readers. The
turn reader takes its ranking only while a fix is pending.

A logistic regression over word n-grams with negation scope (nlu/facts.py) and
character n-grams; the parse result carries OUTCOME: every outcome with its
probability, best first, for the message and (CLAUSES, after the clause
readers) for each of its clauses, so an outcome told beside a question ("they
lifted it, i can message again. how do i stop it happening again?") is read
from its own words. A misread wording is fixed by adding an example.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.paths import ROOT

from . import code_fingerprint, fast, regression
from .facts import vectorisers
from .persisted import RankingReader, named, read_each
from .sentence_intents import CLAUSES

logger = logging.getLogger(__name__)
OUTCOME = "outcome"  # parse output: [{"name", "confidence"}], best first (a clause's: [[name, p], ...]); data key
OTHER = "other"  # a reply that is no outcome of the fix (a question, a request, small talk)
OUTCOMES = ("worked", "failed", "partial", "cant_try", "trying", "accepted")  # accepted: an explanation taken in
KEYS = (*OUTCOMES, OTHER)  # the groups a data file may hold
BY_INTENT = {  # after "Did that fix it?", a yes says it worked and a no that it failed
    "fix_worked": "worked",
    "affirm": "worked",
    "fix_failed": "failed",
    "deny": "failed",
    "fix_partial": "partial",
    "ask_other_fix": "cant_try",
    "acknowledge": "trying",
}
# Intents whose examples are no outcome ("not sure" or a bare "thanks" says none either). Symptoms and
# facts are left out: after a fix, "still can't send" can be an outcome.
NOT_OUTCOMES = (
    "faq_",
    "ask_why",
    "ask_cause",
    "ask_how_to_check",
    "greet",
    "goodbye",
    "bot_challenge",
    "out_of_scope",
    "unsure",
    "thanks",
)


def labelled(folder: Path, key: str, allowed: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """The (text, label) of every reply in `folder`/*.yml, kept as `key: {label: [replies]}`.
    `allowed(label)` says what is wrong with a label (None: nothing); a clear error names the file
    and the label."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = raw.get(key) if isinstance(raw, dict) else None
        if not isinstance(groups, dict):
            raise ValueError(f"{path}: expected a top-level `{key}:` mapping of label -> list of replies")
        for name, texts in groups.items():
            if (wrong := allowed(name)) is not None:
                raise ValueError(f"{path}: {name!r} {wrong}")
            if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
                raise ValueError(f"{path}, {name}: needs a list of non-empty replies")
            out += [(t, name) for t in texts]
    return out


def replies(folder: Path) -> list[tuple[str, str]]:
    """The (text, outcome) of every reply in `folder`/*.yml (`outcome: {worked: [...], ...}`; under
    OTHER, replies that say no outcome), checked: a clear error names the file and the outcome."""
    return labelled(folder, OUTCOME, lambda name: None if name in KEYS else f"is not an outcome; use one of {KEYS}")


def training_set(training_data: TrainingData, folder: Path | None) -> tuple[list[str], list[str]]:
    """(texts, outcome or OTHER of each): the outcome intents' examples, the examples of intents
    that are none, and the replies in `folder`."""
    pairs = []
    for e in training_data.training_examples:
        text, intent = e.get(TEXT), e.get(INTENT) or ""
        if not text:
            continue
        if intent in BY_INTENT:
            pairs.append((text, BY_INTENT[intent]))
        elif intent.startswith(NOT_OUTCOMES) or intent in ("human_handoff", "start_over"):
            pairs.append((text, OTHER))
    pairs += replies(folder) if folder is not None else []
    return [t for t, _ in pairs], [o for _, o in pairs]


class Model:
    """The vectorisers and one multinomial regression over the outcomes and OTHER."""

    def __init__(self, vectorisers: list, classifier: Any):
        self.vectorisers, self.classifier = vectorisers, classifier

    def rankings(self, texts: list[str], known_only: bool = True) -> list[list[tuple[str, float]]]:
        """Every name with its probability, best first, for each text; with `known_only`, a text
        with no word the reader knows ("asdfgh", an emoji) is OTHER: letters alone say no outcome."""
        parts = fast.features(self.vectorisers, texts)
        probs = fast.probabilities(self.classifier, fast.stack(parts))
        names = [str(c) for c in self.classifier.classes_]
        known = np.asarray(parts[0].getnnz(axis=1)) > 0
        return [
            sorted(zip(names, map(float, row)), key=lambda kv: -kv[1]) if ok or not known_only else [(OTHER, 1.0)]
            for row, ok in zip(probs, known)
        ]


def fit(texts: list[str], outcomes: list[str], c: float, seed: int = regression.SEED) -> Model:
    """A multinomial regression over the readers' features."""
    features = vectorisers()
    return Model(features, regression.fit(features, texts, outcomes, c, seed))


def replies_folder(config: dict[str, Any]) -> Path | None:
    return ROOT / config["replies"] if config.get("replies") else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class OutcomeReader(RankingReader):
    """Adds OUTCOME to every typed message (button payloads say their outcome themselves) and to
    each of its clauses, there as [[outcome, probability], ...] like a clause's intent ranking."""

    FILE = "outcomes.joblib"
    OUTPUT = OUTCOME

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # replies: the folder of outcome replies for this reader alone (relative to the project)
        return {"C": 10.0, "replies": "data/outcomes"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        folder = replies_folder({**cls.get_default_config(), **config})
        return code_fingerprint(*(sorted(folder.glob("*.yml")) if folder is not None else []))

    def train(self, training_data: TrainingData) -> Resource:
        texts, outcomes = training_set(training_data, replies_folder(self.config))
        if len(set(outcomes)) < 2:
            logger.warning("OutcomeReader: too few outcome examples to learn from; no outcomes will be read")
            return self._resource
        return self.keep(fit(texts, outcomes, self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        for message, ranking, by_clause in read_each(messages, self.model.rankings, CLAUSES):
            message.set(OUTCOME, named(ranking), add_to_output=True)
            if by_clause:
                read_in = [
                    {**c, OUTCOME: [[n, round(p, 4)] for n, p in r]} for c, r in zip(message.get(CLAUSES), by_clause)
                ]
                message.set(CLAUSES, read_in, add_to_output=True)
        return messages
