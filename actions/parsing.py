"""Read what the user said from a tracker: intent, payload entities, stated facts."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from troubleshooter.state import Diagnosis

from .knowledge_access import engine, extractor

ANSWER_OF_INTENT = {"affirm": "yes", "deny": "no", "unsure": "unsure"}
SLOT = "diagnosis"


def diagnosis_of(tracker: Tracker) -> Diagnosis:
    return Diagnosis.from_dict(tracker.get_slot(SLOT))


def intent_of(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def entity(tracker: Tracker, name: str) -> Any:
    """First value of an entity in the latest message (button payloads carry them)."""
    for ent in tracker.latest_message.get("entities") or []:
        if ent.get("entity") == name:
            return ent.get("value")
    return None


def symptom_of(intent: str) -> str | None:
    sid = intent.removeprefix("symptom_")
    return sid if intent.startswith("symptom_") and sid in engine().kb.symptoms else None


def ranked_symptom(tracker: Tracker, min_confidence: float = 0.05) -> str | None:
    """The most likely symptom in the NLU ranking, for messages that state
    facts and a problem at once ("I'm on school wifi and dms fail")."""
    for item in tracker.latest_message.get("intent_ranking") or []:
        sid = symptom_of(item.get("name") or "")
        if sid and (item.get("confidence") or 0) >= min_confidence:
            return sid
    return None


def stated_evidence(tracker: Tracker) -> dict[str, str]:
    """Facts the latest free-text message states (none for a button payload)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return {}
    return extractor().extract(text)
