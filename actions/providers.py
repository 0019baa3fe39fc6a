"""Finding providers: where to look (asked only when not known), then the nearest list.

The directory is loaded once, when the action server starts, so a bad data file stops the start
with the file, line and reason instead of failing in the middle of a conversation.
"""

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_state import known_state
from actions.interruptions import answer_interruption, is_question, state_help_lines
from actions.screening_form import ask_which_place, place_told
from referral.directory import default_directory
from referral.directory.geo import resolve_place
from referral.registry import registry, us_state_names
from referral.screening.answers import parse_answer

DIRECTORY = default_directory()

PAGE_SIZE = 3
PAYLOAD_SIZE = 10
MAX_RETRIES = 2
MORE = re.compile(r"\b(more|next|others?)\b", re.IGNORECASE)
TELEHEALTH = re.compile(r"\b(tele-?health|video|online|virtual|remote|zoom)\b", re.IGNORECASE)


def official_lists(state: Optional[str] = None) -> str:
    """Where the official provider lists are (registry `official_list`), for a state or all."""
    programs = [p for p in registry().programs.values() if state in (None, p.state)]
    return " ".join(dict.fromkeys(p.official_list for p in programs if p.official_list))


def _entity_values(tracker: Tracker, name: str) -> List[Any]:
    return [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name]


def _programs_state(programs: Optional[List[str]]) -> Optional[str]:
    states = registry().states_of(programs or [])
    return states[0] if len(states) == 1 else None


def _resolve(text: str, prefer_state: Optional[str]) -> Dict[Text, Any]:
    match = resolve_place(text, prefer_state=prefer_state)
    if match.status in ("found", "outside"):
        return {"search_place": match.place, "place_candidates": None}
    if match.status == "ambiguous":
        return {"search_place": None, "place_candidates": match.candidates}
    return {"search_place": None}


_SEARCH_WORDS = re.compile(
    r"\b(?:providers?|near|nearby|closest|nearest|find|search|list|where|office|agency|agencies|clinic|"
    r"who offers|located|address|phone|call|contact|team near|proveedor\w*|cerca|d[oó]nde)\b",
    re.IGNORECASE,
)


def _screening_meant(tracker: Tracker, text: str) -> bool:
    """Whether a message taken for a provider search says who the support is for and asks for no
    search ("for my daughter, we're in Springfield"), with no screening done yet."""
    from referral.screening.facts import read_facts

    if text.startswith("/") or _SEARCH_WORDS.search(text) or tracker.get_slot("eligibility") is not None:
        return False
    if tracker.active_loop.get("name"):
        return False
    return "for_whom" in read_facts(text)


class ActionPrepareProviderSearch(Action):
    """Reads what the person asked for: a place, programs, telehealth, a language, or "more"."""

    def name(self) -> Text:
        return "action_prepare_provider_search"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if _screening_meant(tracker, text):
            # "for my daughter, we're in Springfield" to the greeting: who it is for and where,
            # no word of a search: the screening, with both taken.
            from actions.screening_form import ActionStartScreening

            events = await ActionStartScreening().run(dispatcher, tracker, domain)
            return [*events, FollowupAction("screening_form")]
        previous = tracker.get_slot("search_filters") or {}
        wants_more = "next" in _entity_values(tracker, "page") or (
            not text.startswith("/") and MORE.search(text) and not _entity_values(tracker, "place")
        )
        if wants_more and previous and tracker.get_slot("search_place"):
            filters = {**previous, "offset": previous.get("offset", 0) + PAGE_SIZE}
            return [SlotSet("search_filters", filters)]

        programs = [p for p in _entity_values(tracker, "program") if p in registry().programs] or None
        languages = _entity_values(tracker, "language")
        filters = {
            "programs": programs,
            "language": languages[0] if languages else None,
            "telehealth": True if TELEHEALTH.search(text) else None,
            "offset": 0,
        }
        events: List[EventType] = [SlotSet("search_filters", filters), SlotSet("place_candidates", None)]
        places = _entity_values(tracker, "place")
        prefer_state = _programs_state(programs) or known_state(tracker)
        told = [] if places or text.startswith("/") else place_told(text)  # "Im in Danville VA, ..."
        if places:
            resolved = _resolve(str(places[0]), prefer_state)
            events += [SlotSet(key, value) for key, value in resolved.items()]
        elif told:
            events.append(SlotSet("search_place", told[0]))
        elif isinstance(tracker.get_slot("location"), dict):
            events.append(SlotSet("search_place", tracker.get_slot("location")))
        elif not isinstance(tracker.get_slot("search_place"), dict):
            events.append(SlotSet("search_place", None))
        return events


