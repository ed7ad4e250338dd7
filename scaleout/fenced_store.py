"""No stale turn is saved over a newer one.

A turn reads its conversation from the tracker store, runs, and saves the events it added. The
conversation lock makes sure nobody else writes that conversation meanwhile, as long as every turn
ends within the lock's lifetime (60 s, `TICKET_LOCK_LIFETIME`). A turn that outlives it breaks that:
a replica cut off from the network in the middle of a turn, its ticket expired meanwhile, the user's
resend answered by another replica, then the network back and the old turn saved after the newer
ones. Rasa's SQL store would then append its events after the other replica's (or drop some of them
by counting), and the old turn's diagnosis would overwrite the newer one: a message answered twice,
a conversation set back.

`apply()` hooks Rasa's processor (MessageProcessor.get_tracker and save_tracker, which every turn
goes through, whatever SQL store subclass is configured): a turn notes the last event it read, and
its save goes ahead only if that is still the conversation's last stored event; otherwise the turn
is refused (`StaleTracker`: the user saw no answer for it, and a resend is answered by what the
newer turn recorded, channels/rest.py).

On PostgreSQL the check and the save are one transaction holding the conversation's advisory lock,
so two saves of one conversation never interleave, and a save cut off before its commit leaves
nothing. A replica cut off from the network in the middle of it cannot release the lock; its
transaction, idle, is ended by PostgreSQL after IDLE_SECONDS (a setting of that transaction, so any
server does it), which frees the lock and undoes what it wrote. Another replica waits for the lock
without holding up its other conversations (polled, the event loop free), at most WAIT_SECONDS, then
refuses its turn. A store that is not an SQL store is saved as Rasa saves it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
import time

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)
_READ = "_fenced_read"  # on a tracker read by a turn: the key of the last event it read (None: nothing stored)
# on a tracker being saved, checked and saved under the conversation's lock: the id of the last row
# stored (None: nothing stored), read with the check (scaleout/tracker_store.py uses it)
LAST_ROW_ID = "_fenced_last_row_id"
_rasas_get_tracker = MessageProcessor.get_tracker
_rasas_save_tracker = MessageProcessor.save_tracker
_rasas_session_scope = SQLTrackerStore.session_scope
IDLE_SECONDS = 10  # a save's transaction idle this long (its replica cut off) is ended by PostgreSQL
WAIT_SECONDS = 15  # at most this long for the conversation's lock, held by another replica's save
_POLL_SECONDS = 0.05
# while a turn is saved: the store and the connection whose transaction its save joins
_saving: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("fenced_save", default=None)


class StaleTracker(RuntimeError):
    """The conversation changed in the store since this turn read it."""


def _key(event_type: str | None, timestamp) -> tuple:
    return (event_type, timestamp)


def _last_read(tracker: DialogueStateTracker) -> tuple | None:
    return _key(tracker.events[-1].type_name, tracker.events[-1].timestamp) if tracker.events else None


def sql_store(store) -> SQLTrackerStore | None:
    """The SQL store behind Rasa's wrappers (FailSafeTrackerStore, AwaitableTrackerStore), if any."""
    for _ in range(5):
        if isinstance(store, SQLTrackerStore):
            return store
        store = getattr(store, "_tracker_store", None)
    return None


async def _get_tracker(self: MessageProcessor, conversation_id) -> DialogueStateTracker:
    tracker = await _rasas_get_tracker(self, conversation_id)
    setattr(tracker, _READ, _last_read(tracker))
    return tracker


@contextlib.asynccontextmanager
async def conversation_locked(store: SQLTrackerStore, sender_id: str):
    """A connection of `store` in a transaction, committed when the block ends (rolled back on an
    error); on PostgreSQL it holds the conversation's advisory lock until then."""
    with store.engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"SET LOCAL idle_in_transaction_session_timeout = '{IDLE_SECONDS}s'"))
            take = sa.text("SELECT pg_try_advisory_xact_lock(hashtextextended(:conversation, 0))")
            deadline = time.monotonic() + WAIT_SECONDS
            while not connection.execute(take, {"conversation": sender_id}).scalar():
                if time.monotonic() > deadline:
                    raise StaleTracker(f"conversation {sender_id!r} is being saved elsewhere for over {WAIT_SECONDS} s")
                await asyncio.sleep(_POLL_SECONDS)
        yield connection


@contextlib.contextmanager
def _session_scope(self: SQLTrackerStore):
    """Rasa's session of the store, or, while a turn is saved (`_save_tracker`), a session in the
    transaction of its check: its commit is the check's."""
    saving = _saving.get()
    if saving is None or saving[0] is not self:
        with _rasas_session_scope(self) as session:
            yield session
        return
    session = sa.orm.Session(bind=saving[1])
    try:
        yield session
    finally:
        session.close()


@functools.lru_cache(maxsize=8)
def _latest_row_query(table: sa.Table):
    """The query of a conversation's last stored row (built once rather than at every save)."""
    return (
        sa.select(table.c.id, table.c.type_name, table.c.data)
        .where(table.c.sender_id == sa.bindparam("sender_id"))
        .order_by(table.c.id.desc())
        .limit(1)
    )


def latest_row(connection, store: SQLTrackerStore, sender_id: str) -> tuple[int | None, tuple | None]:
    """The id and the key of the conversation's last stored event (None, None: nothing stored)."""
    row = connection.execute(_latest_row_query(store.SQLEvent.__table__), {"sender_id": sender_id}).first()
    return (row.id, _key(row.type_name, json.loads(row.data).get("timestamp"))) if row else (None, None)


async def _save_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> None:
    store = sql_store(self.tracker_store)
    if store is None or not hasattr(tracker, _READ):
        return await _rasas_save_tracker(self, tracker)
    async with conversation_locked(store, tracker.sender_id) as connection:
        last_id, latest = latest_row(connection, store, tracker.sender_id)
        if latest != getattr(tracker, _READ):
            logger.error(
                "Conversation %r changed in the store since this turn read it: its turn is not saved "
                "(it outlived its lock, e.g. a replica cut off from the network).",
                tracker.sender_id,
            )
            raise StaleTracker(f"conversation {tracker.sender_id!r} changed in the store since this turn read it")
        # the store's save may take the last row's id from here rather than read it again
        setattr(tracker, LAST_ROW_ID, last_id)
        token = _saving.set((store, connection))
        try:
            await _rasas_save_tracker(self, tracker)
        finally:
            _saving.reset(token)
            delattr(tracker, LAST_ROW_ID)
    setattr(tracker, _READ, _last_read(tracker))


def apply() -> None:
    """Hook the processor's reads and saves (idempotent)."""
    MessageProcessor.get_tracker = _get_tracker
    MessageProcessor.save_tracker = _save_tracker
    SQLTrackerStore.session_scope = _session_scope
