"""Reading free-text screening answers: real phrasings per question, turned into the normalized
values of referral/screening/questions.yml `answers`."""

import statistics
import time
from datetime import date

import pytest

from referral.screening.answers import parse_answer
from referral.text.durations import duration_days, find_time_references
from referral.text.numbers import number_value

TODAY = date(2026, 11, 23)


def value(question_id, text, **kwargs):
    return parse_answer(question_id, text, today=TODAY, **kwargs).value


def table(question_id, rows):
    return [pytest.param(question_id, text, expected, id=f"{question_id}: {text}") for text, expected in rows]


YES_NO = [
    ("yes", "yes"),
    ("yep", "yes"),
    ("yeah", "yes"),
    ("Yup!", "yes"),
    ("definitely", "yes"),
    ("I think so", "yes"),
    ("she said yes", "yes"),
    ("he does", "yes"),
    ("sure", "yes"),
    ("sí", "yes"),
    ("si", "yes"),
    ("probably", "yes"),
    ("no", "no"),
    ("nope", "no"),
    ("nah", "no"),
    ("not really", "no"),
    ("I don't think so", "no"),
    ("no way", "no"),
    ("never", "no"),
    ("probably not", "no"),
    ("he doesn't", "no"),
    ("not sure", "not_sure"),
    ("idk", "not_sure"),
    ("I don't know", "not_sure"),
    ("maybe", "not_sure"),
    ("can't remember", "not_sure"),
    ("no sé", "not_sure"),
    ("no se", "not_sure"),
    ("no idea", "not_sure"),
    ("I'm not sure", "not_sure"),
    ("dunno", "not_sure"),
    ("what do you mean?", None),
    ("", None),
]

