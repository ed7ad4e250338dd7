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
