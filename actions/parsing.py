"""Read what the user said from a tracker: the NLU's ranking, payload entities, stated facts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from rasa_sdk import Tracker

from troubleshooter import language, numbers
from troubleshooter.reading import Clause, Turn
from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, LANGUAGE_METADATA, OWNERS, OWNERSHIP_METADATA

SUPPORT_CHATS = ("chatwoot",)  # channels trusted to say who owns a conversation


def diagnosis_of(tracker: Tracker) -> Diagnosis:
    return Diagnosis.from_dict(tracker.get_slot(DIAGNOSIS_SLOT))


def turn_of(tracker: Tracker) -> Turn:
    """The latest user message as a Turn (a button payload is parsed from its text)."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    hint = language.hint((message.get("metadata") or {}).get(LANGUAGE_METADATA))
    if text.startswith("/"):
        return replace(Turn.from_payload(text), hint=hint)
    ranking = tuple(
        (str(i.get("name") or ""), float(i.get("confidence") or 0.0))
        for i in message.get("intent_ranking") or []
        if isinstance(i, dict)
    )
    if not ranking and message.get("intent"):
        intent = message["intent"]
        ranking = ((str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)),)
    clauses = _clauses(message.get("clauses"))
    return Turn(
        text,
        ranking,
        {},
        facts_of(message),
        clauses,
        facts_of(message, leaning=True),
        _ranking(message.get("outcome")),
        _ranking(message.get("language")),
        hint,
        max([_probability(message.get("asks")), *(c.asks for c in clauses)]),
        _ranking(message.get("done")),
        _told(message.get("told")),
        certainty_of(message),
    )


def facts_of(message: dict[str, Any], leaning: bool = False) -> dict[str, str]:
    """The facts the NLU read (nlu/facts.py) with the ages the text states (numbers.py) over them,
    or (`leaning`) the items it read below its threshold; anything malformed is left out."""
    found = {
        item["evidence"]: item["value"] for item in _read_facts(message, leaning) if item.get("value") in ("yes", "no")
    }
    return found if leaning else found | numbers.facts(message.get("text") or "")


def certainty_of(message: dict[str, Any]) -> dict[str, float]:
    """The fact reader's probability of each fact it read as stated; anything malformed is left out."""
    shares = ((item["evidence"], _share(item.get("confidence"))) for item in _read_facts(message, leaning=False))
    return {evidence: p for evidence, p in shares if p is not None}


def _read_facts(message: dict[str, Any], leaning: bool) -> Iterator[dict[str, Any]]:
    """The fact reader's items (nlu/facts.py) that name an evidence item: those read as stated, or
    (`leaning`) those read below its threshold."""
    for item in message.get("facts") or []:
        if isinstance(item, dict) and isinstance(item.get("evidence"), str) and bool(item.get("leaning")) == leaning:
            yield item


def _ranking(raw: Any) -> tuple[tuple[str, float], ...]:
    """A message's ranking from a learned reader (nlu/outcomes.py, nlu/language.py),
    [{"name", "confidence"}, ...], best first; anything malformed is none."""
    try:
        return _best_first([(i["name"], i["confidence"]) for i in raw]) if isinstance(raw, list) else ()
    except (TypeError, KeyError):
        return ()


def _best_first(pairs: Any) -> tuple[tuple[str, float], ...]:
    """[(name, probability), ...] best first (a clause's outcome ranking comes so); anything
    malformed (a probability that is none, NaN included) is none."""
    if not isinstance(pairs, list) or not all(isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in pairs):
        return ()
    ranking = [(name, _share(p)) for name, p in pairs]
    if not all(isinstance(name, str) and p is not None for name, p in ranking):
        return ()
    return tuple(sorted(ranking, key=lambda kv: -kv[1]))


def _share(raw: Any) -> float | None:
    """A learned reader's probability: a number from 0 to 1 (not a bool; NaN is none), else None."""
    if isinstance(raw, bool):
        return None
    try:
        p = float(raw)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return p if 0.0 <= p <= 1.0 else None


def _told(raw: Any) -> tuple[tuple[str, float, float], ...]:
    """The fixes the fix reader heard told as done (nlu/done.py), [[fix, p, asks], ...]; anything
    malformed is none."""
    if not isinstance(raw, list):
        return ()
    told = []
    for item in raw:
        if not (isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[0], str)):
            return ()
        p, asks = _share(item[1]), _share(item[2])
        if p is None or asks is None:
            return ()
        told.append((item[0], p, asks))
    return tuple(told)


def _clauses(raw: Any) -> tuple[Clause, ...]:
    """The clause readings the NLU added (nlu/intents.py, sentence_intents.py, outcomes.py,
    questions.py); anything malformed is none, an outcome ranking that is no ranking is left out."""
    if not isinstance(raw, list):
        return ()
    out = []
    for item in raw:
        try:
            ranking = tuple((str(name), float(conf)) for name, conf in item["ranking"])
            outcome = _best_first(item.get("outcome"))
            out.append(Clause(str(item["text"]), ranking, _probability(item.get("asks")), outcome))
        except (TypeError, KeyError, ValueError, AttributeError, ArithmeticError):
            return ()
    return tuple(out)


def _probability(raw: Any) -> float:
    """A learned reader's probability (nlu/questions.py); anything else is 0."""
    try:
        p = float(raw)
    except (TypeError, ValueError, ArithmeticError):
        return 0.0
    return p if 0.0 <= p <= 1.0 else 0.0


def ownership_of(tracker: Tracker) -> tuple[str | None, bool]:
    """(owner, status_only) from a support chat's latest message: who owns the conversation
    now (troubleshooter.vocabulary.OWNERS), and whether the message only reports that
    (no user text). (None, False) for every other channel: users cannot claim it."""
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), None) or {}
    if latest.get("input_channel") not in SUPPORT_CHATS:
        return None, False
    info = (latest.get("metadata") or {}).get(OWNERSHIP_METADATA)
    if not isinstance(info, dict) or info.get("owner") not in OWNERS:
        return None, False
    return info["owner"], info.get("event") == "status"
