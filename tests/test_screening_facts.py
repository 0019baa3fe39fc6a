"""Every fact a message gives (referral/screening/facts.py), and the form taking them all."""

from datetime import date

import pytest

from actions.screening_form import ValidateScreeningForm
from referral.directory.geo import resolve_place
from referral.screening.facts import is_correction, read_facts, say_back
from tests.test_actions import WORCESTER, make_tracker, run

TODAY = date(2026, 12, 1)
CHARLOTTE = resolve_place("Charlotte, NC").place


def test_a_first_message_with_four_facts_gives_all_four():
    facts = read_facts(
        "my son is 17, he has schizophrenia, we live in Charlotte NC, can he get CST?", places=[CHARLOTTE], today=TODAY
    )
    assert facts["for_whom"] == "other" and facts["relation"] == "son"
    assert facts["age"] == 17 and facts["diagnosis"] == "mental_health"
    assert facts["location"]["town"] == "Charlotte"
    assert say_back(facts) == "Got it: for your son, 17, in Charlotte, NC, with schizophrenia."


def test_a_long_story_is_read_whole():
    story = (
        "My sister is 42. She has bipolar disorder and went to the ER three times since September. "
        "She has MassHealth. She got out of the psych unit 3 weeks ago and she is on probation."
    )
    facts = read_facts(story, today=TODAY)
    assert {k: facts[k] for k in ("age", "diagnosis", "er_visits", "coverage", "psych_discharge", "justice")} == {
        "age": 42,
        "diagnosis": "mental_health",
        "er_visits": 3,
        "coverage": "masshealth_unsure",
        "psych_discharge": 21,
        "justice": "yes",
    }


@pytest.mark.parametrize("text", ["yes", "no", "not sure", "3", "idk", "no wait", "nothing"])
def test_a_bare_answer_answers_no_other_question(text):
    assert read_facts(text, today=TODAY) == {}


def test_questions_already_answered_are_skipped():
    assert "age" not in read_facts("he's 30 and homeless", skip={"age"}, today=TODAY)


def test_a_correction_is_recognised():
    assert is_correction("no wait, it was 2 visits") and is_correction("actually he's 19")
    assert not is_correction("no he has not")


def validate(slot, text, slots=None, **kwargs):
    tracker = make_tracker(text, {**(slots or {}), "requested_slot": slot}, filled_now={slot: text}, **kwargs)
    return run(ValidateScreeningForm(), tracker)


def texts(messages):
    return " ".join(m.get("text") or "" for m in messages)


def test_the_form_takes_the_open_answer_and_every_other_fact_and_says_them_back():
    messages, slots = validate(
        "coverage",
        "MassHealth, she is 34 and has depression",
        {"for_whom": "other", "relation": "daughter", "location": WORCESTER},
    )
    assert slots["coverage"] == "masshealth_unsure" and slots["age"] == 34 and slots["diagnosis"] == "mental_health"
    assert "Got it:" in texts(messages) and "34" in texts(messages)


def test_other_facts_without_the_open_answer_are_kept_and_the_question_stays_open():
    messages, slots = validate("coverage", "he is 17 and lives with me", {"for_whom": "other", "location": WORCESTER})
    assert slots["coverage"] is None and slots["age"] == 17
    # Counted: the same question comes back at most three times in a row, whatever comes between.
    assert slots["screening_retries"] == 1
    _, third = validate(
        "coverage", "he is 17 and lives with me", {"for_whom": "other", "location": WORCESTER, "screening_retries": 2}
    )
    assert third["coverage"] == "not_sure" and third["age"] == 17


def test_a_correction_replaces_an_earlier_answer():
    _, slots = validate(
        "housing", "no wait, it was 2 ER visits", {"for_whom": "self", "location": WORCESTER, "er_visits": 4}
    )
    assert slots["er_visits"] == 2


def test_masshealth_through_my_aco_is_managed_care_whatever_the_entities_say():
    # One parse path: the text is read by the parser, never overridden by an entity value.
    entities = [{"entity": "coverage", "value": "masshealth_unsure", "start": 0, "end": 10}]
    _, slots = validate(
        "coverage", "MassHealth through my ACO", {"for_whom": "self", "location": WORCESTER}, entities=entities
    )
    assert slots["coverage"] == "masshealth_managed_care"


