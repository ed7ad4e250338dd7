"""What the troubleshooter does with a reading of the user's turn.

`respond` updates the diagnosis in place and returns the bot's messages.
A pending step is shown in full at most twice (asked, then one reminder;
after that a one-line pointer). Once the user was pressed on it (told a
reply was unclear, or shown how to do or check it), an unclear reply counts
as "not sure" for a question, or passes over a fix, and the bot says so. Destructive steps (start over, hand-over)
happen only on a clear request or a confirmation. No Rasa here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from . import language
from . import messages as say
from .cues import states_problem
from .engine import Engine, Step
from .knowledge import SOURCE_LANGUAGE
from .messages import Message
from .numbers import AGE_QUESTIONS
from .reading import ASIDE, CANDIDATE, REPORT_FLOOR, Reading
from .state import Diagnosis, clipped, kept_said
from .texts import languages, speaking, t

MAX_SHOWS = 2  # a pending step is shown in full at most this often: asked + one reminder


def respond(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """The bot's reply to one reading, in the conversation's language; `d` (tidied, see `tidy`) is
    updated in place."""
    before = d.spoken
    heard = language.heard(r.words, r.languages, before, r.hint, engine.kb.languages)
    if r.act == "language" and not r.value:  # the one named, else the one asked in if it is another
        named = language.named(r.words, engine.kb.language_names, before)
        r = replace(r, value=named or (heard if heard and heard != before else None))
    if heard or not d.language:
        d.language = heard or d.spoken or SOURCE_LANGUAGE
    with speaking(speaks(engine, d)):
        return _respond(engine, d, r)


def speaks(engine: Engine, d: Diagnosis) -> str:
    """The language the bot speaks in this conversation (one it has every text in)."""
    return d.language if d.language in engine.kb.languages and d.language in languages() else SOURCE_LANGUAGE


def _respond(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if d.pending_kind == "confirm" and r.act not in ("confirm", "resume", "start_over", "handoff"):
        _lapse(d)  # not a reply to the confirmation
    known = dict(d.evidence)
    if r.act != "start_over" and d.status != "idle":
        _record(engine, d, r.facts)
        engine.tell(d, r.told)
    before = d.pending
    handle = _HANDLERS.get(r.act, _unclear)
    if r.leaving and d.active and d.pending and handle is _unclear:
        handle = _nothing  # "muter2 terus [...] makasih, bye": no reply to press for, only the farewell below
    msgs = handle(engine, d, r)
    with speaking(speaks(engine, d)):  # in the language asked for, if the turn switched
        answers = _also_asked(engine, d, r)
    if answers:  # before the step that waits for a reply; after a resolution or a hand-over
        msgs = [*msgs, *answers] if d.status in ("resolved", "handed_over") else [*answers, *msgs]
    if r.leaving and d.active and d.pending and r.act != "ack":  # the step shown stays for their return
        msgs = [*msgs, {"text": t("chat.goodbye_pending")}]
    _note_words(d, r, known)
    _note_choices(d, msgs, before)
    return msgs


def _also_asked(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """Answers to the questions a clause of the message asked besides what the turn was read as
    (kept in `d.answered`: a topic only named again is not answered again, see reading.py), and whether
    what a clause asks about is the cause (`about`); "I can't answer that" to one the knowledge base
    can't answer (ASIDE)."""
    topics = [topic for topic in r.asks if topic in engine.kb.faq]
    answers = [m for topic in topics for m in _topic_answer(engine, d, topic)]
    _note_answered(d, topics)
    cause = _cause_answer(engine, d, r) if r.act != "why" else []  # asked beside a reply
    return answers + cause + (say.aside() if ASIDE in r.asks else [])


