"""The eligibility rules per program (a decision table over every boundary) and which screening
questions are still worth asking."""

from pathlib import Path

import pytest
import yaml

from referral.eligibility.engine import evaluate, questions_that_matter
from referral.registry import program_file

WORCESTER = {
    "zip": "01608",
    "town": "Worcester",
    "state": "MA",
    "county": "Worcester County",
    "lat": 42.26,
    "lon": -71.80,
}
RALEIGH = {"zip": "27601", "town": "Raleigh", "state": "NC", "county": "Wake County", "lat": 35.77, "lon": -78.64}
DALLAS = {"zip": "75201", "town": "Dallas", "state": "TX", "county": "Dallas County", "lat": 32.79, "lon": -96.80}

# Everything met for the CSP programs, with exactly one sign of risk (a recent discharge) so that
# each boundary row changes one answer only.
MA_BASE = {
    "for_whom": "self",
    "location": WORCESTER,
    "coverage": "masshealth_managed_care",
    "diagnosis": "mental_health",
    "psych_discharge": 30,
    "er_visits": 0,
    "housing": "homeless_psh",
    "move_in": 60,
    "justice": "yes",
    "access_barriers": "yes",
    "consent": "yes",
}
# For the risk boundaries of CSP: no sign of risk except the one a row sets.
MA_NO_RISK = {**MA_BASE, "psych_discharge": "no", "er_visits": 0, "access_barriers": "no"}
NC_BASE = {
    "for_whom": "other",
    "location": RALEIGH,
    "coverage": "nc_medicaid",
    "age": 34,
    "diagnosis": "mental_health",
    "psych_discharge": "no",
    "er_visits": 2,
    "daily_living": "yes",
    "consent": "yes",
}
NC_NO_ACUITY = {**NC_BASE, "psych_discharge": "no", "er_visits": 0}

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PRODUCT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "PRODUCT.md"


def result(answers, program_id):
    found = [r for r in evaluate(answers) if r.id == program_id]
    assert found, f"{program_id} missing from the results"
    return found[0]


