"""A program is data: the registry (programs/registry.yml) and what reads it.

The proof: a fictional program in a third state, added to a copy of the program data only (its
registry entry, its rules, its help line and one provider; no Python or JavaScript file changes),
is screened, explained and found by the real servers.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from referral import registry as registry_module
from referral.registry import RegistryError, registry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

# ----------------------------------------------------------------------------- the fixture program
# Fictional, marked as a test fixture everywhere it is written: "Peer Bridge Team" does not exist,
# the help line's number is in the 555-01xx range reserved for fiction.
FIXTURE_STATE = {
    "medicaid": {
        "name": "Green Mountain Care",
        "default": "vt_medicaid",
        "words": ["green mountain care", "vermont medicaid", "medicaid in vermont"],
        "kinds": {},
    },
    "buttons": [{"title": "Green Mountain Care", "payload": "Green Mountain Care"}],
}
FIXTURE_PROGRAM = {
    "test_fixture": True,
    "short_name": "PBT",
    "name": "Peer Bridge Team (PBT, a test fixture)",
    "official_name": "Peer Bridge Team",
    "state": "VT",
    "coverage": ["vt_medicaid"],
    "where": "PBT is a Medicaid service in Vermont.",
    "questions": ["coverage", "age", "diagnosis", "consent"],
    "help_lines": ["vt_fixture_line"],
    "after_outcome": "For PBT, the team calls back within a week.",
    "how_to_apply": "To get started, call a Peer Bridge Team provider and ask for an intake.",
    "directory_words": ["pbt", "peer bridge team"],
    "source": "fixture",
}
FIXTURE_RULES = {
    "criteria": [
        {
            "id": "vt_medicaid",
            "reads": ["coverage"],
            "condition": {"in": ["vt_medicaid"]},
            "required": True,
            "source": {"file": "fixture", "sentence": "PBT is for Green Mountain Care members."},
            "reasons": {
                "met": "Has Green Mountain Care.",
                "not_met": "Does not have Green Mountain Care.",
                "unknown": "Not sure yet about Green Mountain Care.",
            },
            "what_else_helps": "pbt_other_help",
        },
        {
            "id": "adult",
            "reads": ["age"],
            "condition": {"min": 18},
            "required": True,
            "source": {"file": "fixture", "sentence": "PBT is for adults."},
            "reasons": {
                "met": "Is an adult (18 or older).",
                "not_met": "Is under 18. PBT is for adults.",
                "unknown": "Not sure yet about age.",
            },
            "what_else_helps": "pbt_other_help",
        },
        {
            "id": "diagnosis",
            "reads": ["diagnosis"],
            "condition": {"in": ["mental_health", "both", "yes"]},
            "required": True,
            "source": {"file": "fixture", "sentence": "PBT is for people with a mental illness."},
            "reasons": {
                "met": "Has a mental health diagnosis.",
                "not_met": "No mental health diagnosis.",
                "unknown": "Not sure yet about a diagnosis.",
            },
            "what_else_helps": "pbt_other_help",
        },
        {
            "id": "consent",
            "reads": ["consent"],
            "condition": {"in": ["yes"]},
            "required": True,
            "source": {"file": "fixture", "sentence": "PBT is voluntary."},
            "reasons": {
                "met": "Wants this support.",
                "not_met": "Does not want this support right now.",
                "unknown": "Not sure yet about wanting this support.",
            },
            "what_else_helps": "pbt_other_help",
        },
    ]
}
FIXTURE_LINE = {
    "id": "vt_fixture_line",
    "test_fixture": True,
    "name": "Vermont Fixture Line (test fixture)",
    "phone": "802-555-0142",
    "text": "",
    "url": "",
    "where": "VT",
    "tel": "tel:+18025550142",
    "sms": "",
    "how": "Call 802-555-0142 (a fictional number for tests).",
    "source": "test fixture",
    "how_es": "Llama al 802-555-0142 (un número ficticio para pruebas).",
}
FIXTURE_PROVIDER = {
    "id": "fixture-burlington-bridge",
    "organization": {
        "name": "Demo Fixture Bridge Team of Burlington (test fixture)",
        "website": "https://example.org/fixture-burlington",
    },
    "service": {
        "name": "Peer Bridge Team",
        "programs": ["PBT"],
        "telehealth": False,
        "languages": ["English"],
        "service_area": ["Chittenden County, VT"],
    },
    "location": {
        "address_1": "1 Fixture Way",
        "city": "Burlington",
        "state": "VT",
        "postal_code": "05401",
        "county": "Chittenden County",
        "latitude": 44.484,
        "longitude": -73.2199,
        "coordinates_source": "zip_centroid",
    },
    "phone": "802-555-0143",
}


def add_fixture_program(programs: Path) -> None:
    """Writes the fictional program into a copy of the program data: four data files, no code."""
    reg_path = programs / "registry.yml"
    reg = yaml.safe_load(reg_path.read_text(encoding="utf-8"))
    reg["states"]["VT"] = FIXTURE_STATE
    reg["programs"]["PBT"] = FIXTURE_PROGRAM
    reg_path.write_text(yaml.safe_dump(reg, sort_keys=False), encoding="utf-8")

    rules_path = programs / "rules.yml"
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
    rules["sources"]["fixture"] = "A fictional program written for the registry test (test fixture)"
    rules["programs"]["PBT"] = FIXTURE_RULES
    rules["next_steps"]["programs"]["PBT"] = {
        "likely": [
            {
                "text": "Call a Peer Bridge Team provider in the area.",
                "source": {"file": "fixture", "sentence": "Call a provider."},
            }
        ],
        "possible": [],
        "unlikely": [],
    }
    rules["alternatives"]["vt_fixture_line"] = {"help_line": "vt_fixture_line"}
    rules["what_else_helps"]["pbt_other_help"] = ["vt_fixture_line", "lifeline_988"]
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False, allow_unicode=True), encoding="utf-8")

    resources_path = programs / "resources.yml"
    resources = yaml.safe_load(resources_path.read_text(encoding="utf-8"))
    resources["resources"].append(FIXTURE_LINE)
    resources_path.write_text(yaml.safe_dump(resources, sort_keys=False, allow_unicode=True), encoding="utf-8")

    providers_path = programs / "providers" / "demo_providers.json"
    providers = json.loads(providers_path.read_text(encoding="utf-8"))
    providers["providers"].append(FIXTURE_PROVIDER)
    providers_path.write_text(json.dumps(providers, indent=1), encoding="utf-8")


def clear_caches() -> None:
    """What was read from the program data in this process: read it again."""
    from referral.crisis import resources
    from referral.eligibility import engine
    from referral.screening import lexicon

    for cached in (
        registry_module.registry,
        engine.rules,
        engine._questions_that_matter,
        lexicon.lexicon,
        resources.all_resources,
    ):
        cached.cache_clear()


@pytest.fixture
def fixture_programs(tmp_path, monkeypatch):
    """A copy of programs/ with the fixture program, used by this process and the servers it starts."""
    programs = tmp_path / "programs"
    shutil.copytree(ROOT / "programs", programs)
    add_fixture_program(programs)
    monkeypatch.setenv("REFERRAL_PROGRAMS_DIR", str(programs))
    monkeypatch.setenv("REFERRAL_CACHE_DIR", str(tmp_path / "cache"))
    clear_caches()
    yield programs
    monkeypatch.undo()
    clear_caches()


def _code_files():
    listed = subprocess.run(["git", "ls-files", "*.py", "*.js"], cwd=ROOT, capture_output=True, text=True)
    return [ROOT / f for f in listed.stdout.split() if not f.startswith(("tests/", "web/vendor/", "web/node_modules/"))]


# ----------------------------------------------------------------------------- the proof


@pytest.mark.e2e
def test_a_program_added_as_data_is_screened_explained_and_found(fixture_programs):
    from stack import Stack

    from tests.e2e.conftest import Conversation

    stack = Stack.on_free_ports(with_web=False)
    stack.start()
    try:
        conv = Conversation(stack.rasa_url)
        answers = {
            "for_whom": "it's for me",
            "location": "Burlington, VT",
            "coverage": "I have Green Mountain Care",
            "age": "34",
            "diagnosis": "I have bipolar disorder",
            "consent": "yes",
        }
        messages = conv.say("/check_eligibility")
        asked = []
        eligibility = None
        for _ in range(12):
            found = Conversation.payloads(messages, "eligibility")
            if found:
                eligibility = found[-1]
                break
            question = Conversation.question(messages)
            assert question, Conversation.text(messages)
            asked.append(question["id"])
            if question["id"] == "coverage":  # the state's own Medicaid button, from the registry
                titles = [b["title"] for b in Conversation.buttons(messages)]
                assert "Green Mountain Care" in titles and not any("MassHealth" in t for t in titles), titles
            messages = conv.say(answers[question["id"]])
        assert eligibility, f"no result; asked {asked}"

        # Screened: only the questions the fixture program needs, after the three always asked.
        assert asked == ["for_whom", "location", "coverage", "age", "diagnosis", "consent"]
        # Explained: the outcome and its reasons come from the fixture's rules, under its name.
        assert [p["id"] for p in eligibility["programs"]] == ["PBT"]
        pbt = eligibility["programs"][0]
        assert pbt["status"] == "likely" and pbt["name"] == FIXTURE_PROGRAM["name"]
        assert set(pbt["reasons"]) == {
            "Has Green Mountain Care.",
            "Is an adult (18 or older).",
            "Has a mental health diagnosis.",
            "Wants this support.",
        }
        assert "Call a Peer Bridge Team provider in the area." in pbt["next_steps"]
        said = Conversation.text(messages)
        assert FIXTURE_PROGRAM["name"] in said and FIXTURE_PROGRAM["after_outcome"] in said

        # Found: the fixture provider, with the program's way to apply.
        messages = conv.say("/find_providers")
        providers = Conversation.payloads(messages, "providers")
        assert providers, Conversation.text(messages)
        items = providers[-1]["items"]
        assert [i["id"] for i in items] == [FIXTURE_PROVIDER["id"]]
        assert items[0]["programs"] == ["PBT"] and items[0]["state"] == "VT"
        assert FIXTURE_PROGRAM["how_to_apply"] in Conversation.text(messages)

        # The state's help line, from resources.yml, with a crisis answer in that state.
        crisis = Conversation.payloads(conv.say("I want to kill myself"), "crisis")
        assert crisis and "802-555-0142" in [r["phone"] for r in crisis[-1]["resources"]]
    finally:
        stack.stop()


# ----------------------------------------------------------------------------- the registry itself


def test_no_program_name_or_state_pair_is_written_in_code():
    names = [n for p in registry().programs.values() for n in (p.name, p.official_name)]
    for path in _code_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert '("MA", "NC")' not in text and "['MA', 'NC']" not in text and '["MA", "NC"]' not in text, path
        for name in names:
            assert name not in text, f"{path} writes the program name {name!r}"


def test_the_registry_lists_the_programs_and_states_of_the_brief():
    reg = registry()
    assert reg.program_ids() == ("CSP", "CSP-HI", "CSP-JI", "CST")
    assert reg.served_states() == ("MA", "NC")
    assert reg.programs_in("MA") == ("CSP", "CSP-HI", "CSP-JI") and reg.programs_in("NC") == ("CST",)
    assert reg.state_of_coverage("masshealth_ffs") == "MA" and reg.state_of_coverage("other") is None
    assert reg.medicaid_default("NC") == "nc_medicaid" and reg.medicaid_default("TX") is None
    assert not any(p.fixture for p in reg.programs.values())


def test_the_fixture_program_is_read_from_data_alone(fixture_programs):
    from referral.eligibility import engine
    from referral.screening.answers import parse_answer

    assert registry().programs_in("VT") == ("PBT",)
    assert parse_answer("coverage", "she has green mountain care").value == "vt_medicaid"
    assert parse_answer("coverage", "medicaid", context={"state": "VT"}).value == "vt_medicaid"
    place = {"zip": "05401", "town": "Burlington", "state": "VT"}
    results = engine.evaluate({"location": place, "coverage": "vt_medicaid", "age": 16})
    assert [r.id for r in results] == ["PBT"] and results[0].status == "unlikely"
    assert any("802-555-0142" in step for step in results[0].next_steps)


@pytest.mark.parametrize(
    "mistake, expected",
    [
        (lambda reg: reg["programs"]["CST"].update(state="VT"), "state VT is not under `states`"),
        (lambda reg: reg["programs"]["CSP"].update(coverage=["nc_medicaid"]), "not an answer of MA"),
        (lambda reg: reg["programs"]["CSP"].update(help_lines=["no_such_line"]), "not in resources.yml"),
        (lambda reg: reg["programs"]["CSP"].update(questions=["coverage", "shoe_size"]), "not a screening question"),
        (lambda reg: reg["states"].update(ZZ=reg["states"]["NC"]), "not a US state code"),
    ],
)
def test_a_registry_that_does_not_hold_together_stops_with_the_reason(tmp_path, monkeypatch, mistake, expected):
    programs = tmp_path / "programs"
    shutil.copytree(ROOT / "programs", programs)
    reg = yaml.safe_load((programs / "registry.yml").read_text(encoding="utf-8"))
    mistake(reg)
    (programs / "registry.yml").write_text(yaml.safe_dump(reg, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("REFERRAL_PROGRAMS_DIR", str(programs))
    clear_caches()
    try:
        with pytest.raises(RegistryError, match=expected):
            registry()
    finally:
        monkeypatch.undo()
        clear_caches()


def test_rules_that_read_an_answer_the_question_cannot_have_stop_the_load(tmp_path, monkeypatch):
    from referral.eligibility import engine

    programs = tmp_path / "programs"
    shutil.copytree(ROOT / "programs", programs)
    rules = yaml.safe_load((programs / "rules.yml").read_text(encoding="utf-8"))
    rules["programs"]["CSP"]["criteria"][0]["condition"] = {"in": ["masshealth_gold"]}
    (programs / "rules.yml").write_text(yaml.safe_dump(rules, sort_keys=False, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("REFERRAL_PROGRAMS_DIR", str(programs))
    clear_caches()
    try:
        with pytest.raises(ValueError, match="masshealth_gold"):
            engine.rules()
    finally:
        monkeypatch.undo()
        clear_caches()
