"""The incremental episode store over an SQLite `events` table shaped like Rasa's."""

from __future__ import annotations

import json
import sqlite3

from analytics.store import EpisodeStore, TrackerEvents
from troubleshooter.engine import Engine
from troubleshooter.knowledge import load_knowledge_base


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _store(tmp_path):
    path = tmp_path / "t.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
        "intent_name TEXT, action_name TEXT, data TEXT)"
    )
    clock = Clock()
    return db, clock, EpisodeStore(TrackerEvents(f"sqlite:///{path}"), Engine(load_knowledge_base()), 86400, clock)


def _say(db, row_id, sender, text):
    e = {"event": "user", "text": text, "timestamp": 900.0, "parse_data": {"intent": {"name": "greet"}}}
    db.execute("INSERT INTO events VALUES (?, ?, 'user', 900, 'greet', NULL, ?)", (row_id, sender, json.dumps(e)))
    db.commit()


def test_only_changed_conversations_are_read_again_and_late_commits_are_found(tmp_path):
    db, clock, store = _store(tmp_path)
    assert store.refresh(force=True) == 0 and store.episodes() == []  # no conversations yet
    _say(db, 10, "b", "hi")
    _say(db, 11, "c", "hello")
    assert store.refresh(force=True) == 2
    clock.now += 2
    assert store.refresh() == 0  # nothing new: nothing read
    _say(db, 5, "a", "hey")  # a lower id committed late, as with several PostgreSQL writers
    clock.now += 31
    store.refresh()
    assert sorted(e.conversation for e in store.episodes()) == ["a", "b", "c"]
    assert all(e.outcome == "no_problem" for e in store.episodes())


def test_a_table_that_is_not_there_yet_reads_as_empty(tmp_path):
    store = EpisodeStore(TrackerEvents(f"sqlite:///{tmp_path / 'new.db'}"), Engine(load_knowledge_base()), 86400)
    assert store.episodes() == [] and store.conversation("x") is None
