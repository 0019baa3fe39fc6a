"""The spaCy entity extractor component, run on Rasa messages as the NLU pipeline runs it."""

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.entities import ReferralEntityExtractor


@pytest.fixture(scope="module")
def extractor():
    return ReferralEntityExtractor({})


def entities(extractor, text):
    message = Message(data={"text": text})
    extractor.process([message])
    return message.get("entities")


def found(extractor, text):
    return {(e["entity"], e["value"]) for e in entities(extractor, text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I live in fall river ma", ("place", "Fall River, MA")),
        ("01608", ("place", "01608")),
        ("my zip is 27601", ("place", "27601")),
        ("Concord, North Carolina", ("place", "Concord, NC")),
        ("Raleigh NC", ("place", "Raleigh, NC")),
        ("Winston-Salem", ("place", "Winston Salem, NC")),
        ("near Worcester", ("place", "Worcester, MA")),
        # In both states: the name alone, so the bot asks which one.
        ("Franklin", ("place", "Franklin")),
        ("change my answer about the ER visits", ("question", "er_visits")),
        ("I want to change my zip", ("question", "location")),
        ("fix the insurance answer", ("question", "coverage")),
        ("is there CSP-HI near Boston", ("program", "CSP-HI")),
        ("what is the community support team", ("program", "CST")),
        ("tell me about the justice track", ("program", "CSP-JI")),
        ("someone who speaks Spanish near Worcester", ("language", "Spanish")),
        ("español por favor", ("language", "Spanish")),
        ("I speak Haitian Creole", ("language", "Haitian Creole")),
    ],
)
def test_finds_the_entity(extractor, text, expected):
    assert expected in found(extractor, text)


def test_spanish_near_worcester_gives_language_and_place(extractor):
    assert found(extractor, "someone who speaks Spanish near Worcester") == {
        ("language", "Spanish"),
        ("place", "Worcester, MA"),
    }


def test_csp_hi_near_boston_gives_program_and_place(extractor):
    assert found(extractor, "is there CSP-HI near Boston") == {("program", "CSP-HI"), ("place", "Boston, MA")}


@pytest.mark.parametrize(
    "text, kind",
    [
        ("I like reading", "place"),  # a town that is also an everyday word
        ("yes", "place"),
    ],
)
def test_does_not_find(extractor, text, kind):
    assert kind not in {e["entity"] for e in entities(extractor, text)}


def test_entities_have_the_rasa_shape(extractor):
    text = "I live in fall river ma"
    (entity,) = entities(extractor, text)
    assert entity == {
        "entity": "place",
        "value": "Fall River, MA",
        "start": 10,
        "end": 23,
        "confidence": 1.0,
        "extractor": "ReferralEntityExtractor",
    }
    assert text[entity["start"] : entity["end"]] == "fall river ma"


def test_keeps_entities_from_earlier_components(extractor):
    message = Message(data={"text": "in Worcester", "entities": [{"entity": "x", "value": 1, "start": 0, "end": 2}]})
    extractor.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["x", "place"]


@pytest.mark.parametrize(
    "text",
    [
        "about 3 weeks ago",
        "three times",
        "she is thirty-four",
        "I have MassHealth through my ACO",
        "NC Medicaid",
        "My brother was discharged from the hospital a month and a half ago and went to the ER twice since",
    ],
)
def test_screening_answers_are_no_entities(extractor, text):
    # One parse path: numbers, times and coverage are read by the form's answer parser, which
    # knows the question; the extractor reports only what the dialogue acts on.
    assert {e["entity"] for e in entities(extractor, text)} <= {"place", "program", "language", "question"}


def test_the_extractor_and_the_crisis_matcher_share_one_spacy_pipeline(extractor):
    from referral.text_pipeline import blank_english

    assert extractor.rules.nlp is blank_english()


def test_training_data_passes_through_unchanged(extractor):
    data = TrainingData([Message(data={"text": "hello", "intent": "greet"})])
    assert extractor.process_training_data(data) is data


def test_the_spacy_pipeline_is_built_once(extractor):
    assert ReferralEntityExtractor({}).rules is extractor.rules
