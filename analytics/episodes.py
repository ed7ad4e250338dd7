"""Tracker events -> turns and episodes (one episode per diagnosis).

Plain data in, plain data out: the events are Rasa's event dicts as the tracker
store keeps them, but nothing here imports Rasa. A diagnosis is told apart by
its `episode` counter (bumped whenever the dialogue begins a fresh one) and by
Rasa restarts. Turns before any problem was described belong to the diagnosis
that follows them; a conversation that never described one is a single
`no_problem` episode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import (
    DIAGNOSIS_SLOT,
    OWNERSHIP_METADATA,
    READING_SLOT,
    RESPOND_ACTION,
    STEP_KINDS,
    payloads,
)

OUTCOMES = ("resolved", "handed_over", "abandoned", "restarted", "ongoing", "no_problem")
FINISHED = ("resolved", "handed_over", "abandoned", "restarted")
REASONS = ("asked", "out_of_fixes", "failure", "people")

Belief = Callable[[Diagnosis], list[tuple[str, float]]]


@dataclass
class Turn:
    """One user message and what the assistant did with it."""

    index: int
    time: float
    end: float  # when the assistant had the turn's diagnosis
    channel: str | None
    text: str
    intent: str | None
    confidence: float | None
    owner: str | None  # a support chat's owner of the conversation, if it said
    reading: dict | None = None
    bot: list[dict] = field(default_factory=list)  # {"text", "buttons": [titles], "custom"}
    diagnosis: dict | None = None  # the diagnosis slot after the turn (None: the turn did not set it)
    answered: bool = False  # the assistant replied (any message or a new diagnosis)
    restart: bool = False  # a Rasa restart came before this turn
    restarts: bool = False  # this turn asked Rasa to restart (/restart)

    @property
    def payloads(self) -> list[dict]:
        return [p for p in payloads(self.bot) if isinstance(p.get("type"), str)]

    def step(self) -> dict | None:
        """The new step the bot took this turn (reminders are not new steps)."""
        chosen = None
        for p in self.payloads:
            if p["type"] in STEP_KINDS and not p.get("reminder"):
                chosen = p
        if chosen is None:
            return None
        kind = chosen["type"]
        if kind == "question":
            return {"kind": kind, "id": chosen.get("evidence"), "value": chosen.get("value")}
        if kind == "fix":
            return {
                "kind": kind,
                "id": chosen.get("fix"),
                "rank": chosen.get("rank"),
                "probability": chosen.get("probability"),
                "efficiency": chosen.get("efficiency"),
            }
        if kind == "handoff":
            return {"kind": kind, "reason": chosen.get("reason")}
        if kind == "resolved":
            return {"kind": kind, "id": chosen.get("fix"), "outcome": chosen.get("outcome")}
        if kind == "confirm":
            return {"kind": kind, "action": chosen.get("action")}
        return {"kind": kind, "options": chosen.get("options") or []}


@dataclass
class Episode:
    conversation: str
    episode: int  # 1-based within the conversation
    channel: str | None
    language: str | None  # the language the conversation was in (its diagnosis says; None: not known)
    started: float
    ended: float
    symptoms: list[str]
    questions: list[dict]  # {"evidence", "answer": yes/no/unsure/None}, in the order asked
    volunteered: dict[str, str]  # facts stated without being asked
    fixes: list[dict]  # {"fix", "rank", "outcome": worked/failed/skipped/unanswered}, in order
    status: str  # the diagnosis status at the end
    outcome: str  # OUTCOMES (see `settle` for the time-dependent ones)
    handover_reason: str | None
    handovers: int  # times it went to people (a resolved one may have come back)
    resolved_by: str | None
    top_causes: list[dict]
    turns: int
    first_turn: int  # index of its first turn in the conversation
    told: list[str] = field(default_factory=list)  # fixes the user had done, unasked, without help

    @property
    def symptom(self) -> str | None:
        return self.symptoms[0] if self.symptoms else None

    def row(self) -> dict[str, Any]:
        return {
            "conversation": self.conversation,
            "episode": self.episode,
            "channel": self.channel,
            "language": self.language,
            "started": self.started,
            "ended": self.ended,
            "symptom": self.symptom,
            "symptoms": self.symptoms,
            "questions": self.questions,
            "volunteered": self.volunteered,
            "fixes": self.fixes,
            "outcome": self.outcome,
            "handover_reason": self.handover_reason,
            "handovers": self.handovers,
            "resolved_by": self.resolved_by,
            "top_causes": self.top_causes,
            "turns": self.turns,
            "told": self.told,
        }


@dataclass
class Conversation:
    id: str
    turns: list[Turn]
    episodes: list[Episode]
    last_event: float

    @property
    def channel(self) -> str | None:
        return next((t.channel for t in self.turns if t.channel), None)


# ----- events -> turns ----------------------------------------------------------------


def turns_of(events: Iterable[dict]) -> list[Turn]:
    """Split events into user turns. Bot messages and the diagnosis slot count only when an
    action set them after the user spoke (a new session re-sets slots without a turn)."""
    turns: list[Turn] = []
    current: Turn | None = None
    action: str | None = None
    restart = False
    for e in events:
        if not isinstance(e, dict):
            continue
        kind, ts = e.get("event"), _time(e.get("timestamp"))
        if kind == "restart":
            if current is not None:
                current.restarts, current.answered = True, True
            restart, current = True, None
        elif kind == "user":
            current = _user_turn(len(turns), e, ts, restart)
            turns.append(current)
            restart, action = False, None
        elif current is None:
            continue
        elif kind == "action":
            action = e.get("name")
        elif kind == "bot" and action not in (None, "action_listen", "action_session_start"):
            current.bot.append(_bot_message(e))
            current.answered = True
        elif kind == "slot" and action == RESPOND_ACTION:
            if e.get("name") == DIAGNOSIS_SLOT and isinstance(e.get("value"), dict):
                current.diagnosis, current.answered, current.end = e["value"], True, max(current.end, ts)
            elif e.get("name") == READING_SLOT:
                current.reading = e.get("value") if isinstance(e.get("value"), dict) else None
    return turns


def _time(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _user_turn(index: int, e: dict, ts: float, restart: bool) -> Turn:
    parse = e.get("parse_data") if isinstance(e.get("parse_data"), dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    meta = e.get("metadata") if isinstance(e.get("metadata"), dict) else {}
    chat = meta.get(OWNERSHIP_METADATA) if isinstance(meta.get(OWNERSHIP_METADATA), dict) else {}
    confidence = intent.get("confidence")
    return Turn(
        index=index,
        time=ts,
        end=ts,
        channel=e.get("input_channel") or None,
        text=str(e.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        owner=chat.get("owner") if isinstance(chat.get("owner"), str) else None,
        restart=restart,
    )


def _bot_message(e: dict) -> dict:
    data = e.get("data") if isinstance(e.get("data"), dict) else {}
    buttons = [b.get("title") for b in data.get("buttons") or [] if isinstance(b, dict)]
    return {"text": e.get("text"), "buttons": buttons, "custom": data.get("custom")}


# ----- turns -> episodes ------------------------------------------------------------------


def conversation_of(
    sender: str, events: list[dict], expiry: float, now: float, belief: Belief | None = None
) -> Conversation:
    """The conversation's turns and episodes; `expiry` is the session expiry in seconds
    (an unfinished diagnosis quiet for longer is abandoned), `now` the time of reading."""
    turns = turns_of(events)
    last = max([_time(e.get("timestamp")) for e in events if isinstance(e, dict)] or [0.0])
    episodes = []
    for group, real, after in _segments(turns):
        episodes.append(_episode(sender, len(episodes) + 1, group, real, after, expiry, now, belief))
    return Conversation(sender, turns, episodes, last)


def _segments(turns: list[Turn]) -> list[tuple[list[Turn], list[Turn], Turn | None]]:
    """(all turns, the turns of the diagnosis itself, the first turn after it) per episode. A
    segment is a run of turns with the same diagnosis counter and no restart between; idle
    segments join the next real one (or the last, at the end)."""
    runs: list[list[Turn]] = []
    key, restarts, state = None, 0, None
    for t in turns:
        restarts += t.restart
        if t.restart:
            state = None
        state = t.diagnosis if t.diagnosis is not None else state
        k = (restarts, (state or {}).get("episode", 0))
        if k != key or not runs:
            runs.append([])
            key = k
        runs[-1].append(t)
    out: list[tuple[list[Turn], list[Turn], Turn | None]] = []
    waiting: list[Turn] = []
    for n, run in enumerate(runs):
        after = runs[n + 1][0] if n + 1 < len(runs) else None
        if _is_real(run):
            out.append((waiting + run, run, after))
            waiting = []
        else:
            waiting += run
    if waiting:
        if out:
            out[-1] = (out[-1][0] + waiting, out[-1][1], out[-1][2])
        else:
            out.append((waiting, [], None))
    return out


def _is_real(run: list[Turn]) -> bool:
    for t in run:
        d = t.diagnosis or {}
        if d.get("status") not in (None, "idle") or d.get("symptoms") or d.get("reports"):
            return True
    return False


def _last_state(turns: list[Turn]) -> Diagnosis:
    for t in reversed(turns):
        if t.diagnosis is not None:
            return Diagnosis.from_dict(t.diagnosis)
    return Diagnosis()


def _spoken(payloads: list[dict]) -> str | None:
    """The language the bot's last payload was in (a diagnosis from before languages has none)."""
    return next((p["language"] for p in reversed(payloads) if isinstance(p.get("language"), str)), None)


