"""Deterministic crisis detection: spaCy (blank English) Matcher and PhraseMatcher patterns.

All patterns, idioms and cues live in `patterns.yml`; `patterns.py` reads and compiles them,
`normalize.py` and `typos.py` prepare the message, `context.py` reads a match's surroundings, and
this module decides. It never logs or keeps the message text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from referral.crisis.context import CueWords, MatchContext, Span
from referral.crisis.normalize import Normalizer
from referral.crisis.patterns import (
    PATTERNS_FILE,
    PatternCompiler,
    Rule,
    SpacyPattern,
    literal_words,
    load_patterns,
    required_words,
)
from referral.crisis.typos import TypoCorrector
from referral.text_pipeline import blank_english

__all__ = [
    "CATEGORY_ORDER",
    "LEVELS",
    "PATTERNS_FILE",
    "CrisisMatcher",
    "CrisisSignal",
    "default_matcher",
    "detect",
    "load_patterns",
]

LEVELS = ("gentle", "urgent")
# When several rules fire, the most severe is reported: level first, then this order.
CATEGORY_ORDER = ("overdose_emergency", "danger_to_others", "suicide", "self_harm", "unsafe")


@dataclass(frozen=True)
class CrisisSignal:
    """What the matcher recognised: never the text, only its kind."""

    category: str  # suicide | self_harm | overdose_emergency | danger_to_others | unsafe
    level: str  # urgent | gentle
    about: str  # self | other | unknown
    rule: str = ""  # the pattern id that decided it (for tests and tuning; no user text)


class _IndexedMatcher:
    """Many spaCy Matchers, one per rule, run only when the message holds a word from every
    required position of the rule: a plain Matcher with ~800 pattern variants tries them all at
    every token (about 1 ms); most messages make no rule a candidate at all."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self._matchers: Dict[str, Matcher] = {}
        # word -> [(key, variant number, position number)] for the required positions
        self._index: Dict[str, List[Tuple[str, int, int]]] = {}
        self._required: Dict[Tuple[str, int], int] = {}  # (key, variant) -> required positions
        self._always: Set[str] = set()  # keys with a variant that has no required word

    def add(self, key: str, variants: List[SpacyPattern]) -> None:
        matcher = self._matchers.get(key)
        if matcher is None:
            matcher = self._matchers[key] = Matcher(self.vocab, validate=True)
        matcher.add(key, variants)
        base = sum(1 for k, _ in self._required if k == key)
        for n, pattern in enumerate(variants, start=base):
            required = [required_words(token) for token in pattern]
            required = [words for words in required if words]
            self._required[(key, n)] = len(required)
            if not required:
                self._always.add(key)
            for position, words in enumerate(required):
                for word in words:
                    self._index.setdefault(word, []).append((key, n, position))

    def candidates(self, words: Iterable[str]) -> Set[str]:
        hit: Dict[Tuple[str, int], Set[int]] = {}
        for word in set(words):
            for key, n, position in self._index.get(word, ()):
                hit.setdefault((key, n), set()).add(position)
        found = set(self._always)
        for (key, n), positions in hit.items():
            if len(positions) == self._required[(key, n)]:
                found.add(key)
        return found

    def __call__(self, doc: Doc, keys: Iterable[str]) -> List[Tuple[int, int, int]]:
        matches: List[Tuple[int, int, int]] = []
        for key in keys:
            matches.extend(self._matchers[key](doc))
        return matches

    def __len__(self) -> int:
        return len(self._matchers)


# Cue sections of patterns.yml that are phrases or token patterns found in a message.
_CUE_SECTIONS = (
    "now",
    "recent",
    "old_time",
    "history",
    "ongoing",
    "distress",
    "recovery",
    "joke",
    "hypothetical",
    "generic",
)


