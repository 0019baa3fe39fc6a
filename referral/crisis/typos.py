"""Typo tolerance for the crisis vocabulary: a misspelt word ("suicde", "wnat", "thinkin") to the
rule word it was meant to be, while every real English word is left as it is."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from rapidfuzz.distance import OSA
from spacy.lang.en.stop_words import STOP_WORDS

logger = logging.getLogger(__name__)


class TypoCorrector:
    """`correct(word)`, from the `normalize.fuzzy` section of patterns.yml and the words of the
    crisis rules: the only words a misspelling is corrected to."""

    def __init__(self, fuzzy: Mapping[str, Any], rule_words: Iterable[str]) -> None:
        self.targets = [t.lower() for t in fuzzy.get("targets", [])]
        self.min_length = int(fuzzy.get("min_length", 3))
        self.known: Set[str] = {w.lower() for w in fuzzy.get("known", [])}
        self._english = english_words()
        words: Set[str] = set(self.targets)
        words.update(w for w in rule_words if w.isalpha())
        self._rule_words = words
        # Content words only: a typo is never corrected to "the" or "was".
        content = {w for w in words if len(w) >= 4 and w not in STOP_WORDS}
        self._vocab = content | set(self.targets)
        self._vocab_by_letter: Dict[str, List[str]] = {}
        for word in self._vocab:
            self._vocab_by_letter.setdefault(word[0], []).append(word)

    def correct(self, word: str) -> str:
        """A misspelled key word to its spelling; every real English word is left as it is."""
        if (
            len(word) < self.min_length
            or not word.isalpha()
            or word in self._rule_words
            or word in self.known
            or self._is_english(word)
        ):
            return word
        # Dropped g: "thinkin", "endin", "cuttin".
        if word.endswith("in") and (word + "g") in self._rule_words:
            return word + "g"
        # Over-regular past tense: "tooked", "cutted", "hurted".
        if word.endswith("ed"):
            for stem in (word[:-2], word[:-3]):
                if stem in self._rule_words and len(stem) >= 3:
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
            return not any(OSA.distance(word, t, score_cutoff=1) <= 1 for t in self.targets)
        return word in self._english

    def _frequency(self, word: str) -> int:
        return int(self._english.get(word, 0)) if self._english else 0


@lru_cache(maxsize=1)
def english_words() -> Optional[Dict[str, int]]:
    """English words with their frequencies (pyspellchecker's list, offline), or None."""
    try:
        from spellchecker import SpellChecker
    except ImportError:  # pragma: no cover - the requirement is pinned; this is a safety net
        logger.warning("pyspellchecker is not installed: crisis typo tolerance is reduced.")
        return None
    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)
