"""What the bot says: text, buttons and the contract's structured payload.

Each message is a dict of the keyword arguments of
`dispatcher.utter_message` (text, buttons, json_message or response), so the
dialogue stays free of Rasa and tests can check messages without a dispatcher.
"""

from __future__ import annotations

import json
from typing import Any

from .engine import Engine, Step
from .state import Diagnosis

Message = dict[str, Any]
UNCONFIRMED = "TikTok doesn't publish the details of this, so take it as a likely pattern rather than a rule."
COMMON_SYMPTOMS = ("send_failed", "send_stuck", "one_person")


CHAT = {
    "greet": "Hi! I help when TikTok won't let you send messages. Tell me what happens, for example "
    '"my messages fail with a red exclamation mark" or "I can\'t message one person".',
    "thanks": "You're welcome!",
    "goodbye": "Bye! Good luck with your messages.",
    "bot_challenge": 'I\'m an automated troubleshooter, not a person. Say "talk to a human" at any time and '
    "I'll hand you over to support with a summary.",
    "out_of_scope": "I can only help with TikTok direct messages that won't send or arrive.",
}


def chat(kind: str, idle: bool) -> list[Message]:
    text = CHAT[kind]
    if idle and kind == "out_of_scope":
        text += " Tell me what happens when you try to message someone."
    return [{"text": text}]


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def _json(kind: str, **body: Any) -> Message:
    return {"json_message": {"troubleshooter": {"type": kind, **body}}}


