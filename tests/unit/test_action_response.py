"""The cached check of action-server responses accepts and rejects exactly what
Rasa's own check (`jsonschema.validate` on the response schema) does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from channels import action_response
from troubleshooter.vocabulary import DIAGNOSIS_SLOT

VALID = {
    "events": [{"event": "slot", "name": DIAGNOSIS_SLOT, "value": {"asked": ["vpn_on"]}}],
    "responses": [
        {"text": "Are you on a VPN?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"custom": {"type": "question", "evidence": "vpn_on"}},
    ],
}
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without its name
    {"events": "not a list"},
    {"responses": [1, 2]},
]


def _rasa_check(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


def test_accepts_a_valid_response():
    _rasa_check(VALID)
    assert action_response._validate_action_result(None, VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_rejects_what_rasa_rejects_with_the_same_error(result):
    with pytest.raises(jsonschema.ValidationError) as rasa:
        _rasa_check(result)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action_response._validate_action_result(None, result)
    assert ours.value.message.startswith(rasa.value.message + ". Failed to validate Action server response")


def test_applied_when_the_channels_load():
    import channels  # noqa: F401  (what Rasa imports for credentials.yml)

    assert RemoteAction._validate_action_result is action_response._validate_action_result


def _responses() -> list:
    """Responses near the plain ones (slot events and responses): every field dropped or of another type."""
    import itertools

    slot = {"event": "slot", "timestamp": 1.5, "metadata": {}, "name": DIAGNOSIS_SLOT, "value": {"asked": []}}
    odd = [None, True, 0, 2.5, float("nan"), "", "slot", "user", [], {}, [1], {"a": 1}]
    events = [slot, {**slot, "extra": 1}, {"event": "slot", "name": "x", "value": None}, {"event": "bot", "text": "hi"}]
    events += [{k: v for k, v in slot.items() if k != key} for key in slot]
    events += [{**slot, key: value} for key, value in itertools.product(slot, odd)]
    out = [{}, {"events": []}, {"responses": []}, {"events": [], "responses": [{}]}, [], None, "x"]
    out += [{"events": [event]} for event in events]
    out += [{"events": [slot, event], "responses": [{"text": "a"}]} for event in events]
    out += [{"events": [slot], "responses": [value]} for value in odd]
    out += [{"events": value, "responses": []} for value in odd] + [{"events": [], "responses": value} for value in odd]
    return out


def _rasa_accepts(result) -> bool:
    try:
        _rasa_check(result)
    except jsonschema.ValidationError:
        return False
    return True


def test_plainly_valid_only_what_rasa_accepts():
    responses = _responses()
    plain = [r for r in responses if action_response._plainly_valid(r)]
    assert all(_rasa_accepts(r) for r in plain)
    # and the project's own kind of response is taken the short way
    assert action_response._plainly_valid(VALID) and len(plain) > 20
    for result in responses:  # and either way, the verdict is Rasa's
        if _rasa_accepts(result):
            assert action_response._validate_action_result(None, result) is True
        else:
            with pytest.raises(jsonschema.ValidationError):
                action_response._validate_action_result(None, result)
