"""Kinds of misreading found by blind round 11 (scored once on 727c18b, before these fixes):
grandparents and older relatives writing through a phone's translation app; discharge planners'
shorthand, veterans, people answering with a question, exact-date correctors. Each test is the kind
in our own words, not a line of their sets."""

from datetime import date

from actions.screening_form import said_places
from actions.support import ActionCrisisResponse, ActionDefaultFallback, ActionSafetyQuestion
from referral.directory.geo import resolve_place
from referral.screening.answers import parse_answer
from referral.screening.facts import read_facts
from tests.test_actions import crisis_message, make_tracker, place_entities, run, run_events, texts

TODAY = date(2026, 12, 3)


def value(question_id: str, text: str, **context):
    return parse_answer(question_id, text, today=TODAY, context=context).value


def facts(text: str) -> dict:
    return read_facts(text, today=TODAY)


# ---- wrong "likely"s


def test_a_doubt_about_coverage_anywhere_in_a_story_takes_no_coverage():
    story = "The nurse said the program goes through MassHealth, but honestly I don't know if I still have MassHealth."
    assert "coverage" not in facts(story)
    assert facts("I'm on MassHealth and I need help for my depression")["coverage"] == "masshealth_unsure"


def test_a_no_told_with_care_reached_is_no_trouble_getting_care():
    assert value("access_barriers", "No. He has made every appointment this year, the van brings him.") == "no"
    assert value("access_barriers", "no, she never missed one, her son drives her to the pharmacy") == "no"
    assert value("access_barriers", "No. But he misses appointments when the bus is late") == "yes"


def test_a_count_told_for_the_ninety_days_is_that_count():
    assert value("er_visits", "three in all, but just one within the past 90 days") == 1
    assert value("er_visits", "twice this year, only one of them in the last three months") == 1
    assert value("er_visits", "4 times in the last 90 days") == 4


def test_the_persons_place_not_the_writers():
    text = "I live in Lowell but my daughter lives in Concord, New Hampshire with her father."
    tracker = make_tracker(text, entities=place_entities(text, "Lowell"), form=None)
    places = said_places(tracker)
    assert [(p["town"], p["state"]) for p in places] == [("Concord", "NH")]
    text = "He lives with me in Salem, MA. His psychiatrist is in Lowell."
    tracker = make_tracker(text, entities=place_entities(text, "Salem, MA", "Lowell"), form=None)
    assert [p["town"] for p in said_places(tracker)] == ["Salem"]


def test_a_town_spelled_right_elsewhere_is_not_taken_for_a_typo_here():
    match = resolve_place("Woonsocket")  # a Rhode Island city
    assert match.status in ("outside", "ambiguous")
    if match.status == "ambiguous":
        assert "RI" in [c["state"] for c in match.candidates]
    assert resolve_place("Worchester").place["town"] == "Worcester"  # a typo here, nothing bigger elsewhere


# ---- crisis readings that were answers


def test_not_moving_house_is_no_emergency_but_not_moving_on_the_floor_is():
    from referral.crisis.matcher import default_matcher

    matcher = default_matcher()
    assert matcher.detect("she's staying put, she isn't moving out of her apartment") is None
    assert matcher.detect("we're not moving anywhere, we rent") is None
    signal = matcher.detect("he took something and he is not moving")
    assert signal is not None and signal.level == "urgent"


def test_consent_told_as_reported_speech_is_the_consents_own_words():
    from referral.screening.facts import speaks_of

    assert speaks_of("consent", "I talked to him this morning and he would like the help, he will take part")
    assert value("consent", "I asked her yesterday, she said no, she doesn't want anyone coming") == "no"
    assert value("consent", "We asked him and he said yes") == "yes"
    assert value("consent", "I still have to ask him") == "not_sure"


def _after_help(text: str, again: str, source: str = "classifier"):
    """A tracker where crisis help was given for `text`, and the person now says `again`."""
    tracker = make_tracker(
        again,
        {"requested_slot": "consent"},
        intent="crisis",
        confidence=1.0,
        extra_message=crisis_message(again, source=source),
    )
    tracker.events[:0] = [
        {"event": "user", "text": text, "parse_data": {"text": text}},
        {"event": "action", "name": "action_crisis_response"},
        {"event": "bot", "text": "help", "data": {"custom": {"type": "crisis"}}},
    ]
    return tracker


def test_the_same_message_said_again_after_help_gets_the_safety_question_not_a_loop():
    line = "Yes, she told me she'd be glad for the help"
    messages, events = run_events(ActionCrisisResponse(), _after_help(line, line))
    assert any(e.get("name") == "safety_check_form" for e in events if e.get("event") == "followup")
    assert "988" not in texts(messages) or "danger" in texts(messages).lower()
    # A crisis pattern said again is help again.
    messages, events = run_events(ActionCrisisResponse(), _after_help(line, line, source="patterns"))
    assert not any(e.get("name") == "safety_check_form" for e in events if e.get("event") == "followup")
    assert "988" in texts(messages)


# ---- facts kept, facts not taken


def test_what_a_risky_first_message_tells_of_the_person_is_kept():
    text = "I'm writing for my nephew. He is 31 and has bipolar. He keeps saying he wants to disappear."
    risky = [[text.index("He keeps"), len(text)]]
    tracker = make_tracker(
        text,
        {},
        intent="risk_signal",
        confidence=1.0,
        form=None,
        extra_message=crisis_message(text, answer="ask", about="other", spans=risky),
    )
    _, slots = run(ActionSafetyQuestion(), tracker)
    assert slots["for_whom"] == "other" and slots["age"] == 31 and slots["diagnosis"] == "mental_health"
    tracker = make_tracker(
        text,
        {},
        intent="crisis",
        confidence=1.0,
        form=None,
        extra_message=crisis_message(text, about="other", spans=risky),
    )
    _, slots = run(ActionCrisisResponse(), tracker)
    assert slots["age"] == 31
    # The whole message the risk: nothing read from it.
    tracker = make_tracker(text, {}, intent="crisis", confidence=1.0, form=None, extra_message=crisis_message(text))
    _, slots = run(ActionCrisisResponse(), tracker)
    assert "age" not in slots


