"""A client's message taken once (channels/rest.py `message_id`) and no stale turn saved over a newer
one (scaleout/fenced_store.py), over real objects: the REST channel's own handler, Rasa's processor
steps that read the tracker, log a message on it and save it (hooked by the channel and the fence),
SQL tracker stores (Rasa's and the project's incremental one, on SQLite) and the replicas' Redis
lock store (harness/redis_server.py). Only the bot is scripted: each replica answers "reply to TEXT"
with a structured payload, as a turn of the model would, between taking the conversation's lock and
saving the tracker, as Rasa's Agent and processor do."""

from __future__ import annotations

import asyncio
import json
import uuid
from types import SimpleNamespace

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.utils.common import class_from_module_path

import channels  # noqa: F401  (applies the channel's hook and the fenced store, as Rasa's loading does)
from channels.rest import AlreadyAnswered, RobustRestInput, message_id_problem, replies_after
from harness.redis_server import RedisServer
from scaleout.fenced_store import StaleTracker
from scaleout.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.timeout(120)
DOMAIN = Domain.empty()
STORES = ["rasa.core.tracker_store.SQLTrackerStore", "scaleout.tracker_store.IncrementalSQLTrackerStore"]


class Replica:
    """One Rasa replica's turn around the hooked steps, its stores its own clients of shared ones."""

    def __init__(self, store: str, db: str, redis_port: int, seconds: float = 0.0):
        self.tracker_store = class_from_module_path(store)(DOMAIN, dialect="sqlite", db=db)
        self.lock_store = AtomicRedisLockStore(host="127.0.0.1", port=redis_port)
        self.domain, self.seconds, self.processed = DOMAIN, seconds, []
        self.model_metadata = SimpleNamespace(model_id="m", assistant_id="a")

    async def handle_message(self, message) -> None:  # Agent.handle_message + MessageProcessor.handle_message
        async with self.lock_store.lock(message.sender_id, wait_time_in_seconds=0.02):
            tracker = await MessageProcessor.get_tracker(self, message.sender_id)
            await MessageProcessor._handle_message_with_tracker(self, message, tracker)
            self.processed.append(message.text)
            await asyncio.sleep(self.seconds)  # the model's and the action's time
            reply = BotUttered(
                f"reply to {message.text}", {"custom": {"troubleshooter": {"type": "fix", "n": len(tracker.events)}}}
            )
            tracker.update(reply)
            await message.output_channel.send_response(message.sender_id, reply.message())
            await MessageProcessor.save_tracker(self, tracker)


def webhook(replica: Replica):
    """The REST channel's POST handler, its messages handled by `replica`."""

    async def on_new_message(message):
        message.parse_data = {"intent": {"name": "inform", "confidence": 1.0}, "entities": [], "text": message.text}
        await replica.handle_message(message)

    blueprint = RobustRestInput().blueprint(on_new_message)
    handler = next(route.handler for route in blueprint._future_routes if route.uri == "/webhook")

    async def post(body) -> tuple[int, object]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        answer = await handler(SimpleNamespace(body=raw))
        return answer.status, json.loads(answer.body)

    return post


@pytest.fixture(scope="module")
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture(params=STORES, ids=["rasa-sql", "incremental-sql"])
def replicas(request, tmp_path, redis):
    try:
        class_from_module_path(request.param)
    except ImportError:
        pytest.skip(f"{request.param} is not in this checkout")
    db = str(tmp_path / "tracker.db")
    return lambda seconds=0.0: Replica(request.param, db, redis.port, seconds)


def sender() -> str:
    return "c-" + uuid.uuid4().hex[:8]


def user_messages(replica: Replica, conversation: str) -> list[str]:
    tracker = asyncio.run(replica.tracker_store.retrieve(conversation))
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


@pytest.mark.parametrize("bad", [123, "", "a" * 65, "two words", "../etc", "-x", ["m1"], True])
def test_a_message_id_that_is_not_a_short_plain_string_is_refused(replicas, bad):
    post = webhook(replicas())
    status, answer = asyncio.run(post({"sender": "s", "message": "hi", "message_id": bad}))
    assert status == 400 and "message_id" in answer["error"]
    assert message_id_problem("m-1.2:3_4" + "x" * 55) is None and message_id_problem(None) is None


