"""The names the assistant shares with Rasa's tracker and with every channel: slots,
the action, the structured payload's key and kinds, and the support-chat metadata.
Actions, channels, analytics, simulation and tests import these instead of literals
(domain.yml spells the same names; a unit test checks they agree)."""

from __future__ import annotations

from typing import Any

# Tracker slots (domain.yml)
DIAGNOSIS_SLOT = "diagnosis"  # troubleshooter.state.Diagnosis as a dict
READING_SLOT = "reading"  # troubleshooter.reading.Reading: what the latest turn was read as

# The one custom action every user turn maps to (domain.yml, data/rules/)
RESPOND_ACTION = "action_respond"

# Structured payloads (../shared/spec/conversation-contract.md): a bot message carries
# {"custom": {PAYLOAD_KEY: {"type": ..., ...}}} over REST and socket.io, json_message to the dispatcher.
PAYLOAD_KEY = "troubleshooter"
# payload types that ask something of the user or end the diagnosis
STEP_KINDS = ("question", "fix", "handoff", "resolved", "clarify", "confirm")
ANSWER = "answer"  # the payload type of an answer to the user's own question (its `topic` says which)

# A support chat (Chatwoot) says in a user message's metadata who owns the conversation now:
# {OWNERSHIP_METADATA: {"owner": one of OWNERS, "event": "message" | "status"}}.
OWNERSHIP_METADATA = "support_chat"
OWNERS = ("bot", "people", "closed")

# A channel may suggest the user's language in a user message's metadata: {LANGUAGE_METADATA: "es-MX"}
# (the widget: the browser's language; Chatwoot: the contact's or the inbox's). The first message
# the language reader is sure of decides over it (troubleshooter/language.py).
LANGUAGE_METADATA = "language"


def payloads(reply: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The structured payloads of a channel reply (REST, socket.io: `custom`), in order."""
    out = []
    for message in reply:
        custom = message.get("custom") if isinstance(message, dict) else None
        body = custom.get(PAYLOAD_KEY) if isinstance(custom, dict) else None
        if isinstance(body, dict):
            out.append(body)
    return out


def steps(reply: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The payloads of a reply that ask something of the user (a question, a fix, a clarification,
    a confirmation) or end the diagnosis (resolved, hand-over)."""
    return [p for p in payloads(reply) if p.get("type") in STEP_KINDS]