CASES = (
    table(
        "consent",
        YES_NO
        + [
            ("she wants help", "yes"),
            ("he is willing", "yes"),
            ("he doesn't want it", "no"),
            ("she refuses", "no"),
            ("not interested", "no"),
            ("I haven't asked him yet", "not_sure"),
            ("he said he'd think about it", "not_sure"),
        ],
    )
    + table(
        "justice",
        [
            ("yes", "yes"),
            ("he's on probation", "yes"),
            ("just got out of jail", "yes"),
            ("parole", "yes"),
            ("has a court date next week", "yes"),
            ("never been arrested", "no"),
            ("no", "no"),
            ("not sure", "not_sure"),
        ],
    )
    + table(
        "access_barriers",
        [
            ("yes", "yes"),
            ("he has no car", "yes"),
            ("misses appointments all the time", "yes"),
            ("no ride to the clinic", "yes"),
            ("no", "no"),
            ("not really", "no"),
            ("not sure", "not_sure"),
        ],
    )
    + table(
        "daily_living",
        [
            ("yes", "yes"),
            ("she struggles", "yes"),
            ("a lot", "yes"),
            ("no", "no"),
            ("not sure", "not_sure"),
        ],
    )
    + table(
        "er_visits",
        [
            ("three times", 3),
            ("twice", 2),
            ("once", 1),
            ("4", 4),
            ("2", 2),
            ("thirty", 30),
            ("a couple", 2),
            ("a couple of times", 2),
            ("a few", 3),
            ("several", 3),
            ("none", 0),
            ("never", 0),
            ("no", 0),
            ("0", 0),
            ("zero", 0),
            ("no, never been to the ER", 0),
            ("not once", 0),
            ("no, twice", 2),
            ("I went 2 times in the past 90 days", 2),
            ("in the last 3 months, twice", 2),
            ("maybe 2", 2),
            ("he hasn't been", 0),
            ("not sure", "not_sure"),
            ("I don't know", "not_sure"),
            ("no idea", "not_sure"),
            ("yes", None),
            ("dos veces", 2),
        ],
    )
    + table(
        "age",
        [
            ("34", 34),
            ("34 years old", 34),
            ("I'm 34", 34),
            ("thirty four", 34),
            ("thirty-four", 34),
            ("she is 17", 17),
            ("17", 17),
            ("18", 18),
            ("18 or older", 18),
            ("over 18", 18),
            ("under 18", 17),
            ("he turns 18 next month", 17),
            ("he's an adult", 18),
            ("a minor", 17),
            ("not sure", "not_sure"),
            ("old enough", None),
            ("250", None),
            ("he's 34, he was in the hospital for two weeks", 34),
        ],
    )
    + table(
        "psych_discharge",
        [
            ("3 weeks ago", 21),
            ("about 3 weeks ago", 21),
            ("last month", 30),
            ("about 8 months ago", 240),
            ("a month and a half ago", 45),
            ("one and a half months ago", 45),
            ("yesterday", 1),
            ("today", 0),
            ("last week", 7),
            ("2 days ago", 2),
            ("a couple of weeks ago", 14),
            ("6 months ago", 180),
            # "half a year" is 180 days by the month (6 x 30) and 182 by the year: near the 180-day
            # boundary, asked back (tests/test_answers_boundaries.py), never read as past it.
            ("half a year ago", None),
            ("October 3", 51),
            ("on 10/3/2026", 51),
            ("3 weeks", 21),
            ("I was discharged from the hospital about three weeks ago", 21),
            ("hace 3 semanas", 21),
            ("he was in for two weeks and got out a month and a half ago", 45),
            ("yes", "yes"),
            ("yeah, recently", "yes"),
            ("yes, in the past month", "yes"),
            ("no", "no"),
            ("never", "no"),
            ("nope", "no"),
            ("not in the last 6 months", "no"),
            # The last discharge was about a year ago: a number of days the rules call too long ago.
            ("not since last year", 365),
            ("not sure", "not_sure"),
            ("can't remember", "not_sure"),
            # Unclear: ask again.
            ("2", None),
            ("in 3 weeks", None),
            ("he's still in the hospital", None),
        ],
    )
    + table(
        "move_in",
        [
            ("in about 2 months", 60),
            ("in 3 weeks", 21),
            ("next month", 30),
            ("in about 3 months", 90),
            ("in about 6 months", 180),
            ("in the next 3 weeks", 21),
            ("4 months", 120),
            ("in 120 days", 120),
            ("within 2 weeks", 14),
            ("March 5", 102),
            ("tomorrow", 1),
            ("today", 0),
            ("a month and a half from now", 45),
            ("not sure", "not_sure"),
            ("I don't know yet", "not_sure"),
            # Not a time yet: ask again.
            ("yes", None),
            ("soon", None),
            ("2", None),
            ("3 weeks ago", None),
            ("already moved in", None),
        ],
    )
    + table(
        "coverage",
        [
            ("MassHealth", "masshealth_unsure"),
            ("mass health", "masshealth_unsure"),
            ("mashealth", "masshealth_unsure"),
            ("regular MassHealth", "masshealth_unsure"),
            ("standard MassHealth", "masshealth_unsure"),
            ("PCC plan", "masshealth_unsure"),
            ("MassHealth but not sure which kind", "masshealth_unsure"),
            ("MassHealth through my ACO", "masshealth_managed_care"),
            ("MassHealth through a managed care plan", "masshealth_managed_care"),
            ("Tufts Health Together", "masshealth_managed_care"),
            ("Fallon 365 Care", "masshealth_managed_care"),
            ("MassHealth fee for service", "masshealth_ffs"),
            ("MassHealth FFS", "masshealth_ffs"),
            ("NC Medicaid", "nc_medicaid"),
            ("Medicaid in North Carolina", "nc_medicaid"),
            ("Carolina Complete Health", "nc_medicaid"),
            ("NC Medicaid Direct", "nc_medicaid"),
            ("Texas Medicaid", "medicaid_other_state"),
            ("medicaid in florida", "medicaid_other_state"),
            ("Blue Cross through my job", "other"),
            ("Medicare", "other"),
            ("other insurance", "other"),
            ("private insurance", "other"),
            ("medicare and masshealth", "masshealth_unsure"),
            ("no insurance", "none"),
            ("uninsured", "none"),
            ("none", "none"),
            ("nothing", "none"),
            ("he lost his MassHealth", "none"),
            ("I don't have MassHealth", "none"),
            ("not sure", "not_sure"),
            ("idk", "not_sure"),
            ("yes", None),
            ("medicaid", None),
        ],
    )
    + table(
        "diagnosis",
        [
            ("depression", "mental_health"),
            ("bipolar", "mental_health"),
            ("schizophrenia", "mental_health"),
            ("PTSD", "mental_health"),
            ("anxiety", "mental_health"),
            ("mental health", "mental_health"),
            ("yes, depression", "mental_health"),
            ("alcohol", "substance_use"),
            ("drinking", "substance_use"),
            ("opioids", "substance_use"),
            ("heroin", "substance_use"),
            ("addiction", "substance_use"),
            ("substance use", "substance_use"),
            ("depression and alcohol", "both"),
            ("both", "both"),
            ("dual diagnosis", "both"),
            ("co-occurring", "both"),
            ("bipolar, and he uses heroin", "both"),
            ("yes", "yes"),
            ("yeah", "yes"),
            ("no", "no"),
            ("no mental health diagnosis", "no"),
            ("not sure", "not_sure"),
            ("not sure if it's depression", "not_sure"),
        ],
    )
    + table(
        "housing",
        [
            ("I have an apartment", "housed"),
            ("live with my mom", "housed"),
            ("housed", "housed"),
            ("shelter", "homeless"),
            ("staying at a shelter", "homeless"),
            ("on the street", "homeless"),
            ("couch surfing", "homeless"),
            ("sleeping in my car", "homeless"),
            ("about to be evicted", "homeless"),
            ("homeless", "homeless"),
            ("homeless but I got a housing voucher", "homeless_psh"),
            ("in a shelter, we found an apartment and move in next month", "homeless_psh"),
            ("homeless with permanent supportive housing lined up", "homeless_psh"),
            ("I got a housing voucher", "homeless_psh"),
            ("not sure", "not_sure"),
            ("yes", None),
        ],
    )
    + table(
        "for_whom",
        [
            ("me", "self"),
            ("myself", "self"),
            ("it's for me", "self"),
            ("for me", "self"),
            ("my son", "other"),
            ("my brother", "other"),
            ("I'm asking for my mom", "other"),
            ("my wife", "other"),
            ("a friend", "other"),
            ("for a family member or friend", "other"),
            ("someone else", "other"),
            ("mi hijo", "other"),
            ("a client", "client"),
            ("my patient", "client"),
            ("I'm a case manager", "client"),
            ("for a client", "client"),
            ("I'm a social worker helping someone", "client"),
        ],
    )
    + table("location", [("not sure", "not_sure"), ("Worcester", None)])
    # "she has", "I do": an answer only where the clause ends there; otherwise it is about
    # something else and the question is asked again, never taken as "yes".
    + table(
        "daily_living",
        [
            ("she has an apartment with me", None),
            ("she does her own shopping", None),
            ("yes she has", "yes"),
            ("she does, a lot", "yes"),
            ("he did. twice", "yes"),
        ],
    )
    + table("consent", [("she does", "yes"), ("he doesn't want it", "no")])
)


