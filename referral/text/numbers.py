"""Numbers people write: digits or words ("34", "thirty four", "a hundred and eighty-one", "two
hundred", "1.5", "veintiuno", "ciento noventa"), counts ("twice", "a couple") and ranges ("5 or
6", "once or twice", "2-3"). A ZIP code ("01608", "01608-1234") is never a number. Words from
referral/text/words.yml."""

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
# A ZIP code, or ZIP+4: a place, not an amount.
ZIP_CODE = re.compile(r"(?<![\w.,/\-])\d{5}(?:-\d{4})?(?![\w/]|[.,\-]\d)")


@lru_cache(maxsize=1)
def words() -> dict:
    """words.yml, read once per process."""
    return yaml.safe_load(WORDS_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class NumberWords:
    regex: re.Pattern  # a number in digits (group "digits") or words (group "words")
    words_regex: str  # a number in words, for other patterns ("three weeks", "a hundred days")
    values: dict  # key of a number word or phrase -> value
    counts: PhraseTable  # "twice" -> 2
    multipliers: frozenset  # "hundred": "two hundred" = 2 x 100
    joiners: frozenset  # "and", "y": "a hundred and ninety", "treinta y uno"
    ranges: re.Pattern  # "5 or 6", "once or twice", "2-3": groups "low", "high"


@lru_cache(maxsize=1)
def number_words() -> NumberWords:
    raw = words()
    every = {**raw["number_words"], **raw["tens_words"]}
    values = {key(normalize(k)): v for k, v in every.items()}
    multipliers = [m for m in raw["number_multipliers"]]
    units = [k for k, v in raw["number_words"].items() if 1 <= v <= 9]
    tens = [k for k, v in raw["tens_words"].items() if 20 <= v < 100]
    hundreds = [k for k, v in raw["tens_words"].items() if v >= 100 and k not in multipliers]
    joiner = alternation(raw["number_joiners"])
    unit = alternation(units)
    # "ninety one", "twenty-one", "treinta y uno"; then any word under a hundred.
    below_100 = rf"(?:{alternation(tens)})(?:(?:{WORD_GAP}|\s+(?:{joiner})\s+)(?:{unit}))?|{alternation(raw['number_words'])}|{alternation(tens)}"
    # "a hundred", "two hundred", "ciento", then "and eighty-one" / "twenty" / "y cinco".
    hundred = rf"(?:{unit}){WORD_GAP}(?:{alternation(multipliers)})|{alternation(hundreds)}|{alternation(multipliers)}"
    words_regex = rf"(?:{hundred})(?:{WORD_GAP}(?:(?:{joiner}){WORD_GAP})?(?:{below_100}))?|{below_100}"
    regex = re.compile(
        rf"(?<![\d.,/\w\-])(?:(?P<digits>\d+(?:\.\d+)?)(?![\d/]|[.,]\d)" rf"|(?P<words>(?:{words_regex}))(?![\w']))"
    )
    counts = PhraseTable(raw["count_words"].items())
    amount = rf"\d+(?:\.\d+)?|{alternation(raw['count_words'])}|{words_regex}"
    joiners = alternation(j for j in raw["number_range_joiners"] if j != "-")
    ranges = re.compile(
        rf"(?<![\w'.,/\-])(?P<low>{amount})(?:\s*[\-\u2013]\s*|,?\s+(?:{joiners}),?\s+)(?P<high>{amount})(?![\w'])"
    )
    return NumberWords(
        regex, words_regex, values, counts, frozenset(multipliers), frozenset(raw["number_joiners"]), ranges
    )


def words_value(said: str) -> Optional[float]:
    """The value of a number in words: "a hundred and eighty-one" -> 181, "two hundred" -> 200."""
    lex = number_words()
    tokens = key(normalize(said)).split()
    total, i = 0.0, 0
    while i < len(tokens):
        for size in (3, 2, 1):
            phrase = " ".join(tokens[i : i + size])
            if len(tokens) - i < size:
                continue
            if size == 1 and phrase in lex.multipliers and 1 <= total <= 9:
                total *= lex.values.get(phrase, 100)
                break
            if size == 1 and phrase in lex.joiners and total:
                break
            if phrase in lex.values:
                total += lex.values[phrase]
                break
        else:
            return None
        i += size
    return total


def number_at(match: re.Match) -> Optional[float]:
    if match.group("digits"):
        return float(match.group("digits"))
    return words_value(match.group("words"))


def amount_value(said: str) -> Optional[float]:
    """Digits, a number in words or a count word ("twice") as a number."""
    said = said.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", said):
        return float(said)
    count = number_words().counts.first(key(normalize(said)))
    if count and count.start == 0 and count.end == len(key(normalize(said))):
        return float(count.label)
    return words_value(said)


def _zip_spans(norm: str) -> list[tuple[int, int]]:
    return [m.span() for m in ZIP_CODE.finditer(norm)]


def find_numbers(text: str) -> list[tuple[int, int, float]]:
    """Numbers in digits or words ("34", "thirty four", "1.5"), as (start, end, value). The
    digits of a ZIP code ("01608", "01608-1234") are not numbers."""
    norm = normalize(text)
    zips = _zip_spans(norm)
    out = []
    for m in number_words().regex.finditer(norm):
        if any(s <= m.start() < e for s, e in zips):
            continue
        value = number_at(m)
        # A run of hundreds of digits is no age, count or duration (and as a float it is inf).
        if value is not None and math.isfinite(value) and abs(value) < 1e12:
            out.append((m.start(), m.end(), value))
    return out


def find_number_ranges(text: str) -> list[tuple[int, int, float, float]]:
    """Two numbers said as a range ("5 or 6", "once or twice", "2-3", "one, maybe two"), as
    (start, end, low, high) with low < high. A ZIP+4 is no range."""
    norm = normalize(text)
    zips = _zip_spans(norm)
    out = []
    for m in number_words().ranges.finditer(norm):
        if any(s <= m.start() < e for s, e in zips):
            continue
        low, high = amount_value(m.group("low")), amount_value(m.group("high"))
        if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
            continue
        if low < high and high < 1e6:
            out.append((m.start(), m.end(), low, high))
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
