"""Deterministic crisis detection: spaCy (blank English) Matcher and PhraseMatcher patterns.

All patterns, idioms and cues live in `patterns.yml`; this module only interprets them. It never
logs or keeps the message text.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import spacy
import yaml
from rapidfuzz.distance import OSA
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from referral.text import fold, unmask

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")

logger = logging.getLogger(__name__)

LEVELS = ("gentle", "urgent")
# When several rules fire, the most severe is reported: level first, then this order.
CATEGORY_ORDER = ("overdose_emergency", "danger_to_others", "suicide", "self_harm", "unsafe")

# Sentence and clause boundaries: negation and time cues do not reach across them.
SENTENCE_END = {".", "!", "?", ";", "\n", "\n\n"}
CLAUSE_END = SENTENCE_END | {",", ":", "but", "though", "although", "however", "-", "--", "…",
                              "and", "then", "plus"}

# Tokens just before a match (or its first token) that put it in the past: "I tried to kill
# myself", "I wanted to die", "he was hospitalized for being suicidal".
PAST_FRAME = {
    "tried", "attempted", "used", "was", "were", "had", "felt", "thought", "wanted", "killed",
    "overdosed", "almost", "nearly", "after", "survived", "took", "did", "threatened",
    "hospitalized", "hospitalised", "discharged", "admitted", "sectioned", "treated", "went",
}
QUESTION_WORDS = {"does", "do", "can", "is", "are", "will", "would", "what", "how", "who", "should",
                  "could", "which", "where", "when", "why"}
FIRST_PERSON = {"i", "me", "my", "we", "us", "our", "myself", "mine"}
PAST_WINDOW = 3
NEAR_NOW_WINDOW = 3
# What may follow a rule marked `ends_clause` ("she's cutting again", "I want to cut.").
CLAUSE_END_FOLLOWERS = {"again", "lately", "and", "but", "so", "because", "too", "more", "every",
                        "myself", "herself", "himself", "themselves", "right", "now", "tonight",
                        "today", "badly", "please", "help", "lol"}


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

    def add(self, key: str, variants: List[List[Dict[str, Any]]]) -> None:
        matcher = self._matchers.get(key)
        if matcher is None:
            matcher = self._matchers[key] = Matcher(self.vocab, validate=True)
        matcher.add(key, variants)
        base = sum(1 for k, _ in self._required if k == key)
        for n, pattern in enumerate(variants, start=base):
            required = [_required_words(token) for token in pattern]
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


def _required_words(token: Dict[str, Any]) -> Set[str]:
    """The words one pattern token must be, or an empty set when it is optional or open."""
    if token.get("OP") in ("?", "*", "!"):
        return set()
    lower = token.get("LOWER")
    if isinstance(lower, str):
        return {lower}
    if isinstance(lower, dict) and "IN" in lower:
        return set(lower["IN"])
    return set()


class _WordsLoader(yaml.SafeLoader):
    """YAML without the 1.1 booleans: "no", "off" and "on" are words here, only true/false are not."""


_WordsLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WordsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def load_patterns(path: Path = PATTERNS_FILE) -> Dict[str, Any]:
    """The patterns file as data ("no", "on", "off" stay strings)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_WordsLoader)


@dataclass(frozen=True)
class CrisisSignal:
    """What the matcher recognised: never the text, only its kind."""

    category: str  # suicide | self_harm | overdose_emergency | danger_to_others | unsafe
    level: str  # urgent | gentle
    about: str  # self | other | unknown
    rule: str = ""  # the pattern id that decided it (for tests and tuning; no user text)


@dataclass(frozen=True)
class _Rule:
    id: str
    category: str
    level: str
    negatable: bool = True
    past: bool = False
    now_level: str = "urgent"
    joke_cancels: bool = False
    ends_clause: bool = False
    beats_exceptions: bool = False
    present: bool = False  # describes the present whatever the time words around it
    # Literal words of the rule's own patterns: a negation among them is the meaning, not a denial.
    own_words: frozenset = frozenset()


