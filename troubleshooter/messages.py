"""What the bot says: text, buttons and the contract's structured payload.

Each message is a dict of the keyword arguments of
`dispatcher.utter_message` (text, buttons, json_message or response), so the
dialogue stays free of Rasa and tests can check messages without a dispatcher.
The words come from knowledge/texts/ by key (`texts.t`); this module puts them
together with the knowledge base's texts, both in the language spoken (`texts.speaking`),
which every payload names.
"""

from __future__ import annotations

import json
from typing import Any

from .engine import Engine, Step
from .knowledge import KnowledgeBase
from .state import Diagnosis
from .texts import speaking, spoken, t, texts_for
from .vocabulary import ANSWER, PAYLOAD_KEY

Message = dict[str, Any]
COMMON_SYMPTOMS = ("send_failed", "send_stuck", "one_person")


CHAT = {  # small talk (reading.CHAT) -> its text key
    "greet": "chat.greet",
    "thanks": "chat.thanks",
    "goodbye": "chat.goodbye",
    "bot_challenge": "chat.bot_challenge",
    "out_of_scope": "chat.out_of_scope",
}


def chat(kind: str, idle: bool) -> list[Message]:
    text = t(CHAT[kind])
    if idle and kind == "out_of_scope":
        text += " " + t("chat.out_of_scope_idle")
    return [{"text": text}]


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def _json(kind: str, **body: Any) -> Message:
    return {"json_message": {PAYLOAD_KEY: {"type": kind, **body, "language": spoken()}}}


def _kb(engine: Engine) -> KnowledgeBase:
    """The knowledge base's texts in the language spoken."""
    return engine.kb.speaking(spoken())


def question(engine: Engine, eid: str, reminder: bool = False, value: float | None = None) -> list[Message]:
    ev = _kb(engine).evidence[eid]
    buttons = [
        {"title": t("buttons.answer_yes"), "payload": payload("affirm", evidence=eid)},
        {"title": t("buttons.answer_no"), "payload": payload("deny", evidence=eid)},
        {"title": t("buttons.answer_unsure"), "payload": payload("unsure", evidence=eid)},
    ]
    body = {
        "evidence": eid,
        **({"reminder": True} if reminder else {}),
        **({"value": round(value, 4)} if value is not None else {}),
    }
    return [{"text": ev.question, "buttons": buttons}, _json("question", **body)]


def _fix_causes(engine: Engine, d: Diagnosis, fid: str) -> list[dict[str, Any]]:
    belief = engine.belief(d)
    return [
        {"cause": c, "probability": round(p, 4)} for c, p in belief.items() if engine.kb.causes[c].fixes.get(fid, 0) > 0
    ][:3]


def fix(engine: Engine, d: Diagnosis, step: Step, reminder: bool = False, with_steps: bool = False) -> list[Message]:
    """A fix to try; a reminder names it only, unless its steps are asked for again (`with_steps`)."""
    f = _kb(engine).fixes[step.id]
    first = not d.failed and not d.skipped
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(f.steps, 1))
    ask = t("fix.did_it_work")
    if reminder:
        text = f"{f.title}\n{steps}\n{ask}" if with_steps else f"{f.title}\n{ask}"
    elif first and not d.partial and d.told:  # what they had done, so they see it was heard
        done = t("why.and").join(_in_sentence(_kb(engine).fixes[x].title) for x in d.told)
        text = f"{t('fix.after_told', done=done, title=f.title)}\n{steps}\n{ask}"
    else:
        text = f"{t('fix.first' if first else 'fix.next', title=f.title)}\n{steps}\n{ask}"
    buttons = [
        {"title": t("buttons.fix_worked"), "payload": payload("fix_worked", fix=step.id)},
        {"title": t("buttons.fix_failed"), "payload": payload("fix_failed", fix=step.id)},
        {"title": t("buttons.why"), "payload": "/ask_why"},
    ]
    chosen = (
        {"probability": round(step.probability, 4), "efficiency": round(step.value, 4)}
        if step.value and not reminder
        else {}
    )
    return [{"text": text, "buttons": buttons}, _fix_payload(engine, d, step.id, step.rank, reminder, **chosen)]


def _fix_payload(engine: Engine, d: Diagnosis, fid: str, rank: int, reminder: bool, **chosen: float) -> Message:
    """`chosen`: P(resolves) and efficiency that made the engine pick the fix (review)."""
    return _json(
        "fix",
        fix=fid,
        rank=rank,
        causes=_fix_causes(engine, d, fid),
        **({"reminder": True} if reminder else {}),
        **chosen,
    )


