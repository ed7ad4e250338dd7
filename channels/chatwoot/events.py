"""What a Chatwoot webhook event asks of the bot (pure; shapes from Chatwoot's
`Message#webhook_data` and `Conversation#webhook_data`).

- `message_created`, incoming, not private: the contact wrote (text, or something without
  words: a picture, a file, a sticker);
- `message_updated` with `content_attributes.submitted_values`: an option picked in the
  bot's own `input_select` message (Chatwoot sends it again on later status changes);
- `conversation_status_changed`, `conversation_opened`, `conversation_resolved`: who owns
  the conversation now — `pending` is the bot's, `resolved` closes it, anything else is people's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troubleshooter.vocabulary import payloads

STATUS_EVENTS = {
    "conversation_status_changed": None,
    "conversation_opened": "open",
    "conversation_resolved": "resolved",
}
BOT_STATUS = "pending"


@dataclass(frozen=True)
class Action:
    """One thing to do for an event: `kind` is message | wordless | status | ignore."""

    kind: str
    account: int = 0
    conversation: int = 0
    text: str = ""
    status: str = ""  # the conversation's status in the event
    keys: tuple[str, ...] = ()  # what identifies it beyond the delivery (for de-duplication)
    reason: str = ""  # why it is ignored
    extra: dict[str, Any] = field(default_factory=dict)
    language: str = ""  # the contact's language as Chatwoot knows it (a hint: the user's words decide)

    @property
    def owner(self) -> str:
        """Who owns the conversation by its status (troubleshooter.vocabulary.OWNERS)."""
        return owner_of(self.status)


def owner_of(status: str) -> str:
    return "bot" if status == BOT_STATUS else "closed" if status == "resolved" else "people"


def _ignore(reason: str) -> Action:
    return Action("ignore", reason=reason)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def classify(event: dict[str, Any]) -> Action:
    kind = event.get("event")
    if not isinstance(kind, str):
        return _ignore("no event name")
    if kind in STATUS_EVENTS:
        conversation = event if "status" in event or "conversation" not in event else _dict(event["conversation"])
        account = _int(_dict(event.get("account")).get("id")) or _int(conversation.get("account_id"))
        cid = _int(conversation.get("id"))
        status = STATUS_EVENTS[kind] or conversation.get("status")
        if account is None or cid is None or not isinstance(status, str):
            return _ignore("no account, conversation or status")
        return Action("status", account, cid, status=status)
    conversation = _dict(event.get("conversation"))
    account = _int(_dict(event.get("account")).get("id"))
    cid = _int(conversation.get("id"))
    mid = _int(event.get("id"))
    if account is None or cid is None or mid is None:
        return _ignore("no account, conversation or message id")
    status = conversation.get("status") if isinstance(conversation.get("status"), str) else ""
    if kind == "message_created":
        if event.get("message_type") not in ("incoming", 0) or event.get("private"):
            return _ignore("not a message from the contact")
        text = event.get("content")
        lang = language_of(event, conversation)
        if not isinstance(text, str) or not text.strip():  # attachments, stickers, unsupported types
            return Action("wordless", account, cid, status=status, keys=(f"message:{account}:{mid}",), language=lang)
        return Action("message", account, cid, text, status, (f"message:{account}:{mid}",), language=lang)
    if kind == "message_updated":
        values = _dict(event.get("content_attributes")).get("submitted_values")
        first = values[0] if isinstance(values, list) and values and isinstance(values[0], dict) else {}
        value = first.get("value") or first.get("title")
        if not isinstance(value, str) or not value.strip():
            return _ignore("not an option picked")
        keys = (f"pick:{account}:{mid}:{value}",)
        return Action("message", account, cid, value, status, keys, language=language_of(event, conversation))
    return _ignore(f"event {kind!r} is not for the bot")


def language_of(event: dict[str, Any], conversation: dict[str, Any]) -> str:
    """The contact's language: the browser's, which Chatwoot's web widget records on the
    conversation (`additional_attributes.browser_language`), else a `language` the team set on the
    contact (custom attribute); "" when neither is there."""
    browser = _dict(conversation.get("additional_attributes")).get("browser_language")
    sender = _dict(event.get("sender")) or _dict(_dict(conversation.get("meta")).get("sender"))
    chosen = _dict(sender.get("custom_attributes")).get("language")
    for value in (browser, chosen):
        if isinstance(value, str) and value.strip():
            return value.strip()[:20]
    return ""


def to_chatwoot(message: dict[str, Any]) -> dict[str, Any] | None:
    """A Rasa bot message as a Chatwoot message body (None for machine-only payloads)."""
    text = message.get("text")
    if not text:
        return None
    body: dict[str, Any] = {"content": text, "message_type": "outgoing"}
    if message.get("buttons"):
        body["content_type"] = "input_select"
        body["content_attributes"] = {
            "items": [{"title": b["title"], "value": b["payload"]} for b in message["buttons"]]
        }
    return body


def payload_of(messages: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    """The turn's structured payload of type `kind` ("handoff", "owner"...), if any."""
    return next((p for p in payloads(messages) if p.get("type") == kind), None)
