"""Times people write: durations ("about 3 weeks ago", "a month and a half ago", "in about 2
months", "hace 3 semanas"), windows ("in the last 6 months"), fixed phrases ("yesterday", "next
month") and dates ("October 3", "10/3/2026", "back in March"). Words from referral/text/words.yml;
a month is 30 days and a year 365."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Optional

import dateparser

from referral.text.normalize import normalize, strip_accents
from referral.text.numbers import number_at, number_words, words
from referral.text.phrases import PhraseTable, alternation, key, variants


@dataclass(frozen=True)
class TimeReference:
    """A time said in a text.

    kind: "past" / "future" (`days` is signed, negative = in the past), "unsigned" ("3 weeks",
    `days` > 0, the direction comes from the question), "window_past" / "window_future"
    ("in the last 6 months": `days` is the length of the window).
    """

    start: int
    end: int
    days: int
    kind: str

    @property
    def signed(self) -> bool:
        return self.kind in ("past", "future")


@dataclass(frozen=True)
class TimeWords:
    durations: re.Pattern
    windows_without_amount: re.Pattern
    relative_days: PhraseTable
    dates: re.Pattern
    quantity_values: dict
    unit_days: dict
    prefix_kind: dict
    suffix_kind: dict


@lru_cache(maxsize=1)
def time_words() -> TimeWords:
    """The time words compiled once per process (and dateparser warmed up)."""
    raw = words()
    numbers = number_words()
    quantity_values = {key(normalize(k)): v for k, v in raw["time_quantities"].items()}
    unit_days = {key(normalize(k)): v for k, v in raw["time_units"].items()}
    for k, v in list(unit_days.items()):
        unit_days[key(strip_accents(k))] = v
    for k, v in list(quantity_values.items()):
        quantity_values[key(strip_accents(k))] = v

    prefix_kind = {}
    for kind, name in (("window_past", "time_window_past"), ("window_future", "time_window_future"),
                       ("past", "time_past_prefix"), ("future", "time_future_prefix")):
        for phrase in raw[name]:
            for form in variants(phrase):
                prefix_kind.setdefault(key(form), kind)
    suffix_kind = {}
    for kind, name in (("past", "time_past_suffix"), ("future", "time_future_suffix")):
        for phrase in raw[name]:
            for form in variants(phrase):
                suffix_kind.setdefault(key(form), kind)

    amount = rf"\d+(?:\.\d+)?|{alternation(raw['time_quantities'])}|{numbers.words_regex}"
    unit = alternation(raw["time_units"])
    durations = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{alternation(prefix_kind)})\s+)?"
        rf"(?:(?P<approx>{alternation(raw['time_approximators'])})\s+)?"
        rf"(?P<qty>{amount})(?:(?<=\d)[\s\-]*|[\s\-]+)(?P<unit>{unit})(?![\w'])"
        rf"(?P<half>\s+(?:{alternation(raw['time_half_suffix'])}))?"
        rf"(?:\s+(?P<post>{alternation(suffix_kind)}))?(?![\w'])"
    )
    # "in the past month", "within the next year": a window of one unit. Bare "last"/"past" need
    # an amount ("last 3 weeks"), because "last week" is a point in time.
    window_words = [p for p in raw["time_window_past"] + raw["time_window_future"] if " " in p]
    windows_without_amount = re.compile(
        rf"(?<![\w'])(?P<pre>{alternation(window_words)})\s+(?P<unit>{unit})(?![\w'])"
    )

    months = alternation(raw["month_names"])
    months_not_may = alternation(m for m in raw["month_names"] if m != "may")
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    dates = re.compile(
        r"(?<![\w/.\-])(?:"
        r"\d{4}-\d{1,2}-\d{1,2}"
        r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
        r"|\d{1,2}-\d{1,2}-\d{2,4}"
        rf"|(?:{months})\.?\s+{day}(?:,?\s+\d{{4}})?"
        rf"|{day}\s+(?:of\s+|de\s+)?(?:{months})(?:,?\s+(?:de\s+)?\d{{4}})?"
        rf"|(?:{alternation(raw['month_only_prefix'])})\s+"
        rf"(?P<month_only>(?:{months_not_may})(?:\s+\d{{4}})?)"
        r")(?![\w/])"
    )

    compiled = TimeWords(
        durations=durations,
        windows_without_amount=windows_without_amount,
        relative_days=PhraseTable(raw["relative_days"].items()),
        dates=dates,
        quantity_values=quantity_values,
        unit_days=unit_days,
        prefix_kind=prefix_kind,
        suffix_kind=suffix_kind,
    )
    # dateparser loads its language data and builds its parsers on first use (tens of ms per
    # form); pay that here, once per process, not in the middle of a conversation.
    for sample in ("October 3", "Oct 3rd", "3 de octubre", "10/3/2026", "March"):
        for prefer in ("past", "future"):
            _parse_date(sample, date(2000, 1, 1), prefer)
    return compiled


def _parse_date(text: str, today: date, prefer: str) -> Optional[date]:
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": prefer,
        "DATE_ORDER": "MDY",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en", "es"], settings=settings)
    return parsed.date() if parsed else None


def _amount(qty: str) -> Optional[float]:
    lex = time_words()
    said = key(qty)
    if said in lex.quantity_values:
        return float(lex.quantity_values[said])
    if re.fullmatch(r"\d+(?:\.\d+)?", said):
        return float(said)
    m = number_words().regex.fullmatch(qty.strip())
    return number_at(m) if m else None


def find_time_references(
    text: str, today: Optional[date] = None, prefer: str = "past"
) -> list[TimeReference]:
    """Times said in a text, in order: durations ("about 3 weeks ago" -> -21, "a month and a half
    ago" -> -45, "in about 2 months" -> +60), windows ("in the last 6 months"), fixed phrases
    ("yesterday", "next month") and explicit dates ("October 3", "10/3/2026", read by dateparser
    relative to `today`; `prefer` "past" or "future" decides the year when none is given).

    A month is 30 days and a year 365. Overlaps are resolved leftmost, then longest.
    """
    lex = time_words()
    norm = normalize(text)
    today = today or date.today()
    found: list[TimeReference] = []

    for m in lex.durations.finditer(norm):
        amount = _amount(m.group("qty"))
        unit_days = lex.unit_days.get(key(m.group("unit")))
        if amount is None or unit_days is None:
            continue
        if m.group("half"):
            amount += 0.5
        days = int(round(amount * unit_days))
        pre = key(m.group("pre")) if m.group("pre") else None
        post = key(m.group("post")) if m.group("post") else None
        # The word after the amount decides ("in 3 weeks ago" is past), else the word before.
        kind = lex.suffix_kind[post] if post else lex.prefix_kind.get(pre, "unsigned") if pre else "unsigned"
        if kind == "past":
            days = -days
        found.append(TimeReference(m.start(), m.end(), days, kind))

    for m in lex.windows_without_amount.finditer(norm):
        kind = lex.prefix_kind.get(key(m.group("pre")))
        unit_days = lex.unit_days.get(key(m.group("unit")))
        if kind in ("window_past", "window_future") and unit_days:
            found.append(TimeReference(m.start(), m.end(), unit_days, kind))

    for hit in lex.relative_days.find_all(norm):
        days = int(hit.label)
        found.append(TimeReference(hit.start, hit.end, days, "past" if days <= 0 else "future"))

    for m in lex.dates.finditer(norm):
        when = _parse_date(m.group("month_only") or m.group(), today, prefer)
        if when is None:
            continue
        days = (when - today).days
        found.append(TimeReference(m.start(), m.end(), days, "past" if days <= 0 else "future"))

    found.sort(key=lambda r: (r.start, -(r.end - r.start)))
    kept: list[TimeReference] = []
    for ref in found:
        if kept and ref.start < kept[-1].end:
            continue
        kept.append(ref)
    return kept


def duration_days(text: str) -> Optional[int]:
    """Signed days of a time phrase with a direction ("3 weeks ago" -> -21, "in 2 months" -> 60);
    None for "3 weeks" (no direction), windows ("in the last month") and no time at all."""
    refs = find_time_references(text)
    for ref in refs:
        if ref.signed:
            return ref.days
    return None
