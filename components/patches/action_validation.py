"""Patch: action server responses validated against Rasa's schema, with validators built once.

Patches `RemoteAction._validate_action_result` (rasa/core/actions/action.py), checked on Rasa
3.6.21; installed by `components.patches.enable()`.

Rasa 3.6 calls `jsonschema.validate()` for every custom action result, which checks the schema
itself again each time: half of the Rasa server's time per turn went there (py-spy). The same
validation is installed here, with two changes in how, not in what, is checked:

- the validators are built (and the schema checked) once;
- each event is checked against the schema of its own type. Rasa's schema says an event is valid
  under exactly `oneOf` 23 event schemas, which jsonschema answers by checking all 23; they are
  told apart by the `event` name (a `const` in each), so the one whose name matches decides, and
  an event whose name matches none is rejected, as `oneOf` does. Where the schema is not of that
  shape (another Rasa version), the whole schema is used as Rasa does.
"""

from functools import lru_cache
from typing import Any, Dict, Optional, Text, Tuple

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

RASA_VERSION = "3.6.21"

# Rasa's own (this module is imported before `install()` replaces it).
rasa_validate_action_result = RemoteAction._validate_action_result


def _build(schema: Dict[Text, Any]) -> Any:
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _split_by_event(schema: Dict[Text, Any]) -> Optional[Tuple[Dict[Text, Any], Dict[Text, Dict]]]:
    """(schema without the per-event `oneOf`, {event name: its schema}), or None."""
    try:
        items = schema["properties"]["events"]["items"]
        branches = items["oneOf"]
        names = [branch["properties"]["event"]["const"] for branch in branches]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names):
        return None
    base_items = {key: value for key, value in items.items() if key != "oneOf"}
    outer = {
        **schema,
        "properties": {**schema["properties"], "events": {**schema["properties"]["events"], "items": base_items}},
    }
    return outer, dict(zip(names, branches))


@lru_cache(maxsize=1)
def _validators() -> Tuple[Any, Optional[Dict[Text, Any]]]:
    schema = RemoteAction.action_response_format_spec()
    split = _split_by_event(schema)
    if split is None:
        return _build(schema), None
    outer, branches = split
    _build(schema)  # the schema as a whole is checked once too
    return _build(outer), {name: _build(branch) for name, branch in branches.items()}


def validate_action_result(result: Dict[Text, Any]) -> None:
    """Raises `ValidationError` where Rasa's schema does."""
    outer, by_event = _validators()
    outer.validate(result)
    if by_event is None:
        return
    for event in result.get("events") or []:
        validator = by_event.get(event["event"])
        if validator is None:
            raise ValidationError(
                f"{event['event']!r} is not a known event: it is not valid under any of the given schemas"
            )
        validator.validate(event)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        validate_action_result(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Makes `_validate_action_result` Rasa's; a second call changes nothing."""
    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