def step_messages(engine: Engine, d: Diagnosis, step: Step, reminder: bool = False) -> list[Message]:
    if step.kind == "question":
        return question(engine, step.id, reminder, value=None if reminder else step.value)
    if step.kind == "fix":
        return fix(engine, d, step, reminder)
    return handoff(engine, d, reason="out_of_fixes")


def reminder(engine: Engine, d: Diagnosis, lead: str | None = "reminder.back_to_problem") -> list[Message]:
    """Show again what is still waiting for a reply, if anything, after the text `lead` (a key), if any."""
    head = [{"text": t(lead)}] if lead else []
    if d.active and d.pending_question in engine.kb.evidence:
        return head + question(engine, d.pending_question, reminder=True)
    if d.active and d.pending_fix in engine.kb.fixes:
        return head + fix(engine, d, Step("fix", d.pending_fix, rank=d.next_rank), reminder=True)
    return []


def still_open(engine: Engine, d: Diagnosis) -> list[Message]:
    """A pointer to the step shown twice already (no third full showing)."""
    if d.active and d.pending_question in engine.kb.evidence:
        return [
            {"text": t("still_open.question")},
            _json("question", evidence=d.pending_question, reminder=True, buttons=False),
        ]
    if d.active and d.pending_fix in engine.kb.fixes:
        pointer = _fix_payload(engine, d, d.pending_fix, d.next_rank, reminder=True)
        pointer["json_message"][PAYLOAD_KEY]["buttons"] = False
        return [{"text": t("still_open.fix")}, pointer]
    return []


def _in_sentence(name: str) -> str:
    """A cause's name inside a sentence: its first word lower-cased when it is an ordinary
    capitalised word ("Your", "A"), names and acronyms kept ("TikTok's", "VPN")."""
    first = name.split(" ", 1)[0]
    return name[0].lower() + name[1:] if first[1:] == first[1:].lower() else name


def why_asked(engine: Engine, d: Diagnosis, eid: str, again: bool = True) -> list[Message]:
    """Why question `eid` is asked; the question is shown `again` unless it was shown enough already."""
    causes = engine.question_purpose(d, eid)
    names = t("why.and").join(f"{_in_sentence(_kb(engine).causes[c].name)} ({p:.0%})" for c, p in causes)
    text = t("why.causes", causes=names) if names else t("why.no_causes")
    if not again:
        text += " " + t("why.any_answer_helps")
    return [
        {"text": text},
        answer("why_asked", evidence=eid),
        _json("diagnosis", causes=engine.top_causes(d, top=5)),
        *(question(engine, eid, reminder=True) if again else []),
    ]


UNLIKELY_CAUSE = 0.05  # a cause asked about that is less likely than this is "probably not" it


def cause_asked(engine: Engine, d: Diagnosis, cid: str, stated: bool = True) -> list[Message]:
    """Whether cause `cid` (the one what the user states points to) is it: how likely it is now and
    why it would stop messages; when it is not the likeliest, the cause that is. Only what the user
    `stated` (not what the fact reader only leans on) makes it "fit"."""
    kb = _kb(engine)
    belief = engine.belief(d)
    top, top_p = next(iter(belief.items()))
    cause = kb.causes[cid]
    said = dict(cause=_in_sentence(cause.name), p=_share(belief[cid]))
    key = "why.cause_first" if cid == top and stated else "why.cause_possible"
    lines = [t("why.cause_unlikely" if belief[cid] < UNLIKELY_CAUSE else key, **said)]
    lines.append(cause.explanation + ("" if cause.confirmed else f" {t('diagnosis.unconfirmed')}"))
    if cid != top:
        against = engine.against(d, cid)
        if against:
            lines.append(_against(kb, *against))
        lines.append(t("why.cause_likelier", cause=_in_sentence(kb.causes[top].name), p=_share(top_p)))
    return [
        {"text": "\n".join(lines)},
        answer("cause", cause=cid),
        _json("diagnosis", causes=engine.top_causes(d, top=5)),
    ]


def _against(kb: KnowledgeBase, kind: str, ref: str, value: str) -> str:
    """The line naming what speaks against a cause (Engine.against)."""
    if kind == "symptom":
        return t("why.against_symptom", symptom=kb.symptoms[ref].description)
    if kind == "fix":
        return t("why.against_fix", fix=kb.fixes[ref].title)
    return t("why.against_answer", question=kb.evidence[ref].question, answer=_answer_word(value))


