"""channels/action_request.py: what Rasa sends the action server is encoded so that the action server
(Sanic decodes with ujson) and any JSON parser read exactly what Rasa's `json.dumps` text gives (the
same values, of the same types, floats to the bit); `action_respond`, sent the events from the
latest user message on, returns what it returns from the whole tracker and reads nothing before."""

from __future__ import annotations

import json
import math
import random
import sys

import pytest
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from channels import action_request
from tests.unit.exact import exactly
from troubleshooter.paths import ROOT


def floats(rng: random.Random, n: int) -> list[float]:
    bits = [rng.getrandbits(64) for _ in range(n)]
    out = [v for v in (struct_float(b) for b in bits) if math.isfinite(v)]
    out += [rng.random() for _ in range(n)] + [round(rng.random(), 4) for _ in range(n)]
    out += [0.0, -0.0, 1e-7, 1e16, 1e22, 5e-324, sys.float_info.max, sys.float_info.min, 0.1 + 0.2, 1 / 3]
    return out + [float("nan"), float("inf"), float("-inf")]


def struct_float(bits: int) -> float:
    import struct

    return struct.unpack("<d", bits.to_bytes(8, "little"))[0]


def strings(rng: random.Random, n: int) -> list[str]:
    alphabet = [chr(c) for c in range(0, 0x250)] + list("😀🙏ñçãé中文</script>\\\"'/") + ["\ud800", "\udfff", "\u2028"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(n)]


