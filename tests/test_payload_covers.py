"""The `covers` and `program_names` fields of the eligibility and providers payloads, and the web
chat's JavaScript free of program names and states (they come from the payloads)."""

import asyncio
import re
from pathlib import Path
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.outcome import ActionScreeningOutcome
from actions.providers import ActionFindProviders
from referral.registry import registry

ROOT = Path(__file__).resolve().parents[1]
WORCESTER = {
    "zip": "01608",
    "town": "Worcester",
    "state": "MA",
    "county": "Worcester County",
    "lat": 42.2624,
    "lon": -71.8003,
}
MASSACHUSETTS_ANSWERS = {
    "for_whom": "self",
    "location": WORCESTER,
    "coverage": "masshealth_managed_care",
    "diagnosis": "mental_health",
    "psych_discharge": 21,
    "er_visits": 3,
    "housing": "housed",
    "justice": "no",
    "access_barriers": "yes",
    "consent": "yes",
}


def said(action, text: str, slots: Dict[str, Any], intent: str) -> List[Dict[str, Any]]:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
    tracker = Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": slots,
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {"forms": {}, "slots": {}}))
    return dispatcher.messages


def card(messages: List[Dict[str, Any]], kind: str) -> Dict[str, Any]:
    return next(m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind)


def test_the_eligibility_card_covers_each_program_outcome_text_exactly():
    messages = said(ActionScreeningOutcome(), "yes", MASSACHUSETTS_ANSWERS, "affirm")
    payload = card(messages, "eligibility")
    texts = [m["text"] for m in messages if m.get("text")]
    # Each program's outcome text, then the next steps (the card lists each program's steps).
    assert len(payload["covers"]) == len(payload["programs"]) + 1 >= 2
    for program, covered in zip(payload["programs"], payload["covers"]):
        assert covered in texts, "a cover is the exact text of a message sent"
        assert covered.startswith(program["name"] + ":")
    steps = payload["covers"][-1]
    assert steps in texts and steps.startswith("What to do next:")
    for program in payload["programs"]:
        assert all(step in steps for step in program["next_steps"])
    assert not any(t.startswith("Thank you") for t in payload["covers"]), "the lead-in is not on the card"


def test_the_provider_card_covers_the_provider_list_text_and_names_the_programs():
    messages = said(
        ActionFindProviders(),
        "find providers",
        {"search_place": WORCESTER, "search_filters": {"offset": 0}},
        "find_providers",
    )
    payload = card(messages, "providers")
    texts = [m["text"] for m in messages if m.get("text")]
    assert len(payload["covers"]) == 1 and payload["covers"][0] in texts
    assert payload["covers"][0].startswith("Here are the nearest")
    assert payload["items"][0]["name"] in payload["covers"][0]
    assert payload["program_names"] == registry().names()
    assert payload["program_names"]["CSP"] == registry().name("CSP")
    # The texts the card does not show again are not covered.
    assert not any("What would you like to do next" in c for c in payload["covers"])


def test_the_web_chat_scripts_spell_no_program_name_and_no_state():
    scripts = sorted((ROOT / "web" / "chat").glob("*.js"))
    assert len(scripts) >= 4, "the widget is a few modules"
    names = {n for p in registry().programs.values() for n in (p.name, p.official_name)}
    states = registry().served_states()
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        for name in names:
            assert name not in source, f"{script.name} spells the program name {name!r}"
        for state in states:
            assert not re.search(rf"""["'`]{state}["'`]""", source), f"{script.name} spells the state {state!r}"
