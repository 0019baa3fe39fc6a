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


VALID_EVENTS = [
    {"event": "slot", "name": "location", "value": {"town": "Worcester", "state": "MA"}, "timestamp": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {"event": "bot", "text": "Where do you live?", "data": {"buttons": [{"title": "Not sure", "payload": "/x"}]},
     "metadata": {"utter_action": "utter_x"}},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": None},
    {"event": "active_loop", "name": "screening_form"},
    {"event": "active_loop", "name": None},
    {"event": "followup", "name": "utter_offer_next"},
    {"event": "reset_slots"},
    {"event": "restart"},
    {"event": "session_started", "timestamp": 1.5},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9},
     "intent_ranking": [{"name": "greet", "confidence": 0.9}], "entities": []}},
]
INVALID_EVENTS = [
    {"event": "no_such_event"},
    {"name": "location", "value": 1},
    {"event": "slot", "name": "location"},
    {"event": "slot", "name": 3, "value": 1},
    {"event": "bot", "text": 42},
    {"event": "action", "name": 5},
    {"event": "slot", "name": "a", "value": 1, "timestamp": "yesterday"},
    {"event": "user", "text": "hi", "parse_data": {"intent_ranking": "greet"}},
    {"event": "user", "parse_data": {"entities": [{"start": 0}]}},
    "not an object",
]


@pytest.mark.parametrize(
    "result",
    [{"events": [event], "responses": []} for event in VALID_EVENTS + INVALID_EVENTS]
    + [
        {"events": VALID_EVENTS, "responses": [{"text": "hello"}]},
        {"events": VALID_EVENTS[:3] + INVALID_EVENTS[:1]},
        {"events": "not a list"},
        {"responses": [{"text": "only responses"}]},
        {"responses": ["not an object"]},
        {},
    ],
)
def test_action_results_are_judged_exactly_as_rasa_judges_them(result):
    """Same verdict as `jsonschema.validate` with Rasa's whole schema (what Rasa 3.6 runs)."""
    import jsonschema

    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        rasa_accepts = True
    except ValidationError:
        rasa_accepts = False
    action = RemoteAction("action_test", None)
    if rasa_accepts:
        assert action._validate_action_result(result)
    else:
        with pytest.raises(ValidationError):
            action._validate_action_result(result)


def test_each_event_is_checked_against_its_own_schema_only():
    from components.action_validation import _validators

    _, by_event = _validators()
    assert by_event is not None and {"slot", "bot", "action", "user", "active_loop"} <= set(by_event)
