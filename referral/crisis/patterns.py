"""The crisis patterns file (`patterns.yml`) as data, and its token mini-language compiled to
spaCy Matcher patterns. Nothing here runs on a message."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set

import yaml

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")

# One spaCy Matcher pattern: a list of token dicts ({"LOWER": ...}, {"OP": "?"}, ...).
SpacyPattern = List[Dict[str, Any]]


class _WordsLoader(yaml.SafeLoader):
    """YAML without the 1.1 booleans: "no", "off" and "on" are words here, only true/false are not."""


_WordsLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WordsLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load_patterns(path: Path = PATTERNS_FILE) -> Dict[str, Any]:
    """The patterns file as data ("no", "on", "off" stay strings)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_WordsLoader)


@dataclass(frozen=True)
class Rule:
    """One crisis rule of patterns.yml: what it signals and how its context is read."""

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

    @classmethod
    def from_spec(cls, category: str, spec: Mapping[str, Any]) -> Rule:
        """A rule from its entry under `crisis:` (its words are filled in once compiled)."""
        return cls(
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


class PatternCompiler:
    """The token mini-language of patterns.yml ("want|wanna", "$self_words", "re:...", "_?",
    "!not|no") to spaCy Matcher patterns, one variant per combination of multi-word choices."""

    def __init__(self, lexicon: Mapping[str, List[str]], normalize: Callable[[str], str]) -> None:
        self.lexicon = lexicon  # "$name" -> its words, lower case
        self.normalize = normalize  # phrases in a pattern are normalized as messages are

    def compile(self, tokens: Sequence[Any]) -> List[SpacyPattern]:
        """One mini-language pattern (see patterns.yml) to its spaCy Matcher variants."""
        positions = [self._token_alternatives(t) for t in tokens]
        variants = []
        for combo in itertools.product(*positions):
            pattern = [tok for alternative in combo for tok in alternative]
            if pattern:
                variants.append(pattern)
        return variants

    def _token_alternatives(self, spec: Any) -> List[SpacyPattern]:
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
            return _with_op([[token]], op)
        if spec.startswith("!"):
            words = self._words(spec[1:].split("|"))
            return _with_op([[{"LOWER": {"NOT_IN": sorted(set(words))}}]], op)
        singles: List[str] = []
        alternatives: List[SpacyPattern] = []
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
        return _with_op(alternatives, op)

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


def _with_op(alternatives: List[SpacyPattern], op: Optional[str]) -> List[SpacyPattern]:
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


def literal_words(variants: Iterable[SpacyPattern]) -> Set[str]:
    """Every word the variants spell out (a `LOWER` value or one of its `IN` choices)."""
    words: Set[str] = set()
    for pattern in variants:
        for token in pattern:
            lower = token.get("LOWER")
            if isinstance(lower, str):
                words.add(lower)
            elif isinstance(lower, dict):
                words.update(lower.get("IN", []))
    return words


def required_words(token: Mapping[str, Any]) -> Set[str]:
    """The words one pattern token must be, or an empty set when it is optional or open."""
    if token.get("OP") in ("?", "*", "!"):
        return set()
    lower = token.get("LOWER")
    if isinstance(lower, str):
        return {lower}
    if isinstance(lower, dict) and "IN" in lower:
        return set(lower["IN"])
    return set()