def _episode(
    sender: str,
    number: int,
    turns: list[Turn],
    real: list[Turn],
    after: Turn | None,
    expiry: float,
    now: float,
    belief: Belief | None,
) -> Episode:
    d = _last_state(real)
    payloads = [p for t in real for p in t.payloads]
    asked = _first_seen(p.get("evidence") for p in payloads if p["type"] == "question" and not p.get("reminder"))
    ranks = {}
    for p in payloads:
        if p["type"] == "fix" and not p.get("reminder"):
            ranks.setdefault(p.get("fix"), p.get("rank"))
    fixes = [{"fix": f, "rank": r, "outcome": _fix_outcome(d, f)} for f, r in ranks.items() if isinstance(f, str)]
    status = d.status
    handovers = _handovers(real)
    outcome, reason = _ending(real, d, handovers, after)
    ep = Episode(
        conversation=sender,
        episode=number,
        channel=next((t.channel for t in turns if t.channel), None),
        language=d.language or _spoken(payloads),
        started=turns[0].time,
        ended=max(t.end for t in turns),
        symptoms=_symptoms(d),
        questions=[{"evidence": e, "answer": d.evidence.get(e)} for e in asked],
        volunteered={e: v for e, v in d.evidence.items() if e not in asked},
        fixes=fixes,
        status=status,
        outcome=outcome,
        handover_reason=reason,
        handovers=len(handovers),
        resolved_by=d.resolved_by,
        top_causes=[{"cause": c, "probability": round(p, 4)} for c, p in (belief(d)[:3] if belief and real else [])],
        turns=len(turns),
        first_turn=turns[0].index,
        told=list(d.told),
    )
    return settle(ep, expiry, now)