class ActionAskSearchPlace(Action):
    def name(self) -> Text:
        return "action_ask_search_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        candidates = tracker.get_slot("place_candidates")
        if candidates:
            ask_which_place(dispatcher, candidates)
        elif tracker.get_slot("screening_retries"):
            dispatcher.utter_message(
                text="I couldn't find that place. Please type a 5-digit ZIP code (like 01608) or a "
                "town and state (like Brockton, MA or Raleigh, NC).",
                buttons=[{"title": "Stop", "payload": "/stop_screening"}],
            )
        else:
            dispatcher.utter_message(
                text="Where should I look? Type a ZIP code or a city or town.",
                buttons=[{"title": "Stop", "payload": "/stop_screening"}],
            )
        return []


class ValidateProviderSearchForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_provider_search_form"

    async def validate_search_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if not isinstance(value, str) or tracker.get_slot("requested_slot") != "search_place":
            return {"search_place": value, "screening_retries": 0}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or value
        if is_question(text) and answer_interruption(intent, tracker, dispatcher):
            return {"search_place": None}
        filters = tracker.get_slot("search_filters") or {}
        resolved = _resolve(text, _programs_state(filters.get("programs")) or known_state(tracker))
        if resolved.get("search_place") or resolved.get("place_candidates"):
            return {**resolved, "screening_retries": 0}
        if (
            parse_answer("consent", text).value == "not_sure"
            or int(tracker.get_slot("screening_retries") or 0) >= MAX_RETRIES
        ):
            return {"search_place": "unknown", "screening_retries": 0}
        return {"search_place": None, "screening_retries": int(tracker.get_slot("screening_retries") or 0) + 1}


def programs_to_search(tracker: Tracker, filters: Dict[str, Any], state: str) -> List[str]:
    """Programs asked for, else those the screening found likely or possible, else the state's."""
    offered = list(registry().programs_in(state))
    asked = [p for p in filters.get("programs") or [] if p in offered]
    if asked:
        return asked
    eligibility = tracker.get_slot("eligibility") or {}
    matching = [
        p["id"] for p in eligibility.get("programs", []) if p["status"] in ("likely", "possible") and p["id"] in offered
    ]
    return matching or offered


def provider_line(number: int, item: Dict[str, Any]) -> str:
    parts = [f"{number}. {item['name']}: {item['distance_miles']} miles, in {item['town']}, {item['state']}"]
    if item.get("phone"):
        parts.append(f"   Phone: {item['phone']}")
    offers = ", ".join(item["programs"])
    extras = [offers]
    if item.get("telehealth"):
        extras.append("telehealth")
    if item.get("languages"):
        extras.append("speaks " + ", ".join(item["languages"]))
    parts.append("   Offers: " + "; ".join(extras))
    return "\n".join(parts)