def _topic_answer(engine: Engine, d: Diagnosis, topic: str) -> list[Message]:
    """The knowledge base's answer to a FAQ topic; asked again in a diagnosis, a topic about a cause
    ("jangan-jangan aku diblokir?" after the signs of a block were told) is answered with how likely
    that cause is now, from what the user told."""
    cause = engine.kb.faq[topic].get("cause")
    if cause and d.active and topic in d.answered:
        return say.cause_asked(engine, d, cause, stated=bool(d.evidence))
    return say.faq(engine, topic)


def _note_answered(d: Diagnosis, topics: list[str]) -> None:
    """Keep the FAQ topics answered in this diagnosis (reading.py answers one only named again once)."""
    d.answered = [*d.answered, *(topic for topic in dict.fromkeys(topics) if topic not in d.answered)]


_DESCRIBES = ("report", "handoff", "start_over", "confirm")  # acts whose words may describe the problem
NOT_TRIED_WORDS = 5  # a fix not tried, told in this many words, says why ("the store says my phone isn't compatible")


def _note_words(d: Diagnosis, r: Reading, known: dict[str, str]) -> None:
    """Keep the user's own words about the problem, for a person who may take over: words that
    describe it, that tell facts not `known` before beyond the reply to the pending step, or that
    say why a fix can't be tried."""
    if d.status == "idle":
        return
    describes = r.act in _DESCRIBES and (r.symptom or r.symptoms or r.facts)
    target = r.target if isinstance(r.target, str) else None  # a forged payload's may be anything
    answered = set(AGE_QUESTIONS) if target in AGE_QUESTIONS else {target}  # one age answers both
    more = [e for e, v in r.facts.items() if e not in answered and known.get(e) != v]
    not_tried = r.act == "skip" and len(r.words.split()) >= NOT_TRIED_WORDS
    if describes or more or not_tried:
        _keep_words(d, r.words)


def _keep_words(d: Diagnosis, words: str) -> None:
    """Add `words`; the first description stays, with the latest ones (`state.kept_said`)."""
    if words and clipped(words) not in d.said:
        d.said = kept_said([*d.said, words])


def _note_choices(d: Diagnosis, msgs: list[Message], before: dict | None) -> None:
    shown = [m for m in msgs if m.get("buttons")]
    if shown:
        d.choices = [b["payload"] for b in shown[-1]["buttons"]]
        d.titles = [b["title"] for b in shown[-1]["buttons"]]
    elif d.pending is None or d.pending != before:
        d.choices, d.titles = [], []  # typed numbers and titles refer to buttons of the step now pending only


_STANDS_ALONE = ("report", "result", "handoff", "start_over", "confirm", "faq")  # acts that need no pending step


def owner_changed(engine: Engine, d: Diagnosis, owner: str, r: Reading | None = None) -> list[Message]:
    """A support chat says who owns the conversation now (`vocabulary.OWNERS`); `r` is the user's
    message that came with it, if any. People taking over pause the diagnosis; a
    closed (resolved) conversation starts fresh; given back to the bot, a handed-over
    diagnosis carries on where it was."""
    with speaking(speaks(engine, d)):
        return _owner_changed(engine, d, owner, r)


def _owner_changed(engine: Engine, d: Diagnosis, owner: str, r: Reading | None) -> list[Message]:
    noted = say.owner_noted(owner) if r is None else []  # a status change is acknowledged, for the channel
    if owner == "closed":
        _replace(d, Diagnosis())
    elif owner == "people" and d.status == "active":
        d.status = "handed_over"
    if owner != "bot" or d.status != "handed_over":
        return respond(engine, d, r) if r is not None and owner == "bot" else noted
    before = d.pending
    msgs = _hand_back(engine, d, r)
    _note_choices(d, msgs, before)
    return noted + msgs


