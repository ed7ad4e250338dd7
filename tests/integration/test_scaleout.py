"""Two Rasa replicas on one PostgreSQL tracker store and one Redis lock store.

20 conversations at once; after the opening, each conversation's messages go
out in pairs, one to each replica at the same moment. Every message must be
processed once, never interleaved with another of the same conversation, and
each diagnosis must end as the same script ends on one server alone.
"""

import threading
import time
import uuid
from types import SimpleNamespace

import pytest
import requests

from analytics.service import Analytics, Sources
from harness.chatwoot import FakeChatwoot
from harness.servers import CHATWOOT_SECRET, Assistant, endpoints_file, free_port
from troubleshooter.vocabulary import DIAGNOSIS_SLOT

PAIRS = 4
CONVERSATIONS = 20
OPENINGS = [
    "my messages fail with a red exclamation mark",
    "sending spins forever",
    "tiktok won't let me send messages",
    "i can't message one particular person",
]


def start_replicas(tmp_path, services, lock_type, chatwoot_url="") -> Assistant:
    db = f"rasa_{uuid.uuid4().hex[:8]}"
    actions = free_port()
    endpoints = endpoints_file(
        tmp_path / f"endpoints-{db}.yml",
        actions,
        "endpoints.scaled.yml",
        tracker_store={"port": services["pg"], "db": db, "login_db": "rasa"},
        lock_store={"type": lock_type, "port": services["redis"], "key_prefix": db.replace("_", "")},
        chatwoot_deliveries={"url": f"redis://127.0.0.1:{services['redis']}/2"},
    )
    replicas = Assistant(tmp_path, chatwoot_url, endpoints=endpoints, actions_port=actions, replicas=2, web=False)
    replicas.start()
    return replicas


def say(port, sender, text):
    r = requests.post(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
    )
    return r.status_code


def tracker(port, sender):
    return requests.get(f"http://127.0.0.1:{port}/conversations/{sender}/tracker", timeout=60).json()


