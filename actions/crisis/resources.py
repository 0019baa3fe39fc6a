"""Crisis resources from resources.yml, in the shape of the `crisis` custom payload.

988 and 911 are for everyone; the state's own line is added for Massachusetts or North Carolina.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

RESOURCES_FILE = Path(__file__).with_name("resources.yml")

STATE_NAMES = {"massachusetts": "MA", "north carolina": "NC"}
EMERGENCY_ID = "emergency_911"  # shown last: after the lines people can talk to


@lru_cache(maxsize=1)
def all_resources() -> List[Dict[str, Any]]:
    """Every resource in the data file, in file order."""
    data = yaml.safe_load(RESOURCES_FILE.read_text(encoding="utf-8"))
    return data["resources"]


def _state_code(state: Optional[str]) -> Optional[str]:
    if not state:
        return None
    cleaned = state.strip()
    return STATE_NAMES.get(cleaned.lower(), cleaned.upper())


def resources_for(state: Optional[str]) -> List[Dict[str, Any]]:
    """988, the state's line (MA or NC) when known, then 911: payload dicts with
    `name`, `phone`, `text`, `url` (plus `where`, `tel`, `sms`, `how`, `source`...)."""
    code = _state_code(state)
    resources = all_resources()
    lifeline = [r for r in resources if r["where"] == "US" and r["id"] != EMERGENCY_ID]
    state_lines = [r for r in resources if code and r["where"] == code]
    emergency = [r for r in resources if r["id"] == EMERGENCY_ID]
    # Copies: callers put these in messages and may change them.
    return [copy.deepcopy(r) for r in lifeline + state_lines + emergency]
