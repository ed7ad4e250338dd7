"""Chatwoot agent-bot connector with hand-over to people and back.

Chatwoot posts agent-bot events to /webhooks/chatwoot/webhook, signed with the
bot's secret (see `signature`). Each call is answered only after the bot has
replied through Chatwoot's API, within the 5 s Chatwoot waits, so when
something fails the webhook fails and Chatwoot's own safety net opens the
conversation for agents. A conversation's turns run one at a time (`deliveries`).

Who owns a conversation is Chatwoot's status, read when a message is handled:
`pending` is the bot's, anything else is people's. On hand-over the bot posts
a readable private note, sets the conversation `open` and stays silent; given
back (`pending` again), it says it's back and carries on; after `resolved` a
new message starts a fresh diagnosis. Settings come from the environment:
CHATWOOT_URL, CHATWOOT_API_TOKEN, CHATWOOT_WEBHOOK_SECRET (the agent bot's
secret), CHATWOOT_ACCEPT_URL_TOKEN=true (Chatwoot < 4.13 only: accept
`?token=SECRET` instead of a signature), CHATWOOT_DELIVERIES (see `deliveries`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from actions.knowledge_access import knowledge_base
from troubleshooter import language
from troubleshooter.knowledge import SOURCE_LANGUAGE
from troubleshooter.texts import Texts, languages, texts_for
from troubleshooter.vocabulary import LANGUAGE_METADATA, OWNERSHIP_METADATA, PAYLOAD_KEY

from ..validation import clean_text, message_problem
from . import deliveries, signature
from .api import ChatwootAPI
from .events import BOT_STATUS, Action, classify, payload_of, to_chatwoot

logger = logging.getLogger(__name__)
BUDGET_SECONDS = 4.5  # Chatwoot gives up on a webhook after 5 s
STATUS_TEXT = {  # the user turn Rasa is told for a status change (only the tracker sees it)
    "bot": "(conversation passed back to the bot)",
    "people": "(conversation taken over by people)",
    "closed": "(conversation resolved)",
}
RETRY = "retry"  # an outcome not remembered: Chatwoot's retry runs it again


def _answer(status: str, code: int = 200, **more: Any) -> response.HTTPResponse:
    return response.json({"status": status, **more}, status=code)


class ChatwootInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "chatwoot"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> ChatwootInput:
        env = os.environ
        return cls(
            env.get("CHATWOOT_URL", ""),
            env.get("CHATWOOT_API_TOKEN", ""),
            env.get("CHATWOOT_WEBHOOK_SECRET", ""),
            accept_url_token=env.get("CHATWOOT_ACCEPT_URL_TOKEN", "").lower() in ("1", "true", "yes"),
        )

    def __init__(
        self,
        url: str,
        api_token: str,
        webhook_secret: str,
        accept_url_token: bool = False,
        seen: deliveries.Deliveries | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.api = ChatwootAPI(url, api_token)
        self.secret = webhook_secret
        self.accept_url_token = accept_url_token
        self.clock = clock
        self._seen = seen

    @property
    def seen(self) -> deliveries.Deliveries:
        if self._seen is None:  # built in the server's event loop, on first use
            self._seen = deliveries.from_environment()
        return self._seen

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        languages()  # the texts are loaded and checked now: a broken text file stops the server, not a turn
        bp = Blueprint("chatwoot_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            deadline = time.monotonic() + BUDGET_SECONDS
            body = request.body or b""
            token = request.args.get("token") if self.accept_url_token else None
            refused = signature.problem(self.secret, request.headers, token, body, self.clock())
            if refused:
                logger.warning("chatwoot: refused a webhook call: %s", refused)
                return response.json({"error": "unauthorised"}, status=401)
            try:
                event = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return response.json({"error": "body must be JSON"}, status=400)
            if not isinstance(event, dict):
                return response.json({"error": "body must be a JSON object"}, status=400)
            action = classify(event)
            if action.kind == "ignore":
                return _answer("ignored", reason=action.reason)
            delivery = (request.headers.get("x-chatwoot-delivery") or "")[:200]
            keys = [f"delivery:{delivery}"] * bool(delivery) + list(action.keys)
            async with AsyncExitStack() as held:
                try:  # leave the turn at least 2.5 s of its own
                    await held.enter_async_context(
                        self.seen.turn(
                            f"{action.account}:{action.conversation}", max(0.1, deadline - time.monotonic() - 2.5)
                        )
                    )
                except deliveries.Busy:
                    return _answer("busy: another message of this conversation is being answered", 429)
                except Exception:
                    logger.exception("chatwoot: shared store unavailable; turns are not serialised")
                return await self._turn(on_new_message, action, keys, deadline)

        return bp

    async def _turn(self, on_new_message, a: Action, keys: list[str], deadline: float) -> response.HTTPResponse:
        before = await self._store("claim", keys)
        if before is not None:  # a retry or a replay: answered once, and a failure stays one
            return _answer("duplicate", 500 if before == deliveries.FAILED else 200)
        outcome = RETRY
        try:
            outcome, answer = await self._handle(on_new_message, a, deadline)
            return answer
        finally:  # also when Chatwoot hung up and the turn was cancelled
            if outcome == RETRY:
                await self._store("forget", keys)
            else:
                await self._store("settle", keys, outcome)

    async def _store(self, verb: str, keys: list[str], *args: str) -> str | None:
        if not keys:
            return None
        try:
            return await getattr(self.seen, verb)(keys, *args)
        except Exception:  # answering twice beats not answering
            logger.exception("chatwoot: de-duplication store unavailable")
            return None

    async def _handle(self, on_new_message, a: Action, deadline: float) -> tuple[str, response.HTTPResponse]:
        async with aiohttp.ClientSession() as http:
            if a.kind == "status":
                return await self._status_changed(http, on_new_message, a, deadline)
            if a.status != BOT_STATUS:
                return deliveries.DONE, _answer("ignored", reason="the conversation is with people")
            if await self._people_have_it(http, a, deadline):  # people took it while the event was on its way
                return deliveries.DONE, _answer("ignored", reason="the conversation is with people")
            notice = _user(a)("channel.words_please") if a.kind == "wordless" else message_problem(a.text)
            if notice:
                if await self.api.post(http, a.account, a.conversation, _text(notice), deadline):
                    return deliveries.DONE, _answer("answered")
                return await self._fail(http, a, "Chatwoot refused the reply", deadline)
            replies = await self._ask(on_new_message, a, clean_text(a.text), "message")
            if not replies:
                return await self._fail(http, a, "the assistant did not answer", deadline)
            if not await self._reply(http, a, replies, deadline):
                return await self._fail(http, a, "Chatwoot refused a reply", deadline)
            return deliveries.DONE, _answer("answered")

    async def _status_changed(self, http, on_new_message, a: Action, deadline: float):
        if a.owner == "bot" and await self._people_have_it(http, a, deadline):  # an old event: stay silent
            return deliveries.DONE, _answer("ignored", reason="the conversation is with people again")
        replies = await self._ask(on_new_message, a, STATUS_TEXT[a.owner], "status")
        if payload_of(replies or [], "owner") is None:
            logger.error(
                "chatwoot: conversation %s/%s: the assistant did not take in the status %s",
                a.account,
                a.conversation,
                a.status,
            )
            return RETRY, response.json({"error": "the assistant failed"}, status=500)
        if not await self._reply(http, a, replies, deadline):
            return deliveries.DONE, response.json({"error": "Chatwoot refused a reply"}, status=500)
        return deliveries.DONE, _answer("noted", owner=a.owner)

    async def _people_have_it(self, http: aiohttp.ClientSession, a: Action, deadline: float) -> bool:
        """Chatwoot says, now, that the conversation is not the bot's (unknown: not said)."""
        now = await self.api.status(http, a.account, a.conversation, deadline)
        return now is not None and now != BOT_STATUS

    async def _ask(self, on_new_message, a: Action, text: str, event: str) -> list[dict[str, Any]] | None:
        """The bot's messages for this turn; None when it failed (Rasa only logs a failing action)."""
        collector = CollectingOutputChannel()
        metadata = {OWNERSHIP_METADATA: {"owner": a.owner, "event": event}}
        if a.language:
            metadata[LANGUAGE_METADATA] = a.language
        try:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    f"chatwoot-{a.account}-{a.conversation}",
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
        except Exception:
            logger.exception("chatwoot: conversation %s/%s: the assistant failed", a.account, a.conversation)
            return None
        return collector.messages

    async def _reply(
        self, http: aiohttp.ClientSession, a: Action, replies: list[dict[str, Any]], deadline: float
    ) -> bool:
        """Post the bot's messages; on a hand-over add the note for agents and open the conversation."""
        for message in replies:
            body = to_chatwoot(message)
            if body and not await self.api.post(http, a.account, a.conversation, body, deadline):
                return False
        handoff = payload_of(replies, "handoff")
        if handoff is None:
            return True
        note = {**_text(handoff.get("note") or _team()("agent.note_fallback")), "private": True}
        machine = {k: handoff[k] for k in ("summary", "reason") if k in handoff}
        if not await self.api.post(
            http, a.account, a.conversation, {**note, "content_attributes": {PAYLOAD_KEY: machine}}, deadline
        ):
            await self.api.post(http, a.account, a.conversation, note, deadline)  # the readable words, whatever happens
        return await self.api.set_status(http, a.account, a.conversation, "open", deadline)

    async def _fail(self, http: aiohttp.ClientSession, a: Action, why: str, deadline: float):
        """Apologise and open the conversation for agents; if Chatwoot can't be told, fail the
        webhook so Chatwoot's own safety net opens it."""
        logger.error("chatwoot: conversation %s/%s: %s; handing over", a.account, a.conversation, why)
        await self.api.post(http, a.account, a.conversation, _text(_user(a)("channel.failed_handed_over")), deadline)
        failure_note = _team()("agent.failure_note", why=why)
        await self.api.post(http, a.account, a.conversation, {**_text(failure_note), "private": True}, deadline)
        if await self.api.set_status(http, a.account, a.conversation, "open", deadline):
            return deliveries.DONE, _answer("handed over", reason=why)
        return deliveries.FAILED, response.json({"error": why}, status=500)


def _user(a: Action) -> Texts:
    """The words for the contact, in the language Chatwoot knows for them (else the source's)."""
    hint = language.hint(a.language)
    return texts_for(hint if hint in languages() else SOURCE_LANGUAGE)


def _team() -> Texts:
    """The words for the team's agents, in the team's language (knowledge/settings.yml)."""
    team = knowledge_base().settings.get("team_language")
    return texts_for(team if team in languages() else SOURCE_LANGUAGE)


def _text(content: str) -> dict[str, Any]:
    return {"content": content, "message_type": "outgoing"}