DECISION_TABLE = [
    # CSP: the psychiatric discharge window (180 days).
    pytest.param(MA_NO_RISK, {"psych_discharge": 179}, "CSP", "likely", id="csp-discharge-179-days-ago"),
    pytest.param(MA_NO_RISK, {"psych_discharge": 180}, "CSP", "likely", id="csp-discharge-180-days-ago"),
    pytest.param(MA_NO_RISK, {"psych_discharge": 181}, "CSP", "unlikely", id="csp-discharge-181-days-ago"),
    pytest.param(MA_NO_RISK, {"psych_discharge": 0}, "CSP", "likely", id="csp-discharged-today"),
    pytest.param(MA_NO_RISK, {"psych_discharge": "yes"}, "CSP", "likely", id="csp-discharge-yes-no-date"),
    pytest.param(MA_NO_RISK, {"psych_discharge": "not_sure"}, "CSP", "possible", id="csp-discharge-not-sure"),
    # CSP: multiple ER visits in 90 days.
    pytest.param(MA_NO_RISK, {"er_visits": 1}, "CSP", "unlikely", id="csp-one-er-visit"),
    pytest.param(MA_NO_RISK, {"er_visits": 2}, "CSP", "likely", id="csp-two-er-visits"),
    pytest.param(MA_NO_RISK, {"er_visits": "not_sure"}, "CSP", "possible", id="csp-er-visits-not-sure"),
    # CSP: documented barriers to care.
    pytest.param(MA_NO_RISK, {"access_barriers": "yes"}, "CSP", "likely", id="csp-barriers-yes"),
    pytest.param(MA_NO_RISK, {"access_barriers": "not_sure"}, "CSP", "possible", id="csp-barriers-not-sure"),
    # CSP: coverage.
    pytest.param(MA_BASE, {"coverage": "masshealth_ffs"}, "CSP", "likely", id="csp-masshealth-fee-for-service"),
    pytest.param(MA_BASE, {"coverage": "masshealth_unsure"}, "CSP", "likely", id="csp-masshealth-kind-unknown"),
    pytest.param(MA_BASE, {"coverage": "not_sure"}, "CSP", "possible", id="csp-coverage-not-sure"),
    pytest.param(MA_BASE, {"coverage": "none"}, "CSP", "unlikely", id="csp-no-coverage"),
    pytest.param(MA_BASE, {"coverage": "other"}, "CSP", "unlikely", id="csp-other-insurance"),
    pytest.param(MA_BASE, {"coverage": "nc_medicaid"}, "CSP", "unlikely", id="csp-nc-medicaid-in-massachusetts"),
    # CSP: diagnosis and consent.
    pytest.param(MA_BASE, {"diagnosis": "substance_use"}, "CSP", "likely", id="csp-substance-use-diagnosis"),
    pytest.param(MA_BASE, {"diagnosis": "yes"}, "CSP", "likely", id="csp-diagnosis-type-not-said"),
    pytest.param(MA_BASE, {"diagnosis": "no"}, "CSP", "unlikely", id="csp-no-diagnosis"),
    pytest.param(MA_BASE, {"diagnosis": "not_sure"}, "CSP", "possible", id="csp-diagnosis-not-sure"),
    pytest.param(MA_BASE, {"consent": "no"}, "CSP", "unlikely", id="csp-no-consent"),
    pytest.param(MA_BASE, {"consent": "not_sure"}, "CSP", "possible", id="csp-consent-not-sure"),
    pytest.param(
        {k: v for k, v in MA_BASE.items() if k != "consent"}, {}, "CSP", "possible", id="csp-consent-not-asked"
    ),
    # CSP-HI: the 120-day move-in window, housing, and the CSP core it keeps.
    pytest.param(MA_BASE, {"move_in": 120}, "CSP-HI", "likely", id="hi-move-in-120-days"),
    pytest.param(MA_BASE, {"move_in": 121}, "CSP-HI", "unlikely", id="hi-move-in-121-days"),
    pytest.param(MA_BASE, {"move_in": "not_sure"}, "CSP-HI", "possible", id="hi-move-in-not-sure"),
    pytest.param(
        MA_BASE, {"housing": "homeless", "move_in": None}, "CSP-HI", "unlikely", id="hi-homeless-nothing-lined-up"
    ),
    pytest.param(MA_BASE, {"housing": "housed", "move_in": None}, "CSP-HI", "unlikely", id="hi-housed"),
    pytest.param(MA_BASE, {"housing": "not_sure", "move_in": None}, "CSP-HI", "possible", id="hi-housing-not-sure"),
    pytest.param(
        {**MA_NO_RISK, "housing": "homeless_psh", "move_in": 30}, {}, "CSP-HI", "unlikely", id="hi-without-csp-risk"
    ),
    pytest.param(MA_BASE, {"coverage": "none"}, "CSP-HI", "unlikely", id="hi-no-coverage"),
    # CSP-JI: justice involvement and barriers to care.
    pytest.param(MA_BASE, {}, "CSP-JI", "likely", id="ji-justice-and-barriers"),
    pytest.param(MA_BASE, {"access_barriers": "no"}, "CSP-JI", "unlikely", id="ji-without-barriers"),
    pytest.param(MA_BASE, {"access_barriers": "not_sure"}, "CSP-JI", "possible", id="ji-barriers-not-sure"),
    pytest.param(MA_BASE, {"justice": "no"}, "CSP-JI", "unlikely", id="ji-no-justice-involvement"),
    pytest.param(MA_BASE, {"justice": "not_sure"}, "CSP-JI", "possible", id="ji-justice-not-sure"),
    # CST: adults only.
    pytest.param(NC_BASE, {"age": 17}, "CST", "unlikely", id="cst-age-17"),
    pytest.param(NC_BASE, {"age": 18}, "CST", "likely", id="cst-age-18"),
    pytest.param(NC_BASE, {"age": "not_sure"}, "CST", "possible", id="cst-age-not-sure"),
    # CST: a pattern of high-acuity service use.
    pytest.param(NC_NO_ACUITY, {"er_visits": 2}, "CST", "likely", id="cst-two-er-visits"),
    pytest.param(NC_NO_ACUITY, {"er_visits": 1}, "CST", "possible", id="cst-one-er-visit-needs-a-clinician"),
    pytest.param(NC_NO_ACUITY, {}, "CST", "unlikely", id="cst-no-er-visits-no-discharge"),
    # "A pattern of high-acuity service use": one hospital stay alone is for a clinician to judge;
    # a recent stay and an ER visit, or repeated ER visits, are a pattern.
    pytest.param(NC_NO_ACUITY, {"psych_discharge": 180}, "CST", "possible", id="cst-discharge-alone-needs-a-clinician"),
    pytest.param(NC_NO_ACUITY, {"psych_discharge": "yes"}, "CST", "possible", id="cst-discharge-yes-alone"),
    pytest.param(
        NC_NO_ACUITY, {"psych_discharge": 180, "er_visits": 1}, "CST", "likely", id="cst-discharge-180-and-one-er-visit"
    ),
    pytest.param(
        NC_NO_ACUITY,
        {"psych_discharge": "yes", "er_visits": 1},
        "CST",
        "likely",
        id="cst-discharge-yes-and-one-er-visit",
    ),
    pytest.param(
        NC_NO_ACUITY,
        {"psych_discharge": 181, "er_visits": 1},
        "CST",
        "possible",
        id="cst-discharge-181-and-one-er-visit",
    ),
    pytest.param(
        NC_NO_ACUITY,
        {"psych_discharge": 20, "er_visits": "not_sure"},
        "CST",
        "possible",
        id="cst-discharge-er-not-sure",
    ),
    pytest.param(
        NC_NO_ACUITY, {"psych_discharge": 200}, "CST", "possible", id="cst-discharge-200-days-ago-needs-a-clinician"
    ),
    pytest.param(NC_NO_ACUITY, {"er_visits": "not_sure"}, "CST", "possible", id="cst-er-visits-not-sure"),
    # CST: diagnosis.
    pytest.param(NC_BASE, {"diagnosis": "both"}, "CST", "likely", id="cst-co-occurring"),
    pytest.param(
        NC_BASE, {"diagnosis": "substance_use"}, "CST", "possible", id="cst-substance-use-alone-needs-a-clinician"
    ),
    pytest.param(NC_BASE, {"diagnosis": "yes"}, "CST", "possible", id="cst-diagnosis-type-not-said"),
    pytest.param(NC_BASE, {"diagnosis": "no"}, "CST", "unlikely", id="cst-no-diagnosis"),
    # CST: daily living, engagement, coverage.
    pytest.param(NC_BASE, {"daily_living": "no"}, "CST", "unlikely", id="cst-no-functional-impairment"),
    pytest.param(NC_BASE, {"daily_living": "not_sure"}, "CST", "possible", id="cst-daily-living-not-sure"),
    pytest.param(NC_BASE, {"consent": "no"}, "CST", "unlikely", id="cst-not-willing"),
    pytest.param(NC_BASE, {"coverage": "none"}, "CST", "unlikely", id="cst-no-coverage"),
    pytest.param(NC_BASE, {"coverage": "other"}, "CST", "unlikely", id="cst-other-insurance"),
    pytest.param(NC_BASE, {"coverage": "masshealth_unsure"}, "CST", "unlikely", id="cst-masshealth-in-north-carolina"),
    pytest.param(NC_BASE, {"coverage": "not_sure"}, "CST", "possible", id="cst-coverage-not-sure"),
]


