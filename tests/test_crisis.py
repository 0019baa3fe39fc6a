"""The crisis safety net: the deterministic matcher, the Rasa component, the crisis resources,
and the labelled evaluation set (recall 100%, false alarms at most 2%)."""

import csv
import logging
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from components.crisis import CrisisDetector
from referral.crisis.classifier import trained_from_corpus
from referral.crisis.matcher import CATEGORY_ORDER, LEVELS, CrisisSignal, default_matcher
from referral.crisis.resources import resources_for

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "crisis" / "labelled.csv"


def detect(text: str):
    return default_matcher().detect(text)


def labelled_rows():
    with open(LABELLED, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --- Suicide: first and third person, slang, misspellings, euphemisms --------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "im going to kill myself tonight",
        "I have a plan to end my life",
        "i want to commit suicide",
    ],
)
def test_suicidal_intent_or_plan_is_an_urgent_suicide_crisis(text):
    signal = detect(text)
    assert signal and signal.category == "suicide" and signal.level == "urgent"
    assert signal.about == "self"


@pytest.mark.parametrize(
    "text",
    [
        "my son says he wants to die",
        "my daughter told me she wants to kill herself",
        "my client has a plan to end her life",
    ],
)
def test_someone_else_wanting_to_die_is_a_crisis_about_another_person(text):
    signal = detect(text)
    assert signal and signal.category == "suicide" and signal.about == "other"


@pytest.mark.parametrize("text", ["kms", "i'm gonna kms", "I want to unalive myself", "thinking about unaliving"])
def test_slang_kms_and_unalive_are_recognised(text):
    assert detect(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "sucide",
        "im sucidal",
        "i think about suiside alot",
        "i want to kil myslef",
        "i wnat to die",
        "my son is saying he will kill himslef",
        "i tooked many pills",
        "thinkin bout endin it",
    ],
)
def test_misspellings_of_the_key_words_are_recognised(text):
    assert detect(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "i want to end it all",
        "i dont want to be here anymore",
        "I can't go on like this",
        "everyone would be better off without me",
        "i have nothing left to live for",
    ],
)
def test_euphemisms_are_recognised(text):
    assert detect(text) is not None


def test_everyday_words_are_not_misspellings_of_crisis_words():
    # "will" is one letter from "kill", "went" from "want": real words are never corrected.
    assert detect("I will myself to go to every appointment") is None
    assert detect("my bill is overdue") is None


# --- Overdose and medical emergencies: now vs history --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "he overdosed and isnt waking up",
        "I took 30 pills",
        "my friend is ODing right now what do i do",
        "my son took a bunch of pills and won't wake up",
        "she's not breathing",
    ],
)
def test_an_overdose_or_emergency_happening_now_is_urgent(text):
    signal = detect(text)
    assert signal and signal.category == "overdose_emergency" and signal.level == "urgent"


def test_an_overdose_last_year_in_a_screening_answer_is_not_a_crisis():
    assert detect("I overdosed last year and was in the hospital") is None
    assert detect("2 ER visits, both for overdoses") is None


def test_a_recent_overdose_is_shown_gently():
    signal = detect("my son overdosed yesterday")
    assert signal and signal.level == "gentle"


# --- Danger to others, and "I'm not safe" ----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["I am going to hurt someone", "I want to kill my husband", "my son is threatening to kill us"]
)
def test_danger_to_others_is_a_crisis(text):
    signal = detect(text)
    assert signal and signal.level == "urgent"


@pytest.mark.parametrize("text", ["I'm not safe", "i dont feel safe at home", "I don't want to live", "i can't go on"])
def test_negation_that_is_the_meaning_does_not_cancel_the_crisis(text):
    assert detect(text) is not None


