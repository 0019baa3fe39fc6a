"""Unit tests of the custom actions: built from tracker dicts, asserting on what the bot says and sets."""

import asyncio
import logging
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.outcome import ActionScreeningOutcome
from actions.providers import ActionFindProviders, ActionPrepareProviderSearch
from actions.screening_form import ActionStartScreening, ValidateScreeningForm
from actions.support import ActionCrisisResponse

WORCESTER = {
    "zip": "01608",
    "town": "Worcester",
    "state": "MA",
    "county": "Worcester County",
    "lat": 42.2624,
    "lon": -71.8003,
}
DOMAIN = {
    "forms": {
        "screening_form": {
            "required_slots": [
                "for_whom",
                "location",
                "coverage",
                "age",
                "diagnosis",
                "psych_discharge",
                "er_visits",
                "housing",
                "move_in",
                "justice",
                "access_barriers",
                "daily_living",
                "consent",
            ]
        },
        "safety_check_form": {"required_slots": ["safety_answer"]},
    },
    "slots": {},
}


def make_tracker(
    text: str,
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "inform",
    confidence: float = 0.95,
    entities: Optional[List[Dict[str, Any]]] = None,
    filled_now: Optional[Dict[str, Any]] = None,
    form: Optional[str] = "screening_form",
    extra_message: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker as the action server receives it. `filled_now`: slots set from this message."""
    slots = dict(slots or {})
    slots.update(filled_now or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    latest.update(extra_message or {})
    events = [{"event": "user", "text": text, "parse_data": latest}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (filled_now or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": slots,
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": form} if form else {},
            "latest_action_name": "action_listen",
        }
    )


def place_entities(text: str, *values: str) -> List[Dict[str, Any]]:
    """The NLU's place entities for place names said in `text` (each found where it is said)."""
    return [{"entity": "place", "value": v, "start": text.index(v), "end": text.index(v) + len(v)} for v in values]


def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def validate(slot: str, text: str, slots: Optional[Dict[str, Any]] = None, **kwargs):
    tracker = make_tracker(text, {**(slots or {}), "requested_slot": slot}, filled_now={slot: text}, **kwargs)
    return run(ValidateScreeningForm(), tracker)


def texts(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_typed_answer_is_understood_and_kept():
    _, slots = validate("psych_discharge", "about 3 weeks ago", {"for_whom": "self", "location": WORCESTER})
    assert slots["psych_discharge"] == 21
    assert slots["requested_slot"] == "coverage", "the next unanswered question is asked"


def test_town_in_both_states_asks_which_one():
    _, slots = validate("location", "Franklin", {"for_whom": "self"})
    assert slots["location"] is None
    assert {c["state"] for c in slots["place_candidates"]} >= {"MA", "NC"}


def test_unclear_answer_is_asked_again_then_taken_as_not_sure():
    base = {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_unsure"}
    _, first = validate("diagnosis", "purple", base)
    assert first["diagnosis"] is None and first["screening_retries"] == 1
    messages, third = validate("diagnosis", "purple", {**base, "screening_retries": 2})
    assert third["diagnosis"] == "not_sure"
    assert "not sure" in texts(messages)


def test_go_back_clears_the_previous_answer():
    base = {"for_whom": "self", "location": WORCESTER}
    _, slots = validate("coverage", "go back", base, intent="go_back")
    assert slots["location"] is None and slots["requested_slot"] == "location"


def test_change_answer_about_a_named_question():
    base = {
        "for_whom": "self",
        "location": WORCESTER,
        "coverage": "masshealth_unsure",
        "diagnosis": "mental_health",
        "psych_discharge": "no",
        "er_visits": 2,
    }
    entities = [{"entity": "question", "value": "er_visits"}]
    _, slots = validate(
        "housing", "change my answer about the ER visits", base, intent="change_answer", entities=entities
    )
    assert slots["er_visits"] is None and slots["requested_slot"] == "er_visits"
    assert "coverage" not in slots, "other answers are kept"


def test_program_question_mid_screening_is_answered_and_the_question_stays():
    selector = {"response_selector": {"faq": {"response": {"utter_action": "utter_faq/csp_ji"}}}}
    messages, slots = validate(
        "coverage", "what is CSP-JI?", {"for_whom": "self", "location": WORCESTER}, intent="faq", extra_message=selector
    )
    assert messages[0]["response"] == "utter_faq/csp_ji"
    assert slots["coverage"] is None and slots["requested_slot"] == "coverage"
    assert slots["screening_retries"] == 1, "a question in between counts toward the three times"


def test_the_same_question_comes_back_at_most_three_times_even_with_questions_in_between():
    selector = {"response_selector": {"faq": {"response": {"utter_action": "utter_faq/csp_ji"}}}}
    messages, slots = validate(
        "housing", "what is CSP-JI?", {"for_whom": "self", "screening_retries": 2}, intent="faq", extra_message=selector
    )
    assert slots["housing"] == "not_sure" and slots["screening_retries"] == 0
    assert "not sure" in texts(messages)


def test_first_message_about_a_brother_sets_family_wording():
    tracker = make_tracker(
        "my brother keeps ending up in the ER because of his drinking", intent="check_eligibility", form=None
    )
    _, slots = run(ActionStartScreening(), tracker)
    assert slots["for_whom"] == "other" and slots["relation"] == "brother"


def massachusetts_answers(**changes):
    answers = {
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
    answers.update(changes)
    return answers


def test_outcome_sends_the_eligibility_payload_and_never_decides():
    messages, slots = run(ActionScreeningOutcome(), make_tracker("yes", massachusetts_answers(), form=None))
    payload = next(m["custom"] for m in messages if m.get("custom", {}).get("type") == "eligibility")
    assert {p["id"]: p["status"] for p in payload["programs"]}["CSP"] == "likely"
    assert slots["eligibility"] == payload
    assert "provider makes the final decision" in texts(messages)
    assert "Screening summary" not in texts(messages)


def test_outreach_worker_gets_a_summary_to_copy():
    messages, _ = run(
        ActionScreeningOutcome(), make_tracker("yes", massachusetts_answers(for_whom="client"), form=None)
    )
    assert "Screening summary" in texts(messages) and "Worcester" in texts(messages)


def test_no_consent_is_unlikely_and_says_why():
    messages, _ = run(ActionScreeningOutcome(), make_tracker("no", massachusetts_answers(consent="no"), form=None))
    payload = next(m["custom"] for m in messages if m.get("custom"))
    assert all(p["status"] == "unlikely" for p in payload["programs"])


def test_crisis_response_has_the_massachusetts_line_and_logs_no_text(caplog):
    caplog.set_level(logging.DEBUG)
    secret = "I want to kill myself, my name is Jane Roe"
    tracker = make_tracker(secret, {"location": WORCESTER}, intent="crisis", confidence=1.0)
    messages, _ = run(ActionCrisisResponse(), tracker)
    payload = next(m["custom"] for m in messages if m.get("custom"))
    phones = " ".join(r["phone"] for r in payload["resources"])
    assert payload["type"] == "crisis" and "988" in phones and "833-773-2445" in phones
    assert "988" in texts(messages[:1]), "crisis help comes first"
    assert "Jane" not in caplog.text and "kill" not in caplog.text
    assert "Crisis answer shown" in caplog.text


def run_events(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def crisis_message(text: str, **signal):
    info = {
        "answer": "crisis",
        "kind": "suicide",
        "about": "self",
        "lang": "en",
        "danger_now": False,
        "relation": "",
        "spans": [[0, len(text)]],
        **signal,
    }
    return {"crisis": info}


def risk_tracker(text: str, open_question: str, **signal) -> Tracker:
    """A message the crisis layer read as a risk signal while `open_question` was open."""
    extra = crisis_message(text, **{"answer": "ask", **signal})
    return make_tracker(
        text, {"requested_slot": open_question}, intent="risk_signal", confidence=1.0, extra_message=extra
    )


def test_crisis_response_fits_the_resources_to_an_overdose():
    text = "i took 30 of my pills"
    tracker = make_tracker(
        text, {}, intent="crisis", confidence=1.0, form=None, extra_message=crisis_message(text, kind="overdose")
    )
    messages, _ = run(ActionCrisisResponse(), tracker)
    payload = next(m["custom"] for m in messages if m.get("custom"))
    assert "1-800-222-1222" in [r["phone"] for r in payload["resources"]]
    assert "Poison Help" in texts(messages)


def test_crisis_response_keeps_the_answer_given_outside_the_crisis_sentence():
    text = "I live in Worcester, MA. I took all my pills an hour ago."
    tracker = make_tracker(
        text,
        {"for_whom": "self", "requested_slot": "location"},
        intent="crisis",
        confidence=1.0,
        extra_message=crisis_message(text, kind="overdose", spans=[[25, len(text)]]),
    )
    _, slots = run(ActionCrisisResponse(), tracker)
    assert slots["location"]["town"] == "Worcester" and slots["location"]["state"] == "MA"


def test_crisis_words_are_never_read_as_the_answer():
    text = "I took all my pills an hour ago."
    tracker = make_tracker(
        text,
        {"for_whom": "self", "requested_slot": "psych_discharge"},
        intent="crisis",
        confidence=1.0,
        extra_message=crisis_message(text, kind="overdose"),
    )
    _, slots = run(ActionCrisisResponse(), tracker)
    assert "psych_discharge" not in slots


def test_safety_question_remembers_the_open_form_and_asks_directly():
    from actions.support import ActionAskSafetyAnswer, ActionSafetyQuestion

    text = "i gave my cat away, i won't need her"
    tracker = risk_tracker(text, "age")
    _, slots = run(ActionSafetyQuestion(), tracker)
    assert slots["safety_check"]["resume"] == "screening_form" and "safety_answer" not in slots
    asking = make_tracker(text, {"safety_check": slots["safety_check"]}, form="safety_check_form")
    messages, _ = run(ActionAskSafetyAnswer(), asking)
    assert "Are you thinking about killing yourself?" in texts(messages)
    assert {"type": "crisis_check", "about": "self"} in [m.get("custom") for m in messages]


def test_safety_answer_no_thanks_and_goes_back_to_the_screening():
    from actions.support import ActionSafetyAnswer

    check = {"kind": "suicide", "about": "self", "lang": "en", "resume": "screening_form"}
    tracker = make_tracker("no", {"safety_check": check, "safety_answer": "no"}, intent="deny", form=None)
    messages, events = run_events(ActionSafetyAnswer(), tracker)
    assert "Thank you for telling me" in texts(messages) and "988" in texts(messages)
    assert not any((m.get("custom") or {}).get("type") == "crisis" for m in messages)
    assert {"event": "followup", "name": "screening_form"} in [{k: e.get(k) for k in ("event", "name")} for e in events]


def test_safety_answer_yes_about_someone_else_brings_help_in_their_words():
    from actions.support import ActionSafetyAnswer

    check = {"kind": "suicide", "about": "other", "relation": "sister", "lang": "en", "resume": None}
    tracker = make_tracker("yes", {"safety_check": check, "safety_answer": "yes"}, intent="affirm", form=None)
    messages, _ = run_events(ActionSafetyAnswer(), tracker)
    assert "If your sister is in danger right now, call 911" in texts(messages)
    assert any((m.get("custom") or {}).get("type") == "crisis" for m in messages)


def test_providers_near_worcester_nearest_first():
    tracker = make_tracker(
        "find providers",
        {"search_place": WORCESTER, "search_filters": {"offset": 0}},
        intent="find_providers",
        form=None,
    )
    messages, _ = run(ActionFindProviders(), tracker)
    payload = next(m["custom"] for m in messages if m.get("custom"))
    distances = [item["distance_miles"] for item in payload["items"]]
    assert payload["type"] == "providers" and distances == sorted(distances)
    assert payload["items"][0]["name"] in texts(messages)


def test_show_more_moves_to_the_next_page():
    tracker = make_tracker(
        "show more", {"search_place": WORCESTER, "search_filters": {"offset": 0}}, intent="find_providers", form=None
    )
    _, slots = run(ActionPrepareProviderSearch(), tracker)
    assert slots["search_filters"]["offset"] == 3


@pytest.mark.parametrize("language", ["Spanish", "Portuguese"])
def test_language_filter_is_applied(language):
    tracker = make_tracker(
        f"someone who speaks {language}",
        {"search_place": WORCESTER, "search_filters": {"offset": 0, "language": language}},
        intent="find_providers",
        form=None,
    )
    messages, _ = run(ActionFindProviders(), tracker)
    payload = next((m["custom"] for m in messages if m.get("custom")), None)
    assert payload and all(language in item["languages"] for item in payload["items"])


# --- "yes" and "no" to what the last message offered -------------------------------------------

PROVIDERS_OFFER = [
    {"title": "Show providers near me", "payload": "/find_providers"},
    {"title": "Ask a question", "payload": "/help"},
]
NEXT_OFFER = [
    {"title": "Check if a program may fit", "payload": "/check_eligibility"},
    {"title": "Find providers", "payload": "/find_providers"},
]


def answer_to(buttons, text: str, intent: str):
    from actions.support import ActionDefaultFallback

    tracker = make_tracker(text, intent=intent, form=None)
    tracker.events[:0] = [
        {"event": "user", "text": "earlier"},
        {"event": "bot", "text": "Would you like ...?", "data": {"buttons": buttons}},
    ]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages, events


def test_yes_to_the_offer_of_providers_starts_the_provider_search():
    messages, events = answer_to(PROVIDERS_OFFER, "yes please", "affirm")
    assert messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "action_prepare_provider_search"}]


def test_no_to_the_offer_of_providers_is_answered_kindly_with_ways_on():
    messages, events = answer_to(PROVIDERS_OFFER, "no thanks", "deny")
    assert events == [] and "Okay" in texts(messages)
    assert "not sure I understood" not in texts(messages)
    assert messages[-1]["buttons"]


def test_yes_to_a_choice_of_two_asks_which():
    messages, events = answer_to(NEXT_OFFER, "yes", "affirm")
    assert events == [] and "Which would you like?" in texts(messages)
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/check_eligibility", "/find_providers"]


def test_yes_with_nothing_offered_gets_the_help_fallback():
    messages, _ = answer_to([], "yes", "affirm")
    assert "not sure I understood" in texts(messages)


def test_the_safety_form_reads_no_reply_before_its_question_is_asked():
    from actions.support import ValidateSafetyCheckForm

    text = "i wish i could sleep and not wake up"
    tracker = make_tracker(
        text,
        {"requested_slot": None},
        intent="risk_signal",
        form=None,
        extra_message=crisis_message(text, answer="ask"),
        filled_now={"safety_answer": None},
    )
    _, slots = run(ValidateSafetyCheckForm(), tracker)
    assert slots.get("safety_answer") is None
    asked = make_tracker(
        "no",
        {"requested_slot": "safety_answer"},
        intent="deny",
        form="safety_check_form",
        filled_now={"safety_answer": "no"},
    )
    _, slots = run(ValidateSafetyCheckForm(), asked)
    assert slots["safety_answer"] == "no"


def test_a_crisis_about_someone_unnamed_uses_who_the_screening_is_for():
    text = "she's been cutting again"
    tracker = make_tracker(
        text,
        {"for_whom": "other", "relation": "daughter", "requested_slot": "coverage"},
        intent="crisis",
        confidence=1.0,
        extra_message=crisis_message(text, kind="self_harm", about="other"),
    )
    messages, _ = run(ActionCrisisResponse(), tracker)
    assert "your daughter" in texts(messages)


def test_yes_or_no_right_after_crisis_help_is_met_kindly():
    from actions.support import ActionDefaultFallback

    crisis_turn = {"event": "bot", "text": "help", "data": {"custom": {"type": "crisis", "resources": []}}}
    tracker = Tracker.from_dict(
        {
            "sender_id": "t",
            "slots": {},
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_message": {"text": "no", "intent": {"name": "deny", "confidence": 0.9}, "entities": []},
            "events": [
                {"event": "user", "text": "i was on the roof"},
                crisis_turn,
                {"event": "user", "text": "no", "parse_data": {"intent": {"name": "deny"}}},
            ],
        }
    )
    messages, _ = run(ActionDefaultFallback(), tracker)
    assert "I'm still here" in texts(messages) and "988" in texts(messages)
    assert "not sure I understood" not in texts(messages)


def test_after_a_spanish_crisis_answer_the_buttons_are_spanish_too():
    text = "ya no quiero vivir"
    tracker = make_tracker(
        text,
        {},
        intent="crisis",
        confidence=1.0,
        form=None,
        extra_message=crisis_message(text, lang="es", spanish_too=True),
    )
    messages, _ = run(ActionCrisisResponse(), tracker)
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert "Buscar proveedores" in titles and "Find providers" not in titles
    assert "Tu seguridad es lo primero" in texts(messages)


BEFORE_ACCESS = {
    "for_whom": "client",
    "location": WORCESTER,
    "coverage": "masshealth_unsure",
    "diagnosis": "mental_health",
    "psych_discharge": "no",
    "er_visits": 1,
    "housing": "housed",
    "justice": "no",
}


def test_a_correction_while_a_yes_no_question_is_open_corrects_and_does_not_answer_it():
    messages, slots = validate("access_barriers", "no wait, it was 2 visits. 10/9 and 11/16", BEFORE_ACCESS)
    assert slots["er_visits"] == 2
    assert slots["access_barriers"] is None, "the 'no' of 'no wait' is no answer to the open question"


def test_consent_said_in_its_own_words_to_another_yes_no_question_is_consent():
    slots_before = {k: v for k, v in BEFORE_ACCESS.items() if k != "justice"}
    _, slots = validate("justice", "yes, I want this support and I agree to take part", slots_before)
    assert slots["consent"] == "yes" and slots["justice"] is None


def test_a_plain_yes_still_answers_the_open_yes_no_question():
    slots_before = {k: v for k, v in BEFORE_ACCESS.items() if k != "justice"}
    _, slots = validate("justice", "yes, he's on probation", slots_before)
    assert slots["justice"] == "yes" and "consent" not in slots


def test_an_amount_with_back_in_it_is_an_answer_not_go_back():
    base = {k: v for k, v in BEFORE_ACCESS.items() if k not in ("er_visits", "housing", "justice")}
    _, slots = validate("er_visits", "once, back in October", base, intent="go_back")
    assert slots["er_visits"] == 1 and "psych_discharge" not in slots


def test_the_greeting_asks_who_the_support_is_for_with_the_question_payload():
    import yaml

    from referral.eligibility.engine import questions_that_matter

    greet = yaml.safe_load(open("domain.yml", encoding="utf-8"))["responses"]["utter_greet"][0]
    assert greet["text"].rstrip().endswith("Who is the support for?")
    assert greet["custom"] == {"type": "question", "id": "for_whom", "step": 1, "of": len(questions_that_matter({}))}


def test_medicaid_said_before_the_place_is_that_state_s_medicaid_once_the_place_is_known():
    salisbury = {"zip": "28144", "town": "Salisbury", "state": "NC", "lat": 35.67, "lon": -80.47}
    messages, slots = validate(
        "location", salisbury, {"for_whom": "client", "coverage_needs_state": True, "place_candidates": None}
    )
    assert slots["coverage"] == "nc_medicaid"
    assert "NC Medicaid" in texts(messages)
    _, without = validate("location", salisbury, {"for_whom": "client"})
    assert "coverage" not in without


def test_a_greeting_that_says_who_it_is_for_starts_the_questions():
    from actions.screening_form import ActionGreet

    tracker = make_tracker("hi i need help for my son", intent="greet", form=None)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionGreet().run(dispatcher, tracker, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["for_whom"] == "other" and slots["relation"] == "son"
    assert any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)

    plain = make_tracker("hello", intent="greet", form=None)
    dispatcher = CollectingDispatcher()
    assert asyncio.run(ActionGreet().run(dispatcher, plain, DOMAIN)) == []
    assert dispatcher.messages[0]["response"] == "utter_greet"


def test_an_answer_read_as_a_risk_is_taken_when_the_person_says_they_are_safe():
    from actions.support import ActionSafetyAnswer, ActionSafetyQuestion

    text = "my friend"
    tracker = risk_tracker(text, "for_whom", about="other")
    _, slots = run(ActionSafetyQuestion(), tracker)
    assert "for_whom" not in slots, "nothing is taken before the person answers the safety question"
    check = slots["safety_check"]
    assert check["answer_if_safe"] == {"for_whom": "other", "screening_retries": 0, "relation": "friend"}

    safe = make_tracker("no", {"safety_check": check, "safety_answer": "no"}, intent="deny", form=None)
    _, after_no = run(ActionSafetyAnswer(), safe)
    assert after_no["for_whom"] == "other" and after_no["relation"] == "friend"

    unsure = make_tracker(
        "not sure", {"safety_check": check, "safety_answer": "not_sure"}, intent="not_sure", form=None
    )
    _, after_unsure = run(ActionSafetyAnswer(), unsure)
    assert "for_whom" not in after_unsure


def test_a_crisis_answer_mid_screening_counts_toward_the_three_times():
    text = "my best friend, she's right here with me"
    signal = crisis_message(text, about="other")
    first = make_tracker(text, {"requested_slot": "for_whom"}, intent="crisis", confidence=1.0, extra_message=signal)
    _, slots = run(ActionCrisisResponse(), first)
    assert slots["screening_retries"] == 1 and "for_whom" not in slots
    third = make_tracker(
        text,
        {"requested_slot": "for_whom", "screening_retries": 2},
        intent="crisis",
        confidence=1.0,
        extra_message=signal,
    )
    _, slots = run(ActionCrisisResponse(), third)
    assert slots["for_whom"] == "not_sure", "then the screening goes on: never a loop"


def test_the_safety_question_takes_no_part_of_the_message_before_the_reply():
    from actions.support import ActionSafetyQuestion

    text = "No. He says he doesn't want it. He gets angry when I bring it up. I want it for him, but he says no."
    risky = text.index("He gets angry")
    tracker = risk_tracker(text, "consent", about="other", spans=[[risky, risky + 42]])
    _, slots = run(ActionSafetyQuestion(), tracker)
    assert "consent" not in slots, "'I want it for him' outside the risky sentence is no 'yes'"
    assert slots["safety_check"]["answer_if_safe"]["consent"] == "no"


def test_a_place_said_as_a_past_one_is_not_where_the_person_lives():
    from actions.screening_form import said_places

    text = "i was in fall river but im in providence now at the shelter"
    entities = place_entities(text, "fall river", "providence")
    places = said_places(make_tracker(text, entities=entities, form=None))
    # Providence is a city in RI and a village in NC (asked which); Fall River is where the person
    # was, never taken for where they are.
    assert places == []

    text = "we used to live in fall river, now we are in worcester"
    entities = place_entities(text, "fall river", "worcester")
    assert said_places(make_tracker(text, entities=entities, form=None))[0]["town"] == "Worcester"

    text = "she lives in Nashua but works in Lowell MA"
    entities = place_entities(text, "Nashua", "Lowell MA")
    # The NLU finds no Nashua (outside the states served); Lowell is where she works, and the
    # words say where she lives: Nashua, NH.
    places = said_places(make_tracker(text, entities=entities[1:], form=None))
    assert [(p["town"], p["state"]) for p in places] == [("Nashua", "NH")]


def test_stop_in_an_answer_is_the_answer_and_stop_alone_stops():
    from actions.support import ActionStopScreening

    base = {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_unsure", "requested_slot": "diagnosis"}
    tracker = make_tracker("yes, bipolar. and alcohol before, now I stop", base, intent="stop_screening")
    messages, events = run_events(ActionStopScreening(), tracker)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["diagnosis"] == "both" and not messages
    assert any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)

    for text in ("stop", "sorry, he just came home and I can't do this now, I need to stop"):
        messages, events = run_events(ActionStopScreening(), make_tracker(text, base, intent="stop_screening"))
        assert "stopped the questions" in texts(messages), text


def test_me_to_the_greeting_s_question_is_who_the_support_is_for():
    tracker = make_tracker("me", intent="check_eligibility", form=None)
    _, slots = run(ActionStartScreening(), tracker)
    assert slots["for_whom"] == "self"


def test_a_correction_said_with_no_wait_corrects_even_when_the_intent_is_go_back():
    messages, slots = validate("justice", "no wait, it was 2 visits", BEFORE_ACCESS, intent="go_back")
    assert slots["er_visits"] == 2 and slots["justice"] is None
    assert "change the answer" not in texts(messages)


def test_a_town_in_two_states_is_settled_by_a_coverage_of_one_of_them():
    from referral.directory.geo import resolve_place

    candidates = resolve_place("Lowell").candidates
    assert {c["state"] for c in candidates} >= {"MA", "NC"}
    _, slots = validate("location", "he has MassHealth", {"for_whom": "other", "place_candidates": candidates})
    assert slots["location"]["state"] == "MA" and slots["coverage"] == "masshealth_unsure"


def test_a_safety_question_counts_toward_the_three_times_its_question_may_come_back():
    from actions.support import ActionSafetyAnswer, ActionSafetyQuestion

    text = "the purple ones in the morning, my cousin gave me the idea"
    tracker = risk_tracker(text, "diagnosis")
    tracker.slots["screening_retries"] = 2
    _, slots = run(ActionSafetyQuestion(), tracker)
    check = slots["safety_check"]
    assert check["count"] == {"diagnosis": "not_sure", "screening_retries": 0, "ask_back": None}
    for reply in ("no", "not_sure"):
        safe = make_tracker(reply, {"safety_check": check, "safety_answer": reply}, form=None)
        _, after = run(ActionSafetyAnswer(), safe)
        assert after["diagnosis"] == "not_sure", "the third time: not sure, and the screening goes on"
