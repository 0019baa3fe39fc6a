"""The rule boundaries read from people's words at both sides, compound numbers, halves, weekdays
and months with a fixed today, ZIP+4, and asking back near a boundary (and the reply to it)."""

from datetime import date

import pytest

from referral.screening.answers import boundaries, parse_answer
from referral.text.durations import find_time_references
from referral.text.numbers import find_numbers

TODAY = date(2026, 11, 23)  # a Monday


def parsed(question_id, text, **kwargs):
    return parse_answer(question_id, text, today=TODAY, **kwargs)


def value(question_id, text, **kwargs):
    return parsed(question_id, text, **kwargs).value


BOUNDARY_CASES = [
    # psychiatric discharge within 180 days
    ("psych_discharge", "179 days ago", 179),
    ("psych_discharge", "180 days ago", 180),
    ("psych_discharge", "181 days ago", 181),
    ("psych_discharge", "a hundred and seventy-nine days ago", 179),
    ("psych_discharge", "one hundred eighty days ago", 180),
    ("psych_discharge", "a hundred and eighty-one days ago", 181),
    ("psych_discharge", "a hundred and ninety days ago", 190),
    ("psych_discharge", "5 months ago", 150),
    ("psych_discharge", "6 months ago", 180),
    ("psych_discharge", "seven months ago", 210),
    ("psych_discharge", "six months ago", 180),
    ("psych_discharge", "hace ciento noventa días", 190),
    # ER visits: 2 or more in 90 days
    ("er_visits", "1", 1),
    ("er_visits", "2", 2),
    ("er_visits", "3", 3),
    ("er_visits", "once", 1),
    ("er_visits", "twice", 2),
    ("er_visits", "three times", 3),
    # 89 / 90 / 91 days: the ER window's length, read as days of a time
    ("psych_discharge", "89 days ago", 89),
    ("psych_discharge", "ninety days ago", 90),
    ("psych_discharge", "ninety one days ago", 91),
    # CSP-HI move-in within 120 days
    ("move_in", "in 119 days", 119),
    ("move_in", "in one hundred twenty days", 120),
    ("move_in", "in 121 days", 121),
    ("move_in", "in 3 months", 90),
    ("move_in", "in 4 months", 120),
    ("move_in", "in five months", 150),
    # CST adult at 18
    ("age", "seventeen", 17),
    ("age", "17", 17),
    ("age", "18", 18),
    ("age", "eighteen", 18),
    ("age", "he turns 18 next month", 17),
    ("age", "18 or older", 18),
    ("age", "nineteen", 19),
    ("age", "she is two hundred", None),
]


@pytest.mark.parametrize("question_id, text, expected", BOUNDARY_CASES, ids=[c[1] for c in BOUNDARY_CASES])
def test_rule_boundaries_on_both_sides(question_id, text, expected):
    assert value(question_id, text) == expected


def test_a_hundred_and_ninety_days_ago_is_not_within_180_days():
    assert value("psych_discharge", "a hundred and ninety days ago") == 190


@pytest.mark.parametrize(
    "text, number",
    [
        ("a hundred and eighty-one", 181),
        ("one hundred twenty", 120),
        ("two hundred", 200),
        ("ninety one", 91),
        ("a hundred ninety", 190),
        ("treinta y uno", 31),
        ("ciento veinte", 120),
        ("veintiuno", 21),
    ],
)
def test_compound_number_words(text, number):
    assert [n[2] for n in find_numbers(text)] == [number]


@pytest.mark.parametrize(
    "question_id, text, days",
    [
        ("psych_discharge", "a year and a half ago", 548),
        ("psych_discharge", "six and a half months ago", 195),
        ("psych_discharge", "two and a half months ago", 75),
        ("psych_discharge", "a month and a half ago", 45),
        ("move_in", "in a month and a half", 45),
        ("psych_discharge", "hace dos meses y medio", 75),
    ],
)
def test_halves(question_id, text, days):
    assert value(question_id, text) == days


@pytest.mark.parametrize(
    "question_id, text, days",
    [
        ("psych_discharge", "last Tuesday", 6),
        ("psych_discharge", "this past Monday", 7),
        ("psych_discharge", "on Friday", 3),
        ("psych_discharge", "el lunes pasado", 7),
        ("move_in", "next Friday", 4),
        ("psych_discharge", "in early November", 18),
        ("psych_discharge", "back in September", 68),
        ("move_in", "in late December", 33),
        ("psych_discharge", "last summer", 130),
    ],
)
def test_weekdays_months_and_seasons_from_a_fixed_today(question_id, text, days):
    assert value(question_id, text) == days


@pytest.mark.parametrize("text", ["01608-1234", "01608", "my zip is 01608-1234"])
def test_a_zip_code_is_never_a_number_or_a_date(text):
    assert find_numbers(text) == []
    assert find_time_references(text, TODAY) == []
    assert value("age", text) is None
    assert value("er_visits", text) is None


def test_a_zip_code_beside_an_age_leaves_the_age():
    assert value("age", "I'm 34, zip 01608-1234") == 34