def _hand_back(engine: Engine, d: Diagnosis, r: Reading | None) -> list[Message]:
    """Back from people. A step the user saw before people took over is still open, so
    their message is read against it; after the bot's own hand-over nothing is open:
    a message that stands on its own is answered, anything else waited for a step the
    user hasn't seen, so the diagnosis goes on with that step."""
    back = {"text": t("handback.back")}
    if not (d.symptoms or d.reports):  # nothing was being diagnosed
        _replace(d, Diagnosis())
        return [back, *(respond(engine, d, r) if r is not None else _not_started(engine, d, Reading("unclear")))]
    d.status, d.reminders = "active", 0
    if d.pending:
        d.pending.pop("pressed", None)
        return [
            back,
            *(respond(engine, d, r) if r is not None else say.reminder(engine, d, "handback.where_we_left_off")),
        ]
    if r is not None and r.act in _STANDS_ALONE:
        return [back, *respond(engine, d, r)]
    if r is not None:
        _record(engine, d, r.facts)
    if engine.next_step(d).kind not in ("question", "fix"):  # everything likely was tried already
        _replace(d, Diagnosis())
        return [
            back,
            *say.ask_for_symptom(engine, "handback.all_suggested"),
        ] + _pending_clarify(d)
    return [back, {"text": t("handback.carry_on")}, *_advance(engine, d)]


# ----- helpers ----------------------------------------------------------------


def tidy(engine: Engine, d: Diagnosis) -> None:
    """Make a diagnosis from a slot safe to read and respond to (once per turn, before `read`): a
    pending step the knowledge base doesn't know (an old or edited slot) is dropped; a pending
    fix's kind comes from the knowledge base."""
    d.pending = _known_step(engine, d.pending)
    if d.pending_kind == "confirm":
        d.pending["resume"] = _known_step(engine, d.pending.get("resume"))
        for key in ("choices", "titles"):
            kept = d.pending.get(key)
            d.pending[key] = [c for c in kept if isinstance(c, str)] if isinstance(kept, list) else []
    if d.resolved_by not in engine.kb.fixes:
        d.resolved_by = None


def _known_step(engine: Engine, pending: dict | None) -> dict | None:
    if not isinstance(pending, dict):
        return None
    kind, kb = pending.get("type"), engine.kb
    if kind == "question" and not (isinstance(pending.get("evidence"), str) and pending["evidence"] in kb.evidence):
        return None
    if kind == "fix":
        fid = pending.get("fix")
        return {**pending, "kind": kb.fixes[fid].kind} if isinstance(fid, str) and fid in kb.fixes else None
    if kind == "confirm" and pending.get("action") not in ("start_over", "handoff"):
        return None
    return pending


def _lapse(d: Diagnosis) -> None:
    """The confirmation was not answered: the step it interrupted is pending again, with its choices."""
    confirm = d.pending or {}
    d.pending = confirm.get("resume")
    d.choices = list(confirm.get("choices") or [])
    d.titles = list(confirm.get("titles") or [])


def _record(engine: Engine, d: Diagnosis, facts: dict[str, str]) -> None:
    for eid, value in facts.items():
        if eid in engine.kb.evidence:
            engine.answer(d, eid, value)


def _advance(engine: Engine, d: Diagnosis, questions: bool = True, again: str | None = None) -> list[Message]:
    """The next step; `again` is a question withdrawn unanswered, shown as a reminder if chosen again."""
    shown = d.reminders + 1  # times the withdrawn question was shown
    step = engine.advance(d, questions)
    repeat = step.kind == "question" and step.id == again
    if repeat:
        d.reminders = min(shown, MAX_SHOWS)
        if shown >= MAX_SHOWS:
            return say.still_open(engine, d)
    return say.step_messages(engine, d, step, reminder=repeat)


def _remind(engine: Engine, d: Diagnosis, lead: str | None = "reminder.back_to_problem") -> list[Message]:
    """The pending step again, in full once (after the text `lead`, a key); after that only a pointer to it.
    A question the turn's facts answered (beside a question of the user's) is no longer pending: the next step."""
    if d.active and d.pending is None:
        return _advance(engine, d)
    if d.reminders >= MAX_SHOWS - 1:
        return say.still_open(engine, d)
    msgs = say.reminder(engine, d, lead)
    if msgs:
        d.reminders += 1
    return msgs


