"""Our plug-ins to Rasa keep Rasa's behaviour: action results are validated as strictly as before."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the validator)


def test_valid_action_result_passes():
    action = RemoteAction("action_test", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})


def test_malformed_action_result_is_still_rejected():
    action = RemoteAction("action_test", None)
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"no_event_key": 1}], "responses": "not a list"})
