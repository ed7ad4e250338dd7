"""Held-out sets written blind (tests/heldout/): outcome replies to "Did that fix it?" and side
questions asked mid-conversation (in English and some Spanish, Portuguese and Indonesian; and a set
in those three languages alone), each set by its own writer from tests/wild/BRIEF.md alone,
in a `check` part (regression guards in make test) and a `sealed` part (only reported).
Never trained on: `normalized` texts must differ from every training line.

Each text goes in over REST with its conversation put in the state the writer gave (a question
or fix pending, evaluation.replies.state_for); the `reading` slot says what it was taken for,
and the diagnosis whether the pending step was kept."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import yaml

from learning.calibration import ece
from troubleshooter.paths import TESTS
from troubleshooter.reading import ASIDE, OUTCOMES

from .replies import turn_in_context

HELDOUT = TESTS / "heldout"
PARTS = ("check", "sealed")
# set -> its list's key in the file; side_questions_languages: Spanish, Portuguese and Indonesian only
# cause_questions: whether what the user states is the cause ("is it bc im 14?"), with the facts it states
KINDS = {
    "outcomes": "replies",
    "side_questions": "questions",
    "side_questions_languages": "questions",
    "cause_questions": "questions",
}
OUTCOME_ACTS = OUTCOMES  # an outcome and the reading that gets it right (troubleshooter/reading.py)
TOPIC_ACTS = {"why": "why", "how_to_check": "how_to_check", "unanswerable": "aside"}  # other topics: a FAQ


def load(kind: str, part: str) -> list[dict[str, Any]]:
    """One part of a held-out set: {after, text, expect, also, lang} each."""
    raw = yaml.safe_load((HELDOUT / kind / f"{part}.yml").read_text(encoding="utf-8"))[KINDS[kind]]
    return [
        {
            "after": dict(r["after"]),
            "text": str(r["text"]),
            "expect": dict(r["expect"]),
            "also": list(r.get("also") or []),
            "lang": r.get("lang", "en"),
        }
        for r in raw
    ]


def texts() -> list[str]:
    """Every text of every held-out set and part."""
    return [r["text"] for kind in KINDS for part in PARTS for r in load(kind, part)]


def normalized(text: str) -> str:
    """A text compared with training lines: case, accents, punctuation, emoji and spacing ignored."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def judge(item: dict[str, Any], reading: dict[str, Any]) -> str:
    """right, unclear (asked again) or wrong."""
    act, value = reading.get("act"), reading.get("value")
    if act == "unclear":
        return "unclear"
    expect = item["expect"]
    if "outcome" in expect:
        want_act, want_value = OUTCOME_ACTS[expect["outcome"]]
        return "right" if act == want_act and (want_value is None or value == want_value) else "wrong"
    topic = expect["topic"]
    if topic == "cause":  # read as that question, about a fact it states and none the other way round
        about, said = reading.get("about") or {}, expect["about"].items()
        fits = any(about.get(e) == v for e, v in said) and not any(about.get(e) not in (None, v) for e, v in said)
        return "right" if act == "why" and value == "cause" and fits else "wrong"
    if topic in TOPIC_ACTS:  # beside a success, "I can't answer that" is marked in `asks` (reading.ASIDE)
        aside = topic == "unanswerable" and ASIDE in (reading.get("asks") or [])
        return "right" if act == TOPIC_ACTS[topic] or aside else "wrong"
    answered = (act == "faq" and value == topic) or topic in (reading.get("asks") or [])
    return "right" if answered else "wrong"


def evaluate(url: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Right / unclear / wrong shares overall, per expected label and per language; how often
    the pending step was kept after a message that only asks (side questions without an answer
    or an outcome beside them)."""
    verdicts: Counter = Counter()
    per: dict[str, Counter] = {}
    per_lang: dict[str, Counter] = {}
    kept = alone = 0
    misses = []
    for item in items:
        reading, diagnosis = turn_in_context(url, item)
        verdict = judge(item, reading)
        label = item["expect"].get("outcome") or item["expect"]["topic"]
        verdicts[verdict] += 1
        per.setdefault(label, Counter())[verdict] += 1
        per_lang.setdefault(item["lang"], Counter())[verdict] += 1
        if "topic" in item["expect"] and not item["also"]:
            pending = diagnosis.get("pending") or {}
            alone += 1
            kept += pending.get("evidence", pending.get("fix")) == next(iter(item["after"].values()))
        if verdict != "right":
            misses.append(
                {"text": item["text"], "expect": label, "read_as": reading.get("act"), "value": reading.get("value")}
            )
    n = len(items)
    share = lambda c: {v: c[v] / max(sum(c.values()), 1) for v in ("right", "unclear", "wrong")}
    return {
        "items": n,
        **share(verdicts),
        "pending_kept": kept / alone if alone else float("nan"),
        "per_label": {k: {**c, "n": sum(c.values())} for k, c in sorted(per.items())},
        "per_language": {k: share(c) | {"n": sum(c.values())} for k, c in sorted(per_lang.items())},
        "misses": misses,
    }


def outcome_reader(parse_text: Callable[[str], dict[str, Any]], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The outcome reader alone (nlu/outcomes.py) on outcome replies: how often its best reading is
    the expected outcome, and how well its confidence says so (expected calibration error)."""
    confidences, right = [], []
    for item in items:
        ranking = parse_text(item["text"]).get("outcome") or [{"name": "", "confidence": 0.0}]
        confidences.append(float(ranking[0]["confidence"]))
        right.append(ranking[0]["name"] == item["expect"]["outcome"])
    c, r = np.array(confidences), np.array(right, dtype=float)
    return {"items": len(items), "accuracy": float(r.mean()) if len(r) else 0.0, "ece": ece(c, r)}
