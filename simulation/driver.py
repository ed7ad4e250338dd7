"""A simulated user talking to the running assistant through a channel (REST): the one loop
for every kind of user (simulation/user.py). It reads each reply's structured payloads, lets the
user answer, and records what a person would notice: repeated and redundant questions, dead
ends, resolutions nobody confirmed, clarifications, latencies, how it ended."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from troubleshooter.vocabulary import payloads, steps

from .user import Reply, SimulatedUser

Say = Callable[[str], Reply]  # one user message in, the bot's reply out
UNRESOLVED_FIX_COST = 8  # fixes tried, an unresolved conversation counted as this many


@dataclass
class Conversation:
    """What happened in one conversation."""

    user: str
    cause: str
    resolved: bool = False  # the bot said resolved after the user said a fix worked
    worked: str | None = None  # the fix the user said worked
    fixes: list[str] = field(default_factory=list)  # fixes suggested (reminders and repeats not counted)
    questions: list[str] = field(default_factory=list)  # questions asked (reminders not counted)
    replied_to: list[dict[str, Any]] = field(default_factory=list)  # every question and fix answered, reminders too
    questions_before_fix: int = 0
    repeats: int = 0  # a step shown a third time in a row, or a question asked again after its answer
    redundant: int = 0  # a question about something the user had already stated
    dead_ends: int = 0  # a bot turn that left the user nothing to reply to
    false_resolutions: int = 0  # "resolved" without the user saying a fix worked
    clarifications: int = 0
    ended: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per user message
    languages: list[str] = field(default_factory=list)  # the language each bot payload names
    reply: Reply = field(default_factory=list)  # the bot's last reply read

    @property
    def fix_cost(self) -> int:
        return len(self.fixes) if self.resolved else UNRESOLVED_FIX_COST


def _key(step: dict[str, Any]) -> tuple[str, str]:
    return step["type"], step.get("evidence") or step.get("fix") or ",".join(step.get("options", []))


def converse(say: Say, user: SimulatedUser, max_replies: int, reply: Reply | None = None) -> Conversation:
    """Play `user` against the assistant behind `say`: from its opening (or from `reply`, a
    conversation under way) until resolved, handed over, a dead end, the user stops, or
    `max_replies` bot replies have been answered."""
    c = Conversation(user.name, user.cause)
    answered: set[str] = set()
    shown: tuple[str, str] | None = None
    pending: dict[str, Any] = {}
    times = silent = 0
    said_worked = said_failed = False

    def turn(text: str) -> Reply:
        t0 = time.perf_counter()
        out = say(text)
        c.latencies.append(time.perf_counter() - t0)
        c.languages += [str(p.get("language")) for p in payloads(out)]
        c.transcript.append(("user", text))
        c.transcript.append(("bot", " | ".join(m.get("text", "") for m in out if m.get("text"))))
        return out

    def end(how: str) -> Conversation:
        c.ended, c.reply = how, reply
        return c

    opening = user.opening()
    reply = turn(opening) if opening is not None else list(reply or [])
    for n in range(1, max_replies + 1):
        if user.leaves(n):
            return end("gave up")
        interjection = user.interject(n)
        if interjection is not None:
            reply = turn(interjection)
            continue
        found = steps(reply)
        if not found:
            silent += 1
            if user.reports_unasked and silent == 1 and shown and shown[0] == "fix":
                # "OK, take your time": the user tries the fix and says how it went
                said_worked = user.fix_works(shown[1])
                said_failed = not said_worked
                reply = turn(user.fix_result(pending, said_worked, 0))
                continue
            text = user.on_silence(reply)  # e.g. a confirmation's button
            if text is None:
                c.dead_ends += 1
                return end("dead end")
            reply = turn(text)
            continue
        silent = 0
        step = found[-1]
        kind = step["type"]
        key = _key(step)
        times = times + 1 if key == shown else 1
        shown, pending = key, step
        if times > 2:
            c.repeats += 1
        if kind == "resolved":  # after anything but "it worked" it is a resolution on a guess
            c.resolved = said_worked
            c.false_resolutions += not said_worked
            last = user.on_resolved()
            if last is not None:
                turn(last)
            if said_worked:
                return end("resolved")
            return end("resolved on a failure" if said_failed else "resolved on a guess")
        said_worked = said_failed = False
        if kind == "handoff":
            return end("handoff")
        if kind in ("clarify", "confirm"):
            c.clarifications += 1
            text = user.on_clarify(step, reply)
            if text is None:
                return end("clarification unanswered")
            reply = turn(text)
            continue
        digression = user.digress(n, step)
        if digression is not None:
            reply = turn(digression)
            continue
        c.replied_to.append(step)
        if kind == "question":
            eid = step["evidence"]
            if not step.get("reminder"):
                c.repeats += eid in answered
                c.redundant += eid in user.stated
                c.questions.append(eid)
                c.questions_before_fix += not c.fixes
            text = user.answer(step, times)
            answered.add(eid)
            reply = turn(text)
        else:  # a fix
            fid = step["fix"]
            if not step.get("reminder") and fid not in c.fixes:
                c.fixes.append(fid)
            works = user.fix_works(fid)
            text = user.fix_result(step, works, times)
            if text is None:
                return end("left")
            reply = turn(text)
            said_worked, said_failed = works, not works
            if works:
                c.worked = fid
    return end("too many turns")


def summarize(conversations: list[Conversation]) -> dict[str, Any]:
    """The figures of a set of conversations (make bench's typed-user rows)."""
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
        "payload_languages": dict(Counter(lang for c in conversations for lang in c.languages)),
    }