def _first_seen(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str) and v not in out:
            out.append(v)
    return out


def _fix_outcome(d: Diagnosis, fid: str) -> str:
    if d.resolved_by == fid:
        return "worked"
    if fid in d.failed:
        return "failed"
    return "skipped" if fid in d.skipped else "unanswered"


def _handovers(real: list[Turn]) -> list[str]:
    """Why the diagnosis went to people, each time it did: the bot's hand-over message of that
    turn; else a failure if the turn before went unanswered; else people took it."""
    reasons, status, previous = [], None, None
    for t in real:
        now = (t.diagnosis or {}).get("status", status)
        if now == "handed_over" and status != "handed_over":
            said = [p.get("reason") for p in t.payloads if p["type"] == "handoff"]
            if said and said[-1] in REASONS:
                reasons.append(said[-1])
            else:
                reasons.append("failure" if previous is not None and not previous.answered else "people")
        status, previous = now, t
    return reasons


def _ending(real: list[Turn], d: Diagnosis, handovers: list[str], after: Turn | None) -> tuple[str, str | None]:
    if not real:
        return "no_problem", None
    if d.status == "resolved":
        return "resolved", None
    if d.status == "handed_over":
        return "handed_over", handovers[-1] if handovers else "people"
    if after is not None and after.owner == "closed":
        return "handed_over", "people"  # the support team closed it while the bot had it
    if real[-1].restarts or after is not None:
        return "restarted", None  # started over (or a restart), with or without a new problem
    if not real[-1].answered:
        return "handed_over", "failure"
    return "ongoing", None


def _symptoms(d: Diagnosis) -> list[str]:
    if d.symptoms:
        return list(d.symptoms)
    weight: dict[str, float] = {}
    for report in d.reports:
        for s, q in report.items():
            weight[s] = weight.get(s, 0.0) + q
    best = max(weight, key=lambda s: (weight[s], s), default=None)
    return [best] if best else []


def settle(ep: Episode, expiry: float, now: float) -> Episode:
    """An ongoing diagnosis quiet for longer than the session expiry is abandoned."""
    if ep.outcome == "ongoing" and now - ep.ended > expiry:
        ep.outcome = "abandoned"
    return ep
