"""The project's simulated users talking to the running assistant over REST.

Each user opens with free text, answers questions by clicking the button
(every other user types the answer instead), and reports fix results.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from simulation.cases import Case, Outcome, fix_works, user_answer
from troubleshooter.knowledge import KnowledgeBase

from .rest import steps

Say = Callable[[str, str], list]
TYPED = {"yes": "yeah", "no": "nope", "unsure": "not sure"}
TITLE = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
MAX_TURNS = 30


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
        found = [p for p in steps(reply) if p["type"] in ("question", "fix", "handoff", "clarify")]
        if not found:
            out.stalled = True
            return out, latencies
        step = found[-1]
        if step["type"] == "clarify":  # "Do you mean ...?": the user picks its own problem if offered
            mine = f"/symptom_{case.symptom}"
            if not any(b["payload"] == mine for m in reply for b in m.get("buttons", [])):
                out.stalled = True
                return out, latencies
            reply = turn(mine)
        elif step["type"] == "question":
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
