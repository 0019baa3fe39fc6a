"""Rasa NLU component: the crisis layer, run on every user message (forms included).

It asks `referral.crisis.detector.CrisisAssessor` for one of three answers and sets the intent:
- `crisis` (confidence 1.0, first in the ranking): a clear crisis, the resources at once;
- `risk_signal`: a risk signal that is not clear, the safety question;
- otherwise the model's intent stays, except that a `crisis` or `risk_signal` said by the model
  alone is taken out (the next intent, or `nlu_fallback` when unsure): the crisis layer decides.
The parse result gets `"crisis": {"answer", "kind", "about", "lang", "danger_now", "relation",
"spans", ...}` (also `tracker.latest_message["crisis"]`), never the text. Button payloads ("/...")
are not looked at. The classifier is trained with the model from `data/crisis/corpus/` and kept in
the model; the patterns are read from `referral/crisis/patterns.yml` when the model loads.
A count per kind and answer goes to the log; never the text or who wrote it.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from referral.crisis.classifier import CORPUS_DIR, CrisisClassifier, load_corpus
from referral.crisis.detector import DEFAULT_THRESHOLDS, CrisisAssessment, CrisisAssessor
from referral.crisis.matcher import default_matcher

logger = logging.getLogger(__name__)

CRISIS_KEY = "crisis"
CLASSIFIER_FILE = "crisis_classifier.pkl"

# Crisis answers since the process started, by (kind, answer, source): numbers only.
CRISIS_EVENTS: Counter = Counter()


def record_crisis_event(kind: str, answer: str, source: str) -> int:
    """Counts one recognised crisis in the log, without the message or any personal detail."""
    CRISIS_EVENTS[(kind, answer, source)] += 1
    total = sum(CRISIS_EVENTS.values())
    logger.warning("Crisis layer: kind=%s answer=%s source=%s (total since start: %d).", kind, answer, source, total)
    return total


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisDetector(GraphComponent):
    """Sets the intent to `crisis` or `risk_signal` when the crisis layer says so."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "crisis",
            "ask_intent": "risk_signal",
            # Crisis at once when the classifier's crisis probability reaches this (or an urgent
            # pattern matches); the safety question when crisis + unclear reaches `ask_threshold`
            # (or a gentle pattern matches). Chosen on held-out writers (tools/evaluate_crisis.py).
            "crisis_threshold": DEFAULT_THRESHOLDS["crisis"],
            "ask_threshold": DEFAULT_THRESHOLDS["ask"],
            "cleared_margin": DEFAULT_THRESHOLDS["cleared_margin"],
            "sentence_gate": DEFAULT_THRESHOLDS["sentence_gate"],
            # Below this, a demoted message becomes nlu_fallback (as FallbackClassifier).
            "demoted_threshold": 0.45,
            "corpus": str(CORPUS_DIR),
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        classifier: Optional[CrisisClassifier] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **(config or {})}
        self.intent_name = self.config["intent"]
        self.ask_intent = self.config["ask_intent"]
        self.demoted_threshold = float(self.config["demoted_threshold"])
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier
        thresholds = {
            "crisis": float(self.config["crisis_threshold"]),
            "ask": float(self.config["ask_threshold"]),
            "cleared_margin": float(self.config["cleared_margin"]),
            "sentence_gate": float(self.config["sentence_gate"]),
        }
        # The shared matcher: patterns are compiled once per process (about a second).
        self.assessor = CrisisAssessor(default_matcher(), classifier, thresholds)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CrisisDetector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Trains the classifier on the crisis corpus and keeps it in the model."""
        classifier = CrisisClassifier.train(load_corpus(Path(self.config["corpus"])))
        with self._model_storage.write_to(self._resource) as directory:
            classifier.save(Path(directory) / CLASSIFIER_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CrisisDetector:
        try:
            with model_storage.read_from(resource) as directory:
                classifier = CrisisClassifier.load(Path(directory) / CLASSIFIER_FILE)
        except (ValueError, FileNotFoundError) as error:
            # A crisis layer without its classifier would miss what only the classifier sees:
            # refuse to start rather than run with half of it.
            raise RuntimeError("The trained model has no crisis classifier: run `make train`.") from error
        return cls(config, model_storage, resource, classifier)

    def process(self, messages: List[Message]) -> List[Message]:
        """Marks each crisis message and each risk signal; the others pass unchanged."""
        for message in messages:
            self._process_one(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        assessment = self.assessor.assess(text)
        if assessment.answer == "crisis":
            self._set_intent(message, self.intent_name, assessment)
        elif assessment.answer == "ask":
            self._set_intent(message, self.ask_intent, assessment)
        elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) in (
            self.intent_name,
            self.ask_intent,
        ) and not text.lstrip().startswith("/"):
            self._demote(message)

    def _ranking_without_crisis(self, message: Message) -> List[Dict[Text, Any]]:
        return [
            r
            for r in (message.get(INTENT_RANKING_KEY) or [])
            if r.get(INTENT_NAME_KEY) not in (self.intent_name, self.ask_intent)
        ]

    def _demote(self, message: Message) -> None:
        """Takes the model's crisis intent out: the next intent, or nlu_fallback when unsure."""
        ranking = self._ranking_without_crisis(message)
        best = ranking[0] if ranking else None
        if best is None or float(best.get(PREDICTED_CONFIDENCE_KEY) or 0) < self.demoted_threshold:
            best = {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: self.demoted_threshold}
        message.set(INTENT, dict(best), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _set_intent(self, message: Message, name: str, assessment: CrisisAssessment) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = self._ranking_without_crisis(message)
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(intent)] + ranking, add_to_output=True)
        message.set(CRISIS_KEY, assessment.payload(), add_to_output=True)
        record_crisis_event(assessment.kind, assessment.answer, assessment.source)