class ActionFindProviders(Action):
    """Lists the nearest providers: top three in text, the full list in the `providers` payload."""

    def name(self) -> Text:
        return "action_find_providers"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        place = tracker.get_slot("search_place")
        filters = tracker.get_slot("search_filters") or {}
        buttons = [
            {"title": "Search another place", "payload": "/find_providers"},
            {"title": "Talk to a person", "payload": "/human_handoff"},
        ]
        if not isinstance(place, dict):
            dispatcher.utter_message(
                text="I couldn't find that place, so I can't sort providers by distance. "
                + official_lists()
                + "\n"
                + "\n".join(_help_lines(None)),
                buttons=buttons,
            )
            return [SlotSet("search_place", None)]
        state = place.get("state")
        where = ", ".join(p for p in (place.get("town"), state) if p)
        if state not in registry().states:
            dispatcher.utter_message(
                text=f"These programs are offered in {_offered_where()}, not in {where}. For help "
                "where you are, call or text 988, or look for treatment at FindTreatment.gov.",
                buttons=buttons,
            )
            return [SlotSet("search_place", None)]

        programs = programs_to_search(tracker, filters, state)
        asked_elsewhere = [p for p in filters.get("programs") or [] if p not in registry().programs_in(state)]
        offset = int(filters.get("offset") or 0)
        result = DIRECTORY.nearest(
            place["lat"],
            place["lon"],
            programs=programs,
            telehealth=filters.get("telehealth"),
            language=filters.get("language"),
            state=state,
            limit=PAYLOAD_SIZE,
            offset=offset,
        )
        names = " or ".join(programs)
        if asked_elsewhere:
            dispatcher.utter_message(
                text=f"{', '.join(asked_elsewhere)} is not offered in {state}. Here is what is offered there."
            )
        covers: List[str] = []  # the texts the card shows again (our web chat shows them once)
        if result.items:
            heading = f"Here are the nearest {names} providers to {where}"
            if filters.get("language"):
                heading += f" who speak {filters['language']}"
            if filters.get("telehealth"):
                heading += " with telehealth"
            lines = [heading + ":"]
            lines += [provider_line(offset + i + 1, item) for i, item in enumerate(result.items[:PAGE_SIZE])]
            covers.append("\n".join(lines))
            dispatcher.utter_message(text=covers[-1])
            if result.widened and offset == 0:
                dispatcher.utter_message(
                    text=f"There are fewer than 3 within 25 miles. The nearest is about "
                    f"{result.nearest_distance_miles} miles away."
                )
        else:
            dispatcher.utter_message(
                text=f"I couldn't find {names} providers in my list that match, even farther away."
                if offset == 0
                else "That's everyone on my list that matches."
            )
        telehealth = [t for t in (result.telehealth_in_state or []) if t["id"] not in {i["id"] for i in result.items}]
        if (result.widened or not result.items) and telehealth:
            dispatcher.utter_message(
                text="These providers in your state also offer telehealth (video or phone):\n"
                + "\n".join(f"- {t['name']}: {t.get('phone') or 'see their website'}" for t in telehealth[:PAGE_SIZE])
            )
        if offset == 0:
            dispatcher.utter_message(text=self._how_to_contact(programs, state))
        if result.items:
            dispatcher.utter_message(
                json_message={
                    "type": "providers",
                    "near": {"zip": place.get("zip"), "town": place.get("town"), "state": state},
                    "items": result.items,
                    "program_names": registry().names(),
                    "covers": covers,
                }
            )
        if result.has_more:
            buttons.insert(0, {"title": "Show more", "payload": '/find_providers{"page": "next"}'})
        if not filters.get("telehealth"):
            buttons.insert(1, {"title": "Telehealth only", "payload": "find providers with telehealth"})
        dispatcher.utter_message(text="What would you like to do next?", buttons=buttons)
        return []

    @staticmethod
    def _how_to_contact(programs: List[str], state: str) -> str:
        """How to get started with the programs listed (registry `how_to_apply`), the providers
        the directory names without an address, and where the official lists are."""
        entries = [registry().programs[p] for p in programs if p in registry().programs]
        parts = list(dict.fromkeys(p.how_to_apply for p in entries))
        unlocated = [p.name for p in DIRECTORY.unlocated(programs)]
        if unlocated:
            parts.append("Other providers include " + ", ".join(unlocated) + ".")
        parts += list(dict.fromkeys(p.official_list for p in entries if p.official_list))
        return " ".join(parts)


def _offered_where() -> str:
    """ "Massachusetts (CSP, CSP-HI, CSP-JI) and North Carolina (CST)", from the registry."""
    reg, names = registry(), us_state_names()
    places = [
        f"{names.get(s, s)} ({', '.join(reg.programs[p].short_name for p in reg.programs_in(s))})"
        for s in reg.served_states()
    ]
    return " and ".join([", ".join(places[:-1]), places[-1]]) if len(places) > 1 else places[0]


def _help_lines(state: Optional[str]) -> List[str]:
    from actions.interruptions import resource_line

    return [resource_line(r) for r in state_help_lines(state)]
