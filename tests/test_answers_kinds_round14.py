"""Kinds of misreading found replaying rounds 12 and 13 with a freshly trained model (not blind:
lines already seen), fixed before round 14 was scored. Each test is the kind in our own words,
not a line of those sets."""

from datetime import date

from actions.support import ActionStopScreening
from tests.test_actions import make_tracker, run_events, texts

TODAY = date(2026, 12, 3)
FAMILY = {"for_whom": "other", "relation": "partner"}


def followup_form(events) -> bool:
    return any(e.get("event") == "followup" and e.get("name") == "screening_form" for e in events)


def test_a_one_word_answer_the_nlu_took_for_stop_is_the_answer():
    # A retrained classifier read a bare town as "stop": the open question first.
    tracker = make_tracker("Worcester", {**FAMILY, "requested_slot": "location"}, intent="stop_screening")
    messages, events = run_events(ActionStopScreening(), tracker)
    assert "stopped" not in texts(messages)
    assert followup_form(events)
    assert any(e.get("name") == "location" and (e.get("value") or {}).get("town") == "Worcester" for e in events)


def test_a_short_stop_with_a_word_of_stopping_is_still_a_stop():
    for text in ("stop", "quit now", "im done", "not now", "para por favor"):
        tracker = make_tracker(text, {**FAMILY, "requested_slot": "location"}, intent="stop_screening")
        messages, _ = run_events(ActionStopScreening(), tracker)
        assert "stopped" in texts(messages), text


def test_a_short_message_that_is_no_answer_and_no_stop_word_stops_as_before():
    tracker = make_tracker("hmm ok whatever", {**FAMILY, "requested_slot": "location"}, intent="stop_screening")
    messages, _ = run_events(ActionStopScreening(), tracker)
    assert "stopped" in texts(messages)


def value(question_id: str, text: str, state: str = "MA"):
    from referral.screening.answers import parse_answer

    return parse_answer(question_id, text, today=TODAY, context={"state": state}).value


def test_a_medicaid_looked_into_and_too_much_income_is_not_held():
    # Near a wrong "likely": another plan held, Medicaid only looked into.
    said = "She has Aetna from her job. We checked about Medicaid in the spring but we make too much."
    assert value("coverage", said, "NC") == "other"
    assert value("coverage", "no, they said we're over the income limit for medicaid", "NC") == "none"
    assert value("coverage", "he has medicaid", "NC") == "nc_medicaid"


def test_work_and_relationships_lost_in_plain_words_are_daily_life_trouble():
    assert value("daily_living", "she's been out of work since spring and it's been rough", "NC") == "yes"
    assert value("daily_living", "he lost three jobs since last year", "NC") == "yes"
    assert value("daily_living", "dejó el trabajo porque no puede concentrarse", "NC") == "yes"
    assert value("daily_living", "no, she works full time and takes care of herself", "NC") == "no"


def test_sleeping_in_the_car_is_homeless_and_a_permanent_unit_lined_up_is_psh():
    assert value("housing", "sleeping in the car behind the laundromat") == "homeless"
    assert value("housing", "duerme en el carro desde octubre") == "homeless"
    assert value("housing", "en el carro, pero le dieron un apartamento de vivienda permanente") == "homeless_psh"
    assert value("housing", "her own studio near the college") == "housed"


def test_a_spanish_diagnosis_name_is_a_mental_health_condition():
    assert value("diagnosis", "tiene trastorno esquizoafectivo") == "mental_health"
    assert value("diagnosis", "psicosis, eso dijo el doctor") == "mental_health"


def test_visits_each_given_a_day_in_the_next_sentences_are_counted_by_those_days():
    # 3 December: 2 September is 92 days back, 20 November 13.
    said = "Twice. The first was September 2, the Wednesday after Labor Day, the other November 20."
    assert value("er_visits", said) == 1
    assert value("er_visits", "2 times. October 10 and November 20, a Friday") == 2
    # a time that opens the count is no visit day: counted by the two days after it
    assert value("er_visits", "2 since august. aug 30 and nov 1") == 1


def test_a_correction_opening_the_message_gives_no_no_to_the_open_question():
    # To the consent question, a correction of the justice answer: its "no" is not a refusal.
    said = "no wait, sorry, he IS on parole until june, his PO calls him weekly"
    assert value("consent", said) is None
    assert value("justice", said) == "yes"
    assert value("consent", "wait no") is None
    assert value("consent", "actually no, he doesn't want it") == "no"

    from referral.screening.facts import read_facts

    assert read_facts(said, today=TODAY) == {"justice": "yes"}


def test_agreement_in_slang_is_consent_and_a_place_is_not():
    for said in ("she said bet, shes in", "count me in", "im down"):
        assert value("consent", said) == "yes", said
    assert value("consent", "im in worcester") is None


def test_er_visits_told_in_spanish_to_another_question_are_taken():
    from referral.screening.facts import read_facts

    facts = read_facts("no estuvo internada. pero fue a emergencias dos veces este mes", today=TODAY)
    assert facts.get("er_visits") == 2


def test_a_state_named_in_the_reply_to_which_town_picks_that_town():
    from tests.test_actions import validate

    candidates = [{"town": "Manchester", "state": "MA"}, {"town": "Manchester", "state": "NH"}]
    base = {"for_whom": "self", "place_candidates": candidates}
    _, slots = validate("location", "nh lol the one up north", base)
    assert (slots.get("location") or {}).get("state") == "NH"
    _, slots = validate("location", "the one in Massachusetts", base)
    assert (slots.get("location") or {}).get("state") == "MA"
    _, slots = validate("location", "the one near me", base)
    assert not isinstance(slots.get("location"), dict), "no state named: asked again"


def test_changing_an_answer_after_the_results_takes_the_unasked_answer_in_the_same_message():
    from actions.screening_form import ActionStartScreening

    answers = {
        "for_whom": "self",
        "location": {"town": "Boston", "state": "MA", "zip": None},
        "coverage": "masshealth_unsure",
        "age": 55,
        "diagnosis": "both",
        "psych_discharge": 10,
        "er_visits": 1,
        "housing": "homeless",
        "justice": "no",
        "access_barriers": "no",
        "consent": "yes",
    }
    text = "change my answer about housing. i got the supportive housing unit, move in is january 4th"
    tracker = make_tracker(
        text,
        {**answers, "eligibility": {"CSP": "likely"}},
        intent="change_answer",
        entities=[{"entity": "question", "value": "housing", "start": 22, "end": 29}],
        form=None,
    )
    _, events = run_events(ActionStartScreening(), tracker)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("housing") == "homeless_psh"
    assert isinstance(slots.get("move_in"), int) and 0 < slots["move_in"] <= 120


def test_a_no_deep_in_a_message_about_something_else_is_no_diagnosis_answer():
    # Said to the diagnosis question by someone still answering the hospital one.
    said = "no i mean i was in the ER 3 times but long time ago. 2018. not this year"
    assert value("diagnosis", said) is None
    assert value("diagnosis", "he went to the ER twice in 2020, but not since then") is None
    assert value("diagnosis", "not that i know of") == "no"
    assert value("diagnosis", "no i mean bipolar") == "mental_health"