def _start(engine: Engine, d: Diagnosis, r: Reading, keep_facts: bool = True) -> list[Message]:
    """A fresh diagnosis from this turn's report; facts given before any problem was named are kept."""
    _replace(d, _begun(engine, d, r, keep_facts))
    intro = [{"text": t("start.intro")}]
    return intro + _advance(engine, d)


def _begun(engine: Engine, d: Diagnosis, r: Reading, keep_facts: bool = True) -> Diagnosis:
    """A new diagnosis from this turn's report, with the facts and fixes already done it tells and, when
    none was running (`keep_facts`), those told before any problem was named."""
    idle = keep_facts and d.status == "idle"
    new = engine.start(r.symptom or r.symptoms or None, {**(d.evidence if idle else {}), **_known(engine, r.facts)})
    engine.tell(new, [*(d.told if idle else []), *r.told])
    return new


def _known(engine: Engine, facts: dict[str, str]) -> dict[str, str]:
    return {e: v for e, v in facts.items() if e in engine.kb.evidence}


def _replace(d: Diagnosis, new: Diagnosis) -> None:
    """`d` becomes `new`: a diagnosis begins (counted, so analytics can tell diagnoses apart)."""
    d.__dict__.update({**new.__dict__, "episode": d.episode + 1, "language": d.language})


def _idle_facts(engine: Engine, d: Diagnosis, r: Reading) -> None:
    """Before a diagnosis starts, facts and fixes already done are kept for when it does."""
    d.evidence.update(_known(engine, r.facts))
    engine.tell(d, r.told)


def _refused(engine: Engine, d: Diagnosis, said: str) -> list[Message]:
    """A button or payload names a question or fix the knowledge base doesn't know (`said`: a text key)."""
    if d.pending:
        rest = _remind(engine, d, None)
    else:
        rest = _advance(engine, d) if d.active else say.ask_for_symptom(engine)
    return [{"text": t(said)}, *rest]


# ----- handlers ---------------------------------------------------------------


