"""Simulated users who type: personas from tests/wild/<set>/users.yml talk to
the running assistant over REST. Each opens in its own words, types every
answer from its own wordings (sometimes with extra facts, sometimes a
digression), and reports fix results in its own words. Ground truth is the
contract only: a fix works when it is in the cause's `resolved_by`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

Say = Callable[[str, str], list]
MAX_TURNS = 40
UNRESOLVED_FIX_COST = 8  # fixes tried, an unresolved conversation counted as this many
NONE_OF_THESE = "none of those really"


@dataclass
class Conversation:
    user: str
    cause: str
    resolved: bool = False
    fixes: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # questions asked (reminders not counted)
    questions_before_fix: int = 0
    repeats: int = 0  # a step shown a third time in a row, or a question asked again after its answer
    redundant: int = 0  # a question about something the user had already stated
    dead_ends: int = 0  # a bot turn that left the user nothing to reply to
    false_resolutions: int = 0  # "resolved" without the user saying a fix worked
    clarifications: int = 0
    ended: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fix_cost(self) -> int:
        return len(self.fixes) if self.resolved else UNRESOLVED_FIX_COST


def steps(reply: list) -> list[dict[str, Any]]:
    return [
        m["custom"]["troubleshooter"]
        for m in reply
        if isinstance(m.get("custom"), dict) and "troubleshooter" in m["custom"]
    ]


def _pick(options: list[str], *keys: str) -> str:
    """A wording chosen by a stable hash, so runs are repeatable."""
    h = int(hashlib.sha256("|".join(keys).encode()).hexdigest(), 16)
    return options[h % len(options)]


def play(say: Say, user: dict[str, Any], resolved_by: list[str], sender: str) -> Conversation:
    c = Conversation(user["id"], user["cause"])
    stated = dict(user.get("opening_facts") or {})
    answered: set[str] = set()
    digression = user.get("digression")
    shown: tuple[str, str] | None = None
    times = 0

    def turn(text: str) -> list:
        reply = say(sender, text)
        c.transcript.append(("user", text))
        c.transcript.append(("bot", " | ".join(m.get("text", "") for m in reply if m.get("text"))))
        return reply

    reply = turn(user["opening"])
    waited = said_worked = False
    for i in range(MAX_TURNS):
        found = [s for s in steps(reply) if s["type"] in ("question", "fix", "handoff", "resolved", "clarify")]
        if not found and shown and shown[0] == "fix" and not waited:
            # "OK, take your time": the user tries the fix and says how it went
            waited = True
            works = said_worked = shown[1] in resolved_by
            reply = turn(_pick(user["say"]["worked" if works else "failed"], user["id"], shown[1], "again"))
            continue
        if not found:
            c.dead_ends += 1
            c.ended = "dead end"
            return c
        waited = False
        step = found[-1]
        kind = step["type"]
        key = (kind, step.get("evidence") or step.get("fix") or ",".join(step.get("options", [])))
        times = times + 1 if key == shown else 1
        shown = key
        if times > 2:
            c.repeats += 1
        if kind == "resolved":  # after anything but "it worked" it is a resolution on a guess
            c.resolved = said_worked
            c.false_resolutions += not said_worked
            c.ended = "resolved" if said_worked else "resolved on a guess"
            return c
        said_worked = False
        if kind == "handoff":
            c.ended = "handoff"
            return c
        if kind == "clarify":
            c.clarifications += 1
            options = step.get("options") or []
            reply = turn("no" if "continue" in options else NONE_OF_THESE)
            continue
        if digression and i >= 1:
            reply, digression = turn(digression), None
            continue
        if kind == "question":
            eid = step["evidence"]
            if not step.get("reminder"):
                if eid in answered:
                    c.repeats += 1
                if eid in stated:
                    c.redundant += 1
                c.questions.append(eid)
                if not c.fixes:
                    c.questions_before_fix += 1
            answer = user["answers"].get(eid, "unsure")
            own = user["replies"].get(eid)
            text = own["text"] if own and times == 1 else _pick(user["say"][answer], user["id"], eid, str(times))
            if own:
                stated.update(own["facts"])
            answered.add(eid)
            reply = turn(text)
        elif kind == "fix":
            fid = step["fix"]
            if not step.get("reminder") and fid not in c.fixes:
                c.fixes.append(fid)
            works = fid in resolved_by
            reply = turn(_pick(user["say"]["worked" if works else "failed"], user["id"], fid, str(times)))
            if works:
                after = [s["type"] for s in steps(reply)]
                c.resolved = "resolved" in after
                c.ended = "resolved" if c.resolved else "success not understood"
                if not c.resolved:
                    continue
                return c
            if "resolved" in [s["type"] for s in steps(reply)]:
                c.false_resolutions += 1
                c.ended = "resolved on a failure"
                return c
    c.ended = "too many turns"
    return c


def summarize(conversations: list[Conversation]) -> dict[str, Any]:
    n = len(conversations)
    return {
        "users": n,
        "resolved_rate": sum(c.resolved for c in conversations) / n,
        "mean_fix_cost": mean(c.fix_cost for c in conversations),
        "first_fix_right": sum(c.resolved and len(c.fixes) == 1 for c in conversations) / n,
        "mean_questions": mean(len(c.questions) for c in conversations),
        "mean_questions_before_first_fix": mean(c.questions_before_fix for c in conversations),
        "repeated_questions": sum(c.repeats for c in conversations),
        "redundant_questions": sum(c.redundant for c in conversations),
        "dead_ends": sum(c.dead_ends for c in conversations),
        "false_resolutions": sum(c.false_resolutions for c in conversations),
        "clarifications": sum(c.clarifications for c in conversations),
        "endings": {e: sum(c.ended == e for c in conversations) for e in sorted({c.ended for c in conversations})},
    }
