"""Support figures over episodes: headline counts and rates, and the series the
dashboard and `make report` draw. Pure functions of the episodes they are given."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .episodes import FINISHED, OUTCOMES, Episode

DEFINITIONS = {
    "diagnosis": "One problem worked on: from the first message about it to its end. A conversation can hold "
    "several (a new problem after a fix worked, or after starting over).",
    "finished": "Diagnoses that ended: resolved, handed over, abandoned or started over. Ongoing ones and "
    "conversations that never described a problem are not counted in the rates.",
    "resolution_rate": "Resolved / finished: the user said a suggested fix (or something else) made messages work.",
    "handover_rate": "Handed over / finished: the user asked for a person, no likely fix was left, an agent took "
    "the conversation, or the assistant failed to answer the last message.",
    "abandonment_rate": "Abandoned / finished: no reply from the user for the session expiry "
    "while the diagnosis was still open.",
    "restart_rate": "Started over / finished: the user started over or moved to another problem before this one ended.",
    "resolved_after_handover": "Resolved diagnoses that had gone to people and were handed back to the bot "
    "(counted as resolved, and not in the hand-over rate).",
    "causes_found": "For each resolved diagnosis, its most likely cause given everything said and the fix that worked.",
    "per_resolved": "Questions asked and fixes suggested in resolved diagnoses (the one that worked included).",
}
OUTCOME_LABELS = {
    "resolved": "Resolved",
    "handed_over": "Handed over",
    "abandoned": "Abandoned",
    "restarted": "Started over",
    "ongoing": "Ongoing",
    "no_problem": "No problem described",
}
REASON_LABELS = {
    "asked": "User asked for a person",
    "out_of_fixes": "No likely fix left",
    "failure": "Assistant failed to answer",
    "people": "Taken over by an agent",
}


@dataclass(frozen=True)
class Filters:
    start: str | None = None  # first day (YYYY-MM-DD, UTC), inclusive
    end: str | None = None  # last day, inclusive
    channel: str | None = None
    language: str | None = None
    outcome: str | None = None
    symptom: str | None = None
    fix: str | None = None

    def keeps(self, ep: Episode) -> bool:
        day_ = day(ep.started)
        return (
            (self.start is None or day_ >= self.start)
            and (self.end is None or day_ <= self.end)
            and (self.channel is None or ep.channel == self.channel)
            and (self.language is None or ep.language == self.language)
            and (self.outcome is None or ep.outcome == self.outcome)
            and (self.symptom is None or self.symptom in ep.symptoms)
            and (self.fix is None or any(f["fix"] == self.fix for f in ep.fixes))
        )


def day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def summary(episodes: Iterable[Episode]) -> dict[str, Any]:
    """Headline counts and rates and every chart's series, for the given episodes."""
    eps = list(episodes)
    outcomes = Counter(e.outcome for e in eps)
    finished = sum(outcomes[o] for o in FINISHED)
    diagnoses = [e for e in eps if e.outcome != "no_problem"]
    resolved = [e for e in eps if e.outcome == "resolved"]
    return {
        "counts": {
            "conversations": len({e.conversation for e in eps}),
            "episodes": len(eps),
            "diagnoses": len(diagnoses),
            "finished": finished,
            **{o: outcomes[o] for o in OUTCOMES},
            "resolved_after_handover": sum(e.outcome == "resolved" and e.handovers > 0 for e in eps),
        },
        "rates": {
            "resolution": _rate(outcomes["resolved"], finished),
            "handover": _rate(outcomes["handed_over"], finished),
            "abandonment": _rate(outcomes["abandoned"], finished),
            "restart": _rate(outcomes["restarted"], finished),
        },
        "per_resolved": _per_resolved(resolved),
        "by_day": _by_day(eps),
        "symptoms": _symptoms(diagnoses),
        "by_language": _languages(eps),
        "causes": _causes(resolved),
        "fixes": _fixes(diagnoses),
        "handover_reasons": [
            {"reason": r, "count": n}
            for r, n in Counter(e.handover_reason for e in eps if e.outcome == "handed_over").most_common()
        ],
        "funnel": [
            {"step": "started", "label": "Started (first message)", "count": len(eps)},
            {"step": "symptom", "label": "Problem understood", "count": sum(bool(e.symptoms) for e in eps)},
            {"step": "fix", "label": "Fix suggested", "count": sum(bool(e.fixes) for e in eps)},
            {"step": "resolved", "label": "Resolved", "count": len(resolved)},
        ],
    }


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _per_resolved(resolved: list[Episode]) -> dict[str, Any]:
    questions = [len(e.questions) for e in resolved]
    fixes = [len(e.fixes) for e in resolved]
    return {
        "questions_mean": _mean(questions),
        "fixes_mean": _mean(fixes),
        "turns_mean": _mean([e.turns for e in resolved]),
        "questions_hist": _hist(questions),
        "fixes_hist": _hist(fixes),
    }


def _hist(values: list[int]) -> dict[str, int]:
    counts = Counter(values)
    return {str(k): counts[k] for k in sorted(counts)}


def _by_day(eps: list[Episode]) -> list[dict[str, Any]]:
    days: dict[str, Counter] = defaultdict(Counter)
    for e in eps:
        days[day(e.started)][e.outcome] += 1
    return [{"day": d, **{o: days[d][o] for o in OUTCOMES}} for d in sorted(days)]


def _symptoms(diagnoses: list[Episode]) -> list[dict[str, Any]]:
    seen, fixed = Counter(), Counter()
    for e in diagnoses:
        s = e.symptom or "unknown"
        seen[s] += 1
        fixed[s] += e.outcome == "resolved"
    return [{"symptom": s, "episodes": n, "resolved": fixed[s]} for s, n in _ordered(seen)]


def _languages(eps: list[Episode]) -> list[dict[str, Any]]:
    """Per language: diagnoses, how many finished, and the resolution rate among those."""
    out = []
    for lang in sorted({e.language or "unknown" for e in eps}):
        mine = [e for e in eps if (e.language or "unknown") == lang]
        finished = sum(e.outcome in FINISHED for e in mine)
        resolved = sum(e.outcome == "resolved" for e in mine)
        out.append(
            {
                "language": lang,
                "episodes": len(mine),
                "finished": finished,
                "resolved": resolved,
                "resolution": _rate(resolved, finished),
            }
        )
    return out


def _causes(finished: Iterable[Episode]) -> list[dict[str, Any]]:
    found = Counter(e.top_causes[0]["cause"] for e in finished if e.top_causes)
    return [{"cause": c, "found": n} for c, n in _ordered(found)]


def _fixes(diagnoses: list[Episode]) -> list[dict[str, Any]]:
    stats: dict[str, Counter] = defaultdict(Counter)
    at_rank: dict[str, Counter] = defaultdict(Counter)
    for e in diagnoses:
        for f in e.fixes:
            stats[f["fix"]]["suggested"] += 1
            stats[f["fix"]][f["outcome"]] += 1
            if f["outcome"] == "worked":
                at_rank[f["fix"]][str(f["rank"])] += 1
    rows = []
    for fid, s in sorted(stats.items(), key=lambda kv: (-kv[1]["suggested"], kv[0])):
        rows.append(
            {
                "fix": fid,
                "suggested": s["suggested"],
                "worked": s["worked"],
                "failed": s["failed"],
                "skipped": s["skipped"],
                "unanswered": s["unanswered"],
                "success_rate": _rate(s["worked"], s["worked"] + s["failed"]),
                "worked_at_rank": dict(
                    sorted(at_rank[fid].items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 99)
                ),
            }
        )
    return rows


def _ordered(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
