"""The state of one diagnosis: plain data, serialisable into a Rasa slot."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

PENDING_KINDS = ("question", "fix", "clarify", "confirm")
ANSWERS = ("yes", "no", "unsure")
STATUSES = ("idle", "active", "resolved", "handed_over")
MAX_ANSWERED = 50  # FAQ topics a slot keeps as answered (there are fewer topics)
SAID_KEPT, SAID_CHARS = 4, 300  # the user's descriptions kept for a hand-over: how many, how long each


def clipped(words: str) -> str:
    """`words` cut to SAID_CHARS at most, at a word's end, marked with an ellipsis when cut."""
    if len(words) <= SAID_CHARS:
        return words
    head = words[: SAID_CHARS - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;") + "…"


def kept_said(said: list[str]) -> list[str]:
    """The user's descriptions a diagnosis keeps: the first and the latest, SAID_KEPT in all, each
    clipped to SAID_CHARS."""
    cut = [clipped(s) for s in said]
    return cut[:1] + cut[1:][len(cut) - SAID_KEPT :] if len(cut) > SAID_KEPT else cut


@dataclass
class Diagnosis:
    symptoms: list[str] = field(default_factory=list)  # symptoms recognised with confidence or picked
    reports: list[dict[str, float]] = field(default_factory=list)  # each report: symptom id -> P(meant), soft
    evidence: dict[str, str] = field(default_factory=dict)  # evidence id -> yes/no/unsure (stated or answered)
    asked: list[str] = field(default_factory=list)  # questions asked, in order
    failed: list[str] = field(default_factory=list)  # fixes that did not work
    skipped: list[str] = field(default_factory=list)  # fixes the user passed over
    partial: list[str] = field(default_factory=list)  # fixes that helped only in part
    told: list[str] = field(default_factory=list)  # fixes the user had done, unasked, without help
    pending: dict[str, Any] | None = None  # the step awaiting a reply (PENDING_KINDS)
    status: str = "idle"  # idle | active | resolved | handed_over
    resolved_by: str | None = None
    reminders: int = 0  # times the pending step was shown again
    choices: list[str] = field(default_factory=list)  # payloads of the buttons last shown, in order
    titles: list[str] = field(default_factory=list)  # their titles (a reply typed as a title picks it)
    episode: int = 0  # diagnoses begun in this conversation (analytics)
    said: list[str] = field(default_factory=list)  # the user's own words about the problem (for a hand-over)
    language: str = ""  # the language of the conversation (language.heard), "" until a message decides it
    answered: list[str] = field(default_factory=list)  # FAQ topics answered in this diagnosis

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Diagnosis:
        """Rebuild from a slot value; anything malformed gives a fresh diagnosis."""
        if not isinstance(data, dict):
            return cls()
        try:
            symptoms = [str(s) for s in data.get("symptoms") or []]
            reports = data.get("reports")
            if reports is None:  # a slot written before soft reports: its symptoms were certain
                reports = [{s: 1.0} for s in symptoms]
            pending = data.get("pending")
            d = cls(
                symptoms=symptoms,
                reports=[
                    {str(k): float(v) for k, v in r.items() if math.isfinite(float(v)) and 0 <= float(v) <= 1}
                    for r in reports
                ],
                evidence={str(k): str(v) for k, v in (data.get("evidence") or {}).items() if v in ANSWERS},
                asked=[str(s) for s in data.get("asked") or []],
                failed=[str(s) for s in data.get("failed") or []],
                skipped=[str(s) for s in data.get("skipped") or []],
                partial=[str(s) for s in data.get("partial") or []],
                told=[str(s) for s in data.get("told") or []],
                pending=pending if isinstance(pending, dict) and pending.get("type") in PENDING_KINDS else None,
                status=data.get("status") if data.get("status") in STATUSES else "idle",
                resolved_by=data.get("resolved_by") if isinstance(data.get("resolved_by"), str) else None,
                reminders=min(max(int(data.get("reminders") or 0), 0), 10),
                choices=[str(c) for c in data.get("choices") or []],
                titles=[str(t) for t in data.get("titles") or []],
                episode=min(max(int(data.get("episode") or 0), 0), 10**6),
                said=kept_said([str(s) for s in data.get("said") or []]),
                language=_language(data.get("language")),
                answered=[str(a)[:64] for a in (data.get("answered") or [])[:MAX_ANSWERED]],
            )
        except (TypeError, AttributeError, ValueError, OverflowError):
            return cls()
        return d

    @property
    def spoken(self) -> str:
        """The conversation's language so far: "" before its first message decides it; a diagnosis
        under way from before languages were kept speaks English."""
        if self.language:
            return self.language
        return "" if self.status == "idle" and not self.episode else "en"

    @property
    def pending_question(self) -> str | None:
        """The evidence id of the question awaiting an answer, if one is."""
        return self._pending("question", "evidence")

    @property
    def pending_fix(self) -> str | None:
        """The id of the fix awaiting feedback, if one is."""
        return self._pending("fix", "fix")

    @property
    def pending_kind(self) -> str | None:
        return (self.pending or {}).get("type")

    def _pending(self, kind: str, key: str) -> str | None:
        pending = self.pending or {}
        return pending.get(key) if pending.get("type") == kind else None

    @property
    def next_rank(self) -> int:
        """Position of the next fix offered (1 = the first)."""
        return len(self.failed) + len(self.skipped) + 1

    @property
    def active(self) -> bool:
        return self.status == "active"


def _language(value: object) -> str:
    """A language code from a slot (en, pt-BR), else "" (undecided)."""
    return value if isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", value) else ""