def _answer(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    target = r.target
    if target is not None and (not isinstance(target, str) or target not in engine.kb.evidence):
        return _refused(engine, d, "refused.question")
    if not d.active:
        return _not_started(engine, d, r)
    if target is None:
        return _unclear(engine, d, r)
    engine.answer(d, target, r.value)
    if d.pending is not None:  # an old question's button: noted, the pending step stays
        return [{"text": t("noted.thanks")}, *_remind(engine, d, None)]
    return _advance(engine, d)


def _result(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    fid = r.target
    if fid is not None and (not isinstance(fid, str) or fid not in engine.kb.fixes):
        return _refused(engine, d, "refused.fix")
    worked = r.value == "worked"
    if d.status == "resolved":
        if worked:
            return [{"text": t("result.glad")}]
        # It broke again: the fix that seemed to work did not last (or, partial, helped in part).
        d.status, last = "active", d.resolved_by
        d.resolved_by = None
        if last:
            engine.fix_result(d, last, worked=False, partly=r.value == "partial")
        if fid is not None and fid != last:  # "i updated the app and now it's failing again": that too
            engine.fix_result(d, fid, worked=False)
        return [{"text": t("result.back_again")}, *_advance(engine, d)]
    if not d.active:
        if worked:
            return [{"text": t("result.working_anyway")}]
        return _not_started(engine, d, r)
    if fid is None:
        if worked:  # the problem went away by itself while a question waited
            d.status, d.pending = "resolved", None
            return say.resolved(engine, d, None)
        if d.pending_question:
            return _remind(engine, d, "result.need_answer_first")
        return _advance(engine, d)
    pending = d.pending
    engine.fix_result(d, fid, worked, partly=r.value == "partial")
    if worked:
        return say.resolved(engine, d, fid)
    if r.value == "partial":
        then = _advance(engine, d, questions=False)
        lead = "result.partly_last" if d.status == "handed_over" else "result.partly"
        return [{"text": t(lead)}, *then]
    if pending is not None and fid != pending.get("fix"):  # an old fix's button: noted, the pending step stays
        d.pending = pending
        return [{"text": t("noted.fix_failed")}, *_remind(engine, d, None)]
    return [{"text": t("result.didnt_help")}, *_advance(engine, d)]


def _report(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if not d.active:
        if not (r.symptom or r.symptoms or r.facts or d.evidence) and d.pending_kind != "clarify":
            return _unclear(engine, d, r)
        return _start(engine, d, r)
    if r.symptom or r.symptoms:
        engine.report(d, r.symptom or r.symptoms)
    if d.pending_fix:
        return [{"text": t("noted.thanks")}, *_remind(engine, d, None)]
    again = engine.unask(d)
    return [{"text": t("noted.helps")}, *_advance(engine, d, again=again)]


def _skip(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if not d.active:
        return _not_started(engine, d, r)
    if d.pending_fix:
        engine.skip_fix(d, d.pending_fix)
    elif d.pending_question:
        engine.answer(d, d.pending_question, "unsure")
    return _advance(engine, d, questions=False)


def _ack(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if d.active and d.pending_fix:
        if d.reminders >= MAX_SHOWS:  # shown enough: wait quietly for the result
            return [{"text": t("ack.wait_quietly")}]
        if d.reminders:  # "ok" again: ask plainly, with the choices
            d.reminders += 1
            return [
                {"text": t("ack.did_it_work")},
                *say.fix(engine, d, Step("fix", d.pending_fix, rank=d.next_rank), reminder=True),
            ]
        d.reminders += 1
        if (d.pending or {}).get("kind") == "info":
            return [{"text": t("ack.info")}]
        if (d.pending or {}).get("kind") == "wait":
            return [{"text": t("ack.wait")}]
        return [{"text": t("ack.take_your_time")}]
    if d.active and d.pending_question:
        return _unclear(engine, d, r)
    return _not_started(engine, d, r) if not d.active else _advance(engine, d)


def _how_to_check(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if d.active and d.pending_fix:  # "how do i do that?": the steps again, once
        if _pressed(d):
            engine.skip_fix(d, d.pending_fix)
            return [
                {"text": t("how_to.leave_fix")},
                *_advance(engine, d),
            ]
        d.reminders += 1
        d.pending["pressed"] = True
        return say.fix(engine, d, Step("fix", d.pending_fix, rank=d.next_rank), reminder=True, with_steps=True)
    qid = d.pending_question if d.active else None
    if qid is None:
        return _unclear(engine, d, r)
    if engine.kb.evidence[qid].how_to_check and not _pressed(d):
        d.reminders += 1
        d.pending["pressed"] = True
        return say.how_to_check(engine, qid)
    engine.answer(d, qid, "unsure")
    return [{"text": t("how_to.go_on_without")}, *_advance(engine, d)]


def _why(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    answer = _cause_answer(engine, d, r) if r.value == "cause" else []
    if answer:  # "is it bc im 14?": whether what the question states (or leans on) is the cause
        return answer + _remind(engine, d)
    if d.active and d.pending_question and r.value in ("question", "cause"):
        # why the question waits, also asked beside a fact that points to no cause ("why? i dont use a vpn")
        again = d.reminders < MAX_SHOWS - 1
        d.reminders += again
        return say.why_asked(engine, d, d.pending_question, again)
    return say.diagnosis(engine, d) + _remind(engine, d)


def _cause_answer(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """Whether the cause what `r.about` says points to is it (none: it points to none, or no diagnosis runs).
    Facts only leant on are weighed as if said ("if so, ..."), never recorded."""
    cause = engine.pointed_to(r.about) if d.active and r.about else None
    if cause is None:
        return []
    stated = all(r.facts.get(e) == v for e, v in r.about.items())
    return say.cause_asked(engine, d if stated else _supposing(engine, d, r.about), cause, stated)


def _supposing(engine: Engine, d: Diagnosis, facts: dict[str, str]) -> Diagnosis:
    """A copy of `d` with `facts` answered: what the diagnosis would say if they held."""
    copy = Diagnosis.from_dict(d.to_dict())
    _record(engine, copy, facts)
    return copy


def _aside(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """A question off the pending step: "I can't answer that", unless a clause of it is answered
    from the knowledge base (`asks`); then the pending step again."""
    answered = any(topic in engine.kb.faq for topic in r.asks)
    return ([] if answered else say.aside()) + _remind(engine, d)


def _handoff(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if d.status == "idle" and (r.symptom or sum(r.symptoms.values()) >= REPORT_FLOOR or r.facts):
        # asked for a person in the first message: what it and the messages before say about the
        # problem go into the summary
        _replace(d, _begun(engine, d, r))
    if r.symptom or r.facts or any(q >= CANDIDATE for q in r.symptoms.values()):
        _keep_words(d, r.words)  # even a hint of the problem in their words helps the person taking over
    msgs = say.handoff(engine, d, reason="asked")
    d.status, d.pending = "handed_over", None
    return msgs


def _start_over(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if r.symptom:
        _replace(d, Diagnosis())
        return [{"text": t("start_over.new_problem")}, *_start(engine, d, r, keep_facts=False)[1:]]
    _replace(d, Diagnosis())
    return say.ask_for_symptom(engine, "start_over.lead")


def _confirm(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """Ask first (value: start_over | handoff); a reply confirming it carries it out."""
    if d.pending_kind == "confirm" and r.confirmed:
        if r.value == "start_over":
            symptom = d.pending.get("symptom")
            return _start_over(
                engine, d, Reading("start_over", symptom=symptom if symptom in engine.kb.symptoms else None)
            )
        return _handoff(engine, d, r)
    if d.pending_kind == "confirm":  # never a confirm of a confirm
        _lapse(d)
    d.pending = {
        "type": "confirm",
        "action": r.value,
        "resume": d.pending,
        "choices": list(d.choices),
        "titles": list(d.titles),
        **({"symptom": r.symptom} if r.symptom else {}),
    }  # a new problem named: started once confirmed
    return say.confirm(r.value)


def _resume(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if d.pending_kind == "confirm":
        _lapse(d)
    if d.active and d.pending:
        return _remind(engine, d, "resume.carry_on")
    return say.ask_for_symptom(engine, "resume.ok") if not d.active else [{"text": t("resume.ok")}]


def _language(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """A request to talk in another language: the one named (knowledge/languages.yml), else the one
    asked in; the pending step follows in it. Not spoken, or none to tell: the languages to pick."""
    now = speaks(engine, d)
    wanted = r.value or language.named(r.words, engine.kb.language_names, now)
    if wanted is None:  # "no hablo inglés", "can you talk in my language": the language asked in
        asked_in = next((lang for lang, p in r.languages if p >= language.FIRST_SURE), None)
        wanted = asked_in if asked_in != now else None
    if wanted not in engine.kb.languages:
        return [*say.languages(engine), *_remind(engine, d, None)]
    d.language = wanted
    with speaking(wanted):  # the step again in full: it was shown in a language the user doesn't read
        if d.active and d.pending:
            return [{"text": t("language.switched")}, *say.reminder(engine, d, None)]
        if d.status == "idle":
            return say.ask_for_symptom(engine, "language.switched") + _pending_clarify(d)
        return [{"text": t("language.switched")}]


def _faq(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    if r.value not in engine.kb.faq:
        return _unclear(engine, d, r)
    answer = _topic_answer(engine, d, r.value)
    _note_answered(d, [r.value])
    return [*answer, *_remind(engine, d)]


def _chat(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    msgs = say.chat(r.value, idle=not d.active)
    if r.value == "goodbye":
        return msgs
    if d.active:
        return msgs + _remind(engine, d)
    return msgs


def _nothing(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    return []


def _unclear(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    again = _pressed(d)
    if d.active and d.pending_question:
        if again:
            engine.answer(d, d.pending_question, "unsure")
            return [{"text": t("unclear.take_as_unsure")}, *_advance(engine, d)]
        d.pending["pressed"] = True
        return [{"text": t("unclear.yes_or_no")}, *_remind(engine, d, None)]
    if d.active and d.pending_fix:
        if again:
            engine.skip_fix(d, d.pending_fix)
            return [{"text": t("unclear.leave_fix")}, *_advance(engine, d)]
        d.pending["pressed"] = True
        return [{"text": t("unclear.worked")}, *_remind(engine, d, None)]
    if d.active:
        return [{"text": t("unclear.didnt_get")}, *_advance(engine, d)]
    return _not_started(engine, d, r)


def _pressed(d: Diagnosis) -> bool:
    """The user was pressed on the pending step (told a reply was unclear, or shown how to do or check
    it), or it was shown in full as often as it will be: the next unclear reply gives it up. A step
    shown again after an aside was not pressed."""
    return bool(d.pending and d.pending.get("pressed") is True) or d.reminders >= MAX_SHOWS


def _not_started(engine: Engine, d: Diagnosis, r: Reading) -> list[Message]:
    """No diagnosis running: offer what the message may have meant, keeping its facts. After a
    resolution, a message with nothing of a problem in it ("I see. I'll ring her and ask her, thank
    you") keeps it resolved."""
    problem = r.symptom or sum(r.symptoms.values()) >= REPORT_FLOOR or states_problem(r.words)
    told = problem or r.options or r.facts or r.told  # "ugh now nothing sends to anyone"
    if d.status in ("resolved", "handed_over") and r.leaving and not problem:
        # "u already told me its the age thing. ok thx bye": a goodbye, not a new problem ("still cant
        # send anything. thx bye" is one)
        return say.chat("goodbye", idle=True)
    if d.status == "resolved" and not told:
        return [{"text": t("resolved.nothing_new")}]
    if d.status != "idle":  # after a resolution or hand-over, a new problem starts clean
        _replace(d, Diagnosis())
    _idle_facts(engine, d, r)
    if d.pending_kind == "clarify":
        if d.evidence or r.symptoms:  # asked once already: start from what we have
            return _start(engine, d, r)
        if d.reminders >= MAX_SHOWS - 1:  # asked twice, nothing to go on: questions will find it
            return [{"text": t("unclear.step_by_step")}, *_start(engine, d, r)[1:]]
        d.reminders += 1
        return say.ask_for_symptom(engine, "unclear.still_didnt_get") + _pending_clarify(d)
    if r.options:
        return say.clarify(engine, r.options, t("unclear.did_you_mean")) + _pending_clarify(d, r.options)
    return say.ask_for_symptom(engine) + _pending_clarify(d)


def _pending_clarify(d: Diagnosis, options: list[str] | None = None) -> list[Message]:
    d.pending = {"type": "clarify", "options": list(options or say.COMMON_SYMPTOMS)}
    return []


_HANDLERS: dict[str, Callable[[Engine, Diagnosis, Reading], list[Message]]] = {
    "answer": _answer,
    "result": _result,
    "report": _report,
    "skip": _skip,
    "ack": _ack,
    "how_to_check": _how_to_check,
    "why": _why,
    "handoff": _handoff,
    "start_over": _start_over,
    "confirm": _confirm,
    "resume": _resume,
    "faq": _faq,
    "language": _language,
    "chat": _chat,
    "aside": _aside,
    "unclear": _unclear,
}