def question(engine: Engine, eid: str, reminder: bool = False, value: float | None = None) -> list[Message]:
    ev = engine.kb.evidence[eid]
    buttons = [
        {"title": "Yes", "payload": payload("affirm", evidence=eid)},
        {"title": "No", "payload": payload("deny", evidence=eid)},
        {"title": "Not sure", "payload": payload("unsure", evidence=eid)},
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
    f = engine.kb.fixes[step.id]
    lead = "Let's try this" if not d.failed and not d.skipped else "Next, let's try this"
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(f.steps, 1))
    if reminder:
        text = f"{f.title}\n{steps}\nDid that fix it?" if with_steps else f"{f.title}\nDid that fix it?"
    else:
        text = f"{lead}: {f.title}\n{steps}\nDid that fix it?"
    buttons = [
        {"title": "It worked", "payload": payload("fix_worked", fix=step.id)},
        {"title": "Still not working", "payload": payload("fix_failed", fix=step.id)},
        {"title": "Why this?", "payload": "/ask_why"},
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


def reminder(engine: Engine, d: Diagnosis, lead: str | None = "Back to your problem:") -> list[Message]:
    """Show again what is still waiting for a reply, if anything."""
    head = [{"text": lead}] if lead else []
    if d.active and d.pending_question in engine.kb.evidence:
        return head + question(engine, d.pending_question, reminder=True)
    if d.active and d.pending_fix in engine.kb.fixes:
        return head + fix(engine, d, Step("fix", d.pending_fix, rank=d.next_rank), reminder=True)
    return []


def still_open(engine: Engine, d: Diagnosis) -> list[Message]:
    """A pointer to the step shown twice already (no third full showing)."""
    if d.active and d.pending_question in engine.kb.evidence:
        return [
            {"text": "My question above is still open: yes, no or not sure?"},
            _json("question", evidence=d.pending_question, reminder=True),
        ]
    if d.active and d.pending_fix in engine.kb.fixes:
        return [
            {"text": "Tell me when you've tried the fix above: did it work?"},
            _fix_payload(engine, d, d.pending_fix, d.next_rank, reminder=True),
        ]
    return []


def why_asked(engine: Engine, d: Diagnosis, eid: str, again: bool = True) -> list[Message]:
    """Why question `eid` is asked; the question is shown `again` unless it was shown enough already."""
    causes = engine.question_purpose(d, eid)
    names = " and ".join(f"{engine.kb.causes[c].name.lower()} ({p:.0%})" for c, p in causes)
    text = (
        f"I'm asking because the answer tells apart likely causes: {names}."
        if names
        else "I'm asking because the answer narrows down which fix to suggest first."
    )
    if not again:
        text += ' A yes, a no or "not sure" all help.'
    return [
        {"text": text},
        _json("diagnosis", causes=engine.top_causes(d, top=5)),
        *(question(engine, eid, reminder=True) if again else []),
    ]


def aside() -> list[Message]:
    return [{"text": 'I can\'t answer that one here, sorry. A person from support can: just say "talk to a human".'}]


def how_to_check(engine: Engine, eid: str) -> list[Message]:
    return [{"text": engine.kb.evidence[eid].how_to_check}, *question(engine, eid, reminder=True)]


def clarify(engine: Engine, options: list[str], lead: str) -> list[Message]:
    """Offer readings to pick from (symptom ids) plus "something else"."""
    kb = engine.kb
    buttons = [{"title": kb.symptoms[s].description, "payload": payload(f"symptom_{s}")} for s in options]
    buttons.append({"title": "Something else", "payload": payload("deny")})
    return [{"text": lead, "buttons": buttons}, _json("clarify", options=list(options))]


def confirm(action: str) -> list[Message]:
    """Ask before a step that cannot be undone."""
    if action == "start_over":
        text, yes = "Do you want to start over? That clears what you've told me so far.", "Yes, start over"
        intent = "start_over"
    else:
        text, yes = "Do you want me to hand you over to a person from our support team?", "Yes, a person please"
        intent = "human_handoff"
    buttons = [{"title": yes, "payload": payload(intent)}, {"title": "No, carry on", "payload": payload("deny")}]
    return [{"text": text, "buttons": buttons}, _json("clarify", options=[action, "continue"])]


def diagnosis(engine: Engine, d: Diagnosis) -> list[Message]:
    if not d.reports and not d.evidence:
        return [{"text": "I don't have anything to go on yet. Tell me what happens when you try to send a message."}]
    kb = engine.kb
    lines = ["Here's what I think is most likely, from what you've told me:"]
    for i, item in enumerate(engine.explain(d), 1):
        cause = kb.causes[item["cause"]]
        why = "; ".join(
            f'"{_short(kb.evidence[s["evidence"]].question)}" {_ANSWER_WORD[s["answer"]]}' for s in item["supported_by"]
        )
        lines.append(
            f"{i}. {cause.name} ({item['probability']:.0%})" + (f" — because of your answers: {why}" if why else "")
        )
        lines.append(f"   {cause.explanation}" + ("" if cause.confirmed else f" {UNCONFIRMED}"))
    if d.failed:
        lines.append(
            "Already ruled out by fixes that didn't work: " + ", ".join(kb.fixes[f].title for f in d.failed) + "."
        )
    return [{"text": "\n".join(lines)}, _json("diagnosis", causes=engine.top_causes(d, top=5))]


_ANSWER_WORD = {"yes": "→ yes", "no": "→ no", "unsure": "→ not sure"}


def _short(question_text: str) -> str:
    return question_text.rstrip("?")


def summary_lines(engine: Engine, d: Diagnosis, agent: bool = False) -> list[str]:
    """The readable summary a person taking over needs (the user sees the same; `agent`
    words it about the user and adds the fixes not tried yet)."""
    kb = engine.kb
    summary = engine.handoff_summary(d)
    lines = []
    if summary["symptom"]:
        lines.append(f"- Problem: {kb.symptoms[summary['symptom']].description}")
    facts = [f"{_short(kb.evidence[e].question)} {_ANSWER_WORD.get(v, v)}" for e, v in summary["evidence"].items()]
    if facts:
        lines.append(("- What they said: " if agent else "- What you told me: ") + "; ".join(facts))
    if summary["fixes_tried"]:
        lines.append("- Tried without success: " + ", ".join(kb.fixes[f].title for f in summary["fixes_tried"]))
    described = bool(summary["symptom"] or facts)  # else the causes are only the knowledge base's priors
    if summary["top_causes"] and described:
        lines.append(
            "- Most likely causes: "
            + ", ".join(f"{kb.causes[c['cause']].name} ({c['probability']:.0%})" for c in summary["top_causes"])
        )
    untried = [kb.fixes[f].title for f, _, _ in engine.fix_ranking(d)[:2]] if agent and described else []
    if untried:
        lines.append("- Not tried yet (most promising first): " + ", ".join(untried))
    return lines


HANDOFF_REASONS = {
    "asked": "the user asked for a person",
    "out_of_fixes": "no fix likely to help is left",
    "failure": "the troubleshooter failed while answering",
}


def agent_note(engine: Engine, d: Diagnosis, reason: str) -> str:
    """The hand-over note for the support team: why, and the same summary the user saw."""
    lines = summary_lines(engine, d, agent=True) or ["- No problem described yet."]
    return "\n".join([f"Troubleshooter hand-over: {HANDOFF_REASONS.get(reason, reason)}.", *lines])


def handoff(engine: Engine, d: Diagnosis, reason: str) -> list[Message]:
    lead = (
        "I'll hand you over to a person from our support team."
        if reason == "asked"
        else "I've run out of fixes that are likely to help, so I'm handing you over to a person from our support team."
    )
    lines = [lead, "They'll see this summary, so you won't have to repeat yourself:", *summary_lines(engine, d)]
    return [
        {"text": "\n".join(lines)},
        _json("handoff", summary=engine.handoff_summary(d), reason=reason, note=agent_note(engine, d, reason)),
    ]


BACK = "I'm back: a person from our support team passed your conversation back to me."


def owner_noted(owner: str) -> list[Message]:
    """Machine-only: a support chat's news of who owns the conversation was taken in."""
    return [_json("owner", owner=owner)]


def resolved(engine: Engine, d: Diagnosis, fid: str | None) -> list[Message]:
    if fid and engine.kb.fixes[fid].kind == "info":  # an explanation was taken on board; nothing "works again"
        return [
            {"text": "Good, I hope that clears it up. If something else goes wrong with your messages, just tell me."},
            _json("resolved", fix=fid),
        ]
    text = "Great, glad it works again!"
    if fid:
        best = next((c for c in engine.belief(d) if engine.kb.causes[c].fixes.get(fid, 0) > 0), None)
        if best:
            text += (
                f" The likely cause was: {engine.kb.causes[best].name.lower()}. {engine.kb.causes[best].explanation}"
            )
    return [{"text": text + " If it happens again, just tell me what you see."}, _json("resolved", fix=fid)]


def ask_for_symptom(engine: Engine, lead: str | None = None) -> list[Message]:
    """Ask what happens, with the most common problems as buttons (never a dead end)."""
    text = (
        "What happens when you try to send a message? Pick one, or tell me in your own words, "
        'e.g. "it keeps spinning" or "I can\'t message one person".'
    )
    return clarify(engine, list(COMMON_SYMPTOMS), f"{lead} {text}" if lead else text)
