"""Checks shared by the channels: what a user message may look like."""

from __future__ import annotations

import re
from typing import Any

MAX_MESSAGE_CHARS = 4000
MAX_SENDER_CHARS = 128
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Drop control characters (NUL included); keep line breaks and tabs."""
    return _CONTROL.sub("", text)


def message_problem(text: Any) -> str | None:
    """Why a message cannot be taken, or None when it can."""
    if not isinstance(text, str):
        return "'message' must be a string."
    if not clean_text(text).strip():
        return "The message is empty. Tell me what happens when you try to send a TikTok message."
    if len(text) > MAX_MESSAGE_CHARS:
        return f"The message is too long (over {MAX_MESSAGE_CHARS} characters). Please describe the problem in a few sentences."
    return None


def sender_problem(sender: Any) -> str | None:
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        return "'sender' must be a string."
    if not str(sender).strip() or len(str(sender)) > MAX_SENDER_CHARS:
        return f"'sender' must have 1 to {MAX_SENDER_CHARS} characters."
    return None
