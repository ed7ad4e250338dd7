"""What the connector shares between webhook calls: deliveries already handled
(so a retried delivery, a message sent twice or an option pick replayed on a
later status change is answered once), and one turn at a time per
conversation (so a message sent while the bot is handing over waits until the
conversation is `open`, and replies never interleave). In memory for one
process; in Redis (`CHATWOOT_DELIVERIES=redis://HOST:PORT/DB`, set by
`make run-scaled` from endpoints.scaled.yml) when replicas share the work."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

WORKING, DONE, FAILED = "working", "done", "failed"
TTL_SECONDS = 7 * 24 * 3600  # option picks are replayed on read receipts, possibly days later
TURN_SECONDS = 10  # a turn's hold expires by itself if its process dies
_PREFIX = "chatwoot:"


class Busy(Exception):
    """Another turn of the conversation did not finish in time."""


class Deliveries(Protocol):
    async def claim(self, keys: list[str]) -> str | None:
        """Mark `keys` as being handled; None if none was seen before, else the outcome
        recorded for one that was (the new keys then share it)."""

    async def settle(self, keys: list[str], outcome: str) -> None:
        """Record how handling `keys` ended (DONE or FAILED)."""

    async def forget(self, keys: list[str]) -> None:
        """Unmark `keys` (a retry should run them again)."""

    def turn(self, conversation: str, wait: float) -> AsyncIterator[None]:
        """Hold the conversation for one turn; raises Busy after `wait` seconds."""


class MemoryDeliveries:
    def __init__(self, ttl: float = TTL_SECONDS, limit: int = 100_000):
        self.ttl, self.limit = ttl, limit
        self._seen: dict[str, tuple[str, float]] = {}
        self._turns: dict[str, list] = {}  # conversation -> [lock, turns holding or waiting]

    async def claim(self, keys: list[str]) -> str | None:
        now = time.monotonic()
        if len(self._seen) >= self.limit:
            self._seen = {k: v for k, v in self._seen.items() if v[1] > now}
            while len(self._seen) >= self.limit:  # still full: forget the oldest
                self._seen.pop(next(iter(self._seen)))
        known = [self._seen[k][0] for k in keys if k in self._seen and self._seen[k][1] > now]
        outcome = known[0] if known else WORKING
        for k in keys:
            self._seen[k] = (outcome, now + self.ttl)
        return known[0] if known else None

    async def settle(self, keys: list[str], outcome: str) -> None:
        expires = time.monotonic() + self.ttl
        for k in keys:
            self._seen[k] = (outcome, expires)

    async def forget(self, keys: list[str]) -> None:
        for k in keys:
            self._seen.pop(k, None)

    @asynccontextmanager
    async def turn(self, conversation: str, wait: float) -> AsyncIterator[None]:
        entry = self._turns.setdefault(conversation, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            try:
                await asyncio.wait_for(entry[0].acquire(), wait)
            except TimeoutError:
                raise Busy(conversation) from None
            try:
                yield
            finally:
                entry[0].release()
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._turns.pop(conversation, None)


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class RedisDeliveries:
    def __init__(self, url: str, ttl: int = TTL_SECONDS):
        import redis.asyncio as redis  # only when scaled

        self.redis = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, decode_responses=True)
        self.ttl = ttl

    async def claim(self, keys: list[str]) -> str | None:
        new = [await self.redis.set(_PREFIX + "seen:" + k, WORKING, nx=True, ex=self.ttl) for k in keys]
        if all(new):
            return None
        old = [k for k, fresh in zip(keys, new) if not fresh]
        outcome = await self.redis.get(_PREFIX + "seen:" + old[0]) or DONE
        await self.settle([k for k, fresh in zip(keys, new) if fresh], outcome)
        return outcome

    async def settle(self, keys: list[str], outcome: str) -> None:
        for k in keys:
            await self.redis.set(_PREFIX + "seen:" + k, outcome, ex=self.ttl)

    async def forget(self, keys: list[str]) -> None:
        if keys:
            await self.redis.delete(*[_PREFIX + "seen:" + k for k in keys])

    @asynccontextmanager
    async def turn(self, conversation: str, wait: float) -> AsyncIterator[None]:
        key, token = _PREFIX + "turn:" + conversation, uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not await self.redis.set(key, token, nx=True, ex=TURN_SECONDS):
            if time.monotonic() > deadline:
                raise Busy(conversation)
            await asyncio.sleep(0.05)
        try:
            yield
        finally:
            await self.redis.eval(_RELEASE, 1, key, token)


def from_environment() -> Deliveries:
    url = os.environ.get("CHATWOOT_DELIVERIES", "").strip()
    return RedisDeliveries(url) if url else MemoryDeliveries()