# --- Idioms, negation and history are not a false alarm --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm dying to know what CSP is",
        "this form is killing me lol",
        "my phone is dead, can I finish later",
        "we went to the ER for his knee",
        "I cut myself shaving this morning lol",
        "shoot me an email with the info",
        "my rent is overdue",
        "I'm in danger of being evicted",
        "I don't want to live in a group home",
    ],
)
def test_idioms_and_everyday_words_do_not_raise_the_alarm(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal anymore",
        "no suicidal thoughts",
        "I would never hurt anyone",
        "I'm not suicidal, I just need help with housing",
    ],
)
def test_denied_thoughts_are_not_a_crisis(text):
    # Decided: a plain denial is an answer, not a crisis; "I'm not sure I want to live" is.
    assert detect(text) is None


def test_doubt_about_living_is_not_a_denial():
    assert detect("I'm not sure I want to live anymore") is not None


@pytest.mark.parametrize(
    "text",
    [
        "I was suicidal in 2019 but I'm okay now",
        "he was hospitalized after a suicide attempt in March",
        "I attempted suicide when I was 16, I've been stable for years",
        "I was in the psych ward in April",
    ],
)
def test_clear_history_in_a_screening_answer_is_not_a_crisis(text):
    assert detect(text) is None


def test_a_past_attempt_with_distress_now_is_shown_gently():
    signal = detect("I tried to kill myself in 2020 and lately I've been feeling that way again")
    assert signal and signal.level == "gentle"


@pytest.mark.parametrize(
    "text",
    [
        "Do I need to go to the hospital first to get CSP?",
        "is there a program to reduce ER visits?",
        "does CSP help with overdose prevention?",
        "what does the crisis response part of CST mean?",
        "Is CSP an emergency service?",
    ],
)
def test_program_questions_with_hospital_er_emergency_words_are_not_crises(text):
    assert detect(text) is None


def test_a_joke_marker_softens_but_does_not_hide_a_death_wish():
    signal = detect("Lol i want to die")
    assert signal and signal.level == "gentle"


def test_the_signal_holds_no_text():
    signal = detect("i want to kill myself, my name is Ana Ruiz")
    assert isinstance(signal, CrisisSignal)
    assert "Ana" not in repr(signal) and "Ruiz" not in repr(signal)
    assert set(vars(signal)) == {"category", "level", "about", "rule"}
    assert signal.level in LEVELS and signal.category in CATEGORY_ORDER


# --- The Rasa component ----------------------------------------------------------------------------


def message(text: str, intent: str = "inform", confidence: float = 0.8) -> Message:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "crisis", "confidence": 0.05}]
    m = Message(data={"text": text})
    m.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    m.set("intent_ranking", ranking, add_to_output=True)
    return m


@pytest.fixture(scope="module")
def detector():
    return CrisisDetector({}, classifier=trained_from_corpus())


def test_component_sets_the_crisis_intent_first_whatever_the_model_said(detector):
    m = message("i'm going to kill myself tonight, i have the pills ready", intent="faq", confidence=0.93)
    detector.process([m])
    parsed = m.as_dict(only_output_properties=True)
    assert parsed["intent"] == {"name": "crisis", "confidence": 1.0}
    assert parsed["intent_ranking"][0]["name"] == "crisis"
    assert [r["name"] for r in parsed["intent_ranking"]].count("crisis") == 1
    # The crisis info is a top-level key of the parse result (tracker.latest_message["crisis"]).
    assert parsed["crisis"]["answer"] == "crisis" and parsed["crisis"]["about"] == "self"
    assert parsed["crisis"]["kind"] in ("suicide", "overdose")


def test_component_asks_the_safety_question_for_an_unclear_risk_signal(detector):
    m = message("i wish i could go to sleep and never wake up", intent="inform")
    detector.process([m])
    assert m.get("intent")["name"] == "risk_signal"
    assert m.get("crisis")["answer"] == "ask"


def test_component_leaves_ordinary_messages_alone(detector):
    m = message("I'm dying to know what CSP is", intent="faq")
    detector.process([m])
    assert m.get("intent")["name"] == "faq" and m.get("crisis") is None


def test_component_skips_button_payloads(detector):
    m = message('/inform{"for_whom": "self"}')
    detector.process([m])
    assert m.get("intent")["name"] == "inform" and m.get("crisis") is None


