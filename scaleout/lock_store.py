"""A Redis ticket-lock store whose updates are atomic.

Rasa 3.6's RedisLockStore issues and returns tickets with GET, change, SET:
two replicas handling messages of the same conversation at the same moment
can both take the same ticket number or drop each other's ticket, and then
process the messages concurrently. Here every change is a WATCH/MULTI
transaction, retried when another client changed the lock in between.

endpoints: lock_store: {type: scaleout.lock_store.AtomicRedisLockStore, url: HOST, port: PORT}
"""

from __future__ import annotations

import json
from collections.abc import Callable

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

_RETRIES = 200
Change = Callable[[TicketLock | None], tuple[TicketLock | None, object]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs) -> None:
        options = dict(endpoint_config.kwargs) if endpoint_config else {}
        options.update(kwargs)
        options.pop("type", None)
        host = (endpoint_config.url if endpoint_config else None) or options.pop("host", "localhost")
        super().__init__(host=host, **options)

    def _atomic(self, conversation_id: str, change: Change):
        """Apply `change` to the stored lock in one transaction; None deletes it."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(_RETRIES):
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new, result = change(lock)
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"Could not update the lock for conversation '{conversation_id}' (too much contention).")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._atomic(conversation_id, change)
        except redis.RedisError as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets; a lock left with none is deleted, so a waiter
        whose ticket expired gets a LockError instead of waiting forever (an
        empty lock reads as locked for every ticket)."""

        def change(lock):
            if lock:
                lock.remove_expired_tickets()
            return (lock if lock and lock.is_someone_waiting() else None), None

        self._atomic(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._atomic(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket, and the lock itself when nobody waits, in one step."""

        def change(lock):
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._atomic(conversation_id, change)