def test_asking_to_finish_the_questions_starts_or_resumes_the_screening():
    tracker = make_tracker("ok we're alright now, can we finish the questions", {}, intent="nlu_fallback", form=None)
    _, events = run_events(ActionDefaultFallback(), tracker)
    assert any(e.get("name") == "screening_form" for e in events if e.get("event") == "followup")


def test_a_program_question_the_nlu_was_unsure_of_is_still_answered():
    ranking = {"faq": {"ranking": [{"intent_response_key": "faq/csp_what", "confidence": 0.93}]}}
    tracker = make_tracker(
        "so what is this thing exactly?",
        {},
        intent="nlu_fallback",
        form=None,
        extra_message={"response_selector": ranking},
    )
    messages, events = run_events(ActionDefaultFallback(), tracker)
    assert [m.get("response") for m in messages] == ["utter_faq/csp_what"]
    assert not any(e.get("event") == "followup" for e in events)


def test_a_no_about_other_things_is_no_er_count():
    assert value("er_visits", "not admitted, only the ER") is None
    text = "She stays with her aunt, nobody is moving. Never arrested, never any court, she gets to the clinic."
    assert value("er_visits", text) is None
    assert value("er_visits", "never") == 0
    assert value("er_visits", "no, she hasn't been to the emergency room") == 0


def test_times_said_the_long_way_and_misspelled():
    assert value("er_visits", "he went to the emergency 2 times since the month of November") == 2
    assert facts("I been to the ER 3 times since thanksgivin")["er_visits"] == 3  # spelled as it sounds
    assert value("access_barriers", "i miss my apointments alot") == "yes"
    assert value("access_barriers", "f/u has been a problem, missed 2 clinic appts") == "yes"


def test_plain_words_of_the_answers():
    assert value("justice", "Nothing.") == "no"
    assert value("justice", "nothing, but his court date is next week") == "yes"
    assert value("housing", "We own our condo.") == "housed"


def test_the_writers_role_and_age_are_not_the_persons():
    told = facts("I am the aunt of Marcus, he is 26, he has schizophrenia")
    assert told["for_whom"] == "other" and told["age"] == 26 and told.get("relation") != "aunt"
    told = facts("I am wife of my husband, he has 60 years, he has depression")
    assert told["relation"] == "husband" and told["age"] == 60
    told = facts("I'm 71 and I take care of my sister, she's 64 and has bipolar")
    assert told["age"] == 64 and told["relation"] == "sister"
    assert value("for_whom", "I'm his father") == "other"
    assert facts("I'm a father of three and I have PTSD")["for_whom"] == "self"


def test_someones_worker_is_not_a_worker_writing():
    assert (
        facts("I'm in a shelter but I have a voucher and an apartment lined up with a VA social worker").get("for_whom")
        != "client"
    )
    assert facts("I'm a social worker, my client is 45")["for_whom"] == "client"


def test_a_story_told_as_a_question_starts_the_screening():
    told = facts("Homeless since June. Got a housing voucher and the lease on the apartment begins March 1st.")
    assert told["housing"] == "homeless_psh" and isinstance(told["move_in"], int)
    assert facts("My client agrees to referral, he is 50")["consent"] == "yes"


# ---- blind round 12 (scored once on 07989d9): the kinds fixed after it


def test_twice_since_a_time_just_past_the_ninety_days_is_asked_back():
    # On 3 December, "since September" reaches back 93 days: with 2 visits, the rules' line, one
    # visit in those days decides.
    assert value("er_visits", "she went to the ER twice since September") is None
    assert value("er_visits", "four times since September") == 4
    assert value("er_visits", "twice since October") == 2


def test_a_street_is_no_town():
    text = "I'm at the shelter on Middlesex St. in Lowell, Massachusetts"
    tracker = make_tracker(text, entities=place_entities(text, "Middlesex", "Lowell, Massachusetts"), form=None)
    assert [p["town"] for p in said_places(tracker)] == ["Lowell"]


def test_a_doubt_said_last_and_other_words_of_round_12():
    said = "Nothing official. The nurse said it might be anxiety, nobody tested me. I don't know if that counts."
    assert value("diagnosis", said) == "not_sure"
    assert value("housing", "in a shelter, but they found me a permanent supportive apartment") == "homeless_psh"
    assert value("consent", "she said she'd be okay with someone coming to the house") == "yes"


# ---- blind round 13 (writer N alone, scored once on 3c4e634): its two wrong "likely"s


def test_at_the_rules_line_a_visit_dated_outside_the_ninety_days_is_asked_back():
    # 3 December: August 31st is 94 days back.
    # Read by its dates (1 in the 90 days) or asked back; never the 2 that makes a "likely".
    assert value("er_visits", "Two. The first was August 31, the other one was last Friday") in (None, 1)
    assert value("er_visits", "Two. One October 2, one November 20") == 2
    assert value("er_visits", "Three. August 30, October 2 and November 20") == 2  # counted by their dates


def test_a_medicaid_said_with_maybe_is_not_sure():
    assert value("coverage", "medicare for sure, and maybe medicaid too, my son handles it") == "not_sure"
    assert value("coverage", "MassHealth, maybe the Tufts one").startswith("masshealth_")  # sure of MassHealth
