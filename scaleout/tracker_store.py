"""Rasa's SQL tracker store (same tables, same rows), which reads only what is new.

Rasa 3.6's SQLTrackerStore reads a conversation's whole current session from the database at
every turn, decodes every event, and before saving counts the stored events to know which are
new: a third of the server's CPU per turn, growing with the conversation. This store keeps, per
conversation, the stored events' JSON and the last row's id (a bounded LRU, in memory):

- reading asks only for rows from that last id on. The last row must still be there (a deleted
  conversation is read afresh), and a new session started elsewhere is read afresh;
- saving a tracker it handed out inserts the events after the ones it read, when the last row
  stored is still the one it read. Another replica answers the same conversation only after the
  lock store lets it; what it wrote is read at the next turn.

Anything else (a tracker it did not hand out, such as a new conversation's first; a row stored
since it was read) is saved Rasa's way, counting the stored rows.

A kept row is decoded (JSON, then Rasa's event) once: what is kept is then the pickled event, and
every turn unpickles its own copies (two thirds of the cost; the same objects as decoding the JSON
gives, nothing shared between turns). A row Rasa cannot decode, or decodes differently each time
(no timestamp, a reminder without a name), stays JSON, decoded at every read.

endpoints: tracker_store: {type: scaleout.tracker_store.IncrementalSQLTrackerStore, dialect: ..., db: ...}
(the same keys as Rasa's `SQL` store, plus `cache_conversations`, default 512).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import pickle
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ReminderScheduled, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from .fenced_store import LAST_ROW_ID

logger = logging.getLogger(__name__)
_STORED = "_incremental_rows"  # on a tracker handed out: (events stored, last row id)
_UNREAD = object()


@dataclass
class _Kept:
    """A conversation's stored session: each row's event (pickled, or its JSON until decoded), in
    order, and the last row's id."""

    data: list[str | bytes] = field(default_factory=list)
    last_id: int = 0


def _events(kept: _Kept) -> list[Any]:
    """The rows' events, as `deserialise_events` gives them from the rows' JSON; a row decoded from
    JSON is kept pickled from then on when decoding it always gives the same event."""
    out = []
    for i, row in enumerate(kept.data):
        if isinstance(row, bytes):
            out.extend(pickle.loads(row))
            continue
        data = json.loads(row)
        decoded = deserialise_events([data])
        if decoded and _decodes_alike(data):  # pickled before anything (a tracker's replay) touches it
            with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
                kept.data[i] = pickle.dumps(decoded, pickle.HIGHEST_PROTOCOL)
        out.extend(decoded)
    return out


def _decodes_alike(data: Any) -> bool:
    """Whether Rasa decodes the row the same way each time: an event without a timestamp gets the
    time of decoding, a reminder without a name a new uuid (reminders are all left as JSON)."""
    return isinstance(data, dict) and bool(data.get("timestamp")) and data.get("event") != ReminderScheduled.type_name


class IncrementalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_conversations: int = 512, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._size = max(0, int(cache_conversations))
        self._table = t = self.SQLEvent.__table__
        # the queries, built once rather than at every turn
        sender = t.c.sender_id == sa.bindparam("sender_id")
        self._last_id_query = sa.select(sa.func.max(t.c.id)).where(sender)
        self._rows_since_query = (
            sa.select(t.c.id, t.c.type_name, t.c.data).where(sender, t.c.id >= sa.bindparam("last_id")).order_by(t.c.id)
        )

    # ----- the cache -------------------------------------------------------------------------------
    def _keep(self, sender_id: str, kept: _Kept) -> None:
        if not self._size:
            return
        self._kept[sender_id] = kept
        self._kept.move_to_end(sender_id)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def _read_kept(self, session: Any, sender_id: str) -> _Kept | None:
        """The cached session with the rows added since, or None when it must be read afresh."""
        kept = self._kept.get(sender_id)
        if kept is None:
            return None
        rows = session.execute(self._rows_since_query, {"sender_id": sender_id, "last_id": kept.last_id}).all()
        if not rows or rows[0].id != kept.last_id:
            return None  # the last row read is gone: the conversation was deleted or rewritten
        if any(row.type_name == SessionStarted.type_name for row in rows[1:]):
            return None  # a new session began: Rasa's query decides where it starts
        if len(rows) > 1:
            kept = _Kept(kept.data + [row.data for row in rows[1:]], rows[-1].id)
        return kept

    # ----- Rasa's interface ------------------------------------------------------------------------
    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions or not self.domain:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            kept = self._read_kept(session, sender_id)
            if kept is None:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
                kept = _Kept([row.data for row in rows], rows[-1].id if rows else 0)
        if not kept.data:
            self._kept.pop(sender_id, None)
            return None
        self._keep(sender_id, kept)
        tracker = DialogueStateTracker.from_events(sender_id, _events(kept), self.domain.slots)
        setattr(tracker, _STORED, (len(kept.data), kept.last_id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        stored = getattr(tracker, _STORED, None)
        kept = self._kept.get(sender_id)
        with self.session_scope() as session:
            # whether memory still matches the database: nothing written since this tracker was read
            current = stored is not None and kept is not None and (len(kept.data), kept.last_id) == stored
            if current:
                # the last row's id, as read under the conversation's lock by scaleout/fenced_store.py
                # just before this save, or read now
                last_id = getattr(tracker, LAST_ROW_ID, _UNREAD)
                if last_id is _UNREAD:
                    last_id = session.execute(self._last_id_query, {"sender_id": sender_id}).scalar()
                current = last_id == stored[1]
            if current:  # the events after those it read are new
                new = list(itertools.islice(tracker.events, stored[0], None))
            else:  # Rasa's way: count what is stored
                self._kept.pop(sender_id, None)
                new = list(self._additional_events(session, tracker))
            rows = [self._row(sender_id, event) for event in new]
            insert = self._table.insert()
            for row in rows:  # Core inserts, not ORM objects: the same rows, less CPU
                last_id = session.execute(insert, row).inserted_primary_key[0]
            session.commit()
        if not current:
            self._kept.pop(sender_id, None)
            if hasattr(tracker, _STORED):
                delattr(tracker, _STORED)
            return
        if rows:
            kept = _Kept(kept.data + [row["data"] for row in rows], last_id)
            self._keep(sender_id, kept)
        setattr(tracker, _STORED, (len(kept.data), kept.last_id))

    def _row(self, sender_id: str, event: Any) -> dict[str, Any]:
        """The row Rasa's store would write for `event` (its columns' values)."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
