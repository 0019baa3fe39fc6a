"""Kinds of misreading found by blind round 18 (writers SZ-ZZ, scored once on f055673, before these
fixes): emergency and crisis staff, veterans, people with intellectual disabilities and their
staff, Cape Verdean and Haitian Creole and Portuguese speakers, guarded people, rural places,
young parents, LGBTQ young adults. Each test is the kind in our own words, not a line of a set."""

from datetime import date

from referral.crisis.detector import CrisisAssessor
from referral.crisis.matcher import CrisisMatcher
from referral.screening.answers import parse_answer
from referral.screening.facts import read_facts
from tests.test_actions import make_tracker

TODAY = date(2026, 12, 4)


def value(question_id: str, text: str, state: str = "MA"):
    return parse_answer(question_id, text, today=TODAY, context={"state": state}).value


def test_the_va_after_a_town_is_veterans_affairs_not_virginia():
    # Blind round 18 (TZ04): "a social worker at the Bedford VA ... in a shelter in Leominster" was
    # Bedford, Virginia (every program "unlikely", not offered there).
    from actions.screening_form import said_places
    from tests.test_actions import place_entities

    text = "I'm a social worker at the Bedford VA. He's in a shelter in Leominster right now."
    entities = place_entities(text, "Bedford VA", "Leominster")
    assert [p["town"] for p in said_places(make_tracker(text, entities=entities, form=None))] == ["Leominster"]
    text = "we live in Bedford VA"
    entities = place_entities(text, "Bedford VA")
    assert [p["state"] for p in said_places(make_tracker(text, entities=entities, form=None))] == ["VA"]


def test_er_visits_told_with_the_window_and_a_visit_outside_it():
    # Blind round 18 (SZ02, a wrong "likely"): "1 in the last 90 ... another ED visit 9/3 but
    # that's outside the 90 days" was 90 visits.
    said = "1 in the last 90, on 11/20. she had another ED visit 9/3 but that's outside the 90 days"
    assert value("er_visits", said) == 1
    assert value("er_visits", "in the last 90 days 3 times") == 3


def test_portuguese_and_creole_without_a_coverage():
    # Blind round 18 (VZ09, a wrong "likely"): "Nao tenho MassHealth" was MassHealth.
    assert value("coverage", "Harvard Pilgrim from my job. Nao tenho MassHealth, no MassHealth") == "other"
    assert value("coverage", "não tenho masshealth") == "none"
    assert value("coverage", "ela tem MassHealth") == "masshealth_unsure"


def test_a_diagnosis_on_paper_is_no_probation():
    # VZ07: "nobody gave me a diagnosis on paper" (to the diagnosis question) was justice involvement.
    assert "justice" not in read_facts(
        "the doctor said maybe anxiety, nobody gave me a diagnosis on paper", today=TODAY
    )
    assert read_facts("he's on paper till next year", today=TODAY)["justice"] == "yes"


def test_a_question_back_then_the_answer():
    # WZ06: "Would I be here if I didn't? Yes." was no answer to consent (asked again, and the
    # classifier's safety question three times); the answer after the question back is taken.
    assert value("consent", "Would I be here if I didn't? Yes.") == "yes"
    assert value("move_in", "When? April 15th, they said.") == 132


def test_the_same_count_said_twice_with_the_visits_day():
    # UZ03: "One time. October 12. Only one ER visit since September." was asked back three times
    # ("since September" reaches past the 90 days), though the one visit's day is inside them.
    assert value("er_visits", "One time. October 12. Only one ER visit since September.") == 1
    assert value("er_visits", "once, on june 3") == 0


def test_could_not_breathe_told_of_a_visit_is_no_emergency_now():
    # YZ03: "she had a panic attack and couldnt breathe" told of an ER visit in September gave the
    # 911 resources three times. Told of the past it is no emergency now; now it still is.
    assessor = CrisisAssessor(CrisisMatcher(), None)
    said = "one was september 8, she had a panic attack and couldnt breathe, the other the week before thanksgiving"
    assert assessor.assess(said).answer != "crisis"
    assert assessor.assess("he can't breathe").answer == "crisis"
    assert assessor.assess("my baby couldnt breathe and turned blue just now").answer == "crisis"


def test_er_visits_since_a_stay_that_ended_inside_the_90_days():
    # Kept conversations of rounds 2 and 5, after CST's pattern made the ER visits matter after a
    # stay: "in the psych hospital in September and has been to the ER 3 times since" was asked.
    said = "she was in the psych hospital in September and has been to the ER 3 times since. she is 30."
    facts = read_facts(said, today=TODAY)
    assert facts["psych_discharge"] <= 90 and facts["er_visits"] == 3
    # A count over a time just past the 90 days: taken when enough visits fall inside.
    assert value("er_visits", "3 times since september") == 3
    assert value("er_visits", "twice since september") is None  # asked back: 2 is the line


def test_months_listed_and_dates_day_first():
    from referral.text.durations import find_time_references

    said = "two times, october and november"
    assert [said[r.start : r.end] for r in find_time_references(said, TODAY)] == ["october", "november"]
    days = [r.days for r in find_time_references("the 15/10, the 2/11 and the 20/11", TODAY)]
    assert days == [-50, -32, -14]
    assert [r.days for r in find_time_references("on 2/11", TODAY)] == [-296]
