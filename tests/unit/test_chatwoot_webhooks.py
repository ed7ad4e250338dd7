"""The Chatwoot connector's pure parts: signatures, what an event asks for,
and remembering deliveries already handled."""

import asyncio
import hashlib
import hmac

from channels.chatwoot import deliveries, signature
from channels.chatwoot.events import classify, payload_of, to_chatwoot
from troubleshooter.vocabulary import PAYLOAD_KEY

SECRET = "s3cret"
BODY = b'{"event":"message_created","id":1}'
NOW = 1_790_000_000


def signed(body=BODY, ts=NOW, secret=SECRET):
    # written out here, independently of the code under test
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"x-chatwoot-signature": f"sha256={mac}", "x-chatwoot-timestamp": str(ts)}


def test_a_signature_over_timestamp_and_raw_body_is_accepted():
    assert signature.problem(SECRET, signed(), None, BODY, NOW) is None
    assert signature.problem(SECRET, signed(), None, BODY, NOW + 299) is None


def test_forged_tampered_replayed_or_unsigned_calls_are_refused():
    assert signature.problem(SECRET, signed(secret="other"), None, BODY, NOW) == "bad signature"
    assert signature.problem(SECRET, signed(), None, BODY.replace(b"1", b"2"), NOW) == "bad signature"
    assert signature.problem(SECRET, signed(), None, BODY, NOW + 301) == "missing or stale timestamp"
    assert signature.problem(SECRET, signed(), None, BODY, NOW - 301) == "missing or stale timestamp"
    headers = {**signed(), "x-chatwoot-timestamp": "\u00b2"}  # a digit to isdigit(), not to int()
    assert signature.problem(SECRET, headers, None, BODY, NOW) == "missing or stale timestamp"
    assert signature.problem(SECRET, {}, None, BODY, NOW) == "unsigned call"
    assert signature.problem("", signed(secret=""), None, BODY, NOW).startswith("the webhook secret is not configured")


def test_the_url_token_is_only_a_fallback_when_allowed():
    assert signature.problem(SECRET, {}, SECRET, BODY, NOW) is None
    assert signature.problem(SECRET, {}, "wrong", BODY, NOW) == "wrong token"
    assert signature.problem(SECRET, {}, SECRET, BODY, NOW, allow_token=False) == "unsigned call"
    # a signed call is judged by its signature, whatever the URL says
    assert signature.problem(SECRET, signed(secret="other"), SECRET, BODY, NOW) == "bad signature"


def message(**changes):
    event = {
        "event": "message_created",
        "id": 77,
        "content": "my dms fail",
        "message_type": "incoming",
        "content_type": "text",
        "content_attributes": {},
        "private": False,
        "conversation": {"id": 12, "status": "pending"},
        "account": {"id": 1},
    }
    event.update(changes)
    return event


def test_what_each_event_asks_for():
    a = classify(message())
    assert (a.kind, a.account, a.conversation, a.text, a.owner, a.keys) == (
        "message",
        1,
        12,
        "my dms fail",
        "bot",
        ("message:1:77",),
    )
    assert classify(message(message_type="outgoing")).kind == "ignore"  # the bot's own message echoed
    assert classify(message(private=True)).kind == "ignore"  # a note, never for the bot
    assert classify(message(content=None, attachments=[{"file_type": "image"}])).kind == "wordless"
    assert classify(message(content="  ")).kind == "wordless"  # e.g. a sticker WhatsApp can't pass on
    assert classify(message(conversation={"id": 12, "status": "open"})).owner == "people"
    picked = classify(
        message(
            event="message_updated",
            message_type="outgoing",
            content_type="input_select",
            content_attributes={"submitted_values": [{"title": "No", "value": "/deny"}]},
        )
    )
    assert (picked.kind, picked.text, picked.keys) == ("message", "/deny", ("pick:1:77:/deny",))
    assert classify(message(event="message_updated")).kind == "ignore"  # a status change, no pick


def test_status_events_say_who_owns_the_conversation():
    data = {"id": 12, "account_id": 1, "status": "pending"}
    assert classify({**data, "event": "conversation_status_changed"}).owner == "bot"
    assert classify({**data, "event": "conversation_opened"}).owner == "people"
    assert classify({**data, "event": "conversation_resolved"}).owner == "closed"
    assert classify({**data, "status": "snoozed", "event": "conversation_status_changed"}).owner == "people"


def test_malformed_events_are_ignored_not_fatal():
    for event in (
        {},
        {"event": "message_created"},
        message(conversation=[1]),
        message(account="x"),
        message(id=True),
        message(content_attributes=[1], event="message_updated"),
        {"event": "conversation_opened", "conversation": "x"},
        {"event": "webwidget_triggered"},
        {"event": []},
        {"event": {"a": 1}},
    ):
        assert classify(event).kind == "ignore", event


def test_bot_messages_become_chatwoot_bodies():
    body = to_chatwoot({"text": "VPN on?", "buttons": [{"title": "Yes", "payload": "/affirm"}]})
    assert body == {
        "content": "VPN on?",
        "message_type": "outgoing",
        "content_type": "input_select",
        "content_attributes": {"items": [{"title": "Yes", "value": "/affirm"}]},
    }
    assert to_chatwoot({"custom": {PAYLOAD_KEY: {"type": "question"}}}) is None
    handoff = {"type": "handoff", "summary": {}, "note": "n"}
    assert payload_of([{"text": "x"}, {"custom": {PAYLOAD_KEY: handoff}}], "handoff") == handoff
    assert payload_of([{"text": "x"}], "handoff") is None


def test_deliveries_are_answered_once_and_a_failure_stays_one():
    async def go():
        seen = deliveries.MemoryDeliveries()
        assert await seen.claim(["delivery:a", "message:1:7"]) is None
        assert await seen.claim(["delivery:a"]) == deliveries.WORKING  # a retry while still working
        await seen.settle(["delivery:a", "message:1:7"], deliveries.DONE)
        assert await seen.claim(["delivery:b", "message:1:7"]) == deliveries.DONE  # same message, new delivery
        assert await seen.claim(["delivery:b"]) == deliveries.DONE
        await seen.settle(["delivery:c"], deliveries.FAILED)
        assert await seen.claim(["delivery:c"]) == deliveries.FAILED

    asyncio.run(go())


def test_a_conversation_takes_one_turn_at_a_time():
    async def go():
        seen, order = deliveries.MemoryDeliveries(), []

        async def turn(name, wait):
            async with seen.turn("1:5", wait):
                order.append(name)
                await asyncio.sleep(0.1)
                order.append(name)

        await asyncio.gather(turn("a", 1), turn("b", 1))
        assert order in (["a", "a", "b", "b"], ["b", "b", "a", "a"])
        first = asyncio.create_task(turn("c", 1))
        await asyncio.sleep(0.01)
        try:
            await turn("d", 0.02)
            raise AssertionError("a second turn got in")
        except deliveries.Busy:
            pass
        await first
        assert seen._turns == {}

    asyncio.run(go())


def test_deliveries_expire_and_stay_bounded():
    async def go():
        seen = deliveries.MemoryDeliveries(ttl=0.05, limit=3)
        await seen.claim(["a"])
        await asyncio.sleep(0.1)
        assert await seen.claim(["a"]) is None  # expired: new again
        for k in "bcdef":
            await seen.claim([k])
        assert len(seen._seen) <= 3 and await seen.claim(["f"]) is not None

    asyncio.run(go())