def _share(p: float) -> str:
    """A probability as a percentage; below half a percent "<1%", never "0%"."""
    return f"{p:.0%}" if p >= 0.005 else "<1%"


def languages(engine: Engine) -> list[Message]:
    """The languages spoken, each a button in its own words (asked for one the bot doesn't speak)."""
    spoken = engine.kb.languages
    names = [texts_for(lang)("language.own_name") for lang in spoken]
    buttons = [{"title": n, "payload": payload("switch_language", language=lang)} for lang, n in zip(spoken, names)]
    return [{"text": t("language.unavailable", languages=", ".join(names)), "buttons": buttons}, answer("languages")]


def aside() -> list[Message]:
    return [{"text": t("aside.cannot_answer")}]


def answer(topic: str, **about: str) -> Message:
    """The payload of an answer to the user's own question: `topic` is a FAQ id, `why_asked` or
    `how_to_check` (with the question's `evidence`), or `cause` (with the `cause` asked about)."""
    return _json(ANSWER, topic=topic, **about)


def faq(engine: Engine, topic: str) -> list[Message]:
    """The knowledge base's answer to a question people ask besides their problem."""
    return [{"text": _kb(engine).faq[topic]["answer"]}, answer(topic)]


def how_to_check(engine: Engine, eid: str) -> list[Message]:
    return [
        {"text": _kb(engine).evidence[eid].how_to_check},
        answer("how_to_check", evidence=eid),
        *question(engine, eid, reminder=True),
    ]


def clarify(engine: Engine, options: list[str], lead: str) -> list[Message]:
    """Offer readings to pick from (symptom ids) plus "something else", after the text `lead`."""
    kb = _kb(engine)
    buttons = [{"title": kb.symptoms[s].description, "payload": payload(f"symptom_{s}")} for s in options]
    buttons.append({"title": t("buttons.something_else"), "payload": payload("deny")})
    return [{"text": lead, "buttons": buttons}, _json("clarify", options=list(options))]


def confirm(action: str) -> list[Message]:
    """Ask before a step that cannot be undone."""
    if action == "start_over":
        text, yes = t("confirm.start_over"), t("buttons.confirm_start_over")
        intent = "start_over"
    else:
        text, yes = t("confirm.handoff"), t("buttons.confirm_handoff")
        intent = "human_handoff"
    buttons = [{"title": yes, "payload": payload(intent)}, {"title": t("buttons.carry_on"), "payload": payload("deny")}]
    return [{"text": text, "buttons": buttons}, _json("confirm", action=action)]


def diagnosis(engine: Engine, d: Diagnosis) -> list[Message]:
    if not d.reports and not d.evidence:
        return [{"text": t("diagnosis.nothing_yet")}]
    kb = _kb(engine)
    lines = [t("diagnosis.head")]
    for i, item in enumerate(engine.explain(d), 1):
        cause = kb.causes[item["cause"]]
        why = "; ".join(
            f'"{_short(kb.evidence[s["evidence"]].question)}" {t(_ANSWER_WORD[s["answer"]])}'
            for s in item["supported_by"]
        )
        lines.append(
            f"{i}. {cause.name} ({item['probability']:.0%})"
            + (f" {t('diagnosis.because', answers=why)}" if why else "")
        )
        lines.append(f"   {cause.explanation}" + ("" if cause.confirmed else f" {t('diagnosis.unconfirmed')}"))
    if d.failed or d.told:
        lines.append(t("diagnosis.ruled_out", fixes=", ".join(kb.fixes[f].title for f in (*d.told, *d.failed))))
    return [{"text": "\n".join(lines)}, _json("diagnosis", causes=engine.top_causes(d, top=5))]


_ANSWER_WORD = {"yes": "answer.was_yes", "no": "answer.was_no", "unsure": "answer.was_unsure"}  # -> text key


def _answer_word(value: str) -> str:
    return t(_ANSWER_WORD[value]) if value in _ANSWER_WORD else value


def _short(question_text: str) -> str:
    return question_text.rstrip("?")


