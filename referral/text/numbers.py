"""Numbers people write: digits or words ("34", "thirty four", "twenty-one", "1.5", "veintiuno"),
and counts ("twice", "a couple"). Words from referral/text/words.yml."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from referral.text.normalize import normalize
from referral.text.phrases import WORD_GAP, PhraseTable, alternation, key

WORDS_PATH = Path(__file__).with_name("words.yml")


@lru_cache(maxsize=1)
def words() -> dict:
    """words.yml, read once per process."""
    return yaml.safe_load(WORDS_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class NumberWords:
    regex: re.Pattern  # a number in digits (group "digits") or words (group "words")
    words_regex: str  # the alternation of number words, for other patterns ("3 weeks")
    values: dict  # key of a number word or phrase -> value
    counts: PhraseTable  # "twice" -> 2


@lru_cache(maxsize=1)
def number_words() -> NumberWords:
    raw = words()
    values = {key(normalize(k)): v for k, v in {**raw["number_words"], **raw["tens_words"]}.items()}
    units = [k for k, v in raw["number_words"].items() if 1 <= v <= 9]
    compound = rf"(?:{alternation(raw['tens_words'])})(?:{WORD_GAP}(?:{alternation(units)}))?"
    words_regex = rf"{compound}|{alternation(raw['number_words'])}"
    regex = re.compile(
        rf"(?<![\d.,/\w])(?:(?P<digits>\d+(?:\.\d+)?)(?![\d/]|[.,]\d)"
        rf"|(?P<words>(?:{words_regex}))(?![\w']))"
    )
    return NumberWords(regex, words_regex, values, PhraseTable(raw["count_words"].items()))


def number_at(match: re.Match) -> Optional[float]:
    if match.group("digits"):
        return float(match.group("digits"))
    words = key(match.group("words")).split()
    values = number_words().values
    # "twenty one" -> 20 + 1; "a hundred" is one key.
    whole = " ".join(words)
    if whole in values:
        return float(values[whole])
    total = 0.0
    for word in words:
        if word not in values:
            return None
        total += values[word]
    return total


def find_numbers(text: str) -> list[tuple[int, int, float]]:
    """Numbers in digits or words ("34", "thirty four", "1.5"), as (start, end, value)."""
    norm = normalize(text)
    out = []
    for m in number_words().regex.finditer(norm):
        value = number_at(m)
        # A run of hundreds of digits is no age, count or duration (and as a float it is inf).
        if value is not None and math.isfinite(value) and abs(value) < 1e12:
            out.append((m.start(), m.end(), value))
    return out


def number_value(text: str) -> Optional[int]:
    """The whole number a short phrase says: "three", "twenty-one", "4", "twice", "a couple"."""
    norm = normalize(text).strip()
    count = number_words().counts.first(norm)
    if count and count.start == 0 and count.end == len(norm):
        return int(count.label)
    numbers = find_numbers(norm)
    if len(numbers) == 1:
        start, end, value = numbers[0]
        rest = (norm[:start] + norm[end:]).strip()
        if (not rest or rest in ("times", "time", "visits", "veces", "vez")) and value == int(value):
            return int(value)
    return None
