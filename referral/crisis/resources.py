"""Crisis resources from resources.yml, in the shape of the `crisis` custom payload.

`resources_for(state)` is the everyday set (988, the state's line, 911); `resources_for_kind`
fits them to the kind of crisis with the order in answers.yml (911 first for danger now, Poison
Help for an overdose, the Domestic Violence Hotline for violence at home).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from referral.registry import program_file, registry, us_state_names

ANSWERS_FILE = Path(__file__).with_name("answers.yml")
EMERGENCY_ID = "emergency_911"  # shown last in the everyday set: after the lines people can talk to
LIFELINE_ID = "lifeline_988"
STATE_LINE = "state_line"  # in answers.yml: the person's state line, or every state's line


@lru_cache(maxsize=1)
def all_resources() -> List[Dict[str, Any]]:
    """Every resource in the data file, in file order."""
    data = yaml.safe_load(program_file("resources.yml").read_text(encoding="utf-8"))
    return data["resources"]


@lru_cache(maxsize=1)
def answers_data() -> Dict[str, Any]:
    """answers.yml: resource order by kind, the words, the cues."""
    return yaml.safe_load(ANSWERS_FILE.read_text(encoding="utf-8"))


def _state_code(state: Optional[str]) -> Optional[str]:
    if not state:
        return None
    cleaned = state.strip()
    by_name = {name.lower(): code for code, name in us_state_names().items()}
    return by_name.get(cleaned.lower(), cleaned.upper())


def _by_id(resource_id: str) -> Dict[str, Any]:
    return next(r for r in all_resources() if r["id"] == resource_id)


def resource_by_id(resource_id: str) -> Dict[str, Any]:
    """One resource of resources.yml (a copy)."""
    return copy.deepcopy(_by_id(resource_id))


def state_lines(state: Optional[str]) -> List[Dict[str, Any]]:
    """The state's own lines (the help lines of its programs in the registry); every served
    state's lines when the state is unknown or not served."""
    return [_by_id(line) for line in registry().help_lines(_state_code(state))]


def resources_for(state: Optional[str]) -> List[Dict[str, Any]]:
    """988, the state's own line when the state is served, then 911: payload dicts with
    `name`, `phone`, `text`, `url` (plus `where`, `tel`, `sms`, `how`, `source`...)."""
    code = _state_code(state)
    state_line = state_lines(code) if code in registry().states else []
    chosen = [_by_id(LIFELINE_ID)] + state_line + [_by_id(EMERGENCY_ID)]
    # Copies: callers put these in messages and may change them.
    return [copy.deepcopy(r) for r in chosen]


def resources_for_kind(kind: str, state: Optional[str], danger_now: bool = False) -> List[Dict[str, Any]]:
    """The resources for one kind of crisis, in the order answers.yml gives, 911 first for danger now."""
    order = answers_data()["kinds"].get(kind) or answers_data()["kinds"]["suicide"]
    chosen: List[Dict[str, Any]] = []
    for resource_id in order:
        for resource in state_lines(state) if resource_id == STATE_LINE else [_by_id(resource_id)]:
            if resource not in chosen:
                chosen.append(resource)
    if danger_now:
        first = _by_id(answers_data()["danger_now_first"])
        chosen = [first] + [r for r in chosen if r is not first]
    return [copy.deepcopy(r) for r in chosen]
