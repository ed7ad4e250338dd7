"""scaleout/tracker_store.py over real Rasa trackers and a real SQLite file: what it reads and
writes is what Rasa's own SQL store reads and writes, turn after turn, also when two replicas take
turns on one conversation, a session restarts elsewhere or the conversation is deleted."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity

from scaleout.tracker_store import IncrementalSQLTrackerStore
from tests.unit.exact import exactly
from troubleshooter.paths import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
SLOT = next(s.name for s in DOMAIN.slots if s.type_name == "any" or s.type_name == "text")


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "tracker.db")


def store(db: str, cls=IncrementalSQLTrackerStore, **kwargs):
    return cls(domain=DOMAIN, dialect="sqlite", db=db, **kwargs)


def turn(n: int) -> list:
    now = time.time()
    return [
        UserUttered(f"message {n}", {"name": "deny", "confidence": 0.9}, timestamp=now),
        ActionExecuted("action_respond", timestamp=now),
        SlotSet(SLOT, f"value {n}", timestamp=now),
        BotUttered(f"reply {n}", timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]


def take_turn(s, sender: str, n: int) -> None:
    """What Rasa's processor does with a turn: get the tracker, add the turn's events, save."""
    tracker = run(s.get_or_create_tracker(sender))
    for event in turn(n):
        tracker.update(event)
    run(s.save(tracker))


def events(tracker) -> list[dict]:
    return [e.as_dict() for e in tracker.events] if tracker else []


def rows(db: str) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        out = c.execute(sa.text("SELECT sender_id, type_name, intent_name, action_name, data FROM events ORDER BY id"))
        return [tuple(r) for r in out]


def test_writes_and_reads_what_rasas_store_does(tmp_path):
    ours, theirs = str(tmp_path / "ours.db"), str(tmp_path / "theirs.db")
    a, b = store(ours), store(theirs, SQLTrackerStore)
    for n in range(4):
        take_turn(a, "u1", n)
        take_turn(b, "u1", n)
    got, want = run(a.retrieve("u1")), run(b.retrieve("u1"))
    assert len(got.events) == len(want.events) == 1 + 4 * 5
    assert [r[:4] for r in rows(ours)] == [r[:4] for r in rows(theirs)]
    assert got.get_slot(SLOT) == want.get_slot(SLOT) == "value 3"
    assert [e["event"] for e in events(got)] == [e["event"] for e in events(want)]
    # and Rasa's own store reads what ours wrote
    assert events(run(store(ours, SQLTrackerStore).retrieve("u1"))) == events(got)


def test_reads_only_new_rows_once_it_knows_a_conversation(db):
    s = store(db)
    take_turn(s, "u1", 0)  # a new conversation: created, then read whole at its second turn
    take_turn(s, "u1", 1)
    statements: list[str] = []
    sa.event.listen(s.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    take_turn(s, "u1", 2)
    reads = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert reads and all("count(" not in q.lower() for q in reads), reads
    assert any("events.id >=" in q for q in reads), reads


def test_two_replicas_taking_turns_see_every_event(db):
    first, second = store(db), store(db)
    for n in range(6):
        take_turn(first if n % 2 == 0 else second, "shared", n)
    for s in (first, second, store(db, SQLTrackerStore)):
        tracker = run(s.retrieve("shared"))
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [f"message {n}" for n in range(6)]
        assert tracker.get_slot(SLOT) == "value 5"
    texts = [r[4] for r in rows(db) if r[1] == "user"]
    assert len(texts) == 6  # each message stored once


def test_a_session_started_elsewhere_is_read_from_its_start(db):
    mine, other = store(db), store(db)
    take_turn(mine, "u1", 0)
    take_turn(mine, "u1", 1)
    tracker = run(other.retrieve("u1"))
    later = time.time() + 1
    tracker.update(ActionExecuted("action_session_start", timestamp=later))
    tracker.update(SessionStarted(timestamp=later))
    tracker.update(ActionExecuted("action_listen", timestamp=later))
    run(other.save(tracker))
    again = run(mine.retrieve("u1"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == []
    assert events(again) == events(run(store(db, SQLTrackerStore).retrieve("u1")))


def test_a_deleted_conversation_is_not_read_from_memory(db):
    s = store(db)
    take_turn(s, "u1", 0)
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM events WHERE sender_id = 'u1'"))
    assert run(s.retrieve("u1")) is None
    take_turn(s, "u1", 7)  # starts afresh
    assert [e.text for e in run(s.retrieve("u1")).events if isinstance(e, UserUttered)] == ["message 7"]


def test_a_row_stored_since_it_read_the_tracker_makes_it_save_rasas_way(db):
    mine, other = store(db), store(db, SQLTrackerStore)
    take_turn(mine, "u1", 0)
    tracker = run(mine.retrieve("u1"))
    take_turn(other, "u1", 1)  # written while this tracker was out (the lock store prevents it in a server)
    tracker.update(UserUttered("late", {"name": "deny"}))
    counted = []
    mine._additional_events = lambda session, t: counted.append(t) or iter(())
    run(mine.save(tracker))
    assert counted == [tracker]  # Rasa's way decided (and fenced_store.py may refuse it)
    assert "u1" not in mine._kept  # memory dropped: the next read sees the database as it is
    assert [e.text for e in run(mine.retrieve("u1")).events if isinstance(e, UserUttered)] == [
        "message 0",
        "message 1",
    ]


def test_memory_is_bounded(db):
    s = store(db, cache_conversations=3)
    for n in range(6):
        take_turn(s, f"u{n}", n)
        take_turn(s, f"u{n}", n)
    assert list(s._kept) == ["u3", "u4", "u5"]
    assert run(s.retrieve("u0")).get_slot(SLOT) == "value 0"  # forgotten ones are read afresh


# ----- the events it hands out are those Rasa's store decodes ------------------------------------
def rich_turn(n: int) -> list:
    """A turn as the assistant's: a parse with rankings and readings, a dict slot, a bot message."""
    now = time.time()
    ranking = [{"name": "deny", "confidence": 0.7 + n / 1000}, {"name": "affirm", "confidence": 0.1 / 3}]
    parse = {
        "intent": ranking[0],
        "entities": [],
        "text": f"no {n}",
        "intent_ranking": ranking,
        "outcome": [{"name": "failed", "confidence": 0.9}],
        "facts": [{"evidence": "vpn_on", "value": "no", "confidence": 0.8, "leaning": True}],
        "asks": 1e-7,
    }
    return [
        UserUttered(
            f"no {n} ünïcode 😀", ranking[0], [], parse, timestamp=now, input_channel="rest", metadata={"m": n}
        ),
        ActionExecuted("action_respond", policy="RespondPolicy", confidence=1.0, timestamp=now),
        SlotSet(SLOT, {"asked": ["vpn_on", "wifi"], "n": n, "p": [0.1, 1 / 3, None, True]}, timestamp=now),
        BotUttered(f"reply {n}", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}, timestamp=now),
        ActionExecuted("action_listen", timestamp=now),
    ]


