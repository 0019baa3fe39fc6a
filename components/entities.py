"""A Rasa NLU component that finds the screening's entities with spaCy rules: places, numbers,
durations, programs, languages, questions referred to, and coverage names.

It runs on a blank English spaCy pipeline (nothing to download). Patterns live in
entity_patterns.yml; the word lists, numbers and durations come from referral/screening (the same
code reads typed answers), places from referral.directory.geo.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Dict, List, Optional, Text

import spacy
import yaml
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from referral.directory import geo
from referral.directory.lexicon import language_name
from referral.registry import registry
from referral.screening import answers
from referral.text.durations import find_time_references
from referral.text.normalize import normalize, strip_accents
from referral.text.numbers import number_value, words

PATTERNS_PATH = Path(__file__).with_name("entity_patterns.yml")
DIRECTORY_DATA = Path(geo.__file__).parent / "data"


def _single_words(phrases) -> list[str]:
    """Every word of the phrases, with and without accents: the vocabulary of a token pattern."""
    words = set()
    for phrase in phrases:
        for word in str(phrase).lower().replace("-", " ").split():
            words.add(word)
            words.add(strip_accents(word))
    return sorted(words)


def _word_regex(words, with_digits: bool = False) -> str:
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    digits = r"\d+(?:\.\d+)?|" if with_digits else ""
    return rf"^(?:{digits}{body})$"


def _placeholders() -> dict[str, Any]:
    """The "@name" values of entity_patterns.yml, from the parser's lexicon."""
    raw = words()
    number_words = _single_words(list(raw["number_words"]) + list(raw["tens_words"]))
    units = _single_words(raw["time_units"])
    time_words = _single_words(
        list(raw["time_quantities"]) + raw["time_half_suffix"] + raw["time_approximators"]
        + raw["time_past_suffix"] + raw["time_past_prefix"] + raw["time_future_prefix"]
        + raw["time_future_suffix"] + raw["time_window_past"] + raw["time_window_future"]
        + list(raw["number_words"]) + list(raw["tens_words"])
    )
    return {
        "@number_token": _word_regex(number_words, with_digits=True),
        "@tens_word": [w for w in _single_words(raw["tens_words"]) if w not in ("a", "one", "hundred")],
        "@digit_word": [w for w, v in raw["number_words"].items() if 1 <= v <= 9],
        "@time_word": _word_regex(time_words + ["-"], with_digits=True),
        "@time_unit": units,
        "@glued_duration": rf"^\d+(?:{'|'.join(map(re.escape, sorted(units, key=len, reverse=True)))})$",
    }


def _fill(pattern: Any, values: dict[str, Any]) -> Any:
    if isinstance(pattern, dict):
        return {key: _fill(value, values) for key, value in pattern.items()}
    if isinstance(pattern, list):
        return [_fill(item, values) for item in pattern]
    if isinstance(pattern, str) and pattern.startswith("@"):
        return values[pattern]
    return pattern


