"""The one action every user turn maps to: read the turn in context, let the
dialogue respond (or, from a support chat, take who owns the conversation into
account), store the diagnosis and what the turn was read as."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from troubleshooter.dialogue import owner_changed, respond, tidy
from troubleshooter.reading import read
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, READING_SLOT, RESPOND_ACTION

from .knowledge_access import answer_meaning, engine
from .parsing import diagnosis_of, ownership_of, turn_of


class ActionRespond(Action):
    def name(self) -> str:
        return RESPOND_ACTION

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        eng = engine()
        d = diagnosis_of(tracker)
        tidy(eng, d)
        owner, status_only = ownership_of(tracker)
        reading = None if status_only else read(turn_of(tracker), d, eng.kb.symptoms.keys(), answer_meaning)
        messages = owner_changed(eng, d, owner, reading) if owner else respond(eng, d, reading)
        for message in messages:
            dispatcher.utter_message(**message)
        return [SlotSet(DIAGNOSIS_SLOT, d.to_dict()), SlotSet(READING_SLOT, reading.to_dict() if reading else None)]