def test_a_resent_message_is_answered_with_the_first_replies_and_not_processed_again(replicas):
    replica = replicas()
    post, who = webhook(replica), sender()
    first = asyncio.run(post({"sender": who, "message": "no", "message_id": "m1"}))
    again = asyncio.run(post({"sender": who, "message": "no", "message_id": "m1"}))
    assert first[0] == again[0] == 200
    assert first[1] == again[1] and first[1][0]["text"] == "reply to no"
    assert first[1][1]["custom"]["troubleshooter"]["type"] == "fix"  # the payload, as Rasa's channel sends it
    assert replica.processed == ["no"] and user_messages(replica, who) == ["no"]
    # The next message, and one without an id, are processed.
    asyncio.run(post({"sender": who, "message": "yes", "message_id": "m2"}))
    asyncio.run(post({"sender": who, "message": "yes"}))
    asyncio.run(post({"sender": who, "message": "yes"}))
    assert user_messages(replica, who) == ["no", "yes", "yes", "yes"]
    # An old message's resend gets its own replies, not the latest.
    assert asyncio.run(post({"sender": who, "message": "no", "message_id": "m1"})) == first
    # The same id in another conversation is another message.
    other = sender()
    asyncio.run(post({"sender": other, "message": "no", "message_id": "m1"}))
    assert user_messages(replica, other) == ["no"] and replica.processed.count("no") == 2


def test_a_resend_arriving_while_another_replica_still_processes_the_first_waits_and_is_not_doubled(replicas):
    slow, quick = replicas(seconds=0.5), replicas()
    who, body = sender(), None

    async def both():
        nonlocal body
        body = {"sender": who, "message": "still broken", "message_id": "m-7"}
        first = asyncio.create_task(webhook(slow)(body))
        await asyncio.sleep(0.1)  # the first attempt holds the lock, in the middle of its turn
        resend = await webhook(quick)(body)
        return await first, resend

    first, resend = asyncio.run(both())
    assert first == resend and first[0] == 200
    assert slow.processed == ["still broken"] and quick.processed == []
    assert user_messages(quick, who) == ["still broken"]


def test_replies_after_takes_the_bot_messages_up_to_the_next_user_message():
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = DialogueStateTracker("t", [])
    for event in [
        UserUttered("a", message_id="1"),
        BotUttered("A1"),
        BotUttered("A2", {"custom": {"k": 1}}),
        UserUttered("b", message_id="2"),
        BotUttered("B"),
    ]:
        tracker.update(event)
    assert [m["text"] for m in replies_after(tracker, "1")] == ["A1", "A2"]
    assert replies_after(tracker, "1")[1]["custom"] == {"k": 1}
    assert [m["text"] for m in replies_after(tracker, "2")] == ["B"]
    assert replies_after(tracker, "3") is None
    assert issubclass(AlreadyAnswered, Exception)


@pytest.mark.parametrize("conversation", ["known", "new"])
def test_a_turn_saved_after_a_newer_one_is_refused_and_changes_nothing(replicas, conversation):
    """A replica whose turn outlived its lock (cut off mid-turn) saves after another replica answered
    the resend: its save is refused, the conversation keeps the newer turn alone."""
    a, b = replicas(), replicas()
    who = sender()
    if conversation == "known":
        asyncio.run(webhook(a)({"sender": who, "message": "hello", "message_id": "m1"}))

    async def stale_turn():
        old = await MessageProcessor.get_tracker(a, who)  # read before the cut
        await webhook(b)({"sender": who, "message": "no", "message_id": "m2"})  # the resend, elsewhere
        old.update(UserUttered("no", message_id="m2"))
        old.update(BotUttered("reply to no (stale)"))
        with pytest.raises(StaleTracker, match="changed in the store"):
            await MessageProcessor.save_tracker(a, old)

    asyncio.run(stale_turn())
    said = ["hello", "no"] if conversation == "known" else ["no"]
    tracker = asyncio.run(b.tracker_store.retrieve(who))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == said
    assert [e.text for e in tracker.events if isinstance(e, BotUttered)] == [f"reply to {t}" for t in said]
    # The same replica's next turn reads the conversation as it is, and is saved.
    asyncio.run(webhook(a)({"sender": who, "message": "yes", "message_id": "m3"}))
    assert user_messages(a, who) == [*said, "yes"]


def test_turns_of_one_conversation_on_two_replicas_in_turn_are_all_saved(replicas):
    a, b = replicas(), replicas()
    who = sender()
    for n in range(6):
        asyncio.run(webhook((a, b)[n % 2])({"sender": who, "message": f"m{n}", "message_id": f"id{n}"}))
    assert user_messages(a, who) == [f"m{n}" for n in range(6)] == user_messages(b, who)