@pytest.mark.parametrize("base, change, program_id, expected", DECISION_TABLE)
def test_decision_table(base, change, program_id, expected):
    answers = {k: v for k, v in {**base, **change}.items() if v is not None}
    assert result(answers, program_id).status == expected


# ----------------------------------------------------------------------------- readable cases


def test_discharge_181_days_ago_is_not_recent_enough():
    csp = result({**MA_NO_RISK, "psych_discharge": 181}, "CSP")
    assert csp.status == "unlikely"
    assert csp.unmet == ["risk_of_admission"]
    assert any("180 days" in reason for reason in csp.reasons)


def test_discharge_within_180_days_is_named_as_the_reason():
    csp = result({**MA_NO_RISK, "psych_discharge": 21}, "CSP")
    assert "Left a psychiatric hospital within the last 180 days." in csp.reasons


def test_an_unlikely_program_says_which_criterion_was_not_met_first():
    csp = result({**MA_BASE, "consent": "no"}, "CSP")
    assert csp.unmet == ["consent"]
    assert csp.reasons[0] == "Does not want this support right now. It is voluntary."


def test_no_masshealth_offers_applying_the_help_line_and_988():
    csp = result({**MA_BASE, "coverage": "none"}, "CSP")
    steps = " ".join(csp.next_steps)
    assert "Apply for MassHealth" in steps
    assert "833-773-2445" in steps
    assert "988" in steps


