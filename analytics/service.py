"""The analytics endpoints as plain functions of a query: JSON-ready dicts and CSV
text, or a `QueryError` that says what was wrong with the request."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analytics.episodes import OUTCOMES, Episode, Turn
from analytics.metrics import DEFINITIONS, OUTCOME_LABELS, REASON_LABELS, Filters, iso, summary
from troubleshooter.engine import Engine
from troubleshooter.knowledge import DEFAULT_DIR, load_knowledge_base
from troubleshooter.paths import ROOT
from troubleshooter.state import Diagnosis

from .store import EpisodeStore, StoreError, TrackerEvents, sqlite_url, store_url

DEMO_DB = ROOT / "build" / "demo" / "tracker.db"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LIMIT = 500
CSV_FIELDS = (
    "conversation",
    "episode",
    "channel",
    "language",
    "started",
    "ended",
    "outcome",
    "handover_reason",
    "symptom",
    "symptoms",
    "questions_asked",
    "questions",
    "volunteered",
    "fixes_tried",
    "fixes",
    "told",
    "resolved_by",
    "top_cause",
    "top_cause_probability",
    "turns",
)


class QueryError(ValueError):
    """A request the analytics cannot answer (HTTP 400/404), with a message for people."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def session_expiry(domain: Path = ROOT / "domain.yml") -> float:
    """The session expiry in seconds (domain.yml, minutes); a quiet open diagnosis is abandoned after it."""
    config = (yaml.safe_load(domain.read_text()) or {}).get("session_config") or {}
    return float(config.get("session_expiration_time", 60)) * 60


@dataclass
class Sources:
    """The stores the page can show: `live` (the assistant's) and `demo` (simulated users), if present."""

    stores: dict[str, EpisodeStore]

    @classmethod
    def from_endpoints(cls, endpoints: Path, demo: Path | None = DEMO_DB, engine: Engine | None = None) -> Sources:
        engine = engine or Engine(load_knowledge_base(os.environ.get("TROUBLESHOOTER_KB") or DEFAULT_DIR))
        config = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store") or {}
        config = {k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in config.items()}  # ${DB_PASSWORD}
        expiry = session_expiry()
        stores = {"live": EpisodeStore(TrackerEvents(store_url(config, ROOT)), engine, expiry)}
        if demo is not None and demo.exists():
            stores["demo"] = EpisodeStore(TrackerEvents(sqlite_url(demo)), engine, expiry)
        return cls(stores)

    def read_instead(self, source: str, db: Path) -> None:
        """Read `source` from an SQLite tracker database given on the command line."""
        if not db.is_file():
            raise StoreError(f"no tracker database at {db}")
        like = next(iter(self.stores.values()))
        self.stores[source] = EpisodeStore(TrackerEvents(sqlite_url(db)), like.engine, like.expiry)