def run_workload(replicas: Assistant):
    PORT_A, PORT_B = replicas.rasa_port, replicas.rasa_port + 1
    senders = [f"scale-{i}-{uuid.uuid4().hex[:6]}" for i in range(CONVERSATIONS)]
    statuses = []

    def conversation(i, sender):
        statuses.append(say(PORT_A if i % 2 else PORT_B, sender, OPENINGS[i % len(OPENINGS)]))
        for _ in range(PAIRS):
            pair = [
                threading.Thread(target=lambda p=p: statuses.append(say(p, sender, "no"))) for p in (PORT_A, PORT_B)
            ]
            for t in pair:
                t.start()
            for t in pair:
                t.join(timeout=300)

    threads = [threading.Thread(target=conversation, args=(i, s)) for i, s in enumerate(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    # The same scripts, one message at a time, on one server.
    references = []
    for i in range(CONVERSATIONS):
        ref = f"ref-{i}-{uuid.uuid4().hex[:6]}"
        say(PORT_A, ref, OPENINGS[i % len(OPENINGS)])
        for _ in range(2 * PAIRS):
            say(PORT_A, ref, "no")
        references.append(ref)
    return senders, references, statuses


def audit(port, senders, references):
    lost = interleaved = differing = 0
    for sender, ref in zip(senders, references):
        events = tracker(port, sender)["events"]
        users = [e for e in events if e["event"] == "user"]
        lost += max(0, 1 + 2 * PAIRS - len(users))
        # After each user message: its action(s), then action_listen, before the next user message.
        last = None
        for e in events:
            if e["event"] == "user":
                if last == "user":
                    interleaved += 1
                last = "user"
            elif e["event"] == "action" and e.get("name") == "action_listen":
                last = "listen"
        final = tracker(port, sender)["slots"].get(DIAGNOSIS_SLOT)
        if final != tracker(port, ref)["slots"].get(DIAGNOSIS_SLOT):
            differing += 1
    return {
        "conversations": len(senders),
        "messages": len(senders) * (1 + 2 * PAIRS),
        "lost": lost,
        "interleaved": interleaved,
        "diagnoses_differing_from_one_server": differing,
    }


@pytest.mark.parametrize("lock_type", ["redis", "scaleout.lock_store.AtomicRedisLockStore"])
def test_two_replicas_share_conversations(services, tmp_path, lock_type, capsys):
    replicas = start_replicas(tmp_path, services, lock_type)
    try:
        senders, references, statuses = run_workload(replicas)
        figures = audit(replicas.rasa_port, senders, references)
    finally:
        replicas.stop()
    if lock_type != "redis":
        # The analytics read the same PostgreSQL store: one episode per conversation, as on one server.
        analytics = Analytics(Sources.from_endpoints(replicas.endpoints, demo=None))
        rows = {e["conversation"]: e for e in analytics.episodes_all({})}
        assert set(rows) == set(senders) | set(references)
        for sender, ref in zip(senders, references):
            keep = ("symptom", "questions", "fixes", "outcome", "turns")
            assert {k: rows[sender][k] for k in keep} == {k: rows[ref][k] for k in keep}
    figures["non_200"] = sum(s != 200 for s in statuses)
    with capsys.disabled():
        print(f"\nscale-out with lock store {lock_type}: {figures}")
    assert figures["non_200"] == 0
    if lock_type != "redis":  # Rasa's own store is measured, not asserted
        assert figures["lost"] == 0 and figures["interleaved"] == 0
        assert figures["diagnoses_differing_from_one_server"] == 0


def test_replicas_answer_a_chatwoot_message_once(services, tmp_path):
    """A retry (same delivery id) or the same message again, sent to the other replica, is not answered twice."""
    chatwoot = FakeChatwoot(CHATWOOT_SECRET)
    replicas = start_replicas(tmp_path, services, "scaleout.lock_store.AtomicRedisLockStore", chatwoot.url)
    try:
        replica = [f"http://127.0.0.1:{replicas.rasa_port + i}/webhooks/chatwoot/webhook" for i in (0, 1)]
        event = chatwoot.contact_writes(42, "my messages fail with a red exclamation mark")
        chatwoot.bot_url = replica[0]
        assert chatwoot.deliver(event, delivery="shared-1") == [200]
        answered = len(chatwoot.posted(42))
        chatwoot.bot_url = replica[1]
        assert chatwoot.deliver(event, delivery="shared-1") == [200]
        assert chatwoot.deliver(event, delivery="shared-2") == [200]
        assert answered >= 2 and len(chatwoot.posted(42)) == answered
    finally:
        replicas.stop()
        chatwoot.close()


def _contend(store, workers=6, rounds=15, turn_timeout=10.0, budget=60.0):
    """Threads (each its own client and event loop) take the same conversation's
    lock and do a read-sleep-write on a shared counter inside it. A turn that
    waits longer than `turn_timeout` is abandoned and counted as stuck; a worker
    stops after `budget` seconds (Rasa's store can livelock: a waiter's
    update_lock re-saves a lock emptied by another client, and an empty lock
    reads as locked for every ticket)."""
    import asyncio

    cid = "contended-" + uuid.uuid4().hex[:6]
    shared = {"count": 0}
    errors, stuck, skipped = [], [], []

    async def turn():
        async with store().lock(cid, lock_lifetime=3, wait_time_in_seconds=0.001):
            value = shared["count"]
            await asyncio.sleep(0.001)
            shared["count"] = value + 1

    def worker():
        async def go():
            deadline = time.monotonic() + budget
            for done in range(rounds):
                if deadline - time.monotonic() < turn_timeout:  # no time for a whole turn: not started
                    skipped.append(rounds - done)
                    return
                try:
                    await asyncio.wait_for(turn(), timeout=turn_timeout)
                except TimeoutError:
                    stuck.append(1)
                except Exception as exc:  # a LockError counts as a failed turn
                    errors.append(type(exc).__name__)

        asyncio.run(go())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=budget + turn_timeout + 30)
    attempted = workers * rounds - sum(skipped)
    return {
        "turns": attempted,
        "lost_updates": attempted - shared["count"] - len(errors) - len(stuck),
        "lock_errors": len(errors),
        "stuck_turns": len(stuck),
        "threads_hung": sum(t.is_alive() for t in threads),
    }


def test_lock_store_under_contention(services, capsys):
    from rasa.core.lock_store import RedisLockStore

    from scaleout.lock_store import AtomicRedisLockStore

    rasa_figures = _contend(lambda: RedisLockStore(host="127.0.0.1", port=services["redis"], db=2))
    ours = _contend(lambda: AtomicRedisLockStore(host="127.0.0.1", port=services["redis"], db=2))
    with capsys.disabled():
        print(f"\nlock contention, Rasa RedisLockStore: {rasa_figures}; AtomicRedisLockStore: {ours}")
    # Whatever a slow machine gets through in the time allowed: every turn taken was exclusive.
    assert ours["turns"] >= 12, ours  # at least two rounds of six contending workers
    assert {k: v for k, v in ours.items() if k != "turns"} == {
        "lost_updates": 0,
        "lock_errors": 0,
        "stuck_turns": 0,
        "threads_hung": 0,
    }


def test_waiter_with_expired_ticket_fails_instead_of_spinning(services):
    import asyncio

    from rasa.core.lock_store import LockError

    from scaleout.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore(host="127.0.0.1", port=services["redis"], db=2)
    cid = "expired-" + uuid.uuid4().hex[:6]
    # a holder that died: its ticket still lives when the waiter's is issued (issuing drops expired tickets:
    # with 10 ms, a slow machine dropped it first and the waiter was served, ci71), and both expire after
    store.issue_ticket(cid, 1.0)
    waiter = store.issue_ticket(cid, 0.01)
    time.sleep(1.1)

    async def acquire():
        return await asyncio.wait_for(store._acquire_lock(cid, waiter, 0.001), timeout=5)

    with pytest.raises(LockError):
        asyncio.run(acquire())


# ----- a save cut off mid-transaction (scaleout/fenced_store.py) -------------------------------------
class _Replica:
    """What Rasa's processor reads and saves a tracker through (the fence hooks those two steps)."""

    def __init__(self, services, db: str):
        from rasa.shared.core.domain import Domain

        from scaleout.tracker_store import IncrementalSQLTrackerStore

        self.domain = Domain.empty()
        self.model_metadata = SimpleNamespace(model_id="m", assistant_id="a")
        options = {"host": "127.0.0.1", "port": services["pg"], "username": "rasa", "db": db, "login_db": "rasa"}
        self.tracker_store = IncrementalSQLTrackerStore(self.domain, dialect="postgresql", **options)

    async def turn(self, who: str, text: str):
        """A turn read now, its user message and reply added, not saved yet."""
        from rasa.core.processor import MessageProcessor
        from rasa.shared.core.events import BotUttered, UserUttered

        tracker = await MessageProcessor.get_tracker(self, who)
        tracker.update(UserUttered(text, message_id=text))
        tracker.update(BotUttered(f"reply to {text}"))
        return tracker

    async def save(self, tracker) -> float:
        """The turn saved through the fence: the seconds it took."""
        from rasa.core.processor import MessageProcessor

        started = time.monotonic()
        await MessageProcessor.save_tracker(self, tracker)
        return time.monotonic() - started

    async def said(self, who: str) -> list[str]:
        from rasa.shared.core.events import UserUttered

        tracker = await self.tracker_store.retrieve(who)
        return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []


async def _longest_pause(until) -> float:
    """The event loop's other work while `until` runs: the longest gap between ticks of 20 ms."""
    import asyncio

    task, longest, last = asyncio.ensure_future(until), 0.0, time.monotonic()
    while not task.done():
        await asyncio.sleep(0.02)
        longest, last = max(longest, time.monotonic() - last), time.monotonic()
    return longest


def _cut_off_mid_save(replica: _Replica, seconds: float):
    """The replica's save goes silent for `seconds` after writing its rows, before its commit (its host
    cut off from the network: PostgreSQL hears nothing more from it)."""
    import asyncio

    store, rasas_save = replica.tracker_store, replica.tracker_store.save

    async def save(tracker):
        await rasas_save(tracker)
        await asyncio.sleep(seconds)

    store.save = save


@pytest.mark.timeout(120, method="thread")  # a save blocking the event loop hangs it: stop all
def test_a_save_cut_off_before_its_commit_holds_up_nobody_and_leaves_nothing(services):
    """Host 1's save of a turn stops before its commit and holds the conversation's lock; host 2's save
    of the user's resend waits without holding up its other work, goes ahead once PostgreSQL has ended
    the silent transaction (fenced_store.IDLE_SECONDS), and host 1's rows are not in the conversation."""
    import asyncio

    import sqlalchemy as sa

    import channels  # noqa: F401  (the fence hooked into Rasa's processor, as the server loads it)
    from scaleout import fenced_store

    db, who = f"rasa_{uuid.uuid4().hex[:8]}", "cut-" + uuid.uuid4().hex[:6]
    one, two = _Replica(services, db), _Replica(services, db)

    async def scenario():
        await one.save(await one.turn(who, "hello"))
        stale, fresh = await one.turn(who, "no"), await two.turn(who, "no")  # both read before the cut
        _cut_off_mid_save(one, fenced_store.IDLE_SECONDS + 3)
        cut = asyncio.ensure_future(one.save(stale))
        await asyncio.sleep(0.5)  # its rows written, its commit not sent
        pause = await _longest_pause(two.save(fresh))
        waited = await two.save(await two.turn(who, "yes"))  # the next turn: not held up
        with pytest.raises(sa.exc.OperationalError):  # its transaction was ended meanwhile
            await cut
        return pause, waited, await two.said(who), await one.said(who)

    pause, next_turn, said_two, said_one = asyncio.run(scenario())
    assert pause < 1.0, f"the event loop was held up {pause:.1f} s"
    assert next_turn < 1.0
    assert said_two == ["hello", "no", "yes"] == said_one


@pytest.mark.timeout(120, method="thread")  # a save blocking the event loop hangs it: stop all
def test_a_save_waiting_too_long_for_the_lock_is_refused_without_holding_up_the_loop(services, monkeypatch):
    import asyncio

    import channels  # noqa: F401
    from scaleout import fenced_store

    monkeypatch.setattr(fenced_store, "WAIT_SECONDS", 1.0)
    db, who = f"rasa_{uuid.uuid4().hex[:8]}", "busy-" + uuid.uuid4().hex[:6]
    one, two = _Replica(services, db), _Replica(services, db)

    async def scenario():
        stale, fresh = await one.turn(who, "hi"), await two.turn(who, "hi")
        _cut_off_mid_save(one, 4)  # shorter than IDLE_SECONDS: still holding the lock when the wait ends
        cut = asyncio.ensure_future(one.save(stale))
        await asyncio.sleep(0.5)
        with pytest.raises(fenced_store.StaleTracker, match="being saved elsewhere"):
            await two.save(fresh)
        await cut  # it was only slow: it commits
        return await two.said(who)

    started = time.monotonic()
    assert asyncio.run(scenario()) == ["hi"]
    assert time.monotonic() - started < 10