def aliasing(value) -> list[int]:
    """Which containers and objects in `value` are one and the same (a mutation shows in both)."""
    seen: dict[int, int] = {}
    shape: list[int] = []

    def walk(item) -> None:
        if isinstance(item, tuple):
            for part in item:
                walk(part)
            return
        if not isinstance(item, (dict, list, set)) and not hasattr(item, "__dict__"):
            return
        if id(item) in seen:
            shape.append(seen[id(item)])
            return
        seen[id(item)] = len(seen)
        shape.append(-1)
        parts = vars(item).values() if hasattr(item, "__dict__") else item.values() if isinstance(item, dict) else item
        for part in parts:
            walk(part)

    walk(value)
    return shape


def assert_decoded_alike(got, want) -> None:
    assert exactly(list(got.events)) == exactly(list(want.events))
    assert aliasing(list(got.events)) == aliasing(list(want.events))
    assert exactly(got.current_state(EventVerbosity.ALL)) == exactly(want.current_state(EventVerbosity.ALL))


def test_hands_out_the_events_rasas_store_decodes_turn_after_turn(db):
    ours, rasas = store(db), store(db, SQLTrackerStore)
    for n in range(6):
        tracker = run(ours.get_or_create_tracker("u1"))
        if n:
            assert_decoded_alike(tracker, run(rasas.retrieve("u1")))
        for event in rich_turn(n):
            tracker.update(event)
        run(ours.save(tracker))
    assert_decoded_alike(run(ours.retrieve("u1")), run(rasas.retrieve("u1")))
    assert all(isinstance(row, bytes) for row in ours._kept["u1"].data)  # kept decoded, not as JSON


def test_what_a_turn_changes_in_its_events_is_not_seen_by_the_next(db):
    s = store(db)
    take_turn(s, "u1", 0)
    run(s.retrieve("u1"))  # decoded and kept
    tracker = run(s.retrieve("u1"))
    user = next(e for e in tracker.events if isinstance(e, UserUttered))
    user.parse_data["intent"]["name"] = "changed"
    user.text = "changed"
    assert_decoded_alike(run(s.retrieve("u1")), run(store(db, SQLTrackerStore).retrieve("u1")))


def test_a_row_decoded_differently_each_time_is_decoded_each_time(db):
    """Rasa gives an event stored without a timestamp the time it is read: so does this store."""
    s = store(db)
    take_turn(s, "u1", 0)
    run(s.retrieve("u1"))
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(
            sa.text("INSERT INTO events (sender_id, type_name, data) VALUES ('u1', 'action', :data)"),
            {"data": json.dumps({"event": "action", "name": "action_listen"})},
        )
    first = run(s.retrieve("u1")).events[-1].timestamp
    time.sleep(0.01)
    assert run(s.retrieve("u1")).events[-1].timestamp > first
