"""The spaCy entity extractor component, run on Rasa messages as the NLU pipeline runs it."""

import statistics
import time

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
        ("about 3 weeks ago", ("duration", -21)),
        ("in about 2 months", ("duration", 60)),
        ("a month and a half ago", ("duration", -45)),
        ("yesterday", ("duration", -1)),
        ("three times", ("number", 3)),
        ("twice", ("number", 2)),
        ("she is thirty-four", ("number", 34)),
        ("a couple of times", ("number", 2)),
        ("change my answer about the ER visits", ("question", "er_visits")),
        ("I want to change my zip", ("question", "location")),
        ("fix the insurance answer", ("question", "coverage")),
        ("is there CSP-HI near Boston", ("program", "CSP-HI")),
        ("what is the community support team", ("program", "CST")),
        ("tell me about the justice track", ("program", "CSP-JI")),
        ("someone who speaks Spanish near Worcester", ("language", "Spanish")),
        ("español por favor", ("language", "Spanish")),
        ("I speak Haitian Creole", ("language", "Haitian Creole")),
        ("NC Medicaid", ("coverage", "nc_medicaid")),
        ("I have MassHealth", ("coverage", "masshealth_unsure")),
        ("just medicaid", ("coverage", "medicaid")),
        ("Medicare", ("coverage", "other")),
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
        ("about 3 weeks ago", "number"),  # the 3 belongs to the duration
        ("twice in the last 3 weeks", "duration"),  # a window is no point in time
        ("not once", "number"),
        ("01608", "number"),
        ("I like reading", "place"),  # a town that is also an everyday word
        ("no MassHealth", "coverage"),  # said as not had
        ("no", "coverage"),
        ("thanks a lot", "number"),
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
    message = Message(data={"text": "twice", "entities": [{"entity": "x", "value": 1, "start": 0, "end": 5}]})
    extractor.process([message])
    assert [e["entity"] for e in message.get("entities")] == ["x", "number"]


def test_training_data_passes_through_unchanged(extractor):
    data = TrainingData([Message(data={"text": "hello", "intent": "greet"})])
    assert extractor.process_training_data(data) is data


def test_the_spacy_pipeline_is_built_once(extractor):
    assert ReferralEntityExtractor({}).rules is extractor.rules


def test_median_cost_per_message_is_under_5_ms(extractor):
    texts = [
        "I live in fall river ma", "01608", "about 3 weeks ago", "three times", "yes", "no", "not sure",
        "change my answer about the ER visits", "someone who speaks Spanish near Worcester",
        "is there CSP-HI near Boston", "I have MassHealth through my ACO",
        "My brother was discharged from the hospital a month and a half ago and went to the ER twice since",
    ]
    timings = []
    for _ in range(10):
        for text in texts:
            message = Message(data={"text": text})
            start = time.perf_counter()
            extractor.process([message])
            timings.append((time.perf_counter() - start) * 1000)
    assert statistics.median(timings) < 5
