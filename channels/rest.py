"""REST channel at /webhooks/rest/webhook that answers bad requests with 400.

Stock Rasa 3.6 answers an empty body or a JSON array with HTTP 500; this one
checks the body first and never lets an exception become a 5xx.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
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


def _bad(problem: str) -> response.HTTPResponse:
    return response.json({"error": problem}, status=400)


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
            problem = sender_problem(body.get("sender")) or message_problem(body.get("message"))
            metadata = body.get("metadata")
            if problem is None and metadata is not None and not isinstance(metadata, dict):
                problem = "'metadata' must be a JSON object."
            if problem:
                return _bad(problem)
            sender = str(body["sender"])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        clean_text(body["message"]), collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
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