@pytest.mark.parametrize("question_id, text, expected", CASES)
def test_answer_table(question_id, text, expected):
    assert value(question_id, text) == expected


# ----------------------------------------------------------------------------- readable cases


def test_a_month_and_a_half_ago_is_45_days_not_one_month():
    assert value("psych_discharge", "a month and a half ago") == 45


def test_about_3_weeks_ago_is_21_days():
    assert value("psych_discharge", "about 3 weeks ago") == 21


def test_no_never_been_to_the_er_is_zero_visits():
    assert value("er_visits", "no, never been to the ER") == 0


def test_a_bare_number_for_a_discharge_is_asked_again():
    # "2" to "when did he leave the hospital?" says no unit: days, weeks or months.
    parsed = parse_answer("psych_discharge", "2", today=TODAY)
    assert parsed.value is None


def test_someone_still_in_the_hospital_is_asked_again():
    # Not discharged yet, even with a time said: never read as a discharge.
    assert parse_answer("psych_discharge", "she is still in the hospital", today=TODAY).value is None
    assert parse_answer("psych_discharge", "still inpatient, went in 3 weeks ago", today=TODAY).value is None


def test_who_it_is_for_keeps_the_relation():
    assert parse_answer("for_whom", "my brother").extra == {"relation": "brother"}
    assert parse_answer("for_whom", "mi hija").extra == {"relation": "daughter"}
    assert parse_answer("for_whom", "for a family member or friend").extra == {}


