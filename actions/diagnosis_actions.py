"""The troubleshooting actions. Each reads the diagnosis slot, asks the engine,
speaks, and stores the diagnosis back."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from troubleshooter.state import Diagnosis

from . import messages
from .knowledge_access import engine
from .parsing import (ANSWER_OF_INTENT, SLOT, diagnosis_of, entity, intent_of, ranked_symptom, stated_evidence,
                      symptom_of)

Events = list[dict[str, Any]]


def _say(dispatcher: CollectingDispatcher, msgs: list[messages.Message]) -> None:
    for m in msgs:
        dispatcher.utter_message(**m)


def _done(dispatcher: CollectingDispatcher, d: Diagnosis, msgs: list[messages.Message]) -> Events:
    _say(dispatcher, msgs)
    return [SlotSet(SLOT, d.to_dict())]


def _advance(d: Diagnosis, questions: bool = True) -> list[messages.Message]:
    eng = engine()
    return messages.step_messages(eng, d, eng.advance(d, questions))


def _record(d: Diagnosis, facts: dict[str, str]) -> None:
    for eid, value in facts.items():
        engine().answer(d, eid, value)


class ActionStartDiagnosis(Action):
    def name(self) -> str:
        return "action_start_diagnosis"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        old = diagnosis_of(tracker)
        symptom = symptom_of(intent_of(tracker))
        stated = stated_evidence(tracker)
        if old.active and (symptom in old.symptoms or old.pending_question in stated):
            # The same report again, or an answer that reads like a report: go on.
            _record(old, stated)
            return _done(dispatcher, old, _advance(old))
        return start_diagnosis(dispatcher, old, symptom, stated)


def start_diagnosis(dispatcher, old: Diagnosis, symptom: str | None, stated: dict[str, str]) -> Events:
    """A clean diagnosis; facts given before any problem was named are kept."""
    carried = old.evidence if old.status == "idle" else {}
    d = engine().start(symptom, {**carried, **stated})
    intro = [{"text": "Sorry you're dealing with that. Let's find what's blocking your messages."}]
    return _done(dispatcher, d, intro + _advance(d))


class ActionRecordAnswer(Action):
    def name(self) -> str:
        return "action_record_answer"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        return record_answer(dispatcher, tracker, diagnosis_of(tracker))


def record_answer(dispatcher, tracker: Tracker, d: Diagnosis) -> Events:
    eng = engine()
    value = ANSWER_OF_INTENT.get(intent_of(tracker))
    about = entity(tracker, "evidence")
    stated = stated_evidence(tracker)
    if about is not None and (not isinstance(about, str) or about not in eng.kb.evidence):
        return _done(dispatcher, d, [{"text": "That answer refers to a question I don't know, so I've ignored it."},
                                     *messages.reminder(eng, d)])
    if not d.active:
        if stated:  # facts about a problem: start from them, with any symptom the words hint at
            return start_diagnosis(dispatcher, d, ranked_symptom(tracker, 0.1), stated)
        return _done(dispatcher, d, messages.ask_for_symptom())
    if d.pending_fix and about is None and not stated and value in ("yes", "no"):
        return fix_feedback(dispatcher, d, d.pending_fix, worked=value == "yes")
    _record(d, stated)
    target = about or d.pending_question
    if value and target and target not in stated:
        eng.answer(d, target, value)
    elif not stated:
        return _done(dispatcher, d, [{"text": "Sorry, I couldn't tell how that answers my question."},
                                     *messages.reminder(eng, d)])
    return _done(dispatcher, d, _advance(d))


def fix_feedback(dispatcher, d: Diagnosis, fid: Any, worked: bool) -> Events:
    eng = engine()
    if fid is not None and (not isinstance(fid, str) or fid not in eng.kb.fixes):
        return _done(dispatcher, d, [{"text": "That refers to a fix I don't know, so I've ignored it."},
                                     *messages.reminder(eng, d)])
    if not d.active:
        text = "Glad it works!" if worked else "Let's look at it again."
        return _done(dispatcher, d, [{"text": text}, *messages.ask_for_symptom()] if not worked else [{"text": text}])
    if worked:
        if fid:
            eng.fix_result(d, fid, worked=True)
        else:
            d.status, d.pending = "resolved", None
        return _done(dispatcher, d, messages.resolved(eng, d, fid))
    if fid:
        eng.fix_result(d, fid, worked=False)
    elif d.pending_question:  # "still broken" while a question waits: no fix to rule out
        return _done(dispatcher, d, messages.reminder(
            eng, d, lead="Understood, it still doesn't work. To pick the right fix I need this answer first:"))
    return _done(dispatcher, d, [{"text": "Sorry that didn't help. That rules a few things out."}, *_advance(d)])


class ActionFixFeedback(Action):
    def name(self) -> str:
        return "action_fix_feedback"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        d = diagnosis_of(tracker)
        fid = entity(tracker, "fix")
        if fid is None:
            fid = d.pending_fix
        return fix_feedback(dispatcher, d, fid, worked=intent_of(tracker) == "fix_worked")


class ActionExplain(Action):
    def name(self) -> str:
        return "action_explain"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        eng = engine()
        d = diagnosis_of(tracker)
        return _done(dispatcher, d, messages.diagnosis(eng, d) + messages.reminder(eng, d))


class ActionOtherFix(Action):
    def name(self) -> str:
        return "action_other_fix"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        eng = engine()
        d = diagnosis_of(tracker)
        if not d.active:
            return _done(dispatcher, d, messages.ask_for_symptom())
        if d.pending_fix:
            eng.skip_fix(d, d.pending_fix)
        elif d.pending_question:
            eng.answer(d, d.pending_question, "unsure")
        return _done(dispatcher, d, _advance(d, questions=False))


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        d = diagnosis_of(tracker)
        msgs = messages.handoff(engine(), d, reason="asked")
        d.status, d.pending = "handed_over", None
        return _done(dispatcher, d, msgs)


class ActionStartOver(Action):
    def name(self) -> str:
        return "action_start_over"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        return _done(dispatcher, Diagnosis(), [{"text": "OK, let's start over."}, *messages.ask_for_symptom()])


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        eng = engine()
        d = diagnosis_of(tracker)
        entry = eng.kb.faq.get(intent_of(tracker).removeprefix("faq_"))
        if entry is None:
            return _done(dispatcher, d, messages.ask_for_symptom())
        return _done(dispatcher, d, [{"text": entry["answer"]}, *messages.reminder(eng, d)])


class ActionRemind(Action):
    """After small talk (hi, thanks, are you a bot, off-topic): the step still waiting, if any."""

    def name(self) -> str:
        return "action_remind"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        _say(dispatcher, messages.reminder(engine(), diagnosis_of(tracker)))
        return []


class ActionRephrase(Action):
    """Low confidence: use any stated fact; otherwise ask to rephrase, with examples."""

    def name(self) -> str:
        return "action_rephrase"

    def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        eng = engine()
        d = diagnosis_of(tracker)
        if stated_evidence(tracker):
            return record_answer(dispatcher, tracker, d)
        symptom = ranked_symptom(tracker, 0.2)
        if not d.active and symptom:
            return start_diagnosis(dispatcher, d, symptom, {})
        text = "Sorry, I didn't quite get that."
        if d.active and d.pending:
            return _done(dispatcher, d, [{"text": text + " You can use the buttons, or answer with yes, no or not sure."},
                                         *messages.reminder(eng, d)])
        return _done(dispatcher, d, [{"text": text}, *messages.ask_for_symptom()])