def test_no_risk_signs_points_to_the_members_aco_or_mco():
    csp = result(MA_NO_RISK, "CSP")
    assert csp.status == "unlikely"
    assert any("ACO or MCO" in step for step in csp.next_steps)


def test_likely_csp_says_no_prior_authorization_and_that_a_provider_decides():
    csp = result(MA_BASE, "CSP")
    assert csp.status == "likely"
    assert "No prior authorization is needed for standard CSP." in csp.next_steps
    assert "A provider makes the final decision after an assessment." in csp.next_steps


def test_likely_cst_says_the_intake_team_coordinates_authorization():
    cst = result(NC_BASE, "CST")
    assert cst.status == "likely"
    assert (
        "The provider's intake team coordinates the eligibility review, authorization and assessment." in cst.next_steps
    )


def test_possible_names_what_needs_checking():
    cst = result({**NC_NO_ACUITY, "er_visits": 1}, "CST")
    assert cst.needs_judgement == ["high_acuity_use"]
    assert any("clinician" in reason for reason in cst.reasons)
    assert "high_acuity_use" in cst.to_payload()["unknown"]


def test_out_of_area_every_program_unlikely_with_findtreatment_and_988():
    results = evaluate({"for_whom": "self", "location": DALLAS, "coverage": "other"})
    assert [r.id for r in results] == ["CSP", "CSP-HI", "CSP-JI", "CST"]
    for r in results:
        assert r.status == "unlikely"
        assert r.unmet == ["offered_in"]
        assert r.reasons[0].startswith("Not offered in Texas.")
        assert any("FindTreatment.gov" in step for step in r.next_steps)
        assert any("988" in step for step in r.next_steps)


def test_massachusetts_place_reports_only_the_csp_programs():
    assert [r.id for r in evaluate(MA_BASE)] == ["CSP", "CSP-HI", "CSP-JI"]


def test_north_carolina_place_reports_only_cst():
    assert [r.id for r in evaluate(NC_BASE)] == ["CST"]


@pytest.mark.parametrize(
    "coverage, programs",
    [
        pytest.param("masshealth_ffs", ["CSP", "CSP-HI", "CSP-JI"], id="masshealth-means-massachusetts"),
        pytest.param("nc_medicaid", ["CST"], id="nc-medicaid-means-north-carolina"),
        pytest.param("not_sure", ["CSP", "CSP-HI", "CSP-JI", "CST"], id="coverage-not-sure-means-all"),
        pytest.param("other", ["CSP", "CSP-HI", "CSP-JI", "CST"], id="other-insurance-means-all"),
    ],
)
def test_unknown_place_programs_follow_the_coverage(coverage, programs):
    assert [r.id for r in evaluate({"location": "not_sure", "coverage": coverage})] == programs


