"""Kinds of misreading found by blind round 8 (scored once on db3bfdc, before these fixes): wary
people who push back and hedge; people whose place or coverage is complicated. Each test is the
kind in our own words, not a line of their sets."""

from datetime import date

from referral.screening.answers import parse_answer
from referral.screening.facts import asked_clauses, read_facts
from referral.text.durations import find_time_references
from tests.test_actions import WORCESTER, make_tracker, run, texts, validate

TODAY = date(2026, 12, 2)  # a Wednesday; Thanksgiving 2026 is November 26, Memorial Day May 25
BASE = {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_unsure"}


def days(text: str) -> list:
    return [(r.days, r.span) for r in find_time_references(text, TODAY)]


def test_holidays_people_tell_time_by():
    assert days("the Saturday before Memorial Day") == [(-193, (-193, -193))]
    assert days("the day after Thanksgiving") == [(-5, (-5, -5))]
    assert days("since Labor Day") == [(-86, (-86, -86))]  # September 7, 2026
    low, high = days("the week before thanksgiving")[0][1]
    assert (low, high) == (-13, -7)
    assert days("next Christmas")[0][0] == 23
    assert days("last Easter")[0][0] == -241  # April 5, 2026
    # The boundary of the hospital question, told by a holiday: 194 days is outside 180.
    assert parse_answer("psych_discharge", "got discharged the Friday before Memorial Day", today=TODAY).value == 194
    # Visits told by holidays are counted within the 90 days (July 4th is outside).
    assert (
        parse_answer("er_visits", "twice, once over the fourth of july and once around halloween", today=TODAY).value
        == 1
    )


def test_a_count_said_in_doubt_is_not_sure_or_asked_back():
    assert parse_answer("er_visits", "no clue honestly. several?", today=TODAY).value == "not_sure"
    assert parse_answer("er_visits", "maybe 1, maybe 4", today=TODAY).value == "not_sure"
    asked = parse_answer("er_visits", "either 1 or 4", today=TODAY)
    assert asked.value is None and asked.extra["near"] == 2
    assert parse_answer("er_visits", "3 or 4", today=TODAY).value == 3  # both sides the same: no doubt
    assert parse_answer("er_visits", "she's 30 and went to the ER twice", today=TODAY).value == 2


def test_justice_involvement_told_as_over_is_no():
    assert parse_answer("justice", "nope, I had a case back in 2012, that's all done", today=TODAY).value == "no"
    assert parse_answer("justice", "it was years ago, nothing now", today=TODAY).value == "no"
    assert parse_answer("justice", "served 2 years, released in 2018, nothing since", today=TODAY).value == "no"
    assert parse_answer("justice", "got out in 2025, still on parole", today=TODAY).value == "yes"
    assert parse_answer("justice", "he was released last month, it's over now", today=TODAY).value == "yes"
    assert parse_answer("justice", "has a court date in January", today=TODAY).value == "yes"


def test_a_clause_that_asks_tells_nothing():
    facts = read_facts("Do you have to be on MassHealth for this? My brother needs help", today=TODAY)
    assert "coverage" not in facts and facts["for_whom"] == "other"
    assert "coverage" not in read_facts("hi. is it only for people with MassHealth or anyone?", today=TODAY)
    facts = read_facts("we're in Lowell and he has MassHealth, can he get CSP?", today=TODAY)
    assert facts["coverage"] == "masshealth_unsure"
    assert asked_clauses("he has MassHealth, can he get CSP?") == {"can he get CSP"}


def test_appointments_not_kept_said_as_cant_keep_is_a_barrier_not_daily_living():
    assert parse_answer("access_barriers", "he can't make his appointments, no driver's license").value == "yes"
    facts = read_facts("no hospital. I can't keep my appointments, my phone got cut off", today=TODAY)
    assert facts["access_barriers"] == "yes" and "daily_living" not in facts
    assert parse_answer("daily_living", "he can't keep a job").value == "yes"


def test_consent_in_a_story_said_as_wanting_someone_to_help():
    assert read_facts("she's staying with me and she wants someone to help her", today=TODAY)["consent"] == "yes"
    assert read_facts("he doesn't want someone to help him", today=TODAY)["consent"] == "no"


def test_the_writers_own_worker_is_no_client():
    assert parse_answer("for_whom", "my case manager is helping me with this").value != "client"
    assert parse_answer("for_whom", "I'm her case manager").value == "client"
    assert parse_answer("for_whom", "case manager here, for my client").value == "client"


def test_the_open_question_denied_in_its_own_clause_is_not_read_from_another_clause():
    text = "never been inpatient. went to the ER 3 times since the middle of September"
    _, result = validate("psych_discharge", text, BASE)
    assert result["psych_discharge"] == "no"
    assert result["er_visits"] == 3


def test_the_question_not_understood_is_no_answer():
    _, result = validate("justice", "huh? i don't understand the question", BASE)
    assert result.get("justice") is None
    _, result = validate("access_barriers", "what do you mean by that. like money? i dont get it", BASE)
    assert result.get("access_barriers") is None
    _, result = validate("consent", "I don't get it, but yes", BASE)
    assert result["consent"] == "yes"


def test_a_pause_keeps_the_question_open():
    messages, result = validate("age", "one sec, my son is calling", BASE)
    assert result.get("age") is None and "Take your time" in texts(messages)
    _, result = validate("age", "one sec. he's 44", BASE)
    assert result["age"] == 44


def test_a_correction_after_the_results_takes_the_question_it_now_needs():
    from actions.questions import ActionAnswerQuestion

    finished = {
        **BASE,
        "age": 50,
        "diagnosis": "mental_health",
        "psych_discharge": "no",
        "er_visits": 3,
        "housing": "homeless",
        "justice": "no",
        "access_barriers": "yes",
        "consent": "yes",
        "eligibility": {"programs": []},
    }
    text = "actually, change my housing answer, I got a supportive housing apartment, I move in on January 10th"
    tracker = make_tracker(text, finished, intent="change_answer", form=None)
    _, result = run(ActionAnswerQuestion(), tracker)
    assert result["housing"] == "homeless_psh"
    assert isinstance(result["move_in"], int)


def test_two_coverages_said_together_and_a_medicaid_not_held():
    assert read_facts("He has Medicare and MassHealth both, and the VA", today=TODAY)["coverage"] == "masshealth_unsure"
    assert read_facts("she has NC Medicaid and Medicare", today=TODAY)["coverage"] == "nc_medicaid"
    said = "a plan through my job. I applied for MassHealth in the spring and they said I make too much"
    assert parse_answer("coverage", said).value == "other"
    assert (
        parse_answer("coverage", "I had MassHealth until October, it got cut off, I haven't reapplied").value == "none"
    )
    assert parse_answer("coverage", "her MassHealth got cut off but she reapplied and it's pending").value == "not_sure"
    assert parse_answer("coverage", "he lost his MassHealth in the summer but got it back").value == "masshealth_unsure"


def test_who_sent_the_writer_and_who_died_are_not_who_the_support_is_for():
    assert parse_answer("for_whom", "my son suggested I look into this").value is None
    facts = read_facts(
        "My husband's a retired mailman, 70, in Lowell. Since my sister died he's not himself", today=TODAY
    )
    assert facts["relation"] == "husband"
    assert parse_answer("for_whom", "my son asked me to look into this for him").extra == {"relation": "son"}
    assert parse_answer("for_whom", "my late wife's brother").extra.get("relation") != "wife"


def test_a_condition_looked_for_and_not_found_is_no_diagnosis():
    assert parse_answer("diagnosis", "No. They tested him for ADHD and said he was fine.").value == "no"
    assert parse_answer("diagnosis", "they ruled out bipolar").value == "no"
    assert parse_answer("diagnosis", "they checked her for bipolar and she has it").value == "mental_health"
    assert parse_answer("diagnosis", "PTSD, and they ruled out bipolar").extra == {"diagnosis_text": "ptsd"}


def test_a_move_in_with_no_date_given_is_not_sure():
    assert parse_answer("move_in", "no one has told us a date yet, could be soon", today=TODAY).value == "not_sure"
    assert parse_answer("move_in", "could be a few weeks or could be half a year", today=TODAY).value == "not_sure"
    assert parse_answer("move_in", "in about 3 weeks", today=TODAY).value == 21


def test_going_along_with_it_is_consent():
    assert parse_answer("consent", "she'd go along with it if I come too").value == "yes"
    assert parse_answer("consent", "he won't go along with it").value == "no"


def test_family_context_is_no_crisis_and_a_crisis_in_it_still_is():
    from referral.crisis.classifier import trained_from_corpus
    from referral.crisis.detector import CrisisAssessor
    from referral.crisis.matcher import default_matcher

    layer = CrisisAssessor(default_matcher(), trained_from_corpus())
    ordinary = [
        "Hi. I'm writing for my grandfather. He's 81, a retired Navy man, and he lives in Gastonia NC. He has Medicaid and Medicare.",
        "He lives with me and my wife. He has his own room upstairs.",
        "Yes, she wants it. She's sitting here with me and she said yes.",
    ]
    for text in ordinary:
        assert layer.assess(text).answer != "crisis", text
    # Risky only as a whole, no sentence on its own: no safety question either.
    assert layer.assess(ordinary[0]).answer == "none"
    crisis = "I'm writing for my brother. He has a gun and he says he's going to end it tonight."
    assert layer.assess(crisis).answer == "crisis"


def test_a_medicaid_maybe_lost_is_not_sure():
    said = "not sure. he had MassHealth but got a job, he may have lost it"
    assert parse_answer("coverage", said).value == "not_sure"
    assert parse_answer("coverage", "she had MassHealth before prison, we applied to reinstate it").value == "not_sure"