def test_a_hospital_release_is_no_justice_involvement_and_the_ward_no_diagnosis():
    facts = read_facts("i just got out the psych ward like 3 wks ago, im in worcester", today=TODAY)
    assert facts.get("psych_discharge") == 21
    assert "justice" not in facts and "diagnosis" not in facts


def test_me_in_another_sentence_does_not_say_who_the_support_is_for():
    assert "for_whom" not in read_facts("he just got out of jail and lives with me", today=TODAY)
    assert read_facts("it's for me, I'm on MassHealth", today=TODAY)["for_whom"] == "self"


def test_an_ask_back_counts_as_one_of_the_three_times():
    _, slots = validate(
        "psych_discharge",
        "about six months ago",
        {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_unsure", "diagnosis": "mental_health"},
    )
    assert slots["ask_back"]["near"] == 180 and slots["screening_retries"] == 1


def test_changing_an_answer_after_the_results_keeps_the_others():
    from actions.screening_form import ActionStartScreening

    done = {
        "for_whom": "self",
        "location": WORCESTER,
        "coverage": "masshealth_unsure",
        "er_visits": 1,
        "eligibility": {"type": "eligibility", "programs": []},
    }
    tracker = make_tracker(
        "wait, change my answer about the ER visits. it was 2",
        done,
        intent="change_answer",
        entities=[{"entity": "question", "value": "er_visits"}],
        form=None,
    )
    messages, slots = run(ActionStartScreening(), tracker)
    assert slots["eligibility"] is None and slots["er_visits"] == 2
    assert "coverage" not in slots and "for_whom" not in slots  # nothing else is cleared
    assert 'change the answer to "ER visits (last 90 days)"' in texts(messages)


def test_a_correction_after_the_results_changes_the_answer_and_finishes_again():
    from actions.questions import ActionAnswerQuestion

    done = {
        "for_whom": "other",
        "relation": "daughter",
        "location": CHARLOTTE,
        "coverage": "nc_medicaid",
        "age": 17,
        "eligibility": {"type": "eligibility", "programs": []},
    }
    tracker = make_tracker("no wait, she's 18, she had her birthday in November", done, intent="faq", form=None)
    messages, slots = run(ActionAnswerQuestion(), tracker)
    assert slots["age"] == 18 and slots["eligibility"] is None
    assert "Okay, I changed that: 18." in texts(messages)


def test_after_stop_i_am_back_picks_the_questions_up_with_the_answers_kept():
    from actions.screening_form import ActionResumeScreening

    kept = {"for_whom": "self", "location": WORCESTER}
    messages, slots = run(
        ActionResumeScreening(), make_tracker("ok I'm back, I want to keep going", kept, intent="go_back", form=None)
    )
    assert "pick up the questions where we left off" in texts(messages) and "location" not in slots


def test_consent_is_taken_from_another_answer_only_in_its_own_words():
    from referral.screening.facts import read_facts

    assert "consent" not in read_facts("ok I'm back, I want to keep going")
    assert "consent" not in read_facts("not sure. nobody ever diagnosed her. she won't see anyone")
    assert (
        read_facts("38F, Lowell MA. no justice involvement. she wants CSP and agrees to take part")["consent"] == "yes"
    )
    assert read_facts("he refuses services, says he doesn't need anyone")["consent"] == "no"


def test_got_out_of_the_hospital_in_the_next_clause_is_no_justice_involvement():
    from referral.screening.facts import read_facts

    facts = read_facts("I was in the hospital in Greensboro in September, got out around September 20th")
    assert "justice" not in facts
    assert read_facts("he was in the psych hospital in May, and got out of jail last month")["justice"] == "yes"


def test_housing_said_in_two_clauses_is_read_together():
    from referral.screening.facts import read_facts

    facts = read_facts("im homeless rn in pittsfield but got matched for a supportive housing unit")
    assert facts["housing"] == "homeless_psh"
