"""Rasa sends the action server the whole tracker at every custom action, encoded by the standard
library's `json.dumps`, and the action server decodes it (a tenth of the Rasa server's CPU per turn,
growing with the conversation). Two costs are taken down:

- `action_respond` reads the slots, the latest message and, of the events, only the latest user
  message (its channel and metadata: actions/parsing.py, `ownership_of`). It is sent the events from
  that message on (all of them when there is none): what the action returns is the same
  (tests/unit/test_action_request.py runs it both ways, and fails if it reads an event before).
  Any other action is sent the whole tracker, as Rasa does.
- `ujson` (already installed: Sanic decodes requests with it) encodes the same values three times
  as fast. The text differs (no spaces, `\\/`, `1e-7` for `1e-07`); what any JSON parser reads from
  it is the same: strings, numbers (the shortest repr of each float), NaN and Infinity alike.

What ujson cannot encode goes to `json.dumps`, which raises as before. Only values `json.dumps` would
refuse with a TypeError (a Decimal, a dict key that is no str, number, bool or None, an object with
`toDict`) are encoded instead; none is in a tracker (its state is JSON Rasa decoded or built).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

from troubleshooter.vocabulary import RESPOND_ACTION

# the actions that read no event before the latest user message
LATEST_TURN_ACTIONS = frozenset({RESPOND_ACTION})
_rasas_action_call_format = RemoteAction._action_call_format


def dumps(value: Any) -> str:
    """`json.dumps(value)`'s JSON, encoded by ujson when it can."""
    try:
        return ujson.dumps(value)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's EndpointConfig.session, with request bodies encoded by `dumps`."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=dumps,
    )


def latest_turn(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events from the latest user message on (all of them when there is none)."""
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == "user":
            return events[i:]
    return events


def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
    """Rasa's action call, with the events from the latest user message on for LATEST_TURN_ACTIONS."""
    body = _rasas_action_call_format(self, tracker, domain)
    if self.name() in LATEST_TURN_ACTIONS:
        body["tracker"]["events"] = latest_turn(body["tracker"]["events"])
    return body


def apply() -> None:
    """Send LATEST_TURN_ACTIONS the latest turn's events, and encode the JSON bodies Rasa's endpoints
    send (the action server's calls) with `dumps`."""
    RemoteAction._action_call_format = _action_call_format
    EndpointConfig.session = _session
