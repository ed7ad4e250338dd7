"""Rasa 3.6 checks every action-server response with `jsonschema.validate()`,
which re-checks the (large) events schema against the meta-schema on each
call: about 14 ms of CPU per custom action here, most of a turn's cost. The
same validation with a validator built once costs about 0.3 ms.

Even so, each event is checked against all 23 of the schema's `oneOf` event kinds (a twentieth of a
turn's CPU). A response of slot events and responses alone, which is what the project's action
returns, is valid exactly when each slot event has a string `name`, a `value` and a timestamp and
metadata of the schema's types: `_plainly_valid` says so without the validator; anything else is
validated (tests/unit/test_action_response.py compares both on generated responses)."""

from __future__ import annotations

import numbers
from functools import lru_cache
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _plainly_valid(result: Any) -> bool:
    """True when `result` is an action response the schema accepts, made of slot events and
    responses only; False says nothing (the validator decides)."""
    if not isinstance(result, dict):
        return False
    events, responses = result.get("events", []), result.get("responses", [])
    return (
        isinstance(events, list)
        and isinstance(responses, list)
        and all(isinstance(response, dict) for response in responses)
        and all(_plain_slot_event(event) for event in events)
    )


def _plain_slot_event(event: Any) -> bool:
    """A slot event the schema accepts: with the event kind "slot", no other `oneOf` kind matches."""
    if not (isinstance(event, dict) and event.get("event") == "slot" and type(event["event"]) is str):
        return False
    timestamp, metadata = event.get("timestamp"), event.get("metadata")
    return (
        isinstance(event.get("name"), str)
        and "value" in event
        and (timestamp is None or (isinstance(timestamp, numbers.Number) and not isinstance(timestamp, bool)))
        and (metadata is None or isinstance(metadata, dict))
    )


def _validate_action_result(self, result) -> bool:
    if _plainly_valid(result):
        return True
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
        f"is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