def summary_lines(engine: Engine, d: Diagnosis, agent: bool = False) -> list[str]:
    """The readable summary a person taking over needs (the user sees the same; `agent`
    words it about the user and adds the fixes not tried yet)."""
    kb = _kb(engine)
    summary = engine.handoff_summary(d)
    lines = []
    if summary["symptom"]:
        lines.append("- " + t("summary.problem", problem=kb.symptoms[summary["symptom"]].description))
    if summary["said"]:
        words = " / ".join(summary["said"])
        lines.append("- " + t("summary.their_words" if agent else "summary.your_words", words=words))
    facts = [f"{_short(kb.evidence[e].question)} {_answer_word(v)}" for e, v in summary["evidence"].items()]
    if facts:
        lines.append("- " + t("summary.they_said" if agent else "summary.told_me", facts="; ".join(facts)))
    if summary["fixes_tried"]:
        lines.append("- " + t("summary.tried", fixes=", ".join(kb.fixes[f].title for f in summary["fixes_tried"])))
    if summary["fixes_helped_in_part"]:
        titles = ", ".join(kb.fixes[f].title for f in summary["fixes_helped_in_part"])
        lines.append("- " + t("summary.helped_in_part", fixes=titles))
    described = bool(
        summary["symptom"] or facts or summary["said"]
    )  # else the causes are only the knowledge base's priors
    if summary["top_causes"] and described:
        causes = ", ".join(f"{kb.causes[c['cause']].name} ({c['probability']:.0%})" for c in summary["top_causes"])
        lines.append("- " + t("summary.likely_causes", causes=causes))
    untried = [kb.fixes[f].title for f, _, _ in engine.fix_ranking(d)[:2]] if agent and described else []
    if untried:
        lines.append("- " + t("summary.untried", fixes=", ".join(untried)))
    return lines or ["- " + t("summary.not_described")]


HANDOFF_REASONS = {  # -> text key
    "asked": "agent.reason_asked",
    "out_of_fixes": "agent.reason_out_of_fixes",
    "failure": "agent.reason_failure",
}


def agent_note(engine: Engine, d: Diagnosis, reason: str) -> str:
    """The hand-over note for the support team, in the team's language (knowledge/settings.yml
    `team_language`): why, which language the user writes in, and the summary the user saw."""
    user = spoken()
    with speaking(team_language(engine)):
        lines = summary_lines(engine, d, agent=True) or ["- " + t("agent.nothing_described")]
        why = t(HANDOFF_REASONS[reason]) if reason in HANDOFF_REASONS else reason
        wrote_in = t("agent.writes_in", language=texts_for(user)("language.own_name"), code=user)
        return "\n".join([t("agent.note_head", reason=why), wrote_in, *lines])


def team_language(engine: Engine) -> str:
    """The language the support team reads (knowledge/settings.yml `team_language`, else English)."""
    team = engine.kb.settings.get("team_language")
    return team if team in engine.kb.languages else engine.kb.languages[0]


def handoff(engine: Engine, d: Diagnosis, reason: str) -> list[Message]:
    lead = t("handoff.asked") if reason == "asked" else t("handoff.out_of_fixes")
    lines = [lead, t("handoff.summary_follows"), *summary_lines(engine, d)]
    return [
        {"text": "\n".join(lines)},
        _json("handoff", summary=engine.handoff_summary(d), reason=reason, note=agent_note(engine, d, reason)),
    ]


def owner_noted(owner: str) -> list[Message]:
    """Machine-only: a support chat's news of who owns the conversation was taken in."""
    return [_json("owner", owner=owner)]


def resolved(engine: Engine, d: Diagnosis, fid: str | None) -> list[Message]:
    if fid and engine.kb.fixes[fid].kind == "info":  # an explanation was taken on board; nothing "works again"
        return [{"text": t("resolved.explained")}, _json("resolved", fix=fid, outcome="explained")]
    text = t("resolved.works_again")
    if fid:
        best = next((c for c in engine.belief(d) if engine.kb.causes[c].fixes.get(fid, 0) > 0), None)
        if best:
            cause = _kb(engine).causes[best]
            text += " " + t("resolved.likely_cause", cause=_in_sentence(cause.name), explanation=cause.explanation)
    return [{"text": text + " " + t("resolved.if_again")}, _json("resolved", fix=fid, outcome="fixed")]


def ask_for_symptom(engine: Engine, lead: str | None = None) -> list[Message]:
    """Ask what happens, with the most common problems as buttons (never a dead end), after
    the text `lead` (a key), if any."""
    text = t("symptom.ask")
    return clarify(engine, list(COMMON_SYMPTOMS), f"{t(lead)} {text}" if lead else text)