def test_component_overrules_a_crisis_found_only_by_the_model(detector):
    m = message("this form is killing me lol", intent="crisis", confidence=0.99)
    m.set("intent_ranking", [{"name": "crisis", "confidence": 0.99}, {"name": "help", "confidence": 0.01}])
    detector.process([m])
    assert m.get("intent")["name"] == "nlu_fallback"
    assert all(r["name"] != "crisis" for r in m.get("intent_ranking"))


def test_a_crisis_event_is_counted_in_the_log_without_the_text(detector, caplog):
    caplog.set_level(logging.INFO, logger="components.crisis")
    detector.process([message("my client Maria took 40 pills and won't wake up")])
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Crisis layer" in logged and "answer=crisis" in logged
    assert "Maria" not in logged and "pills" not in logged


def test_process_training_data_returns_the_data_unchanged(detector):
    data = load_data(str(ROOT / "tests" / "nlu" / "holdout_crisis.yml"))
    assert detector.process_training_data(data) is data


# --- Crisis resources ------------------------------------------------------------------------------


def test_resources_for_massachusetts_include_the_help_line_988_and_911():
    phones = [r["phone"] for r in resources_for("MA")]
    assert "833-773-2445" in phones and "988" in phones and "911" in phones


def test_resources_for_north_carolina_include_the_peer_warmline():
    phones = [r["phone"] for r in resources_for("NC")]
    assert "1-855-733-7762" in phones and "833-773-2445" not in phones


@pytest.mark.parametrize("state", [None, "TX", ""])
def test_resources_without_a_known_state_have_no_state_line(state):
    assert [r["phone"] for r in resources_for(state)] == ["988", "911"]


def test_every_resource_has_the_payload_fields():
    for resource in resources_for("MA") + resources_for("NC"):
        assert {"name", "phone", "text", "url", "where", "tel", "sms", "source"} <= set(resource)


def test_resources_hold_only_the_numbers_of_the_product_table():
    numbers = {r["phone"] for r in resources_for("MA") + resources_for("NC")}
    assert numbers == {"988", "911", "833-773-2445", "1-855-733-7762"}
    lifeline = resources_for(None)[0]
    assert lifeline["text"] == "988" and "AYUDA" in lifeline["spanish"]


# --- The labelled set and the NLU data -------------------------------------------------------------


def test_the_labelled_set_is_large_and_varied():
    rows = labelled_rows()
    crisis = [r for r in rows if r["label"] == "crisis"]
    none = [r for r in rows if r["label"] == "none"]
    assert len(crisis) >= 320 and len(none) >= 320
    notes = " ".join(r["note"] for r in rows)
    for kind in ("other", "slang", "typo", "idiom", "negation", "history", "program", "limited English"):
        assert kind in notes


def test_the_matcher_recognises_every_crisis_in_the_labelled_set():
    missed = [r["text"] for r in labelled_rows() if r["label"] == "crisis" and detect(r["text"]) is None]
    assert missed == []


def test_the_matcher_raises_at_most_two_percent_false_alarms_on_the_labelled_set():
    none = [r["text"] for r in labelled_rows() if r["label"] == "none"]
    alarms = [t for t in none if detect(t) is not None]
    assert len(alarms) / len(none) <= 0.02, alarms


def test_nlu_examples_are_kept_apart_from_the_evaluation_sets():
    def texts(path: Path) -> set:
        return {e.get("text").lower() for e in load_data(str(path)).training_examples}

    training = texts(ROOT / "data" / "nlu" / "crisis.yml")
    holdout = texts(ROOT / "tests" / "nlu" / "holdout_crisis.yml")
    labelled = {r["text"].lower() for r in labelled_rows()}
    assert len(training) >= 120 and len(holdout) == 20
    assert not (training & labelled) and not (holdout & labelled) and not (training & holdout)


def test_a_child_being_hurt_is_answered_in_words_that_name_nobody_whoever_the_message_is_about():
    from referral.crisis.answers import crisis_reply

    for about in ("self", "other"):
        reply = crisis_reply({"kind": "child_harm", "about": about, "lang": "en"}, "MA")
        assert reply.opening.startswith("I'm so sorry. If anyone is in danger right now, call 911.")