def test_payload_has_the_contract_fields():
    payload = result(MA_BASE, "CSP").to_payload()
    assert {"id", "status", "reasons", "next_steps"} <= set(payload)
    assert payload["id"] == "CSP" and payload["status"] == "likely"
    assert all(isinstance(text, str) for text in payload["reasons"] + payload["next_steps"])


def test_numbers_from_slots_are_read_as_whole_numbers():
    assert result({**MA_NO_RISK, "psych_discharge": 180.0}, "CSP").status == "likely"
    assert result({**MA_NO_RISK, "er_visits": "2"}, "CSP").status == "likely"


def test_evaluate_does_not_change_the_answers():
    answers = dict(MA_BASE)
    evaluate(answers)
    questions_that_matter(answers)
    assert answers == MA_BASE


# ----------------------------------------------------------------------------- the rules file


def _rules_raw():
    return yaml.safe_load(program_file("rules.yml").read_text(encoding="utf-8"))


def _cited(raw):
    for program in raw["programs"].values():
        for criterion in program["criteria"]:
            yield criterion["source"]
        if program.get("includes_source"):
            yield program["includes_source"]
    for steps in raw["next_steps"]["programs"].values():
        for status_steps in steps.values():
            for step in status_steps or []:
                yield step["source"]
    for steps in raw["next_steps"]["status"].values():
        for step in steps or []:
            yield step["source"]
    for alternative in raw["alternatives"].values():
        if "help_line" not in alternative:  # a help line's source is beside it in resources.yml
            yield alternative["source"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")
def test_every_seed_citation_is_an_exact_sentence_of_its_seed():
    for source in _cited(_rules_raw()):
        if source["file"] in ("PRODUCT.md", "lead"):
            continue
        text = (SEEDS / f"{source['file']}.txt").read_text(encoding="utf-8")
        assert source["sentence"] in text, source


@pytest.mark.skipif(not PRODUCT.is_file(), reason="PRODUCT.md not available")
def test_every_product_citation_is_in_the_product_brief():
    # The brief wraps its lines: compare with whitespace collapsed.
    text = " ".join(PRODUCT.read_text(encoding="utf-8").split())
    for source in _cited(_rules_raw()):
        if source["file"] == "PRODUCT.md":
            assert " ".join(source["sentence"].split()) in text, source


def test_reasons_do_not_assume_who_the_person_is():
    raw = _rules_raw()
    for program in raw["programs"].values():
        for criterion in program["criteria"]:
            for text in criterion["reasons"].values():
                words = set(text.lower().replace(",", " ").replace(".", " ").split())
                assert not words & {"you", "your", "he", "she", "his", "her", "i", "my"}, text


# ----------------------------------------------------------------------------- questions


def test_for_whom_location_and_coverage_are_always_asked_first():
    assert questions_that_matter({})[:3] == ["for_whom", "location", "coverage"]


def test_questions_come_in_the_screening_order():
    assert questions_that_matter({"location": "not_sure", "coverage": "not_sure"}) == [
        "for_whom",
        "location",
        "coverage",
        "age",
        "diagnosis",
        "psych_discharge",
        "er_visits",
        "housing",
        "justice",
        "access_barriers",
        "daily_living",
        "consent",
    ]


def test_no_cst_questions_for_a_massachusetts_place():
    plan = questions_that_matter({"for_whom": "self", "location": WORCESTER})
    assert "age" not in plan and "daily_living" not in plan
    assert {"housing", "justice", "diagnosis", "consent"} <= set(plan)


def test_no_csp_track_questions_for_a_north_carolina_place():
    plan = questions_that_matter({"for_whom": "self", "location": RALEIGH})
    assert not {"housing", "move_in", "justice"} & set(plan)
    assert {"age", "daily_living", "er_visits"} <= set(plan)


def test_unknown_place_and_coverage_asks_the_questions_of_both_states():
    plan = questions_that_matter({"for_whom": "self", "location": "not_sure", "coverage": "not_sure"})
    assert {"age", "daily_living", "housing", "justice"} <= set(plan)


def test_move_in_is_asked_only_with_supportive_housing_lined_up():
    asked = {
        "for_whom": "self",
        "location": WORCESTER,
        "coverage": "masshealth_ffs",
        "diagnosis": "both",
        "psych_discharge": 10,
    }
    assert "move_in" not in questions_that_matter(asked)
    assert "move_in" not in questions_that_matter({**asked, "housing": "homeless"})
    assert "move_in" not in questions_that_matter({**asked, "housing": "housed"})
    assert "move_in" in questions_that_matter({**asked, "housing": "homeless_psh"})


def test_early_stop_when_there_is_no_coverage():
    answers = {"for_whom": "self", "location": WORCESTER, "coverage": "none"}
    assert questions_that_matter(answers) == ["for_whom", "location", "coverage"]


def test_early_stop_outside_massachusetts_and_north_carolina():
    assert questions_that_matter({"for_whom": "client", "location": DALLAS}) == ["for_whom", "location"]


def test_early_stop_under_18_in_north_carolina():
    answers = {"for_whom": "other", "location": RALEIGH, "coverage": "nc_medicaid", "age": 17}
    assert questions_that_matter(answers) == ["for_whom", "location", "coverage", "age"]


def test_early_stop_keeps_every_answered_question():
    answers = {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_ffs", "diagnosis": "no"}
    assert questions_that_matter(answers) == ["for_whom", "location", "coverage", "diagnosis"]


def test_er_visits_asked_after_a_recent_discharge_only_where_they_matter():
    ma = {"for_whom": "self", "location": WORCESTER, "coverage": "masshealth_ffs", "diagnosis": "mental_health"}
    assert "er_visits" not in questions_that_matter({**ma, "psych_discharge": 20})
    assert "er_visits" not in questions_that_matter({**ma, "psych_discharge": "yes"})
    assert "er_visits" in questions_that_matter({**ma, "psych_discharge": 181})
    assert "er_visits" in questions_that_matter({**ma, "psych_discharge": "no"})
    # For CST one stay is not yet a pattern: an ER visit as well makes it one, so it is asked.
    nc = {"for_whom": "self", "location": RALEIGH, "coverage": "nc_medicaid", "age": 40, "diagnosis": "both"}
    assert "er_visits" in questions_that_matter({**nc, "psych_discharge": 20})
    assert "er_visits" in questions_that_matter({**nc, "psych_discharge": 200})


def test_access_barriers_asked_only_where_they_can_matter():
    shown = {
        "for_whom": "self",
        "location": WORCESTER,
        "coverage": "masshealth_ffs",
        "diagnosis": "mental_health",
        "psych_discharge": 20,
        "housing": "housed",
    }
    assert "access_barriers" not in questions_that_matter({**shown, "justice": "no"})
    assert "access_barriers" in questions_that_matter({**shown, "justice": "yes"})
    assert "access_barriers" in questions_that_matter({**shown, "justice": "not_sure"})
    not_shown = {**shown, "psych_discharge": "no", "er_visits": 0, "justice": "no"}
    assert "access_barriers" in questions_that_matter(not_shown)


def test_screening_ends_when_every_question_that_matters_is_answered():
    plan = questions_that_matter(MA_BASE)
    assert all(q in MA_BASE for q in plan)
    assert plan == [
        "for_whom",
        "location",
        "coverage",
        "diagnosis",
        "psych_discharge",
        "er_visits",
        "housing",
        "move_in",
        "justice",
        "access_barriers",
        "consent",
    ]
