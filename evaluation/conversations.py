"""Role-played conversations (tests/heldout/conversations/): people with a hidden true cause,
played by writers who never saw the training data, talking to the running assistant. Their user
turns are replayed over REST in order (the bot may now answer differently; the user's words stay
as they were), and each conversation is scored from what the assistant made of every turn.

A replay drifts once the bot asks something else than it did when the person played (the person
then answers a question nobody asked), so each turn is also read in its own context: the
conversation put in the state the person saw (the step their message replied to, `bot_step`),
their message sent, and what it was read as scored (`in_context`).

And each conversation is continued past the drift (`continued`): the person's own message for a
step whenever they wrote one for it (the same question or fix), and otherwise the tap a widget user
would give from their hidden facts and true cause, until the bot resolves it or hands over."""

from __future__ import annotations

import uuid
from collections import Counter
from statistics import mean
from typing import Any

import requests
import yaml

from simulation.cases import MAX_REPLIES
from simulation.driver import converse
from simulation.user import SimulatedUser, Step, answer_button, fix_button
from troubleshooter.reading import ASIDE
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, READING_SLOT, steps

from . import wild
from .heldout import HELDOUT, OUTCOME_ACTS
from .replies import turn_in_context

CONVERSATIONS = HELDOUT / "conversations"
ANSWERED = ("faq", "why", "how_to_check")  # readings that answer a side question


def _asks_answered(reading: dict[str, Any]) -> bool:
    """A clause's question answered beside the reading ("I can't answer that" is no answer)."""
    return any(topic != ASIDE for topic in reading.get("asks") or [])


def load() -> list[dict[str, Any]]:
    """Every role-played conversation: {id, cause, facts, turns: [{user, kind, volunteered, expect_outcome}]}."""
    out = []
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        for c in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = [
                {
                    "user": str(t["user"]),
                    "kind": t.get("kind", "other"),
                    "volunteered": wild.facts(t.get("volunteered")),
                    "expect_outcome": t.get("expect_outcome"),
                    "replied_to": None,
                }
                for t in c["turns"]
            ]
            for turn, before in zip(turns[1:], c["turns"]):
                turn["replied_to"] = _step(before.get("bot_step"))
            out.append(
                {
                    "id": str(c["id"]),
                    "cause": c["cause"],
                    "set": path.stem,
                    "facts": wild.facts(c.get("facts")),
                    "turns": turns,
                }
            )
    return out


class RolePlayedUser(SimulatedUser):
    """A role-played person continued past the drift: for each question or fix the bot shows, the
    first of their own messages written for that step and not yet sent (an answer, side question or
    request at a question; an outcome that agrees with their true cause at a fix), else a tap from
    their hidden facts (unsure where they have none) and from the contract's `resolved_by`."""

    def __init__(self, conversation: dict[str, Any], resolving: set[str]):
        self.name, self.cause = conversation["id"], conversation["cause"]
        self.facts, self.resolving = conversation["facts"], resolving
        self.turns = conversation["turns"]
        self.unused = list(range(1, len(self.turns)))
        self.own = self.taps = 0

    def value(self, evidence: str) -> str:
        return self.facts.get(evidence, "unsure")

    def fix_works(self, fix: str) -> bool:
        return fix in self.resolving

    def opening(self) -> str:
        self.own += 1
        return self.turns[0]["user"]

    def _own(self, step: dict[str, str] | None, fits, anywhere: bool = False) -> str | None:
        for i in self.unused:
            turn = self.turns[i]
            if (anywhere or turn["replied_to"] == step) and fits(turn):
                self.unused.remove(i)
                self.own += 1
                return turn["user"]
        return None

    def answer(self, step: Step, times: int) -> str:
        eid = step["evidence"]
        mine = self._own({"question": eid}, lambda t: t["kind"] in ("answer", "side_question", "request"))
        if mine is None:
            self.taps += 1
            return answer_button(self.value(eid), eid)
        return mine

    def on_clarify(self, step: Step, reply: Any) -> str | None:
        """To "What happens when you try...?" the person says more: their first message not yet sent
        that replied to no question or fix (as to the clarification they saw), else their first that
        is no answer and no outcome; to a confirmation ("Start over?"), nothing."""
        if step["type"] != "clarify":
            return None
        mine = self._own(None, lambda t: t["kind"] not in ("outcome", "correction"))
        if mine is None:
            mine = self._own(None, lambda t: t["kind"] not in ("answer", "outcome", "correction"), anywhere=True)
        return mine

    def fix_result(self, step: Step, worked: bool, times: int) -> str:
        agrees = lambda t: t["kind"] in ("outcome", "correction") and (t["expect_outcome"] == "worked") == worked
        mine = self._own({"fix": step["fix"]}, agrees)
        if mine is None:
            self.taps += 1
            return fix_button(worked, step["fix"])
        return mine


