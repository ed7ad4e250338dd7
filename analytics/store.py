"""Episodes read straight from Rasa's SQL tracker store (table `events`), incrementally:
each refresh reads only the conversations with events newer than the last one seen."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import ujson  # a Rasa dependency; several times faster than json on event rows

from analytics.episodes import Conversation, Episode, conversation_of, settle
from troubleshooter.engine import Engine
from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import PAYLOAD_KEY, READING_SLOT

logger = logging.getLogger(__name__)
_CHUNK = 200  # conversations read per query
_FRESH = 1.0  # seconds a refresh stays good (a page loads several figures at once)
_LATE_IDS = 500  # re-read conversations among this many latest ids: with several writers (PostgreSQL),
_LATE_EVERY = 30.0  # a lower id can commit after a higher one was read; and at least this often


class StoreError(RuntimeError):
    """The tracker store cannot be read: says which store and why."""


def store_url(config: dict, root: Path) -> str:
    """An SQLAlchemy URL for the `tracker_store` section of an endpoints file: Rasa's `SQL` store or
    one built on it (a class named ...SQLTrackerStore, such as scaleout.tracker_store's: same table)."""
    kind = str(config.get("type", "")).lower()
    if kind != "sql" and not kind.endswith("sqltrackerstore"):
        raise StoreError(f"analytics read an SQL tracker store; this one is of type {config.get('type')!r}")
    dialect = str(config.get("dialect") or "sqlite")
    db = str(config.get("db") or "rasa.db")
    if dialect == "sqlite":
        path = Path(db) if Path(db).is_absolute() else root / db
        return f"sqlite:///{path}"
    url = sa.engine.URL.create(
        dialect,
        username=config.get("username"),
        password=config.get("password"),
        host=config.get("url") or "localhost",
        port=config.get("port"),
        database=db,
    )
    return url.render_as_string(hide_password=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


class TrackerEvents:
    """Read-only access to the `events` table."""

    def __init__(self, url: str):
        self.url = url
        self.db = sa.create_engine(url, pool_pre_ping=True)
        self._events = sa.table(
            "events",
            sa.column("id"),
            sa.column("sender_id"),
            sa.column("data"),
            sa.column("type_name"),
            sa.column("action_name"),
        )

    def describe(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def _run(self, query) -> list:
        try:
            with self.db.connect() as conn:
                return list(conn.execute(query))
        except sa.exc.OperationalError as exc:
            if "no such table" in str(exc):
                return []  # nobody has talked to the assistant yet
            raise StoreError(f"cannot read the tracker store {self.describe()}: {exc.orig}") from None
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"cannot read the tracker store {self.describe()}: {exc}") from None

    def last_id(self) -> int:
        rows = self._run(sa.select(sa.func.max(self._events.c.id)))
        return int(rows[0][0] or 0) if rows else 0

    def changed(self, after: int, upto: int) -> list[str]:
        e = self._events.c
        return [r[0] for r in self._run(sa.select(e.sender_id).where(e.id > after, e.id <= upto).distinct())]

    def events(self, senders: list[str], upto: int, brief: bool = False) -> Iterator[tuple[str, list[dict]]]:
        """Each sender's events in order (only events up to id `upto`). `brief`: only what
        episodes need (no listens, no readings, no bot messages without a payload)."""
        e = self._events.c
        for i in range(0, len(senders), _CHUNK):
            query = sa.select(e.sender_id, e.type_name, e.data).where(
                e.sender_id.in_(senders[i : i + _CHUNK]), e.id <= upto
            )
            if brief:
                query = query.where(
                    e.type_name.in_(_BRIEF), sa.or_(e.action_name.is_(None), e.action_name != "action_listen")
                )
            current, batch = None, []
            for sender, kind, data in self._run(query.order_by(e.sender_id, e.id)):
                if sender != current:
                    if current is not None:
                        yield current, batch
                    current, batch = sender, []
                if brief and not _needed(kind, data):
                    continue
                batch.append(_event(data))
            if current is not None:
                yield current, batch


_BRIEF = ("user", "bot", "slot", "action", "restart")
# Probes on an event's raw JSON (as Rasa writes it: json.dumps, ", " and ": " separators), so that
# readings and bot messages without a payload are skipped before parsing.
_READING_PROBE = f'"name": "{READING_SLOT}"'
_PAYLOAD_PROBE = f'"{PAYLOAD_KEY}"'


def _needed(kind: str, data: Any) -> bool:
    if not isinstance(data, str):
        return True
    if kind == "slot":
        return _READING_PROBE not in data
    return kind != "bot" or _PAYLOAD_PROBE in data


def _event(data: Any) -> dict:
    try:
        event = ujson.loads(data) if isinstance(data, (str, bytes)) else data
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}


class EpisodeStore:
    """Episodes of every conversation in a tracker store, kept up to date incrementally."""

    def __init__(self, events: TrackerEvents, engine: Engine, expiry: float, clock=time.time):
        self.events, self.engine, self.expiry, self.clock = events, engine, expiry, clock
        self._episodes: dict[str, list[Episode]] = {}
        self._seen = 0
        self._checked = self._rescanned = 0.0
        self._lock = threading.Lock()

    def belief(self, d: Diagnosis) -> list[tuple[str, float]]:
        """Causes by probability, best first; once a fix worked, also given that it worked."""
        if not (d.symptoms or d.reports or d.evidence):
            return []
        if d.resolved_by is not None:
            return list(self.engine.belief_given_fix(d, d.resolved_by).items())
        return list(self.engine.belief(d).items())

    def refresh(self, force: bool = False) -> int:
        """Read what changed since the last refresh; returns how many conversations were re-read."""
        with self._lock:
            now = self.clock()
            if not force and now - self._checked < _FRESH:
                return 0
            upto = self.events.last_id()
            senders: list[str] = []
            if upto > self._seen or now - self._rescanned >= _LATE_EVERY:
                senders = self.events.changed(max(0, self._seen - _LATE_IDS), upto)
                self._rescanned = now
            for sender, events in self.events.events(senders, upto, brief=True):
                self._episodes[sender] = conversation_of(sender, events, self.expiry, now, self.belief).episodes
            self._seen, self._checked = max(self._seen, upto), now
            for eps in self._episodes.values():
                for ep in eps:
                    settle(ep, self.expiry, now)
            return len(senders)

    def episodes(self) -> list[Episode]:
        self.refresh()
        with self._lock:
            return [ep for eps in self._episodes.values() for ep in eps]

    def conversation(self, sender: str) -> Conversation | None:
        """One conversation read afresh, turns included (for review)."""
        upto = self.events.last_id()
        for sid, events in self.events.events([sender], upto):
            return conversation_of(sid, events, self.expiry, self.clock(), self.belief)
        return None