def test_diagnosis_keeps_the_words_said():
    assert parse_answer("diagnosis", "Depression and alcohol").extra == {"diagnosis_text": "depression, alcohol"}


def test_plain_medicaid_needs_the_state():
    parsed = parse_answer("coverage", "medicaid")
    assert parsed.value is None and parsed.extra == {"needs_state": True}


@pytest.mark.parametrize(
    "state, expected",
    [("MA", "masshealth_unsure"), ("NC", "nc_medicaid"), ("TX", "medicaid_other_state")],
)
def test_plain_medicaid_follows_the_known_state(state, expected):
    assert parse_answer("coverage", "I have Medicaid", context={"state": state}).value == expected


def test_managed_care_without_masshealth_is_not_guessed_outside_massachusetts():
    assert parse_answer("coverage", "managed care", context={"state": "MA"}).value == "masshealth_managed_care"
    assert parse_answer("coverage", "managed care", context={"state": "NC"}).value is None


def test_normalized_values_from_buttons_pass_through():
    assert value("coverage", "masshealth_ffs") == "masshealth_ffs"
    assert value("housing", "homeless_psh") == "homeless_psh"
    assert value("age", "not_sure") == "not_sure"


def test_age_turning_18_is_still_17():
    parsed = parse_answer("age", "he turns 18 next month")
    assert parsed.value == 17


def test_unknown_question_id_is_an_error():
    with pytest.raises(ValueError):
        parse_answer("favourite_colour", "blue")


# ----------------------------------------------------------------------------- building blocks


@pytest.mark.parametrize(
    "text, days",
    [
        ("3 weeks ago", -21),
        ("in about 2 months", 60),
        ("a month and a half ago", -45),
        ("yesterday", -1),
        ("next month", 30),
        ("3 weeks", None),
        ("in the last 6 months", None),
        ("nothing", None),
    ],
)
def test_duration_days_are_signed(text, days):
    assert duration_days(text) == days


@pytest.mark.parametrize(
    "text, number",
    [
        ("three", 3),
        ("twenty-one", 21),
        ("4", 4),
        ("twice", 2),
        ("a couple", 2),
        ("three times", 3),
        ("two or three", None),
    ],
)
def test_number_value(text, number):
    assert number_value(text) == number


def test_windows_are_not_points_in_time():
    refs = find_time_references("twice in the last 3 months", TODAY)
    assert [(r.kind, r.days) for r in refs] == [("window_past", 90)]


def test_each_parse_is_fast():
    samples = [
        ("psych_discharge", "I was discharged about three weeks ago, I think"),
        ("er_visits", "twice"),
        ("coverage", "MassHealth through my ACO"),
        ("age", "I'm 34"),
        ("housing", "in a shelter"),
        ("move_in", "in about 2 months"),
        ("consent", "yes she wants it"),
        ("psych_discharge", "October 3"),
    ]
    timings = []
    for _ in range(20):
        for question_id, text in samples:
            start = time.perf_counter()
            parse_answer(question_id, text, today=TODAY)
            timings.append((time.perf_counter() - start) * 1000)
    assert statistics.median(timings) < 5


def test_a_run_of_hundreds_of_digits_is_no_number_and_no_crash():
    from referral.text.numbers import find_numbers, number_value

    digits = "9" * 5000
    assert number_value(digits) is None
    assert find_numbers(f"I am {digits} years old") == []
    assert parse_answer("er_visits", digits).value is None
    assert parse_answer("age", "34").value == 34
