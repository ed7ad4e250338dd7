"""REST channel at /webhooks/rest/webhook that answers bad requests with 400.

Stock Rasa 3.6 answers an empty body or a JSON array with HTTP 500; this one
checks the body first and never lets an exception become a 5xx.

A client may name its message (`"message_id"`, up to 64 letters, digits and
`.`, `_`, `:`, `-`) and send it again after an error or a timeout: a message
whose id the conversation already holds is not processed again, and the
answer is the bot's replies recorded after it. The check is made inside the
conversation's lock (shared by the replicas through the lock store), on the
very tracker the turn would be processed with (`apply()` hooks Rasa's
processor there): a resend waits until an attempt still in progress
elsewhere has saved its turn, then finds it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request

from troubleshooter import language
from troubleshooter.texts import languages, texts_for
from troubleshooter.vocabulary import LANGUAGE_METADATA

from .validation import clean_text, message_problem, sender_problem

logger = logging.getLogger(__name__)
SORRY = "channel.trouble"  # said when a turn failed (a text key: knowledge/texts/)
# Rasa's own commands, which run no action of ours and say nothing (-> what to say: a text key);
# any other silent turn is a failure.
SILENT_COMMANDS = {
    "/restart": "channel.restarted",
    "/session_start": "channel.session_started",
}


MESSAGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def _bad(problem: str) -> response.HTTPResponse:
    return response.json({"error": problem}, status=400)


def message_id_problem(message_id: Any) -> str | None:
    """Why a client's `message_id` cannot be taken (None: absent, or fine)."""
    if message_id is None or (isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)):
        return None
    return "'message_id' must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."


class ClientMessage(UserMessage):
    """A user message whose id its client chose: processed once per conversation, whatever the resends."""


class AlreadyAnswered(Exception):
    """The conversation already holds this message: its replies were sent again, nothing was processed."""


def replies_after(tracker: DialogueStateTracker, message_id: str) -> list[dict[str, Any]] | None:
    """The bot messages recorded after the user message `message_id` (up to the next user message), as
    Rasa sent them; None when the tracker holds no such message."""
    events = list(tracker.events)
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, UserUttered) and event.message_id == message_id:
            replies = []
            for later in events[i + 1 :]:
                if isinstance(later, UserUttered):
                    break
                if isinstance(later, BotUttered):
                    replies.append(later.message())
            return replies
    return None


_rasas_handle = MessageProcessor._handle_message_with_tracker


async def _handle_once(self, message: UserMessage, tracker: DialogueStateTracker) -> None:
    """Rasa's first step of a turn (parse the message, log it on the tracker), unless the tracker
    already holds this client's message: then its replies are sent again and the turn stops."""
    if isinstance(message, ClientMessage):
        replies = replies_after(tracker, message.message_id)
        if replies is not None:
            for reply in replies:
                await message.output_channel.send_response(message.sender_id, reply)
            raise AlreadyAnswered(message.message_id)
    await _rasas_handle(self, message, tracker)


def apply() -> None:
    """Hook the check into Rasa's processor (idempotent): called when the channels are loaded."""
    MessageProcessor._handle_message_with_tracker = _handle_once


class RobustRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        languages()  # the texts are loaded and checked now: a broken text file stops the server, not a turn
        bp = Blueprint("robust_rest_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> response.HTTPResponse:
            try:
                body = json.loads(request.body or b"")
            except (ValueError, UnicodeDecodeError):
                return _bad('The body must be a JSON object like {"sender": "id", "message": "text"}.')
            if not isinstance(body, dict):
                return _bad('The body must be a JSON object like {"sender": "id", "message": "text"}.')
            problem = (
                sender_problem(body.get("sender"))
                or message_problem(body.get("message"))
                or message_id_problem(body.get("message_id"))
            )
            metadata = body.get("metadata")
            if problem is None and metadata is not None and not isinstance(metadata, dict):
                problem = "'metadata' must be a JSON object."
            if problem:
                return _bad(problem)
            sender = str(body["sender"])
            collector = CollectingOutputChannel()
            kind, message_id = (ClientMessage, body["message_id"]) if body.get("message_id") else (UserMessage, None)
            try:
                await on_new_message(
                    kind(
                        clean_text(body["message"]),
                        collector,
                        sender,
                        input_channel=self.name(),
                        metadata=metadata,
                        message_id=message_id,
                    )
                )
            except AlreadyAnswered:
                logger.info("rest: message %s of %s was already answered: its replies sent again", message_id, sender)
            except Exception:  # the user gets an apology, never a 5xx
                logger.exception("rest: message from %s failed", sender)
            if not collector.messages:
                # Every turn of this bot says something; silence means a failure
                # (e.g. the action server is down), which Rasa only logs.
                hint = language.hint((metadata or {}).get(LANGUAGE_METADATA))
                text = texts_for(hint if hint in languages() else "en")(
                    SILENT_COMMANDS.get(body["message"].strip(), SORRY)
                )
                collector.messages.append({"recipient_id": sender, "text": text})
            return response.json(collector.messages)

        return bp