class CrisisMatcher:
    """Loads the patterns once; `detect(text)` answers in well under a millisecond or two."""

    def __init__(self, patterns_file: Path = PATTERNS_FILE) -> None:
        config = load_patterns(patterns_file)
        self.nlp = spacy.blank("en")
        self.vocab = self.nlp.vocab
        self.lexicon: Dict[str, List[str]] = {
            name: [str(w).lower() for w in words] for name, words in config["lexicon"].items()
        }
        self._load_normalizer(config["normalize"])
        self.rules: Dict[str, _Rule] = {}
        self.matcher = _IndexedMatcher(self.vocab)  # crisis rules
        self.context_matcher = _IndexedMatcher(self.vocab)  # exceptions and cues
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self._load_crisis(config["crisis"], config.get("phrases", {}))
        self._build_typo_vocabulary()
        self._load_exceptions(config["exceptions"])
        self._load_cues(config["cues"])

    # ---------------------------------------------------------------- loading the YAML

    def _load_normalizer(self, spec: Dict[str, Any]) -> None:
        replacements = {str(k).lower(): str(v).lower() for k, v in spec["replacements"].items()}
        # Longest first so "i am gonna" wins over "gonna"; whole words only (apostrophes and dots
        # belong to a word here: "od'd", "o.d.").
        keys = sorted(replacements, key=len, reverse=True)
        self._replacements = replacements
        self._replace_re = re.compile(
            r"(?<![\w'$])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w'])"
        )
        self._squeeze = bool(spec.get("squeeze_repeats", True))
        fuzzy = spec.get("fuzzy", {})
        self._fuzzy_targets = [t.lower() for t in fuzzy.get("targets", [])]
        self._fuzzy_min = int(fuzzy.get("min_length", 3))
        self._fuzzy_known: Set[str] = {w.lower() for w in fuzzy.get("known", [])}
        self._english = _english_words()
        # Filled after the crisis rules are loaded: the words a typo may be corrected to.
        self._vocab: Set[str] = set()
        self._vocab_by_letter: Dict[str, List[str]] = {}

    def _load_crisis(self, crisis: Dict[str, List[Dict[str, Any]]], phrases: Dict[str, Any]) -> None:
        for category, rules in crisis.items():
            for spec in rules:
                rule = _Rule(
                    id=spec["id"],
                    category=category,
                    level=spec.get("level", "gentle"),
                    negatable=spec.get("negatable", True),
                    past=spec.get("past", False),
                    now_level=spec.get("now_level", "urgent"),
                    joke_cancels=spec.get("joke_cancels", False),
                    ends_clause=spec.get("ends_clause", False),
                    beats_exceptions=spec.get("beats_exceptions", False),
                    present=spec.get("present", False),
                )
                if rule.id in self.rules:
                    raise ValueError(f"duplicate crisis rule id {rule.id}")
                variants = self._compile(spec["tokens"])
                rule = dataclasses.replace(rule, own_words=frozenset(_literal_words(variants)))
                self.rules[rule.id] = rule
                self.matcher.add(f"C|{rule.id}", variants)
        for category, by_level in phrases.items():
            for level, texts in by_level.items():
                docs = [self._doc(t) for t in texts]
                words = frozenset(t.lower_ for d in docs for t in d)
                rule = _Rule(id=f"phrase_{category}_{level}", category=category, level=level,
                             negatable=False, own_words=words)
                self.rules[rule.id] = rule
                self.phrases.add(f"C|{rule.id}", docs)

    def _load_exceptions(self, spec: Dict[str, Any]) -> None:
        self.phrases.add("X|phrase", [self._doc(t) for t in spec.get("phrases", [])])
        for i, tokens in enumerate(spec.get("tokens", [])):
            self.context_matcher.add(f"X|tokens{i}", self._compile(tokens))

    def _load_cues(self, cues: Dict[str, Any]) -> None:
        negation = cues["negation"]
        self.neg_words = {w.lower() for w in negation["words"]}
        self.neg_not_after_no = set(negation["not_after_no"])
        self.neg_window = int(negation["window"])
        self.neg_breakers = set(negation["scope_breakers"])
        self.neg_hedges = set(negation["hedges"])
        self.neg_trailing = {self._doc(t).text for t in negation["trailing"]}
        for name in ("now", "recent", "old_time", "history", "ongoing", "distress", "recovery",
                     "joke", "hypothetical", "generic"):
            spec = cues.get(name, {})
            phrases = spec.get("phrases", []) if isinstance(spec, dict) else spec
            if phrases:
                self.phrases.add(f"K|{name}", [self._doc(t) for t in phrases])
            for i, tokens in enumerate(spec.get("tokens", []) if isinstance(spec, dict) else []):
                self.context_matcher.add(f"K|{name}|{i}", self._compile(tokens))
        self.about_self = set(cues["about"]["self"])
        self.about_other = set(cues["about"]["other"])

    def _compile(self, tokens: Sequence[Any]) -> List[List[Dict[str, Any]]]:
        """One mini-language pattern (see patterns.yml) to its spaCy Matcher variants."""
        positions = [self._token_alternatives(t) for t in tokens]
        variants = []
        for combo in itertools.product(*positions):
            pattern = [tok for alternative in combo for tok in alternative]
            if pattern:
                variants.append(pattern)
        return variants

    def _token_alternatives(self, spec: Any) -> List[List[Dict[str, Any]]]:
        """A token spec to alternatives; each alternative is a list of spaCy token dicts."""
        if isinstance(spec, dict):
            return [[spec]]
        spec = str(spec)
        op = None
        if len(spec) > 1 and spec[-1] in "?*+" and not spec.endswith("\\?"):
            spec, op = spec[:-1], spec[-1]
        if spec == "_":
            return [[{"OP": op}]] if op else [[{}]]
        if spec.startswith("re:"):
            token = {"LOWER": {"REGEX": spec[3:]}}
            return self._with_op([[token]], op)
        if spec.startswith("!"):
            words = self._words(spec[1:].split("|"))
            return self._with_op([[{"LOWER": {"NOT_IN": sorted(set(words))}}]], op)
        singles: List[str] = []
        alternatives: List[List[Dict[str, Any]]] = []
        for part in spec.split("|"):
            if part.startswith("re:"):
                alternatives.append([{"LOWER": {"REGEX": part[3:]}}])
                continue
            for word in self._words([part]):
                if " " in word:
                    alternatives.append([{"LOWER": w} for w in word.split()])
                else:
                    singles.append(word)
        if singles:
            unique = sorted(set(singles))
            first = {"LOWER": unique[0]} if len(unique) == 1 else {"LOWER": {"IN": unique}}
            alternatives.insert(0, [first])
        return self._with_op(alternatives, op)

    def _words(self, parts: Iterable[str]) -> List[str]:
        words: List[str] = []
        for part in parts:
            part = part.strip().strip('"')
            if part.startswith("$"):
                words.extend(self.lexicon[part[1:]])
                continue
            part = part.lower()
            if part:
                words.append(self.normalize(part) if (" " in part or "'" in part) else part)
        return words

    @staticmethod
    def _with_op(
        alternatives: List[List[Dict[str, Any]]], op: Optional[str]
    ) -> List[List[Dict[str, Any]]]:
        if not op:
            return alternatives
        if op == "?":
            result = []
            for alt in alternatives:
                if len(alt) == 1:
                    result.append([dict(alt[0], OP="?")])
                else:
                    result.append(alt)
            # A multi-token optional: the pattern with and without it.
            if any(len(alt) > 1 for alt in alternatives):
                result.append([])
            return result
        if any(len(alt) > 1 for alt in alternatives):
            raise ValueError("'*' and '+' only apply to single-token alternatives")
        return [[dict(alt[0], OP=op)] for alt in alternatives]

    # ---------------------------------------------------------------- text to tokens

    def normalize(self, text: str) -> str:
        """Lowercase, plain quotes, contractions and slang expanded, key misspellings fixed."""
        # The shared unmasking first (look-alike signs, invisible characters, spelled-out words,
        # repeated letters), then this file's slang and contractions.
        text = unmask(text) if self._squeeze else fold(text).lower()
        return self._replace_re.sub(lambda m: self._replacements[m.group(1)], text)

    def _doc(self, text: str) -> Doc:
        return self.nlp.make_doc(self.normalize(text))

    def tokens(self, text: str) -> Doc:
        """The normalized Doc the patterns run on (typo-tolerant for the crisis vocabulary)."""
        doc = self._doc(text)
        words = [t.text for t in doc]
        changed = False
        for i, word in enumerate(words):
            fixed = self._correct(word)
            if fixed != word:
                words[i] = fixed
                changed = True
        if changed:
            doc = Doc(self.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        return doc

    def _build_typo_vocabulary(self) -> None:
        """Content words of the crisis rules: the only words a misspelling is corrected to."""
        words: Set[str] = set(self._fuzzy_targets)
        for rule in self.rules.values():
            words.update(w for w in rule.own_words if w.isalpha())
        self._all_rule_words = set(words)
        content = {w for w in words if len(w) >= 4 and w not in STOP_WORDS}
        self._vocab = content | set(self._fuzzy_targets)
        for word in self._vocab:
            self._vocab_by_letter.setdefault(word[0], []).append(word)

    def _correct(self, word: str) -> str:
        """A misspelled key word to its spelling; every real English word is left as it is."""
        if (len(word) < self._fuzzy_min or not word.isalpha() or word in self._all_rule_words
                or word in self._fuzzy_known or self._is_english(word)):
            return word
        # Dropped g: "thinkin", "endin", "cuttin".
        if word.endswith("in") and (word + "g") in self._all_rule_words:
            return word + "g"
        # Over-regular past tense: "tooked", "cutted", "hurted".
        if word.endswith("ed"):
            for stem in (word[:-2], word[:-3]):
                if stem in self._all_rule_words and len(stem) >= 3:
                    return stem
        best: Optional[Tuple[int, int, int, str]] = None
        allowed = 1 if len(word) <= 7 else 2
        for target in self._vocab_by_letter.get(word[0], ()):
            if abs(len(target) - len(word)) > allowed:
                continue
            distance = OSA.distance(word, target, score_cutoff=allowed)
            if distance > allowed:
                continue
            # Closest first; then a transposition ("wnat" is "want", not "what"); then the commoner.
            swapped = 0 if sorted(word) == sorted(target) else 1
            rank = (distance, swapped, -self._frequency(target), target)
            if best is None or rank < best:
                best = rank
        return best[3] if best else word

    def _is_english(self, word: str) -> bool:
        if self._english is None:
            # Without the word list only words one edit from a fuzzy target count as misspelt
            # (and `known` protects real words such as "will" and "went").
            return not any(OSA.distance(word, t, score_cutoff=1) <= 1 for t in self._fuzzy_targets)
        return word in self._english

    def _frequency(self, word: str) -> int:
        return int(self._english.get(word, 0)) if self._english else 0

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
        crisis: List[Tuple[_Rule, int, int]] = []
        exceptions: List[Tuple[int, int]] = []
        cues: Dict[str, List[Tuple[int, int]]] = {}
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
        context = _Context(doc, cues, self)
        best: Optional[Tuple[Tuple[int, int], CrisisSignal]] = None
        for rule, start, end in set(crisis):
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

    def _judge(self, rule: _Rule, start: int, end: int, ctx: "_Context") -> Optional[str]:
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
    def _judge_past(rule: _Rule, start: int, end: int, ctx: "_Context") -> Optional[str]:
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


class _Context:
    """Where cues sit in one message, and questions asked about a match's surroundings."""

    def __init__(self, doc: Doc, cues: Dict[str, List[Tuple[int, int]]], matcher: CrisisMatcher) -> None:
        self.m = matcher
        self.words = [t.lower_ for t in doc]
        self.cues = cues
        # Clause and sentence ids per token.
        self.clause: List[int] = []
        self.sentence: List[int] = []
        clause = sentence = 0
        for word in self.words:
            if word in SENTENCE_END or (word.strip() == "" and "\n" in word):
                sentence += 1
                clause += 1
            elif word in CLAUSE_END:
                clause += 1
            self.clause.append(clause)
            self.sentence.append(sentence)
        # Recovery phrases contain "now" ("okay now", "now I'm in recovery"): not "happening now".
        recovery = cues.get("recovery", [])
        self.cues["now"] = [
            (s, e) for s, e in cues.get("now", [])
            if not any(rs - 3 <= s and s < re_ for rs, re_ in recovery)
        ]
        # "since last year", "at times": an ongoing state cancels an overlapping old-time cue.
        ongoing = cues.get("ongoing", [])
        self.cues["old_time"] = [
            (s, e) for s, e in cues.get("old_time", [])
            if not any(os < e and s < oe for os, oe in ongoing)
        ]

    def has(self, name: str, start: int = -1, end: int = -1) -> bool:
        """A cue anywhere in the message, outside the match itself ("at once" is not "once")."""
        return any(not (s < end and start < e) for s, e in self.cues.get(name, []))

    def in_clause(self, name: str, start: int, end: int) -> bool:
        clause = self.clause[start]
        return any(
            self.clause[s] == clause and not (s < end and start < e)
            for s, e in self.cues.get(name, [])
        )

    def near_now(self, start: int, end: int) -> bool:
        clause = self.clause[start]
        for s, e in self.cues.get("now", []):
            if self.clause[s] != clause:
                continue
            if start - NEAR_NOW_WINDOW <= s and e <= end + NEAR_NOW_WINDOW:
                return True
        return False

    def hypothetical_before(self, start: int) -> bool:
        clause = self.clause[start]
        return any(s < start and self.clause[s] == clause for s, _ in self.cues.get("hypothetical", []))

    def generic_question(self, start: int) -> bool:
        """A question about people in general, with nobody in particular before the match."""
        clause = self.clause[start]
        generic = [s for s, _ in self.cues.get("generic", []) if s < start and self.clause[s] == clause]
        if not generic:
            return False
        asks = "?" in self.words or (self.words and self.words[0] in QUESTION_WORDS)
        personal = any(w in FIRST_PERSON for w in self.words[:start])
        return asks and not personal

    def past_frame(self, start: int) -> bool:
        clause = self.clause[start]
        for i in range(max(0, start - PAST_WINDOW), start + 1):
            if self.clause[i] == clause and self.words[i] in PAST_FRAME:
                return True
        return False

    def ends_clause(self, end: int) -> bool:
        if end >= len(self.words):
            return True
        nxt = self.words[end]
        return nxt in CLAUSE_END or nxt in CLAUSE_END_FOLLOWERS or not nxt.isalnum()

    def negation(self, start: int, end: int, own_words: frozenset = frozenset()) -> Optional[str]:
        """'denied' when a negation governs the match, 'hedged' for "I don't think I...", else None."""
        words, clause = self.words, self.clause[start]
        m = self.m
        # Inside the match, through a gap: "I'm not suicidal" matched as "am _ suicidal".
        for i in range(start, end):
            if words[i] in m.neg_words and words[i] not in own_words:
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if not (words[i] == "no" and nxt in m.neg_not_after_no):
                    return "denied"
        for i in range(start - 1, max(-1, start - 1 - m.neg_window), -1):
            if self.clause[i] != clause or words[i] in m.neg_breakers:
                break
            word = words[i]
            if word in m.neg_words:
                nxt = words[i + 1] if i + 1 < len(words) else ""
                if word == "no" and nxt in m.neg_not_after_no:
                    continue
                if nxt in m.neg_hedges:
                    return "hedged"
                return "denied"
        # Form-style answer: "suicidal thoughts? no", "suicide attempts: none".
        tail = [w for w in words[end:] if w.isalnum() or w == "n/a"]
        if tail and len(tail) <= 3 and " ".join(tail) in m.neg_trailing | {
            f"{t} thanks" for t in m.neg_trailing
        }:
            return "denied"
        return None

    def about(self, start: int, end: int) -> str:
        """Who the message is about: the nearest person word at or before the match."""
        m = self.m
        inside = self.words[start:end]
        for i, word in enumerate(inside):
            following = inside[i + 1] if i + 1 < len(inside) else ""
            owner = word in ("my", "his", "her", "their") and following in ("life", "own")
            if word == "myself" or (owner and word == "my"):
                return "self"
            if word in ("himself", "herself", "themselves", "themself") or (owner and word != "my"):
                return "other"
        # A rule that starts with its subject ("mom collapsed", "he is not moving").
        if inside and inside[0] in m.about_other:
            return "other"
        if inside and inside[0] in m.about_self:
            return "self"
        sentence = self.sentence[start]
        for i in range(start - 1, -1, -1):
            if self.sentence[i] != sentence:
                break
            word = self.words[i]
            if word in m.about_other:
                return "other"
            if word in m.about_self:
                return "self"
        if any(w in m.about_self for w in self.words):
            return "self"
        if any(w in m.about_other for w in self.words):
            return "other"
        return "unknown"


def _literal_words(variants: List[List[Dict[str, Any]]]) -> Set[str]:
    words: Set[str] = set()
    for pattern in variants:
        for token in pattern:
            lower = token.get("LOWER")
            if isinstance(lower, str):
                words.add(lower)
            elif isinstance(lower, dict):
                words.update(lower.get("IN", []))
    return words


@lru_cache(maxsize=1)
def _english_words() -> Optional[Dict[str, int]]:
    """English words with their frequencies (pyspellchecker's list, offline), or None."""
    try:
        from spellchecker import SpellChecker
    except ImportError:  # pragma: no cover - the requirement is pinned; this is a safety net
        logger.warning("pyspellchecker is not installed: crisis typo tolerance is reduced.")
        return None
    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


@lru_cache(maxsize=1)
def default_matcher() -> CrisisMatcher:
    """The one shared matcher (patterns are compiled once per process)."""
    return CrisisMatcher()


def detect(text: str) -> Optional[CrisisSignal]:
    """Shortcut: the crisis signal in `text` with the shared matcher."""
    return default_matcher().detect(text)