class Analytics:
    def __init__(self, sources: Sources):
        self.sources = sources
        engine = next(iter(sources.stores.values())).engine
        kb = engine.kb
        self.labels = {
            "symptoms": {s: v.description for s, v in kb.symptoms.items()},
            "causes": {c: v.name for c, v in kb.causes.items()},
            "fixes": {f: v.title for f, v in kb.fixes.items()},
            "evidence": {e: v.question for e, v in kb.evidence.items()},
            "outcomes": OUTCOME_LABELS,
            "reasons": REASON_LABELS,
        }

    # ----- queries ----------------------------------------------------------------------
    def _store(self, q: dict[str, str]) -> tuple[str, EpisodeStore]:
        source = q.get("source") or "live"
        if source not in self.sources.stores:
            known = ", ".join(self.sources.stores)
            hint = " (run `make demo-data` to make it)" if source == "demo" else ""
            raise QueryError(f"unknown source {source!r}{hint}; available: {known}", 404 if source == "demo" else 400)
        return source, self.sources.stores[source]

    def _filters(self, q: dict[str, str]) -> Filters:
        for key in ("from", "to"):
            if q.get(key) and not _DAY.match(q[key]):
                raise QueryError(f"{key!r} must be a date as YYYY-MM-DD, got {q[key][:40]!r}")
        outcome = q.get("outcome") or None
        if outcome and outcome not in OUTCOMES:
            raise QueryError(f"unknown outcome {outcome[:40]!r}; one of: {', '.join(OUTCOMES)}")
        return Filters(
            start=q.get("from") or None,
            end=q.get("to") or None,
            channel=q.get("channel") or None,
            language=q.get("language") or None,
            outcome=outcome,
            symptom=q.get("symptom") or None,
            fix=q.get("fix") or None,
        )

    def _episodes(self, q: dict[str, str]) -> tuple[str, list[Episode], list[Episode], Filters]:
        source, store = self._store(q)
        filters = self._filters(q)
        try:
            every = store.episodes()
        except StoreError as exc:
            raise QueryError(str(exc), 503) from None
        return source, every, [e for e in every if filters.keeps(e)], filters

    def summary(self, q: dict[str, str]) -> dict[str, Any]:
        base = ("source", "from", "to", "channel", "language")
        source, every, eps, f = self._episodes({k: v for k, v in q.items() if k in base})
        days = sorted(iso(e.started)[:10] for e in every)
        return {
            "source": source,
            "sources": list(self.sources.stores),
            "generated_at": iso(time.time()),
            "filters": {"from": f.start, "to": f.end, "channel": f.channel, "language": f.language},
            "range": {"first": days[0] if days else None, "last": days[-1] if days else None},
            "channels": sorted({e.channel for e in every if e.channel}),
            "languages": sorted({e.language for e in every if e.language}),
            "definitions": DEFINITIONS,
            **summary(eps),
            "labels": self.labels,
        }

    def episodes(self, q: dict[str, str]) -> dict[str, Any]:
        _, _, eps, _ = self._episodes(q)
        limit, offset = _int(q, "limit", 50, 1, MAX_LIMIT), _int(q, "offset", 0, 0, 10**9)
        eps.sort(key=lambda e: (-e.started, e.conversation, e.episode))
        return {
            "total": len(eps),
            "offset": offset,
            "limit": limit,
            "episodes": [_row(e) for e in eps[offset : offset + limit]],
            "labels": self.labels,
        }

    def episodes_csv(self, q: dict[str, str]) -> str:
        _, _, eps, _ = self._episodes(q)
        eps.sort(key=lambda e: (e.started, e.conversation, e.episode))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in eps:
            writer.writerow(_csv_row(e))
        return out.getvalue()

    def episodes_all(self, q: dict[str, str]) -> list[dict[str, Any]]:
        _, _, eps, _ = self._episodes(q)
        return [_row(e) for e in sorted(eps, key=lambda e: (e.started, e.conversation, e.episode))]

    def conversation(self, q: dict[str, str]) -> dict[str, Any]:
        sender = q.get("id") or ""
        if not sender or len(sender) > 255:
            raise QueryError("give the conversation's id as ?id=...")
        _, store = self._store(q)
        try:
            conv = store.conversation(sender)
        except StoreError as exc:
            raise QueryError(str(exc), 503) from None
        if conv is None:
            raise QueryError(f"no conversation with id {sender[:80]!r}", 404)
        owner = {}
        for ep in conv.episodes:
            for i in range(ep.first_turn, ep.first_turn + ep.turns):
                owner[i] = ep.episode
        before: dict | None = None
        turns = []
        for t in conv.turns:
            turns.append(self._turn(store, t, owner.get(t.index, 1), before))
            before = t.diagnosis if t.diagnosis is not None else before
        return {
            "conversation": conv.id,
            "channel": conv.channel,
            "episodes": [_row(e) for e in conv.episodes],
            "labels": self.labels,
            "turns": turns,
        }

    def _turn(self, store: EpisodeStore, t: Turn, episode: int, before: dict | None) -> dict[str, Any]:
        state = t.diagnosis if t.diagnosis is not None else before
        d = Diagnosis.from_dict(state)
        return {
            "index": t.index,
            "episode": episode,
            "time": iso(t.time),
            "answered": t.answered,
            "user": {
                "text": t.text,
                "button": _button_title(t.text, before),
                "intent": t.intent,
                "confidence": round(t.confidence, 4) if t.confidence is not None else None,
            },
            "reading": _reading(t.reading),
            "bot": [{"text": m.get("text"), "buttons": m.get("buttons") or []} for m in t.bot if m.get("text")],
            "step": t.step(),
            "status": d.status,
            "belief": [{"cause": c, "probability": round(p, 4)} for c, p in store.belief(d)[:5]] if state else [],
        }


def _int(q: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = q.get(key)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"\d{1,10}", raw):
        raise QueryError(f"{key!r} must be a whole number, got {raw[:40]!r}")
    return min(max(int(raw), low), high)


def _button_title(text: str, before: dict | None) -> str | None:
    """The title of the button whose payload the user sent, if it was one shown."""
    if not text.startswith("/") or not isinstance(before, dict):
        return None
    choices, titles = before.get("choices") or [], before.get("titles") or []
    if text in choices and choices.index(text) < len(titles):
        return titles[choices.index(text)]
    return None


def _reading(reading: dict | None) -> dict | None:
    if not reading:
        return None
    keep = ("act", "value", "target", "symptom", "symptoms", "facts", "options", "how")
    return {k: reading[k] for k in keep if k in reading and reading[k] not in (None, {}, [])}


def _row(e: Episode) -> dict[str, Any]:
    return {**e.row(), "started": iso(e.started), "ended": iso(e.ended)}


def _csv_row(e: Episode) -> dict[str, Any]:
    top = e.top_causes[0] if e.top_causes else {}
    return {
        "conversation": e.conversation,
        "episode": e.episode,
        "channel": e.channel or "",
        "language": e.language or "",
        "started": iso(e.started),
        "ended": iso(e.ended),
        "outcome": e.outcome,
        "handover_reason": e.handover_reason or "",
        "symptom": e.symptom or "",
        "symptoms": ";".join(e.symptoms),
        "questions_asked": len(e.questions),
        "questions": ";".join(f"{q['evidence']}={q['answer'] or ''}" for q in e.questions),
        "volunteered": ";".join(f"{k}={v}" for k, v in e.volunteered.items()),
        "fixes_tried": len(e.fixes),
        "fixes": ";".join(f"{f['fix']}:{f['outcome']}" for f in e.fixes),
        "told": ";".join(e.told),
        "resolved_by": e.resolved_by or "",
        "top_cause": top.get("cause", ""),
        "top_cause_probability": top.get("probability", ""),
        "turns": e.turns,
    }
