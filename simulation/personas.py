"""Simulated users who type: personas from tests/wild/<set>/users.yml (evaluation.wild.users).
Each opens in its own words, types every answer from its own wordings (sometimes with extra
facts, sometimes a digression), and reports fix results in its own words. Ground truth is the
contract only: a fix works when it is in the cause's `resolved_by`."""

from __future__ import annotations

import hashlib
from typing import Any

from .user import Reply, SimulatedUser, Step, something_else_button

MAX_REPLIES = 40  # bot replies answered
NONE_OF_THESE = "none of those really"


def _pick(options: list[str], *keys: str) -> str:
    """A wording chosen by a stable hash, so runs are repeatable."""
    h = int(hashlib.sha256("|".join(keys).encode()).hexdigest(), 16)
    return options[h % len(options)]


class TypedPersona(SimulatedUser):
    """One persona of a users.yml; `resolved_by` is the contract's list for its cause."""

    reports_unasked = True

    def __init__(self, persona: dict[str, Any], resolved_by: list[str]):
        self.persona, self.resolved_by = persona, resolved_by
        self.name, self.cause = persona["id"], persona["cause"]
        self.stated = dict(persona.get("opening_facts") or {})
        self._digression = persona.get("digression")

    def value(self, evidence: str) -> str:
        return self.persona["answers"].get(evidence, "unsure")

    def fix_works(self, fix: str) -> bool:
        return fix in self.resolved_by

    def opening(self) -> str:
        return self.persona["opening"]

    def answer(self, step: Step, times: int) -> str:
        """Its own reply the first time (and the facts it tells), else a wording of the answer."""
        eid = step["evidence"]
        own = self.persona["replies"].get(eid)
        if own:
            self.stated.update(own["facts"])
        if own and times == 1:
            return own["text"]
        return _pick(self.persona["say"][self.value(eid)], self.name, eid, str(times))

    def fix_result(self, step: Step, worked: bool, times: int) -> str:
        return _pick(
            self.persona["say"]["worked" if worked else "failed"], self.name, step["fix"], str(times or "again")
        )

    def on_clarify(self, step: Step, reply: Reply) -> str:
        if step["type"] == "confirm":
            return "no"
        if self.persona.get("language", "en") != "en":  # no words of its language for it: the "something else" button
            return something_else_button()
        return NONE_OF_THESE

    def digress(self, turn: int, step: Step) -> str | None:
        """The persona's digression, once, from its second reply on."""
        if self._digression and turn >= 2:
            text, self._digression = self._digression, None
            return text
        return None