def continued(url: str, conversations: list[dict[str, Any]], contract: dict[str, Any]) -> dict[str, Any]:
    """Each conversation continued past the drift (RolePlayedUser) over REST: resolved (the bot said
    so after the person reported a fix that resolves their true cause working), messages sent, and
    how many of them were the person's own words."""
    rows = []
    for c in conversations:
        user = RolePlayedUser(c, resolving(contract, c["cause"]))
        sender = f"{c['id']}-c-{uuid.uuid4().hex[:8]}"
        record = converse(lambda text, s=sender: _send(url, s, text), user, MAX_REPLIES)
        rows.append(
            {
                "id": c["id"],
                "resolved": record.resolved and record.worked in user.resolving,
                "ended": record.ended,
                "user_messages": user.own + user.taps,
                "own_messages": user.own,
                "questions": len(record.questions),
                "fixes": len(record.fixes),
            }
        )
    n = len(rows)
    return {
        "conversations": n,
        "resolved": sum(r["resolved"] for r in rows) / n if n else float("nan"),
        "mean_user_messages": mean(r["user_messages"] for r in rows) if n else float("nan"),
        "own_words": sum(r["own_messages"] for r in rows) / max(1, sum(r["user_messages"] for r in rows)),
        "mean_fixes": mean(r["fixes"] for r in rows) if n else float("nan"),
        "rows": rows,
    }


def resolving(contract: dict[str, Any], cause: str) -> set[str]:
    """The fixes that resolve `cause` (the contract's `resolved_by`): the ground truth of a role-play."""
    return set(contract["causes"].get(cause, {}).get("resolved_by", []))


def _send(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    """One user message over REST; the bot's reply."""
    return requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60).json()


def texts() -> list[str]:
    return [t["user"] for c in load() for t in c["turns"]]


def replay(url: str, conversation: dict[str, Any]) -> list[dict[str, Any]]:
    """Each user turn sent in order; what came back: the step payloads, the reading, the diagnosis."""
    sender = f"{conversation['id']}-{uuid.uuid4().hex[:8]}"
    seen = []
    for turn in conversation["turns"]:
        reply = _send(url, sender, turn["user"])
        slots = requests.get(f"{url}/conversations/{sender}/tracker", timeout=30).json()["slots"]
        seen.append(
            {
                "steps": steps(reply),
                "reading": slots.get(READING_SLOT) or {},
                "diagnosis": slots.get(DIAGNOSIS_SLOT) or {},
            }
        )
    return seen


