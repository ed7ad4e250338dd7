"""Rasa's socket.io channel with CORS limited to the widget's origin
(`allowed_origins`, or WIDGET_ORIGINS in the environment) and malformed
`user_uttered` events refused with a clear message."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from .validation import clean_text, message_problem


async def _send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
    """Rasa 3.6 passes custom JSON to emit() as keyword arguments, so any payload
    but {"data": ...} raises TypeError. Send it as {"custom": ...}, like REST."""
    await self._send_message(recipient_id, {"custom": json_message})


SocketIOOutput.send_custom_json = _send_custom_json


class WidgetSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WidgetSocketIOInput:
        credentials = dict(credentials or {})
        configured = credentials.pop("allowed_origins", "") or ""
        origins = os.environ.get("WIDGET_ORIGINS") or configured
        channel = super().from_credentials(credentials)
        channel.allowed_origins = origins.split() if isinstance(origins, str) else list(origins)
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)
        sio = self.sio
        # An empty list would turn CORS handling off altogether.
        sio.eio.cors_allowed_origins = getattr(self, "allowed_origins", None) or []
        namespace = self.namespace or "/"
        handle = sio.handlers[namespace][self.user_message_evt]

        async def guarded(sid: str, data: Any = None) -> None:
            problem = (
                "The message must be an object with a 'message' text."
                if not isinstance(data, dict)
                else message_problem(data.get("message"))
            )
            if problem:
                await sio.emit(self.bot_message_evt, {"text": problem}, room=sid, namespace=namespace)
                return
            metadata = data.get(self.metadata_key)
            if metadata is not None and not isinstance(metadata, dict):
                data = {**data, self.metadata_key: {}}
            await handle(sid, {**data, "message": clean_text(data["message"])})

        sio.handlers[namespace][self.user_message_evt] = guarded
        return bp
