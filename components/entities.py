"""A Rasa NLU component that finds, with spaCy rules, what the dialogue acts on: places, programs,
languages and the screening questions referred to ("change my answer about the ER visits").

Answers to the screening questions (numbers, times, coverage...) are not entities: the form reads
them from the text with the one answer parser (referral/screening/answers.py), which knows the
question and what is already known, so a message is parsed one way only.

It runs on the project's one blank English spaCy pipeline (nothing to download). Patterns live in
entity_patterns.yml; places come from referral.directory.geo.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from referral.directory import geo
from referral.directory.lexicon import language_name
from referral.registry import registry
from referral.text.normalize import strip_accents
from referral.text_pipeline import blank_english

PATTERNS_PATH = Path(__file__).with_name("entity_patterns.yml")
DIRECTORY_DATA = Path(geo.__file__).parent / "data"


@dataclass
class EntityRules:
    """The spaCy pipeline, its matchers and the tables they need; `extract(text)` finds the
    entities. Built once per process by `build_entity_rules` (a few seconds, mostly the
    gazetteer of referral.directory.geo); each message then takes well under a millisecond."""

    nlp: Any
    token_matcher: Matcher
    places: PhraseMatcher
    programs: PhraseMatcher
    languages: PhraseMatcher
    questions: PhraseMatcher
    town_states: dict[str, set]  # town display name -> {"MA", "NC"}
    needs_context: frozenset  # lower-case town names said as a place only with context
    cue_words: frozenset
    filler_words: frozenset
    lower_case_codes: frozenset

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        """The entities in one text (without the extractor name), in order of position."""
        doc = self.nlp.make_doc(text)
        zips = filter_spans(doc[start:end] for _, start, end in self.token_matcher(doc))
        entities = [_entity("place", span.text[:5], span.start_char, span.start_char + 5) for span in zips]
        entities += self._places(doc)
        for name, matcher in (("program", self.programs), ("question", self.questions)):
            for span in filter_spans(matcher(doc, as_spans=True)):
                entities.append(_entity(name, span.label_, span.start_char, span.end_char))
        for span in filter_spans(self.languages(doc, as_spans=True)):
            value = language_name(span.text)
            if value:
                entities.append(_entity("language", value, span.start_char, span.end_char))
        return sorted(entities, key=lambda e: (e["start"], e["end"]))

    def _places(self, doc: Doc) -> list[dict]:
        out = []
        for span in filter_spans(self.places(doc, as_spans=True)):
            town = span.label_
            state, end = self._state_after(doc, span.end)
            common_word = town.lower() in self.needs_context
            if common_word and not (state or self._said_as_place(doc, span)):
                continue
            states = self.town_states.get(town, set())
            if state:
                value = f"{town}, {state}"
            elif len(states) == 1 and not common_word:
                value = f"{town}, {next(iter(states))}"
            else:
                value = town  # in both states, or also a big town elsewhere: geo asks which
            last = doc[end - 1]
            out.append(_entity("place", value, span.start_char, last.idx + len(last.text)))
        return out

    def _state_after(self, doc: Doc, index: int) -> tuple[Optional[str], int]:
        """A state named right after a town ("fall river ma", "Concord, North Carolina")."""
        i = index + 1 if index < len(doc) and doc[index].text == "," else index
        for n in (2, 1):
            if i + n > len(doc):
                continue
            words = doc[i : i + n]
            if any(t.is_punct for t in words):
                continue  # "vivo en charlotte. me pueden ayudar?": no state across a sentence end
            if n == 1 and len(words.text) == 2:
                token = words[0]
                # "Boston in the morning" is not Boston, Indiana.
                if not (token.text.isupper() or token.lower_ in self.lower_case_codes):
                    continue
            code = geo.state_code(words.text)
            if code:
                return code, i + n
        return None, index

    def _said_as_place(self, doc: Doc, span: Span) -> bool:
        if span.start > 0 and doc[span.start - 1].lower_ in self.cue_words:
            return True
        others = [t for t in doc if not (span.start <= t.i < span.end) and not t.is_punct]
        return all(t.lower_ in self.filler_words for t in others)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ReferralEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities of the referral assistant, found by spaCy rules (see EntityRules).

    Emits Rasa entities `place` ("01608", "Worcester, MA", or "Franklin" when the town is in
    several served states or is also an everyday word), `program` (a program id), `language`
    ("Spanish") and `question` (a screening question id). Each has confidence 1.0 and this
    class's name as extractor.
    """

    # One set of rules per process, however many times Rasa creates the component.
    _shared_rules: ClassVar[Optional[EntityRules]] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ReferralEntityExtractor:
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        # Built here, at model load, so that no user waits for it.
        self.rules = self._rules()

    @classmethod
    def _rules(cls) -> EntityRules:
        if cls._shared_rules is None:
            cls._shared_rules = build_entity_rules()
        return cls._shared_rules

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: rule-based. The training data is returned unchanged."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds the entities found in each message's text to its `entities`."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(self.rules.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


def _entity(name: str, value: Any, start: int, end: int) -> dict:
    return {"entity": name, "value": value, "start": start, "end": end, "confidence": 1.0}


def _phrase_matcher(nlp: Any, phrases_by_label: dict[str, list[str]]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for label, phrases in phrases_by_label.items():
        forms = {p for phrase in phrases for p in (str(phrase), strip_accents(str(phrase)))}
        matcher.add(label, list(nlp.tokenizer.pipe(sorted(forms))))
    return matcher


def build_entity_rules() -> EntityRules:
    """Reads entity_patterns.yml and the shared word lists, and builds the spaCy matchers."""
    spec = yaml.safe_load(PATTERNS_PATH.read_text(encoding="utf-8"))
    nlp = blank_english()

    token_matcher = Matcher(nlp.vocab)
    token_matcher.add("zip", spec["zip_patterns"])

    town_states: dict[str, set] = {}
    for state in registry().served_states():
        for town in geo.place_names((state,)):
            town_states.setdefault(town, set()).add(state)
    place_words = json.loads((DIRECTORY_DATA / "place_words.json").read_text(encoding="utf-8"))
    needs_context = set(place_words["common_word_towns"]) | set(spec.get("extra_common_word_towns", []))

    languages_data = json.loads((DIRECTORY_DATA / "languages.json").read_text(encoding="utf-8"))
    skip_languages = set(spec["languages_not_alone"])
    languages = {
        lang["name"]: [w for w in [lang["name"], *lang.get("aliases", [])] if w.lower() not in skip_languages]
        for lang in languages_data["languages"]
    }

    rules = EntityRules(
        nlp=nlp,
        token_matcher=token_matcher,
        # "Winston Salem" is also typed "Winston-Salem".
        places=_phrase_matcher(nlp, {town: [town, town.replace(" ", "-")] for town in town_states}),
        programs=_phrase_matcher(nlp, spec["programs"]),
        languages=_phrase_matcher(nlp, languages),
        questions=_phrase_matcher(nlp, spec["questions"]),
        town_states=town_states,
        needs_context=frozenset(w.lower() for w in needs_context),
        cue_words=frozenset(place_words["cue_words"]),
        filler_words=frozenset(place_words["filler_words"]),
        lower_case_codes=frozenset(spec["place_states"]["lower_case_codes"]),
    )
    # The first message through each matcher and look-up table pays for its caches: pay it here.
    rules.extract(
        "Is there CSP or a community support team near Fall River, MA 01608 in Spanish? "
        "Change my answer about the ER visits."
    )
    return rules
