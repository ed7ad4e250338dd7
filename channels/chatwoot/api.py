"""The few calls the bot makes to Chatwoot's API, within the time Chatwoot
gives a webhook (5 s), with retries only where a retry cannot duplicate
anything: reads, status changes, and a message Chatwoot refused before taking
it (429, or no connection). Every error is logged with its conversation."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)
CALL_SECONDS = 2.0  # at most, per attempt
PAUSES = (0.2, 0.5)  # between attempts: at most 3 tries, while the turn has time


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return {}


class ChatwootAPI:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/")
        self.token = token
        self.can_read = True  # some Chatwoot versions refuse bot tokens GET on a conversation

    def _path(self, account: int, cid: int, tail: str = "") -> str:
        return f"{self.url}/api/v1/accounts/{account}/conversations/{cid}{tail}"

    async def _call(
        self,
        http: aiohttp.ClientSession,
        method: str,
        url: str,
        cid: int,
        deadline: float,
        body: dict | None = None,
        idempotent: bool = True,
    ) -> tuple[int | None, Any]:
        """(status, JSON answer) of the last attempt; status None when nothing came back."""
        status: int | None = None
        for attempt, pause in enumerate((*PAUSES, None), 1):
            left = deadline - time.monotonic()
            if left <= 0.05:
                logger.error("chatwoot: conversation %s: no time left for %s %s", cid, method, url)
                return status, None
            timeout = aiohttp.ClientTimeout(total=min(CALL_SECONDS, left))
            try:
                async with http.request(
                    method, url, json=body, timeout=timeout, headers={"api_access_token": self.token}
                ) as resp:
                    status = resp.status
                    if status < 400:
                        return status, _json(await resp.text())
                    retry = status == 429 or (idempotent and status >= 500)
                    logger.error(
                        "chatwoot: conversation %s: %s %s answered %s (attempt %s)", cid, method, url, status, attempt
                    )
            except aiohttp.ClientConnectorError as exc:  # nothing was sent
                retry = True
                logger.error(
                    "chatwoot: conversation %s: %s %s unreachable: %s (attempt %s)", cid, method, url, exc, attempt
                )
            except (TimeoutError, aiohttp.ClientError) as exc:
                retry = idempotent
                logger.error("chatwoot: conversation %s: %s %s failed: %r (attempt %s)", cid, method, url, exc, attempt)
            if not retry or pause is None or deadline - time.monotonic() < pause + 0.3:
                return status, None
            await asyncio.sleep(pause)
        return status, None

    async def status(self, http: aiohttp.ClientSession, account: int, cid: int, deadline: float) -> str | None:
        """The conversation's status now; None when Chatwoot cannot (or will not) say."""
        if not self.can_read:
            return None
        code, found = await self._call(http, "GET", self._path(account, cid), cid, deadline)
        if code in (401, 403):
            self.can_read = False
            logger.warning(
                "chatwoot: this Chatwoot refuses the bot's token to read a conversation; "
                "the status in each webhook is trusted instead"
            )
        status = found.get("status") if isinstance(found, dict) else None
        return status if isinstance(status, str) else None

    async def post(
        self, http: aiohttp.ClientSession, account: int, cid: int, body: dict[str, Any], deadline: float
    ) -> bool:
        _, answer = await self._call(
            http, "POST", self._path(account, cid, "/messages"), cid, deadline, body, idempotent=False
        )
        return answer is not None

    async def set_status(
        self, http: aiohttp.ClientSession, account: int, cid: int, status: str, deadline: float
    ) -> bool:
        _, answer = await self._call(
            http, "POST", self._path(account, cid, "/toggle_status"), cid, deadline, {"status": status}
        )
        return answer is not None
