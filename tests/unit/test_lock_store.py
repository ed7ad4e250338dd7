"""scaleout/lock_store.py's AtomicRedisLockStore against a real Redis (harness/redis_server.py):
created the way Rasa creates a custom lock store, locks taken in ticket order and their keys deleted,
contention retried and then refused, Redis down or frozen refused quickly with a clear error."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

import scaleout.lock_store as module
from harness.redis_server import RedisServer
from harness.servers import free_port
from scaleout.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.timeout(120)
TYPE = "scaleout.lock_store.AtomicRedisLockStore"


@pytest.fixture(scope="module")
def server():
    with RedisServer() as s:
        yield s


@pytest.fixture
def prefix():
    return "t" + uuid.uuid4().hex[:10]  # key prefixes must be alphanumeric


@pytest.fixture
def make_store(server, prefix):
    """Stores on the shared Redis, each with its own client (like replicas), all with this test's key prefix."""

    def make(**kw):
        return AtomicRedisLockStore(host=server.host, port=server.port, db=1, key_prefix=prefix, **kw)

    return make


@pytest.fixture
def red(server):
    client = redis.Redis(host=server.host, port=server.port, db=1, socket_timeout=5)
    yield client
    client.close()


def keys(red, prefix) -> list[bytes]:
    return red.keys(prefix + ":*")


def test_created_from_endpoints_the_way_rasa_does(server, prefix):
    config = EndpointConfig.from_dict(
        {"type": TYPE, "url": server.host, "port": server.port, "db": 3, "key_prefix": prefix}
    )
    store = LockStore.create(config)
    assert type(store) is AtomicRedisLockStore
    assert store.key_prefix == prefix + ":lock:"
    assert store.issue_ticket("c1") == 0
    db3 = redis.Redis(host=server.host, port=server.port, db=3, socket_timeout=5)
    assert db3.exists(prefix + ":lock:c1") == 1  # url -> host, port and db honoured
    store.cleanup("c1", 0)
    assert db3.exists(prefix + ":lock:c1") == 0
    db3.close()


def test_lock_acquired_and_released_and_its_key_deleted(make_store, red, prefix):
    store = make_store()

    async def go():
        async with store.lock("c1", wait_time_in_seconds=0.01) as lock:
            assert not lock.is_locked(0)
            assert keys(red, prefix) == [f"{prefix}:lock:c1".encode()]
            assert store.get_lock("c1").last_issued == 0

    asyncio.run(asyncio.wait_for(go(), 10))
    assert keys(red, prefix) == []  # not left behind
    asyncio.run(asyncio.wait_for(go(), 10))  # and the next turn starts afresh
    assert keys(red, prefix) == []


def test_second_acquirer_waits_and_gets_the_lock_after_release(make_store, red, prefix):
    first, second = make_store(), make_store()  # two replicas
    order: list[str] = []

    async def b():
        async with second.lock("c1", wait_time_in_seconds=0.02):
            order.append("B in")
        order.append("B out")

    async def go():
        async with first.lock("c1", wait_time_in_seconds=0.02):
            order.append("A in")
            waiter = asyncio.create_task(b())
            deadline = time.monotonic() + 5
            while len(first.get_lock("c1").tickets) < 2:  # B holds a ticket and waits
                assert time.monotonic() < deadline, "B never asked for the lock"
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # A keeps the lock a while ...
            assert order == ["A in"] and not waiter.done()  # ... and B stays out meanwhile
            order.append("A out")
        assert keys(red, prefix) == [f"{prefix}:lock:c1".encode()]  # kept: B is waiting
        await asyncio.wait_for(waiter, 5)

    asyncio.run(go())
    assert order == ["A in", "A out", "B in", "B out"]
    assert keys(red, prefix) == []


def test_tickets_are_unique_when_replicas_issue_them_at_once(make_store, red, prefix):
    """The point of the module: Rasa's GET-change-SET can hand two clients the same ticket."""
    stores = [make_store() for _ in range(8)]
    issued: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def issue(store):
        try:
            start.wait(timeout=10)
            for _ in range(25):
                issued.append(store.issue_ticket("c1", 60))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert sorted(issued) == list(range(200))
    assert len(stores[0].get_lock("c1").tickets) == 200  # no ticket dropped by a concurrent write
    for number in range(200):
        stores[number % 8].cleanup("c1", number)
    assert keys(red, prefix) == []


def interfering(store, red, times: int | None):
    """Make another client write the watched key between WATCH and EXEC (`times` times, None: always),
    leaving it absent, so the transaction is retried; returns the attempt counter."""
    attempts = [0]
    create = store.create_lock

    def create_lock(conversation_id):
        attempts[0] += 1
        if times is None or attempts[0] <= times:
            key = store.key_prefix + conversation_id
            red.set(key, "{}")
            red.delete(key)
        return create(conversation_id)

    store.create_lock = create_lock
    return attempts


