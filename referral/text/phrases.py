"""Finding listed phrases in normalized text: whole words, leftmost first, longest at a position;
with and without apostrophes and accents, words joined by spaces or hyphens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from referral.text.normalize import normalize, strip_accents

WORD_GAP = r"[\s\-]+"
PUNCTUATION = re.compile(r"[,.;:!?()]")


@dataclass(frozen=True)
class PhraseHit:
    """A lexicon phrase found in a text: character offsets and the phrase's label."""

    start: int
    end: int
    label: Any


def variants(phrase: str) -> list[str]:
    """A phrase as people may type it: with and without apostrophes and accents."""
    base = normalize(phrase).strip()
    forms = [base, base.replace("'", ""), strip_accents(base), strip_accents(base).replace("'", "")]
    return list(dict.fromkeys(f for f in forms if f))


def key(text: str) -> str:
    return " ".join(re.split(WORD_GAP, text.strip()))


def phrase_regex(phrase: str) -> str:
    return WORD_GAP.join(re.escape(word) for word in phrase.split())


def alternation(phrases: Iterable[str]) -> str:
    """Regex alternatives, longest first, so the longest phrase at a position wins."""
    forms = {v for p in phrases for v in variants(str(p))}
    return "|".join(phrase_regex(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


class PhraseTable:
    """Finds lexicon phrases in normalized text: whole words, leftmost first, longest at a position.

    Entries are (phrase, label); when a phrase is listed twice, the first label is kept.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]]):
        self._labels: dict[str, Any] = {}
        for phrase, label in entries:
            for form in variants(str(phrase)):
                self._labels.setdefault(key(form), label)
        body = alternation(self._labels)
        self._regex = re.compile(rf"(?<![\w'])(?:{body})(?![\w'])") if body else None

    def find_all(self, text: str) -> list[PhraseHit]:
        if self._regex is None:
            return []
        return [PhraseHit(m.start(), m.end(), self._labels[key(m.group())]) for m in self._regex.finditer(text)]

    def first(self, text: str) -> Optional[PhraseHit]:
        hits = self.find_all(text)
        return hits[0] if hits else None


def is_negated(text: str, start: int, negators: PhraseTable, max_gap_words: int = 1) -> bool:
    """Whether a negator ("no", "doesn't have") sits just before `start` with no punctuation between.

    `text` is the original text: "no, MassHealth" (a comma) is an answer, "no MassHealth" is not.
    """
    before = normalize(text[:start])
    for hit in negators.find_all(before):
        gap = text[hit.end : start]
        if PUNCTUATION.search(gap):
            continue
        if len(gap.split()) <= max_gap_words:
            return True
    return False
