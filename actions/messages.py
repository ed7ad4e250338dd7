"""What the bot says: text, buttons and the contract's structured payload.

Each function returns a list of keyword-argument dicts for
`dispatcher.utter_message`, so the actions stay thin and tests can check
the messages without a dispatcher.
"""
from __future__ import annotations

import json
from typing import Any

from troubleshooter.engine import Engine, Step
from troubleshooter.state import Diagnosis

Message = dict[str, Any]
UNCONFIRMED = "TikTok doesn't publish the details of this, so take it as a likely pattern rather than a rule."


def _payload(intent: str, **entities: str) -> str:
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def _json(kind: str, **body: Any) -> Message:
    return {"json_message": {"troubleshooter": {"type": kind, **body}}}


def question(engine: Engine, eid: str, reminder: bool = False) -> list[Message]:
    ev = engine.kb.evidence[eid]
    buttons = [
        {"title": "Yes", "payload": _payload("affirm", evidence=eid)},
        {"title": "No", "payload": _payload("deny", evidence=eid)},
        {"title": "Not sure", "payload": _payload("unsure", evidence=eid)},
    ]
    body = {"evidence": eid, **({"reminder": True} if reminder else {})}
    return [{"text": ev.question, "buttons": buttons}, _json("question", **body)]


def _fix_causes(engine: Engine, d: Diagnosis, fid: str) -> list[dict[str, Any]]:
    belief = engine.belief(d)
    return [{"cause": c, "probability": round(p, 4)} for c, p in belief.items()
            if engine.kb.causes[c].fixes.get(fid, 0) > 0][:3]


def fix(engine: Engine, d: Diagnosis, step: Step, reminder: bool = False) -> list[Message]:
    f = engine.kb.fixes[step.id]
    lead = "Let's try this" if not d.failed and not d.skipped else "Next, let's try this"
    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(f.steps, 1))
    text = f"{lead}: {f.title}\n{steps}\nDid that fix it?"
    buttons = [
        {"title": "It worked", "payload": _payload("fix_worked", fix=step.id)},
        {"title": "Still not working", "payload": _payload("fix_failed", fix=step.id)},
        {"title": "Why this?", "payload": "/ask_why"},
    ]
    body = {"fix": step.id, "rank": step.rank, "causes": _fix_causes(engine, d, step.id),
            **({"reminder": True} if reminder else {})}
    return [{"text": text, "buttons": buttons}, _json("fix", **body)]


def step_messages(engine: Engine, d: Diagnosis, step: Step) -> list[Message]:
    if step.kind == "question":
        return question(engine, step.id)
    if step.kind == "fix":
        return fix(engine, d, step)
    return handoff(engine, d, reason="out_of_fixes")


def reminder(engine: Engine, d: Diagnosis, lead: str = "Back to your problem:") -> list[Message]:
    """Show again what is still waiting for an answer, if anything."""
    if d.active and d.pending_question in engine.kb.evidence:
        return [{"text": lead}, *question(engine, d.pending_question, reminder=True)]
    if d.active and d.pending_fix in engine.kb.fixes:
        step = Step("fix", d.pending_fix, rank=d.next_rank)
        return [{"text": lead}, *fix(engine, d, step, reminder=True)]
    return []


def diagnosis(engine: Engine, d: Diagnosis) -> list[Message]:
    if not d.symptoms and not d.evidence:
        return [{"text": "I don't have anything to go on yet. Tell me what happens when you try to send a message."}]
    kb = engine.kb
    lines = ["Here's what I think is most likely, from what you've told me:"]
    for i, item in enumerate(engine.explain(d), 1):
        cause = kb.causes[item["cause"]]
        why = "; ".join(f"\"{_short(kb.evidence[s['evidence']].question)}\" {_ANSWER_WORD[s['answer']]}"
                        for s in item["supported_by"])
        lines.append(f"{i}. {cause.name} ({item['probability']:.0%})" + (f" — because of your answers: {why}" if why else ""))
        lines.append(f"   {cause.explanation}" + ("" if cause.confirmed else f" {UNCONFIRMED}"))
    if d.failed:
        lines.append("Already ruled out by fixes that didn't work: " + ", ".join(kb.fixes[f].title for f in d.failed) + ".")
    return [{"text": "\n".join(lines)}, _json("diagnosis", causes=engine.top_causes(d, top=5))]


_ANSWER_WORD = {"yes": "→ yes", "no": "→ no", "unsure": "→ not sure"}


def _short(question_text: str) -> str:
    return question_text.rstrip("?")


def handoff(engine: Engine, d: Diagnosis, reason: str) -> list[Message]:
    kb = engine.kb
    summary = engine.handoff_summary(d)
    lead = ("I'll hand you over to a person from our support team." if reason == "asked"
            else "I've run out of fixes that are likely to help, so I'm handing you over to a person from our support team.")
    lines = [lead, "They'll see this summary, so you won't have to repeat yourself:"]
    if summary["symptom"]:
        lines.append(f"- Problem: {kb.symptoms[summary['symptom']].description}")
    facts = [f"{_short(kb.evidence[e].question)} {_ANSWER_WORD.get(v, v)}" for e, v in summary["evidence"].items()]
    if facts:
        lines.append("- What you told me: " + "; ".join(facts))
    if summary["fixes_tried"]:
        lines.append("- Tried without success: " + ", ".join(kb.fixes[f].title for f in summary["fixes_tried"]))
    if summary["top_causes"] and (summary["symptom"] or facts):
        lines.append("- Most likely causes: " + ", ".join(
            f"{kb.causes[c['cause']].name} ({c['probability']:.0%})" for c in summary["top_causes"]))
    return [{"text": "\n".join(lines)}, _json("handoff", summary=summary, reason=reason)]


def resolved(engine: Engine, d: Diagnosis, fid: str | None) -> list[Message]:
    text = "Great, glad it works again!"
    if fid:
        best = next((c for c in engine.belief(d) if engine.kb.causes[c].fixes.get(fid, 0) > 0), None)
        if best:
            text += f" The likely cause was: {engine.kb.causes[best].name.lower()}. {engine.kb.causes[best].explanation}"
    return [{"text": text + " If it happens again, just tell me what you see."}]


def ask_for_symptom() -> list[Message]:
    return [{"text": "What happens when you try to send a message? For example: \"it fails with a red "
                     "exclamation mark\", \"it keeps spinning\", or \"I can't message one person\"."}]