def test_contention_is_retried(make_store, red, prefix):
    store = make_store()
    attempts = interfering(store, red, times=3)
    assert store.issue_ticket("c1") == 0
    assert attempts[0] == 4
    assert store.get_lock("c1").last_issued == 0


def test_retries_running_out_raise_a_lock_error(make_store, red, prefix, monkeypatch):
    monkeypatch.setattr(module, "_RETRIES", 5)
    store = make_store()
    attempts = interfering(store, red, times=None)
    with pytest.raises(LockError, match=r"Could not update the lock for conversation 'c1' \(too much contention\)"):
        store.issue_ticket("c1")
    assert attempts[0] == 5
    assert keys(red, prefix) == []

    async def go():
        async with store.lock("c2", wait_time_in_seconds=0.01):
            pass

    with pytest.raises(LockError, match="too much contention"):  # Rasa's lock() raises it too
        asyncio.run(asyncio.wait_for(go(), 10))


def test_a_holder_that_died_does_not_block_for_longer_than_its_lifetime(make_store, red, prefix):
    store = make_store()
    store.issue_ticket("c1", 0.3)  # taken, never released

    async def go():
        started = time.monotonic()
        async with store.lock("c1", lock_lifetime=30, wait_time_in_seconds=0.05):
            return time.monotonic() - started

    waited = asyncio.run(asyncio.wait_for(go(), 10))
    assert 0.2 < waited < 5
    assert keys(red, prefix) == []


def test_a_waiter_whose_ticket_expired_gets_a_lock_error_not_an_endless_wait(make_store, red, prefix):
    """update_lock's docstring: a lock left without tickets is deleted (an empty one would read as locked)."""
    store = make_store()
    store.issue_ticket("c1", 0.2)  # a holder that died

    async def go():
        async with store.lock("c1", lock_lifetime=0.1, wait_time_in_seconds=0.5):
            pass

    with pytest.raises(LockError, match="Could not acquire lock for conversation_id 'c1'"):
        asyncio.run(asyncio.wait_for(go(), 5))
    assert keys(red, prefix) == []


def test_update_lock_and_cleanup_keep_a_lock_someone_waits_for(make_store, red, prefix):
    store = make_store()
    holder, waiter = store.issue_ticket("c1", 30), store.issue_ticket("c1", 30)
    store.update_lock("c1")
    assert [t.number for t in store.get_lock("c1").tickets] == [holder, waiter]
    store.cleanup("c1", holder)
    assert [t.number for t in store.get_lock("c1").tickets] == [waiter]
    store.finish_serving("c1", waiter)
    assert len(store.get_lock("c1").tickets) == 0  # emptied, as in Rasa
    store.update_lock("c1")  # nothing left: the key goes
    assert keys(red, prefix) == []
    store.cleanup("c1", waiter)  # cleaning a missing lock is harmless
    assert keys(red, prefix) == []


def _stopped_port():
    s = RedisServer().start()
    port = s.port
    s.stop()
    return port


@pytest.mark.parametrize("down", ["nobody listens", "server stopped"])
def test_redis_down_is_a_clear_error_not_a_hang(down):
    if down == "nobody listens":
        port = free_port()
        store = AtomicRedisLockStore(host="127.0.0.1", port=port)
    else:
        with RedisServer() as s:
            port = s.port
            store = AtomicRedisLockStore(host="127.0.0.1", port=port)
            store.cleanup("c1", store.issue_ticket("c1"))  # worked while it was up
    started = time.monotonic()
    with pytest.raises(LockError) as error:
        store.issue_ticket("c1")
    assert "Error while acquiring lock" in str(error.value)
    assert f"127.0.0.1:{port}" in str(error.value) and "Connection refused" in str(error.value)

    async def go():
        async with store.lock("c1", wait_time_in_seconds=0.01):
            pass

    with pytest.raises(LockError, match=f"127.0.0.1:{port}"):
        asyncio.run(asyncio.wait_for(go(), 10))
    for call in (lambda: store.update_lock("c1"), lambda: store.cleanup("c1", 0)):
        with pytest.raises(redis.ConnectionError, match=f"127.0.0.1:{port}"):
            call()
    assert time.monotonic() - started < 5


def test_a_frozen_redis_is_an_error_after_the_configured_socket_timeout():
    with RedisServer() as s:
        store = LockStore.create(
            EndpointConfig.from_dict({"type": TYPE, "url": s.host, "port": s.port, "socket_timeout": 1})
        )
        store.cleanup("c1", store.issue_ticket("c1"))
        os.kill(s.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(LockError, match="Timeout"):
                store.issue_ticket("c1")
            assert 0.8 < time.monotonic() - started < 5
        finally:
            os.kill(s.pid, signal.SIGCONT)