def tracker_state() -> dict:
    """The body of an action call: a tracker's state as Rasa sends it, with the assistant's kinds of event."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("u1", domain.slots)
    for n in range(5):
        ranking = [{"name": "deny", "confidence": 0.7 + n / 1000}, {"name": "affirm", "confidence": 0.1 / 3}]
        parse = {"intent": ranking[0], "entities": [], "text": "no", "intent_ranking": ranking, "asks": 1e-7}
        for event in [
            UserUttered(f"no {n} ünï 😀 </b>", ranking[0], [], parse, input_channel="rest", metadata={"m": n}),
            ActionExecuted("action_respond", policy="RespondPolicy", confidence=1.0),
            SlotSet("diagnosis", {"asked": ["vpn_on"], "p": [0.1, 1 / 3, None, True, -2, 10**20]}),
            BotUttered(f"reply {n}", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
            ActionExecuted("action_listen"),
        ]:
            tracker.update(event)
    return {"next_action": "action_respond", "sender_id": "u1", "tracker": tracker.current_state(EventVerbosity.ALL)}


def bodies() -> list:
    rng = random.Random(25)
    nested = [
        {"k": f, "s": s, "l": [f, s, None, True, False, 7, -(2**63), 2**70]}
        for f, s in zip(floats(rng, 300), strings(rng, 1000))
    ]
    return [tracker_state(), nested, floats(rng, 2000), strings(rng, 2000), {"": {"a": [[], {}, ""]}}, 12, "x", None]


@pytest.mark.parametrize("body", bodies())
def test_any_parser_reads_what_json_dumps_gives(body):
    ours, rasas = action_request.dumps(body), json.dumps(body)
    for loads in (ujson.loads, json.loads):
        assert exactly(loads(ours)) == exactly(loads(rasas))


def test_floats_of_every_kind_are_read_to_the_bit():
    values = floats(random.Random(7), 20000)
    assert exactly(json.loads(action_request.dumps(values))) == exactly(json.loads(json.dumps(values)))
    assert exactly(ujson.loads(action_request.dumps(values))) == exactly(values)


@pytest.mark.parametrize("body", [{1, 2}, {"x": b"bytes"}, {"x": object()}, [2**64 * 10**30]])
def test_what_ujson_cannot_encode_is_json_dumps_own(body):
    try:
        want = json.dumps(body)
    except TypeError as error:
        with pytest.raises(TypeError, match=str(error)):
            action_request.dumps(body)
    else:
        assert action_request.dumps(body) == want


def test_applied_to_the_endpoints_sessions():
    import asyncio

    import channels  # noqa: F401  (what Rasa imports for credentials.yml)

    async def serializer():
        async with EndpointConfig("http://127.0.0.1:9/webhook").session() as session:
            return session._json_serialize

    assert asyncio.run(serializer()) is action_request.dumps


# ----- action_respond is sent the events from the latest user message on ---------------------------
SCRIPT = [  # (text or "button", intent, channel, owner metadata or None)
    ("my messages fail with a red exclamation mark", "symptom_send_failed", "rest", None),
    ("button", "affirm", "rest", None),
    ("not sure", "unsure", "socketio", {"owner": "people", "event": "message"}),  # not a support chat
    ("button", "deny", "rest", None),
    ("why do you think that?", "ask_why", "rest", None),
    ("talk to a human", "human_handoff", "rest", None),
    ("", "greet", "chatwoot", {"owner": "people", "event": "status"}),
    ("are you there", "greet", "chatwoot", {"owner": "people", "event": "message"}),
    ("", "greet", "chatwoot", {"owner": "bot", "event": "status"}),
    ("still broken", "fix_failed", "rest", None),
    ("what else can i try", "ask_other_fix", "chatwoot", {"owner": "bot", "event": "message"}),
    ("button", "affirm", "rest", None),
    ("", "greet", "chatwoot", {"owner": "closed", "event": "status"}),
    ("start over", "start_over", "rest", None),
]


class Watched(list):
    """The events of a tracker, noting the earliest one the action reads."""

    earliest = None

    def _note(self, i: int) -> None:
        self.earliest = i if self.earliest is None else min(self.earliest, i)

    def __getitem__(self, i):
        self._note(range(len(self))[i].start if isinstance(i, slice) else range(len(self))[i])
        return super().__getitem__(i)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __reversed__(self):
        for i in range(len(self) - 1, -1, -1):
            yield self[i]


def _respond(state: dict, events: list) -> tuple[list, list]:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.respond import ActionRespond

    dispatcher = CollectingDispatcher()
    returned = ActionRespond().run(dispatcher, Tracker.from_dict({**state, "events": events}), {})
    return dispatcher.messages, returned


def test_action_respond_returns_the_same_from_the_latest_turn_and_reads_nothing_before():
    from troubleshooter.vocabulary import DIAGNOSIS_SLOT, OWNERSHIP_METADATA, READING_SLOT

    events, slots, messages, checked = [{"event": "action", "name": "action_listen"}], {}, [], 0
    for n, (text, intent, channel, owner) in enumerate(SCRIPT * 2):
        buttons = [b["payload"] for m in messages for b in m.get("buttons") or []]
        if text == "button":
            text = buttons[n % len(buttons)] if buttons else "ok"
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
        parse["intent_ranking"] = [parse["intent"], {"name": "inform", "confidence": 0.05}]
        user = {"event": "user", "timestamp": n, "text": text, "parse_data": parse, "input_channel": channel}
        user["metadata"] = {OWNERSHIP_METADATA: owner} if owner else {}
        events += [user, {"event": "user_featurization", "use_text_for_featurization": False}]
        events.append({"event": "action", "name": "action_respond", "policy": "RespondPolicy", "confidence": 1.0})
        state = {"sender_id": "u1", "slots": dict(slots), "latest_message": {**parse, "metadata": user["metadata"]}}
        state |= {"paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_respond"}

        watched = Watched(action_request.latest_turn(events))
        want, got = _respond(state, list(events)), _respond(state, watched)
        assert got == want, (n, text)
        assert watched[0]["event"] == "user" and watched.earliest in (None, 0)  # nothing before it was read
        checked += 1

        messages, returned = want
        slots |= {e["name"]: e["value"] for e in returned if e["event"] == "slot"}
        events += returned + [{"event": "bot", "text": m.get("text"), "data": m} for m in messages]
        events.append({"event": "action", "name": "action_listen"})
    assert checked == 2 * len(SCRIPT) and slots[DIAGNOSIS_SLOT] and READING_SLOT in slots


def test_only_the_latest_turn_actions_are_sent_less():
    import channels  # noqa: F401  (what Rasa imports for credentials.yml)

    assert RemoteAction._action_call_format is action_request._action_call_format
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_dict("u1", tracker_state()["tracker"]["events"], domain.slots)
    full = tracker.current_state(EventVerbosity.ALL)["events"]
    for name, sent in (("action_respond", full[-5:]), ("action_other", full)):
        body = RemoteAction(name, EndpointConfig("http://127.0.0.1:9/webhook"))._action_call_format(tracker, domain)
        assert body["tracker"]["events"] == sent
        assert {k: v for k, v in body["tracker"].items() if k != "events"} == {
            k: v for k, v in tracker.current_state(EventVerbosity.ALL).items() if k != "events"
        }
    assert action_request.latest_turn(full[:1]) == full[:1]  # no user message: everything
