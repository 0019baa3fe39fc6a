"""Answers in people's own words, in the three voices (self, family, outreach), for housing,
justice, coverage, access to care, daily living, consent, diagnosis and who the support is for."""

from datetime import date

import pytest

from referral.screening.answers import parse_answer

TODAY = date(2026, 11, 23)


def value(question_id, text, **kwargs):
    return parse_answer(question_id, text, today=TODAY, **kwargs).value


def table(question_id, rows):
    return [pytest.param(question_id, text, expected, id=f"{question_id}: {text}") for text, expected in rows]


CASES = (
    table(
        "housing",
        [
            ("i crash at different friends places", "homeless"),
            ("sleeping in a van by the river", "homeless"),
            ("his girlfriend kicked him out last week", "homeless"),
            ("we're in an EA motel right now", "homeless"),
            ("she lives in a halfway house", "homeless"),
            ("rents a room from a cousin", "housed"),
            ("lives in a sober house", "housed"),
            ("my mom is in senior housing", "housed"),
            ("client resides in a DMH group residence", "housed"),
            ("he lives w/ his dad", "housed"),
            ("own apt in Quincy", "housed"),
            ("living with my boyfriend", "housed"),
            ("assisted living", "housed"),
            ("section 8 apartment, been there 5 years", "housed"),
            ("in a shelter, has a voucher but hasn't found anything", "homeless"),
            ("shelter now but the PSH unit is identified", "homeless_psh"),
        ],
    )
    + table(
        "justice",
        [
            ("I check in with my PO every week", "yes"),
            ("he's on papers till next year", "yes"),
            ("clt has a pending case in district court", "yes"),
            ("got out of county last month", "yes"),
            ("she's in drug court", "yes"),
            ("had a DUI", "yes"),
            ("y, DOC referral", "yes"),
            ("never been locked up", "no"),
            ("an old charge years back, nothing current", "no"),
            ("finished probation in 2019, nothing since", "no"),
            ("not sure, need to ask his PO", "not_sure"),
            ("unknown", "not_sure"),
        ],
    )
    + table(
        "coverage",
        [
            ("masshealth with tufts", "masshealth_managed_care"),
            ("MassHealth through WellSense", "masshealth_managed_care"),
            ("masshealth, the ACO kind", "masshealth_managed_care"),
            ("masshealth, never picked a plan", "masshealth_ffs"),
            ("regular masshealth, not in an ACO", "masshealth_ffs"),
            ("CT Medicaid still, just moved", "medicaid_other_state"),
            ("medicaid from NH", "medicaid_other_state"),
            ("Tufts through my job", "other"),
            ("medicaid or something", None),
        ],
    )
    + table(
        "access_barriers",
        [
            ("no car and the bus takes two hours", "yes"),
            ("can't afford the bus fare", "yes"),
            ("she no-showed her last two intakes", "yes"),
            ("keeps running out of meds", "yes"),
            ("he doesn't have a PCP", "yes"),
            ("on a waitlist for a therapist", "yes"),
            ("he never misses appointments", "no"),
            ("doesn't miss appointments, his sister drives him", "no"),
            ("keeps all appts", "no"),
        ],
    )
    + table(
        "daily_living",
        [
            ("she can't live on her own", "yes"),
            ("he isolates, barely leaves his room", "yes"),
            ("got fired twice this year", "yes"),
            ("needs reminders to eat and shower", "yes"),
            ("ADLs independent", "no"),
            ("he manages fine on his own", "no"),
            ("i manage", "no"),
        ],
    )
    + table(
        "consent",
        [
            ("sure", "yes"),
            ("i guess", "yes"),
            ("whatever helps", "yes"),
            ("only if i can stop", "yes"),
            ("clt agreeable", "yes"),
            ("pt consented", "yes"),
            ("yess", "yes"),
            ("declined", "no"),
            ("she doesn't want anyone in her business", "no"),
            ("clt unsure, wants to think it over", "not_sure"),
        ],
    )
    + table(
        "diagnosis",
        [
            ("MDD", "mental_health"),
            ("GAD and panic", "mental_health"),
            ("hears voices", "mental_health"),
            ("ETOH", "substance_use"),
            ("he's on dope", "substance_use"),
            ("pills, xanax mostly", "substance_use"),
            ("dual dx", "both"),
            ("has a dx, not sure what", "yes"),
            ("never been diagnosed", "no"),
            ("not officially, but I think it's anxiety", "no"),
            ("schizofrenia", "mental_health"),
        ],
    )
    + table(
        "for_whom",
        [
            ("clt", "client"),
            ("for a pt of mine", "client"),
            ("I'm his CM", "client"),
            ("one of my caseload", "client"),
            ("a guest at our drop-in", "client"),
            ("not a client, my nephew", "other"),
            ("I'm a peer worker but this is for myself", "self"),
            ("my roomate", "other"),
        ],
    )
    + table(
        "age",
        [
            ("DOB 4/2/1990", 36),
            ("born in 2001", 24),
            ("born March 3 2000", 26),
            ("in his 40s", 40),
            ("she'll be 30 in January", 29),
            ("17, turns 18 in March", 17),
            ("I'm 48 and he's five years younger", 48),
        ],
    )
    + table(
        "er_visits",
        [
            ("he's 38 and went to the ER three times", 3),
            ("x3 in 90 days", 3),
            ("never had a diagnosis but 4 ED visits", 4),
            ("no, never", 0),
        ],
    )
)


@pytest.mark.parametrize("question_id, text, expected", CASES)
def test_peoples_words(question_id, text, expected):
    assert value(question_id, text) == expected
