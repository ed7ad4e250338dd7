"""Chatwoot agent-bot connector with hand-over to a person.

Chatwoot posts `message_created` events to /webhooks/chatwoot/webhook?token=SECRET
(or header X-Webhook-Token). The bot answers incoming messages of `pending`
conversations through Chatwoot's API; on hand-over it posts the summary as a
private note, opens the conversation for the agents and stays silent there.
Settings come from the environment: CHATWOOT_URL, CHATWOOT_API_TOKEN,
CHATWOOT_WEBHOOK_SECRET.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from typing import Any, Awaitable, Callable

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from .validation import clean_text, message_problem

logger = logging.getLogger(__name__)
_TIMEOUT = aiohttp.ClientTimeout(total=15)


def incoming_text(event: dict[str, Any]) -> str | None:
    """The user's text (or the chosen option's payload) in a webhook event."""
    kind = event.get("event")
    if kind == "message_created" and event.get("message_type") == "incoming":
        return event.get("content")
    if kind == "message_updated":  # an option picked in an input_select message
        values = (event.get("content_attributes") or {}).get("submitted_values") or []
        if values and isinstance(values[0], dict):
            return values[0].get("value") or values[0].get("title")
    return None


def to_chatwoot(message: dict[str, Any]) -> dict[str, Any] | None:
    """A Rasa bot message as a Chatwoot message body (None for machine-only payloads)."""
    text = message.get("text")
    if not text:
        return None
    body: dict[str, Any] = {"content": text, "message_type": "outgoing"}
    if message.get("buttons"):
        body["content_type"] = "input_select"
        body["content_attributes"] = {"items": [{"title": b["title"], "value": b["payload"]}
                                                for b in message["buttons"]]}
    return body


def handoff_summary(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    for m in messages:
        payload = (m.get("custom") or {}).get("troubleshooter") or {}
        if payload.get("type") == "handoff":
            return payload.get("summary") or {}
    return None


def summary_note(summary: dict[str, Any]) -> str:
    lines = ["Troubleshooter hand-over summary"]
    lines.append(f"Symptom: {summary.get('symptom') or 'not stated'}")
    for eid, value in (summary.get("evidence") or {}).items():
        lines.append(f"- {eid}: {value}")
    lines.append("Fixes tried: " + (", ".join(summary.get("fixes_tried") or []) or "none"))
    lines.append("Top causes: " + ", ".join(f"{c['cause']} ({c['probability']:.0%})"
                                            for c in summary.get("top_causes") or []))
    return "\n".join(lines)


class ChatwootInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "chatwoot"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "ChatwootInput":
        return cls(os.environ.get("CHATWOOT_URL", ""), os.environ.get("CHATWOOT_API_TOKEN", ""),
                   os.environ.get("CHATWOOT_WEBHOOK_SECRET", ""))

    def __init__(self, url: str, api_token: str, webhook_secret: str):
        self.url = url.rstrip("/")
        self.api_token = api_token
        self.webhook_secret = webhook_secret
        self.handed_over: set[tuple[int, int]] = set()
        self._tasks: set[asyncio.Task] = set()

    def _authorised(self, request: Request) -> bool:
        given = request.args.get("token") or request.headers.get("x-webhook-token") or ""
        return bool(self.webhook_secret) and hmac.compare_digest(given.encode(), self.webhook_secret.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("chatwoot_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            if not self._authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            try:
                event = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "body must be JSON"}, status=400)
            if not isinstance(event, dict):
                return response.json({"error": "body must be a JSON object"}, status=400)
            conversation = event.get("conversation") or {}
            account = (event.get("account") or {}).get("id")
            cid = conversation.get("id")
            text = incoming_text(event)
            if not isinstance(account, int) or not isinstance(cid, int):
                return response.json({"status": "ignored", "reason": "no account or conversation id"})
            if text is None:
                return response.json({"status": "ignored", "reason": "not an incoming message"})
            if conversation.get("status") != "pending" or (account, cid) in self.handed_over:
                return response.json({"status": "ignored", "reason": "conversation is with an agent"})
            if message_problem(text):
                return response.json({"status": "ignored", "reason": message_problem(text)})
            task = asyncio.ensure_future(self._converse(on_new_message, account, cid, clean_text(text)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return response.json({"status": "accepted"})

        return bp

    async def _converse(self, on_new_message, account: int, cid: int, text: str) -> None:
        collector = CollectingOutputChannel()
        sender = f"chatwoot-{account}-{cid}"
        try:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            async with aiohttp.ClientSession(timeout=_TIMEOUT) as http:
                for message in collector.messages:
                    body = to_chatwoot(message)
                    if body:
                        await self._post(http, account, cid, "messages", body)
                summary = handoff_summary(collector.messages)
                if summary is not None:
                    self.handed_over.add((account, cid))
                    await self._post(http, account, cid, "messages", {
                        "content": summary_note(summary), "message_type": "outgoing", "private": True})
                    await self._post(http, account, cid, "toggle_status", {"status": "open"})
        except Exception:
            logger.exception("chatwoot: conversation %s/%s failed", account, cid)

    async def _post(self, http: aiohttp.ClientSession, account: int, cid: int, path: str, body: dict) -> None:
        url = f"{self.url}/api/v1/accounts/{account}/conversations/{cid}/{path}"
        async with http.post(url, json=body, headers={"api_access_token": self.api_token}) as resp:
            if resp.status >= 400:
                logger.error("chatwoot: %s answered %s", url, resp.status)
