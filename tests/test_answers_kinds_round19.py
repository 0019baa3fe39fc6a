"""Kinds of misreading found by blind round 19 (writers AY-HY, scored once on 7fcb77f, before these
fixes): school and college, faith communities, one-handed typing, people living with a serious
mental illness, Caribbean and Central American Spanish, street outreach, adult children at work,
people near the rules' lines. Each test is the kind in our own words, not a line of a set."""

from datetime import date

from referral.screening.answers import parse_answer
from referral.screening.facts import read_facts

TODAY = date(2026, 12, 4)


def value(question_id: str, text: str, state: str = "MA"):
    return parse_answer(question_id, text, today=TODAY, context={"state": state}).value


def test_a_stay_at_the_start_of_a_season_is_asked_which_side_of_six_months():
    # AY06 (a wrong "likely"): "in a psychiatric hospital at the start of the summer" was a stay
    # within 180 days ("yes"); early June is on both sides of the line.
    said = "I was in a psychiatric hospital at the start of the summer and I'm doing better"
    assert value("psych_discharge", said) is None
    assert "psych_discharge" not in read_facts(said, today=TODAY)
    assert value("psych_discharge", "late summer") == 110


def test_not_sure_then_a_guessed_count_is_not_sure():
    # DY07 (a wrong "likely"): "honestly not sure. a couple? maybe more? I'd have to check" was 2.
    assert value("er_visits", "honestly not sure. a couple? maybe more? I'd have to check my chart") == "not_sure"
    assert value("er_visits", "not sure. twice") == 2


def test_autocorrect_and_digits_for_masshealth():
    assert value("coverage", "mass wealth fee 4 service") == "masshealth_ffs"
    assert value("coverage", "he got mass wealth not sure which kind") == "masshealth_unsure"


def test_a_doubt_about_the_plan_is_no_doubt_about_masshealth():
    # GY06: "MassHealth, one of the ACO plans, I think Tufts but not sure" was "not sure".
    assert value("coverage", "MassHealth, one of the ACO plans, I think Tufts but not sure") == "masshealth_unsure"
    assert value("coverage", "masshealth, I think its a plan but not sure if its still active") == "not_sure"
    assert value("coverage", "I think MassHealth but not sure") == "not_sure"


def test_only_once_in_spanish():
    assert value("er_visits", "una sola vez, en octubre") == 1


def test_the_same_count_placed_by_its_second_time():
    # Found by round 19's replay (BY04): with "the end of the summer" read as August, "Three times
    # since the end of the summer, all three since Labor Day. The last one brought him to the
    # hospital stay." was asked back; the second time places the three inside the 90 days, and
    # "the last one" is no count.
    said = "Three times since the end of the summer, all three since Labor Day. The last one was the worst."
    assert value("er_visits", said) == 3
    assert value("er_visits", "that one time in october") == 1


def test_two_times_offered_and_neither_chosen_is_not_sure():
    # Found by the kept round 15 (CZ08) after the season parts: "late spring, end of May or the
    # first week of June, I honestly don't remember which" became a stay over 180 days ago.
    said = "inpatient sometime in late spring, end of May or the first week of June, I don't remember which"
    assert value("psych_discharge", said) == "not_sure"
    assert value("psych_discharge", "got out june 10") == 177