# ----------------------------------------------------------------------------- asking back


ASK_BACK = [
    ("psych_discharge", "about six months ago", 180, "6 months"),
    ("psych_discharge", "around 6 months", 180, "6 months"),
    ("psych_discharge", "maybe 5 or 6 months ago", 180, "6 months"),
    ("psych_discharge", "6 months ago or so", 180, "6 months"),
    ("psych_discharge", "last spring", 180, "6 months"),
    ("psych_discharge", "back in May", 180, "6 months"),
    ("psych_discharge", "half a year ago", 180, "6 months"),
    ("psych_discharge", "at least 6 months ago", 180, "6 months"),
    ("move_in", "like 3 or 4 months", 120, "4 months"),
    ("move_in", "in about 4 months", 120, "4 months"),
    ("er_visits", "once or twice", 2, "2 times"),
    ("er_visits", "1 or 2 times", 2, "2 times"),
    ("er_visits", "at least once", 2, "2 times"),
    ("age", "17 or 18", 18, "18 years old"),
    ("age", "he's a teenager", 18, "18 years old"),
]


@pytest.mark.parametrize("question_id, text, near, unit", ASK_BACK, ids=[c[1] for c in ASK_BACK])
def test_an_answer_on_both_sides_of_a_boundary_is_asked_back(question_id, text, near, unit):
    answer = parsed(question_id, text)
    assert answer.value is None
    assert answer.extra == {"near": near, "unit": unit}


@pytest.mark.parametrize(
    "question_id, text, expected",
    [
        ("psych_discharge", "about 3 weeks ago", 21),
        ("psych_discharge", "around 8 months ago", 240),
        ("psych_discharge", "more than 6 months ago", 181),
        ("psych_discharge", "less than 6 months ago", 179),
        ("psych_discharge", "almost 6 months ago", 179),
        ("psych_discharge", "5 or 6 months ago", 165),
        ("er_visits", "about 2 or 3 times", 2),
        ("er_visits", "2-3 times", 2),
        ("er_visits", "more than once", 2),
        ("move_in", "in about 2 months", 60),
        ("age", "about 40", 40),
    ],
)
def test_an_answer_on_one_side_of_every_boundary_is_read(question_id, text, expected):
    assert value(question_id, text) == expected


REPLIES = [
    ("psych_discharge", 180, "less", 180),
    ("psych_discharge", 180, "more than that", 181),
    ("psych_discharge", 180, "a bit more", 181),
    ("psych_discharge", 180, "under 6 months", 179),
    ("psych_discharge", 180, "longer ago", 181),
    ("psych_discharge", 180, "yes less", 180),
    ("psych_discharge", 180, "no, more", 181),
    ("psych_discharge", 180, "more recent", 180),
    ("move_in", 120, "sooner", 120),
    ("move_in", 120, "later than that", 121),
    ("er_visits", 2, "once", 1),
    ("er_visits", 2, "twice", 2),
    ("er_visits", 2, "less", 1),
    ("er_visits", 2, "more", 2),
    ("age", 18, "younger", 17),
    ("age", 18, "older", 18),
]


@pytest.mark.parametrize("question_id, near, text, expected", REPLIES, ids=[f"{c[0]} {c[2]}" for c in REPLIES])
def test_the_reply_to_an_ask_back_lands_on_the_side_said(question_id, near, text, expected):
    assert value(question_id, text, context={"near": near}) == expected


def test_a_bare_yes_to_an_ask_back_needs_the_side_it_means():
    assert value("psych_discharge", "yes", context={"near": 180}) == "yes"
    assert value("psych_discharge", "yes", context={"near": 180, "yes_means": "below"}) == 180
    assert value("psych_discharge", "no", context={"near": 180, "yes_means": "below"}) == 181


def test_boundaries_come_from_the_rules():
    assert [b.value for b in boundaries("psych_discharge")] == [180]
    assert [b.value for b in boundaries("move_in")] == [120]
    assert [b.value for b in boundaries("age")] == [18]
    assert 2 in [b.value for b in boundaries("er_visits")]


def test_a_new_programs_boundary_is_asked_back(monkeypatch):
    from referral.eligibility import engine
    from referral.screening import answers

    rules = engine.rules()
    program = next(iter(rules.programs.values()))
    criterion = engine.Criterion(
        id="recent_er",
        reads=("psych_discharge",),
        condition={"max_days": 30},
        required=False,
        source={},
        reasons={},
        what_else_helps=None,
    )
    extended = engine.Program(
        id="NEW", name="New", state="MA", coverage=(), where="", criteria=program.criteria + (criterion,)
    )
    fake = type(rules)(**{**rules.__dict__, "programs": {**rules.programs, "NEW": extended}})
    monkeypatch.setattr(engine, "rules", lambda: fake)
    assert [b.value for b in answers.boundaries("psych_discharge")] == [30, 180]
    assert parsed("psych_discharge", "about a month ago").extra == {"near": 30, "unit": "1 month"}
    assert value("psych_discharge", "3 weeks ago") == 21
