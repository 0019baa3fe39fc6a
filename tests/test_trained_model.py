"""Our speed-ups inside Rasa's NLU keep its predictions: checked on the trained model.

- `components/patches/fast_load.py` loads DIET and the ResponseSelector without Rasa's one-step training
  run: every prediction must be the same as with Rasa's own loading.
- `components/faq_selector.py` runs the ResponseSelector only where the intent can end up `faq`.
"""

import asyncio
from typing import Any, Dict, List

import pytest
from rasa.core.agent import load_agent
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.models import RasaModel

from components import patches
from components.faq_selector import FaqResponseSelector
from components.patches import fast_load
from tools.stack import MODEL

MESSAGES = [
    "do I need prior authorization for CSP?",
    "what does a recovery coach do",
    "my son keeps ending up in the ER, can CST help him",
    "is CSP voluntary",
    "check eligibility for a client of mine",
    "twice",
    "01608",
    "MassHealth through my ACO",
    "about 3 weeks ago",
    "yes",
    "nope",
    "not sure",
    "go back",
    "change my answer about the ER visits",
    "start over",
    "stop",
    "find a provider near Worcester",
    "hablo español",
    "thanks",
    "bye",
    "can you order me a pizza",
    "asdfgh",
    "i want to talk to a real person",
    "are you a bot",
    "I don't want to be here anymore",
    "this form is killing me lol",
]


def parse_all(model_path: str) -> List[Dict[str, Any]]:
    agent = asyncio.run(load_agent(model_path=model_path))
    return [asyncio.run(agent.parse_message(text)) for text in MESSAGES]


def faq_ranking(parse: Dict[str, Any]) -> List[Dict[str, Any]]:
    return ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []


@pytest.fixture(scope="module")
def fast_parses() -> List[Dict[str, Any]]:
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` first")
    patches.enable()
    assert RasaModel.load.__func__ is fast_load.load_for_inference
    return parse_all(str(MODEL))


def test_loading_without_a_training_step_predicts_exactly_as_rasa_loading(fast_parses, monkeypatch):
    monkeypatch.setattr(RasaModel, "load", classmethod(fast_load.rasa_load))
    rasa_parses = parse_all(str(MODEL))
    for fast, rasa in zip(fast_parses, rasa_parses):
        assert fast["intent"]["name"] == rasa["intent"]["name"], fast["text"]
        for ours, theirs in zip(fast["intent_ranking"], rasa["intent_ranking"]):
            assert ours["name"] == theirs["name"]
            assert ours["confidence"] == pytest.approx(theirs["confidence"], abs=1e-6)
        for ours, theirs in zip(faq_ranking(fast), faq_ranking(rasa)):
            assert ours["intent_response_key"] == theirs["intent_response_key"]
            assert ours["confidence"] == pytest.approx(theirs["confidence"], abs=1e-6)


def test_program_questions_get_their_answer_and_other_messages_skip_the_selector(fast_parses):
    by_text = {parse["text"]: parse for parse in fast_parses}
    prior_auth = by_text["do I need prior authorization for CSP?"]
    assert prior_auth["intent"]["name"] == "faq"
    assert faq_ranking(prior_auth)[0]["intent_response_key"] == "faq/csp_prior_auth"
    for text in ("twice", "01608", "yes", "go back", "thanks"):
        assert by_text[text]["intent"]["name"] != "faq"
        assert not faq_ranking(by_text[text]), text


def selector_runs_on(intent: str, ranking: List[str], retrieval_intent="faq") -> bool:
    selector = object.__new__(FaqResponseSelector)
    selector.retrieval_intent = retrieval_intent
    message = Message(
        data={
            "text": "x",
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": name, "confidence": 0.9 - i / 10} for i, name in enumerate(ranking)],
        }
    )
    seen = []
    original = ResponseSelector.process
    ResponseSelector.process = lambda self, messages: seen.extend(messages) or messages
    try:
        selector.process([message])
    finally:
        ResponseSelector.process = original
    return bool(seen)


@pytest.mark.parametrize(
    "intent, ranking, runs",
    [
        ("faq", ["faq", "inform"], True),
        ("inform", ["inform", "faq"], False),
        ("greet", ["greet"], False),
        ("nlu_fallback", ["faq", "inform"], False),
        # The crisis layer replaces a crisis said by the model alone with the next intent.
        ("crisis", ["crisis", "faq"], True),
        ("crisis", ["crisis", "inform", "faq"], False),
    ],
)
def test_the_selector_runs_only_where_the_intent_can_end_up_faq(intent, ranking, runs):
    assert selector_runs_on(intent, ranking) is runs


def test_a_selector_for_every_retrieval_intent_always_runs():
    assert selector_runs_on("inform", ["inform"], retrieval_intent=None)
