"""Reads the screening's state from a tracker: the validated answers and who they are about."""

from typing import Any, Dict, Optional

from rasa_sdk import Tracker

from referral.registry import registry
from referral.screening.questions import question_ids

REQUESTED_SLOT = "requested_slot"
SCREENING_FORM = "screening_form"


def screening_answers(tracker: Tracker, skip_unvalidated: bool = True) -> Dict[str, Any]:
    """The screening answers given so far, by question id.

    While the form validates an answer, the requested slot briefly holds the raw text the person
    typed; with `skip_unvalidated` that raw text is left out.
    """
    pending = set()
    if skip_unvalidated and tracker.active_loop.get("name") == SCREENING_FORM:
        pending = set(tracker.slots_to_validate()) & {tracker.get_slot(REQUESTED_SLOT)}
    return {
        question_id: tracker.get_slot(question_id)
        for question_id in question_ids()
        if tracker.get_slot(question_id) is not None and question_id not in pending
    }


def voice(tracker: Tracker) -> str:
    """ "self", "other" or "client": whose words the questions and answers use."""
    who = tracker.get_slot("for_whom")
    return who if who in ("self", "other", "client") else "self"


def known_state(tracker: Tracker) -> Optional[str]:
    """The person's state (two-letter code) from the screening or the provider search, if known."""
    for slot in ("location", "search_place"):
        place = tracker.get_slot(slot)
        if isinstance(place, dict) and place.get("state"):
            return place["state"]
    # A state's Medicaid says the state ("masshealth_ffs": Massachusetts).
    return registry().state_of_coverage(tracker.get_slot("coverage"))
