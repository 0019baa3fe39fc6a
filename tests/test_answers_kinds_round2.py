"""Kinds of misreading found by the blind screening round 2 (the lines here are ours)."""

import pytest

from referral.screening.answers import parse_answer


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aetna through work. not MassHealth", "other"),
        ("she isn't on MassHealth anymore", "none"),
        ("MassHealth, I'm not sure which kind", "masshealth_unsure"),
        ("not sure, I think she has MassHealth but can't confirm", "not_sure"),
        ("he had Medicaid last year, don't know if it's still active", "not_sure"),
        ("MassHealth through my ACO", "masshealth_managed_care"),
    ],
)
def test_a_doubt_or_a_no_about_medicaid_never_reads_as_having_it(text, expected):
    assert parse_answer("coverage", text, context={"state": "MA"}).value == expected


@pytest.mark.parametrize(
    "question, text, expected",
    [
        ("justice", "no, nothing open, no probation", "no"),
        ("justice", "no jail but she is on parole", "yes"),
        ("access_barriers", "no ride to appointments", "yes"),
    ],
)
def test_a_phrase_said_as_not_so_and_another_said_so(question, text, expected):
    assert parse_answer(question, text).value == expected
