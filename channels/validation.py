"""Checks shared by the channels: what a user message may look like."""

from __future__ import annotations

import re
from typing import Any

from troubleshooter.texts import t

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
        return t("channel.empty_message")
    if len(text) > MAX_MESSAGE_CHARS:
        return t("channel.too_long", max_chars=MAX_MESSAGE_CHARS)
    return None


def sender_problem(sender: Any) -> str | None:
    if isinstance(sender, bool) or not isinstance(sender, (str, int)):
        return "'sender' must be a string."
    if not str(sender).strip() or len(str(sender)) > MAX_SENDER_CHARS:
        return f"'sender' must have 1 to {MAX_SENDER_CHARS} characters."
    return None
