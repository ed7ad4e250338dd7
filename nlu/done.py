"""Which fix a reply says the user did, learned from examples.

A reply to "Did that fix it?" often names what was done, and it is not
always the fix that waits: "turned the vpn off like u said and it went
through" while "Update TikTok" waits is the VPN fix working, and "cleared the
cache, still broken" is the cache fix failing. This reader learns each fix's
doing from the replies kept for it alone (data/done/*.yml, `done: {fix id:
[...]}`, every language), against, under OTHER, replies that name no fix
done (a bare "works now", a question about a fix, "i don't even have a vpn")
and the examples of the intents that name none (questions, small talk, a
bare yes, no or "ok").
The turn reader credits the outcome to the fix it is sure was done
(troubleshooter/reading.py). A misread wording is fixed by adding an example.

The same regression as the outcome reader (nlu/outcomes.py); the parse
result carries DONE: the best few names with their probabilities, best first,
and TOLD: the fixes some piece of the message says were done ("i already
updated the app, i restarted my phone twice, still nothing" names two), each
with the best probability a piece of a clause gives it and how likely that
clause asks; the turn reader decides which count.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from troubleshooter.knowledge import DEFAULT_DIR, load_knowledge_base

from . import code_fingerprint
from .clauses import clauses
from .outcomes import NOT_OUTCOMES, OTHER, fit, labelled, replies_folder
from .persisted import READ_AT_MOST, RankingReader, named, read_each, typed
from .questions import ASKS
from .sentence_intents import CLAUSES

logger = logging.getLogger(__name__)
DONE = "done"  # parse output: [{"name", "confidence"}], best first (a fix id or OTHER); the data's key
KEPT = 3  # names the parse result keeps
# parse output: [[fix id, probability, how likely its clause asks], ...], best first: fixes a piece of the
# message says were done, each with the question reader's `asks` of the clause it is in (nlu/questions.py)
TOLD = "told"
TOLD_FLOOR = 0.5  # ... a piece this sure of
# pieces of a clause: a list of things done is cut at commas and at "but", "then" in each language, and
# each piece once more at "and" ("reinstalled tiktok and cleared the cache" names two, "tried both wifi
# and mobile data" one: both cuts are read); a piece of one word stays out
_PIECE = re.compile(
    r"\s*[,;:]\s*|\s+(?:but|then|also|pero|luego|mas(?!\s+(?:de|del|\d))|depois|tapi|terus|trus)\s+", re.IGNORECASE
)
_AND = re.compile(r"\s*[&+]\s*|\s+(?:and|plus|y|e|dan|sama)\s+", re.IGNORECASE)
BARE = ("affirm", "deny", "acknowledge")  # intents whose examples name nothing done


def replies(folder: Path, fixes: set[str] | frozenset[str]) -> list[tuple[str, str]]:
    """The (text, fix id or OTHER) of every reply in `folder`/*.yml, checked against the knowledge
    base's `fixes`: a clear error names the file and the key."""
    wrong = f"is no fix of the knowledge base (nor {OTHER!r})"
    return labelled(folder, DONE, lambda name: None if name == OTHER or name in fixes else wrong)


def training_set(training_data: TrainingData, folder: Path, fixes: set[str] | frozenset[str]) -> tuple[list, list]:
    """(texts, fix id or OTHER of each): the replies in `folder` and, as OTHER, the examples of
    intents that name nothing done (questions, small talk, a bare yes, no or "ok")."""
    pairs = replies(folder, fixes)
    pairs += [
        (e.get(TEXT), OTHER)
        for e in training_data.training_examples
        if e.get(TEXT) and (e.get(INTENT) or "").startswith((*NOT_OUTCOMES, *BARE))
    ]
    return [t for t, _ in pairs], [n for _, n in pairs]


def pieces(text: str) -> list[str]:
    """The pieces of `text` that may each name a fix done (at least two words each), cut at "and" and not."""
    coarse = [p.strip() for clause in clauses(text) for p in _PIECE.split(clause)]
    fine = [p.strip() for piece in coarse for p in _AND.split(piece)]
    kept = [p for p in dict.fromkeys([*coarse, *fine]) if len(p.split()) >= 2]
    return kept or [text]


def told(rankings: list[list[tuple[str, float]]], asks: float = 0.0) -> list[list[Any]]:
    """From the rankings of the pieces of one clause that asks with probability `asks`: each fix named
    done at TOLD_FLOOR or more, with the best probability a piece gives it and `asks`, best first."""
    best: dict[str, float] = {}
    for ranking in rankings:
        name, p = ranking[0]
        if name != OTHER and p >= TOLD_FLOOR:
            best[name] = max(best.get(name, 0.0), p)
    return [[name, round(p, 4), asks] for name, p in sorted(best.items(), key=lambda kv: -kv[1])]


def clauses_read(message: Message) -> list[tuple[str, float]]:
    """(text, how likely it asks) of each clause of a message the question reader read (nlu/questions.py);
    a message of one clause is that clause."""
    parts = message.get(CLAUSES) or []
    if len(parts) > 1:
        return [(str(c.get(TEXT) or ""), float(c.get(ASKS) or 0.0)) for c in parts]
    return [(message.get(TEXT), float(message.get(ASKS) or 0.0))]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class DoneReader(RankingReader):
    """Adds DONE and TOLD to every typed message (a button payload names its fix itself)."""

    FILE = "done.joblib"
    OUTPUT = DONE

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # replies: the folder of replies naming the fix done (relative to the project)
        return {"C": 10.0, "replies": "data/done"}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        folder = replies_folder({**cls.get_default_config(), **config})
        kept = sorted(folder.glob("*.yml")) if folder is not None else []
        return code_fingerprint(*kept, DEFAULT_DIR / "fixes.yml")

    def train(self, training_data: TrainingData) -> Resource:
        folder = replies_folder(self.config)
        if folder is None or not folder.is_dir():
            logger.warning("DoneReader: no replies folder; no fix done will be read")
            return self._resource
        texts, names = training_set(training_data, folder, frozenset(load_knowledge_base().fixes))
        if len(set(names)) < 2:
            logger.warning("DoneReader: too few replies to learn from; no fix done will be read")
            return self._resource
        return self.keep(fit(texts, names, self.config["C"]))

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is not None:
            for message, ranking, _ in read_each(messages, self.model.rankings):
                message.set(DONE, named(ranking[:KEPT]), add_to_output=True)
            for message in typed(messages):
                found = [
                    item
                    for text, asks in clauses_read(message)
                    for item in told(self.model.rankings(pieces(text[:READ_AT_MOST])), asks)
                ]
                message.set(TOLD, sorted(found, key=lambda item: -item[1]), add_to_output=True)
        return messages