class CrisisMatcher:
    """Loads the patterns once; `detect(text)` answers in well under a millisecond or two.

    Every match is labelled in the vocabulary's strings by kind: "C|<rule id>" a crisis rule,
    "X|..." an exception (an idiom that is no crisis), "K|<cue>|..." a context cue.
    """

    def __init__(self, patterns_file: Path = PATTERNS_FILE) -> None:
        config = load_patterns(patterns_file)
        self.nlp = blank_english()
        self.vocab = self.nlp.vocab
        self.lexicon: Dict[str, List[str]] = {
            name: [str(w).lower() for w in words] for name, words in config["lexicon"].items()
        }
        self.normalize = Normalizer(config["normalize"])
        self.compiler = PatternCompiler(self.lexicon, self.normalize)
        self.rules: Dict[str, Rule] = {}
        self.matcher = _IndexedMatcher(self.vocab)  # crisis rules
        self.context_matcher = _IndexedMatcher(self.vocab)  # exceptions and cues
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self._load_crisis(config["crisis"], config.get("phrases", {}))
        self.typos = TypoCorrector(
            config["normalize"].get("fuzzy", {}),
            (word for rule in self.rules.values() for word in rule.own_words),
        )
        self._load_exceptions(config["exceptions"])
        self.cue_words = self._load_cues(config["cues"])

    # ---------------------------------------------------------------- loading the patterns

    def _load_crisis(self, crisis: Dict[str, List[Dict[str, Any]]], phrases: Dict[str, Any]) -> None:
        for category, rules in crisis.items():
            for spec in rules:
                rule = Rule.from_spec(category, spec)
                if rule.id in self.rules:
                    raise ValueError(f"duplicate crisis rule id {rule.id}")
                variants = self.compiler.compile(spec["tokens"])
                rule = dataclasses.replace(rule, own_words=frozenset(literal_words(variants)))
                self.rules[rule.id] = rule
                self.matcher.add(f"C|{rule.id}", variants)
        for category, by_level in phrases.items():
            for level, texts in by_level.items():
                docs = [self._doc(t) for t in texts]
                words = frozenset(t.lower_ for d in docs for t in d)
                rule = Rule(
                    id=f"phrase_{category}_{level}", category=category, level=level, negatable=False, own_words=words
                )
                self.rules[rule.id] = rule
                self.phrases.add(f"C|{rule.id}", docs)

    def _load_exceptions(self, spec: Dict[str, Any]) -> None:
        self.phrases.add("X|phrase", [self._doc(t) for t in spec.get("phrases", [])])
        for i, tokens in enumerate(spec.get("tokens", [])):
            self.context_matcher.add(f"X|tokens{i}", self.compiler.compile(tokens))

    def _load_cues(self, cues: Dict[str, Any]) -> CueWords:
        for name in _CUE_SECTIONS:
            spec = cues.get(name, {})
            phrases = spec.get("phrases", []) if isinstance(spec, dict) else spec
            if phrases:
                self.phrases.add(f"K|{name}", [self._doc(t) for t in phrases])
            for i, tokens in enumerate(spec.get("tokens", []) if isinstance(spec, dict) else []):
                self.context_matcher.add(f"K|{name}|{i}", self.compiler.compile(tokens))
        negation = cues["negation"]
        trailing = {self._doc(t).text for t in negation["trailing"]}
        return CueWords(
            negations=frozenset(w.lower() for w in negation["words"]),
            not_after_no=frozenset(negation["not_after_no"]),
            negation_window=int(negation["window"]),
            scope_breakers=frozenset(negation["scope_breakers"]),
            hedges=frozenset(negation["hedges"]),
            trailing_denials=frozenset(trailing | {f"{t} thanks" for t in trailing}),
            about_self=frozenset(cues["about"]["self"]),
            about_other=frozenset(cues["about"]["other"]),
        )

    # ---------------------------------------------------------------- text to tokens

    def _doc(self, text: str) -> Doc:
        return self.nlp.make_doc(self.normalize(text))

    def tokens(self, text: str) -> Doc:
        """The normalized Doc the patterns run on (typo-tolerant for the crisis vocabulary)."""
        doc = self._doc(text)
        words = [t.text for t in doc]
        changed = False
        for i, word in enumerate(words):
            fixed = self.typos.correct(word)
            if fixed != word:
                words[i] = fixed
                changed = True
        if changed:
            doc = Doc(self.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        return doc

    # ---------------------------------------------------------------- detection

    def _raw_matches(self, text: str):
        """The pattern matches in a message: (doc, crisis rules, exception spans, cues) or None."""
        if not text or not text.strip():
            return None
        doc = self.tokens(text)
        words = [t.lower_ for t in doc]
        raw = self.phrases(doc)
        candidates = self.matcher.candidates(words)
        if not candidates and not any(self.vocab.strings[m].startswith("C|") for m, _, _ in raw):
            return None
        raw += self.matcher(doc, candidates)
        raw += self.context_matcher(doc, self.context_matcher.candidates(words))
        crisis: List[Tuple[Rule, int, int]] = []
        exceptions: List[Span] = []
        cues: Dict[str, List[Span]] = {}
        for match_id, start, end in raw:
            label = self.vocab.strings[match_id]
            kind, _, name = label.partition("|")
            if kind == "C":
                crisis.append((self.rules[name], start, end))
            elif kind == "X":
                exceptions.append((start, end))
            else:
                cues.setdefault(name.split("|")[0], []).append((start, end))
        return doc, crisis, exceptions, cues

    def detect(self, text: str) -> Optional[CrisisSignal]:
        """The crisis signal in one user message, or None."""
        return self.detect_traced(text)[0]

    def detect_traced(self, text: str) -> Tuple[Optional[CrisisSignal], bool]:
        """The crisis signal, and whether a crisis pattern matched at all: a match that the
        context then cleared (a denial, history, an idiom) is evidence that the words are not a
        crisis, which the classifier alone cannot see."""
        found = self._raw_matches(text)
        if found is None:
            return None, False
        doc, crisis, exceptions, cues = found
        if not crisis:
            return None, False
        return self._decide(doc, crisis, exceptions, cues), True

    def _decide(self, doc: Doc, crisis, exceptions, cues) -> Optional[CrisisSignal]:
        context = MatchContext(doc, cues, self.cue_words)
        best: Optional[Tuple[Tuple[int, int], CrisisSignal]] = None
        for rule, start, end in dict.fromkeys(crisis):  # match order: the same answer in every process
            if not rule.beats_exceptions and any(s < end and start < e for s, e in exceptions):
                continue
            level = self._judge(rule, start, end, context)
            if level is None:
                continue
            signal = CrisisSignal(rule.category, level, context.about(start, end), rule.id)
            rank = (LEVELS.index(level), -CATEGORY_ORDER.index(rule.category))
            if best is None or rank > best[0]:
                best = (rank, signal)
        return best[1] if best else None

    def _judge(self, rule: Rule, start: int, end: int, ctx: MatchContext) -> Optional[str]:
        """The level of one match in its context, or None when it does not count."""
        if rule.ends_clause and not ctx.ends_clause(end):
            return None
        negation = ctx.negation(start, end, rule.own_words) if rule.negatable else None
        if negation == "denied":
            return None
        level = rule.level
        in_past = rule.past or ctx.past_frame(start) or ctx.in_clause("old_time", start, end)
        if in_past and not rule.present:
            level = self._judge_past(rule, start, end, ctx)
            if level is None:
                return None
        if negation == "hedged":
            level = "gentle"
        if rule.level == "gentle" and ctx.generic_question(start):
            return None
        if level == "urgent" and ctx.hypothetical_before(start):
            level = "gentle"
        if ctx.has("joke", start, end):
            if rule.joke_cancels:
                return None
            level = "gentle"
        return level

    @staticmethod
    def _judge_past(rule: Rule, start: int, end: int, ctx: MatchContext) -> Optional[str]:
        """A described event: now is urgent, recent or still hurting is gentle, history is not."""
        if ctx.near_now(start, end):
            return rule.now_level
        if ctx.in_clause("recent", start, end):
            return "gentle"
        if ctx.has("distress", start, end):
            return "gentle"
        if ctx.has("recovery", start, end):
            return None
        if ctx.has("old_time", start, end) or ctx.has("history", start, end):
            return None
        # Past with no time at all: unsure, so shown gently.
        return rule.level if rule.past else "gentle"


@lru_cache(maxsize=1)
def default_matcher() -> CrisisMatcher:
    """The one shared matcher (patterns are compiled once per process)."""
    return CrisisMatcher()


def detect(text: str) -> Optional[CrisisSignal]:
    """Shortcut: the crisis signal in `text` with the shared matcher."""
    return default_matcher().detect(text)
