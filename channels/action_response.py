"""Rasa 3.6 checks every action-server response with `jsonschema.validate()`,
which re-checks the (large) events schema against the meta-schema on each
call: about 14 ms of CPU per custom action here, most of a turn's cost. The
same validation with a validator built once costs about 0.3 ms."""

from __future__ import annotations

from functools import lru_cache

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


def _validate_action_result(self, result) -> bool:
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
