"""What every simulated user is: one interface for the in-process loop (simulation/inprocess.py)
and the REST driver (simulation/driver.py). A user knows its truth (what it answers to each
question, which fixes work) and, over REST, how it says things: typed words or a button payload,
and what it does besides answering (a digression, asking for a person, starting over, giving up,
thanks). The defaults are a user who answers what is asked and nothing else."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from troubleshooter.messages import payload

Step = dict[str, Any]  # a structured payload from troubleshooter.vocabulary.steps
Reply = list[dict[str, Any]]  # a channel reply: the bot's messages
ANSWER_INTENTS = {"yes": "affirm", "no": "deny", "unsure": "unsure"}  # a question's buttons


def answer_button(value: str, evidence: str) -> str:
    """The payload of the question's button for `value` (yes, no, unsure)."""
    return payload(ANSWER_INTENTS[value], evidence=evidence)


def fix_button(worked: bool, fix: str) -> str:
    """The payload of the fix's "It worked" or "Still not working" button."""
    return payload("fix_worked" if worked else "fix_failed", fix=fix)


def symptom_button(symptom: str) -> str:
    """The payload of a clarification's button for `symptom`."""
    return payload(f"symptom_{symptom}")


def something_else_button() -> str:
    """The payload of a clarification's "something else" button (none of the problems offered)."""
    return payload("deny")


class SimulatedUser:
    """The interface; subclasses override what their kind of user does differently."""

    name: str = ""
    cause: str = ""  # the true cause, when the user has one
    symptoms: tuple[str, ...] = ()  # what the user reports first (in-process: the engine is started with them)
    stated: Collection[str] = ()  # facts already told (or implied): a question about one of them is redundant
    reports_unasked: bool = False  # after a fix, a reply that asks nothing: the user tries it and says how it went

    # The truth, for both loops
    def value(self, evidence: str) -> str:
        """The answer to a question: yes, no or unsure."""
        return "unsure"

    def fix_works(self, fix: str) -> bool:
        """Whether the fix resolves this user's problem."""
        return False

    # How the user talks (REST only)
    def opening(self) -> str | None:
        """The first message; None: the conversation is already under way."""
        return None

    def answer(self, step: Step, times: int) -> str:
        """What the user says to a question shown `times` times in a row."""
        return self.value(step["evidence"])

    def fix_result(self, step: Step, worked: bool, times: int) -> str | None:
        """What the user says after trying the fix (`times` 0: unasked, the bot was waiting); None: says nothing."""
        return "that worked" if worked else "still broken"

    def on_clarify(self, step: Step, reply: Reply) -> str | None:
        """What the user says to "Do you mean ...?" or to a confirmation (`confirm`, e.g. "Start over?");
        None: the user cannot answer it."""
        return None

    def on_silence(self, reply: Reply) -> str | None:
        """What the user says to a reply that asks nothing; None: nothing (a dead end)."""
        return None

    def on_resolved(self) -> str | None:
        """A last word once resolved (thanks), its reply unread."""
        return None

    def leaves(self, turn: int) -> bool:
        """Whether the user stops replying before reading the bot's `turn`-th reply."""
        return False

    def interject(self, turn: int) -> str | None:
        """Something said instead of reading the `turn`-th reply (ask for a person, start over)."""
        return None

    def digress(self, turn: int, step: Step) -> str | None:
        """Something said instead of answering a question or fix (a digression)."""
        return None