@dataclass
class EntityRules:
    """The spaCy pipeline, its matchers and the tables they need; `extract(text)` finds the
    entities. Built once per process by `build_entity_rules` (a few seconds, mostly the
    gazetteer of referral.directory.geo); each message then takes well under a millisecond."""

    nlp: Any
    token_matcher: Matcher
    relative_days: PhraseMatcher
    counts: PhraseMatcher
    places: PhraseMatcher
    programs: PhraseMatcher
    languages: PhraseMatcher
    questions: PhraseMatcher
    town_states: dict[str, set]  # town display name -> {"MA", "NC"}
    needs_context: frozenset  # lower-case town names said as a place only with context
    cue_words: frozenset
    filler_words: frozenset
    lower_case_codes: frozenset
    number_negators: frozenset
    coverage_labels: frozenset
    coverage_not_entities: frozenset

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        """The entities in one text (without the extractor name), in order of position."""
        doc = self.nlp.make_doc(text)
        token_spans: dict[str, list[Span]] = {"zip": [], "number": [], "duration": []}
        for match_id, start, end in self.token_matcher(doc):
            token_spans[self.nlp.vocab.strings[match_id]].append(doc[start:end])
        zips = filter_spans(token_spans["zip"])
        time_spans = filter_spans(token_spans["duration"] + list(self.relative_days(doc, as_spans=True)))

        entities = [_entity("place", span.text[:5], span.start_char, span.start_char + 5) for span in zips]
        entities += self._durations(time_spans)
        entities += self._numbers(doc, token_spans["number"], zips + time_spans)
        entities += self._places(doc)
        for name, matcher in (("program", self.programs), ("question", self.questions)):
            for span in filter_spans(matcher(doc, as_spans=True)):
                entities.append(_entity(name, span.label_, span.start_char, span.end_char))
        for span in filter_spans(self.languages(doc, as_spans=True)):
            value = language_name(span.text)
            if value:
                entities.append(_entity("language", value, span.start_char, span.end_char))
        entities += self._coverage(text)
        return sorted(entities, key=lambda e: (e["start"], e["end"]))

    def _durations(self, spans: list[Span]) -> list[dict]:
        # The matcher finds where a time is; the screening's parser says which time it is.
        out = []
        for span in spans:
            for ref in find_time_references(span.text):
                if ref.signed:
                    start, end = span.start_char + ref.start, span.start_char + ref.end
                    out.append(_entity("duration", ref.days, start, end))
        return out

    def _numbers(self, doc: Doc, spans: list[Span], taken: list[Span]) -> list[dict]:
        out = []
        for span in filter_spans(spans + list(self.counts(doc, as_spans=True))):
            if any(span.start < t.end and t.start < span.end for t in taken):
                continue  # part of a ZIP code or of a time ("3 weeks ago")
            if span.start > 0 and doc[span.start - 1].lower_ in self.number_negators:
                continue  # "not once"
            value = number_value(span.text)
            if value is not None:
                out.append(_entity("number", value, span.start_char, span.end_char))
        return out

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

    def _coverage(self, text: str) -> list[dict]:
        out = []
        for hit in answers.coverage_mentions(text):
            if hit.label not in self.coverage_labels:
                continue  # not a coverage name here, or said as not had ("no MassHealth")
            if normalize(text[hit.start : hit.end]).strip() in self.coverage_not_entities:
                continue
            # A state's Medicaid with its kind not said: that state's default answer.
            label = hit.label
            value = registry().medicaid_default(label.split(":", 1)[1]) if label.startswith("medicaid_of:") else label
            out.append(_entity("coverage", value, hit.start, hit.end))
        return out


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ReferralEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Entities of the referral assistant, found by spaCy rules (see EntityRules).

    Emits Rasa entities `place` ("01608", "Worcester, MA", or "Franklin" when the town is in both
    states or is also an everyday word), `number` (int), `duration` (signed days: "3 weeks ago" ->
    -21, "in about 2 months" -> 60; a time without a direction, a window like "in the last 6
    months", or a date is left to the answer parser, which knows the question), `program`
    (CSP, CSP-HI, CSP-JI, CST), `language` ("Spanish"), `question` (a screening question id)
    and `coverage` (a coverage value, "masshealth_unsure", or "medicaid" when no state is said).
    Each has confidence 1.0 and this class's name as extractor.
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
    lex = words()
    nlp = spacy.blank("en")

    values = _placeholders()
    token_matcher = Matcher(nlp.vocab)
    for label, patterns in spec["token_patterns"].items():
        token_matcher.add(label, _fill(patterns, values))

    not_counts = set(spec["count_words_not_entities"])
    counts = {"count": [p for p in lex["count_words"] if p not in not_counts]}

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
        relative_days=_phrase_matcher(nlp, {"relative": list(lex["relative_days"])}),
        counts=_phrase_matcher(nlp, counts),
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
        number_negators=frozenset(spec["number_negators"]),
        coverage_labels=frozenset(
            [*spec["coverage_labels"], *registry().coverage_answers(),
             *(f"medicaid_of:{code}" for code in registry().served_states())]
        ),
        coverage_not_entities=frozenset(
            normalize(p).strip() for p in spec["coverage_phrases_not_entities"]
        ),
    )
    # The first message through each matcher and look-up table pays for its caches: pay it here.
    rules.extract("Is there CSP or a community support team near Fall River, MA 01608 in Spanish? "
                  "About 3 weeks ago, went to the ER twice; MassHealth through my ACO.")
    return rules
