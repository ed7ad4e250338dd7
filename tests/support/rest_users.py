"""The project's simulated users talking to the running assistant over REST.

Each user opens with free text, answers questions by clicking the button
(every other user types the answer instead), and reports fix results.
"""
from __future__ import annotations

import time
from typing import Callable

from troubleshooter.knowledge import KnowledgeBase
from troubleshooter.simulate import Case, Outcome, fix_works, user_answer

Say = Callable[[str, str], list]
TYPED = {"yes": "yeah", "no": "nope", "unsure": "not sure"}
TITLE = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
MAX_TURNS = 30


def payloads(messages: list) -> list[dict]:
    return [m["custom"]["troubleshooter"] for m in messages
            if isinstance(m.get("custom"), dict) and "troubleshooter" in m["custom"]]


def converse(say: Say, kb: KnowledgeBase, case: Case, sender: str, typed: bool) -> tuple[Outcome, list[float]]:
    out = Outcome(resolved=False)
    latencies: list[float] = []
    implied = set(kb.symptoms[case.symptom].implies) if case.symptom in kb.symptoms else set()

    def turn(text: str) -> list:
        t0 = time.perf_counter()
        reply = say(sender, text)
        latencies.append(time.perf_counter() - t0)
        return reply

    reply = turn(case.opening)
    for _ in range(MAX_TURNS):
        steps = [p for p in payloads(reply) if p["type"] in ("question", "fix", "handoff")]
        if not steps:
            out.stalled = True
            return out, latencies
        step = steps[-1]
        if step["type"] == "question":
            eid = step["evidence"]
            if eid in out.questions or eid in implied:
                out.redundant_questions += 1
            out.questions.append(eid)
            answer = user_answer(kb, case, eid)
            if typed:
                reply = turn(TYPED[answer])
            else:
                button = next(b for m in reply for b in m.get("buttons", []) if b["title"].startswith(TITLE[answer]))
                reply = turn(button["payload"])
        elif step["type"] == "fix":
            out.fixes.append(step["fix"])
            if fix_works(kb, case.cause, step["fix"]):
                turn("that worked")
                out.resolved = True
                return out, latencies
            reply = turn("still broken")
        else:
            return out, latencies
    out.stalled = True
    return out, latencies
