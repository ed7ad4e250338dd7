"""Read what the user said from a tracker: the NLU's ranking, payload entities, stated facts."""
from __future__ import annotations

from rasa_sdk import Tracker

from troubleshooter.reading import Turn
from troubleshooter.state import Diagnosis

from .knowledge_access import extractor

SLOT = "diagnosis"
READING_SLOT = "reading"


def diagnosis_of(tracker: Tracker) -> Diagnosis:
    return Diagnosis.from_dict(tracker.get_slot(SLOT))


def turn_of(tracker: Tracker) -> Turn:
    """The latest user message as a Turn (a button payload is parsed from its text)."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    if text.startswith("/"):
        return Turn.from_payload(text)
    ranking = tuple((str(i.get("name") or ""), float(i.get("confidence") or 0.0))
                    for i in message.get("intent_ranking") or [] if isinstance(i, dict))
    if not ranking and message.get("intent"):
        intent = message["intent"]
        ranking = ((str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)),)
    return Turn(text, ranking, {}, extractor().extract(text))
