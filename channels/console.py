"""`rasa shell` output for people: each message's text before its numbered
choices (type the number, or the words), and the structured payload only when
TROUBLESHOOTER_SHOW_JSON=1 (for developers)."""

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


def apply() -> None:
    console._print_bot_output = print_bot_output