def score(conversation: dict[str, Any], seen: list[dict[str, Any]], resolving: set[str]) -> dict[str, Any]:
    """One conversation's figures: resolved (the bot said so right after the user reported a
    right fix working), user messages, questions asked, volunteered facts used (in the diagnosis
    after the turn that stated them, with the value stated), outcomes read right, side questions
    answered. `resolving`: the fixes that resolve the conversation's true cause (the contract)."""
    questions = facts = facts_used = outcomes = outcomes_right = sides = sides_answered = 0
    resolved = False
    for turn, got in zip(conversation["turns"], seen):
        kinds = [s["type"] for s in got["steps"]]
        questions += sum(s["type"] == "question" and not s.get("reminder") for s in got["steps"])
        evidence = got["diagnosis"].get("evidence") or {}
        for eid, value in turn["volunteered"].items():
            facts += 1
            facts_used += evidence.get(eid) == value
        reading = got["reading"]
        if turn["kind"] == "outcome" and turn["expect_outcome"] in OUTCOME_ACTS:
            outcomes += 1
            act, value = OUTCOME_ACTS[turn["expect_outcome"]]
            outcomes_right += reading.get("act") == act and (value is None or reading.get("value") == value)
        if turn["kind"] == "side_question":
            sides += 1
            sides_answered += reading.get("act") in ANSWERED or _asks_answered(reading)
        if "resolved" in kinds:  # on the user's word that a fix that really resolves their cause worked
            resolved = turn["expect_outcome"] == "worked" and got["diagnosis"].get("resolved_by") in resolving
            break
    return {
        "id": conversation["id"],
        "resolved": resolved,
        "user_messages": len(seen),
        "questions": questions,
        "facts": facts,
        "facts_used": facts_used,
        "outcomes": outcomes,
        "outcomes_right": outcomes_right,
        "side_questions": sides,
        "side_questions_answered": sides_answered,
    }


def evaluate(url: str, conversations: list[dict[str, Any]], contract: dict[str, Any]) -> dict[str, Any]:
    """Figures over every conversation, and per conversation."""
    rows = [score(c, replay(url, c), resolving(contract, c["cause"])) for c in conversations]
    n = len(rows)
    total = lambda key: sum(r[key] for r in rows)
    return {
        "conversations": n,
        "resolved": total("resolved") / n if n else float("nan"),
        "mean_user_messages": mean(r["user_messages"] for r in rows) if n else float("nan"),
        "mean_questions": mean(r["questions"] for r in rows) if n else float("nan"),
        "facts_used": f"{total('facts_used')}/{total('facts')}",
        "outcomes_right": f"{total('outcomes_right')}/{total('outcomes')}",
        "side_questions_answered": f"{total('side_questions_answered')}/{total('side_questions')}",
        "rows": rows,
    }


def _step(raw: Any) -> dict[str, str] | None:
    """The pending step a recorded bot turn left ("question vpn_or_proxy", "fix clear_cache
    (reminder)"), as evaluation.replies.state_for takes it; None for anything else."""
    words = str(raw or "").split()
    if len(words) >= 2 and words[0] in ("question", "fix"):
        return {words[0]: words[1]}
    return None


def in_context(url: str, conversations: list[dict[str, Any]], kb_ids: set[str]) -> dict[str, Any]:
    """Each turn read in the state its writer saw: outcomes read right, side questions answered and
    answers read as answers (to the question asked), over the turns replying to a known step."""
    n = Counter()
    for c in conversations:
        for turn in c["turns"]:
            after = turn["replied_to"]
            if after is None or next(iter(after.values())) not in kb_ids:
                continue
            reading, _ = turn_in_context(url, {"after": after, "text": turn["user"]})
            act, value = reading.get("act"), reading.get("value")
            if turn["kind"] in ("outcome", "correction") and turn["expect_outcome"] in OUTCOME_ACTS:
                want_act, want_value = OUTCOME_ACTS[turn["expect_outcome"]]
                n["outcomes"] += 1
                n["outcomes_right"] += act == want_act and (want_value is None or value == want_value)
            elif turn["kind"] == "side_question":
                n["side_questions"] += 1
                n["side_questions_answered"] += act in ANSWERED or _asks_answered(reading)
            elif turn["kind"] == "answer" and "question" in after:
                n["answers"] += 1
                n["answers_read"] += act == "answer" and reading.get("target") in (None, after["question"])
    return {
        key: f"{n[key]}/{n[total]}"
        for key, total in (
            ("outcomes_right", "outcomes"),
            ("side_questions_answered", "side_questions"),
            ("answers_read", "answers"),
        )
    }
