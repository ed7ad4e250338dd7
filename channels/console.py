"""`rasa shell` output for people: each message's text before its numbered
choices (type the number, or the words), and the structured payload only when
TROUBLESHOOTER_SHOW_JSON=1 (for developers). With a language (`make shell
lang=es`), every message carries it as the channel's hint, as the widget's
carry the browser's: the bot starts in it until the user's words decide."""

from __future__ import annotations

import json
import os
from typing import Any

import rasa.core.channels.console as console
from rasa.shared.utils.cli import print_color
from rasa.shared.utils.io import bcolors


def print_bot_output(message: dict[str, Any], is_latest_message: bool = False, color: str = bcolors.OKBLUE) -> None:
    if message.get("text"):
        print_color(message["text"], color=color)
    for i, button in enumerate(message.get("buttons") or [], 1):
        print_color(f"  {i}: {button.get('title', '')}", color=color)
    if "custom" in message and os.environ.get("TROUBLESHOOTER_SHOW_JSON") == "1":
        print_color("  " + json.dumps(message["custom"], ensure_ascii=False), color=bcolors.OKGREEN)
    return None  # never Rasa's arrow-key menu: the reply is typed


def apply(language: str | None = None) -> None:
    console._print_bot_output = print_bot_output
    if language:
        _hint_every_message(language)


def _hint_every_message(language: str) -> None:
    """Rasa's console posts {"sender", "message"} to the REST webhook; add the language hint."""
    import aiohttp

    from troubleshooter.vocabulary import LANGUAGE_METADATA

    async def send(server_url: str, auth_token: str, sender_id: str, message: str, **_: Any) -> list[dict[str, Any]]:
        body = {"sender": sender_id, "message": message, "metadata": {LANGUAGE_METADATA: language}}
        async with aiohttp.ClientSession() as session:
            url = f"{server_url}/webhooks/rest/webhook?token={auth_token}"
            async with session.post(url, json=body, raise_for_status=True) as resp:
                return await resp.json()

    async def stream(server_url: str, auth_token: str, sender_id: str, message: str, **_: Any):
        for reply in await send(server_url, auth_token, sender_id, message):
            yield reply

    console.send_message_receive_block = send
    console._send_message_receive_stream = stream
