"""Times people write: durations ("about 3 weeks ago", "a month and a half ago", "two and a half
months ago", "5 or 6 months ago", "in about 2 months", "hace 3 semanas"), windows ("in the last 6
months"), fixed phrases ("yesterday", "next month"), weekdays ("last Tuesday", "el lunes pasado"),
months and seasons ("back in March", "in early June", "last spring") and dates ("October 3",
"10/3/2026"). Words from referral/text/words.yml; a month is 30 days and a year 365.

A time may be a range: "about 6 months ago" is 165 to 195 days ago, "back in May" any day of May,
"last spring" any day from March to May. `TimeReference.low` / `high` say it, so that a reader can
ask back when a range falls on both sides of a boundary."""

from __future__ import annotations

import calendar
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Optional

import dateparser

from referral.text.normalize import normalize
from referral.text.numbers import ZIP_CODE, amount_value, number_words, words
from referral.text.phrases import PhraseTable, alternation, key, variants

# How far an amount said with "about" may be off, in days, by unit (a day: a tenth of the amount).
_SPREAD_BY_UNIT = {7: 3, 30: 15, 365: 60}


def current_date() -> date:
    """The date answers are counted from: today, or REFERRAL_TODAY (an ISO date) when set.

    REFERRAL_TODAY replays a blind set on the day its writers took as today ("June 4" was 180
    days before 2026-12-01 and is 181 the day after); it is never set in production.
    """
    pinned = os.environ.get("REFERRAL_TODAY", "").strip()
    return date.fromisoformat(pinned) if pinned else date.today()


@dataclass(frozen=True)
class TimeReference:
    """A time said in a text.

    kind: "past" / "future" (`days` is signed, negative = in the past), "unsigned" ("3 weeks",
    `days` > 0, the direction comes from the question), "window_past" / "window_future"
    ("in the last 6 months": `days` is the length of the window).
    low, high: the range the time may fall in, signed like `days` (low <= days <= high); the same
    as `days` for an exact time ("3 weeks ago", "October 3", "last Tuesday").
    """

    start: int
    end: int
    days: int
    kind: str
    low: Optional[int] = None
    high: Optional[int] = None

    @property
    def signed(self) -> bool:
        return self.kind in ("past", "future")

    @property
    def span(self) -> tuple[int, int]:
        """(low, high) in days, signed like `days`."""
        low = self.days if self.low is None else self.low
        high = self.days if self.high is None else self.high
        return (low, high)

    @property
    def approximate(self) -> bool:
        low, high = self.span
        return low != high


@dataclass(frozen=True)
class TimeWords:
    durations: re.Pattern
    windows_without_amount: re.Pattern
    relative_days: PhraseTable
    dates: re.Pattern
    months_alone: re.Pattern
    months_listed: re.Pattern
    weekdays: re.Pattern
    seasons: re.Pattern
    quantity_values: dict
    unit_days: dict
    prefix_kind: dict
    suffix_kind: dict
    approx_kind: dict  # key of an approximator -> "more" / "less" / "at_least" / "at_most" / "exact" / "about"
    month_numbers: dict
    month_parts: dict
    weekday_numbers: dict
    weekday_direction: dict  # key of a word before or after a weekday -> "past" / "future"
    seasons_months: dict
    season_direction: dict  # key of a word before or after a season -> "past" / "future" / "any"
    month_needs_day: frozenset


def _keyed(phrases, label, into: dict) -> None:
    for phrase in phrases:
        for form in variants(phrase):
            into.setdefault(key(form), label)


@lru_cache(maxsize=1)
def time_words() -> TimeWords:
    """The time words compiled once per process (and dateparser warmed up)."""
    raw = words()
    numbers = number_words()
    quantity_values = {}
    _keyed_values(raw["time_quantities"], quantity_values)
    unit_days = {}
    _keyed_values(raw["time_units"], unit_days)

    prefix_kind: dict = {}
    for kind, name in (
        ("window_past", "time_window_past"),
        ("window_future", "time_window_future"),
        ("past", "time_past_prefix"),
        ("future", "time_future_prefix"),
    ):
        _keyed(raw[name], kind, prefix_kind)
    suffix_kind: dict = {}
    for kind, name in (("past", "time_past_suffix"), ("future", "time_future_suffix")):
        _keyed(raw[name], kind, suffix_kind)
    approx_kind: dict = {}
    for kind, phrases in raw["time_approximator_kinds"].items():
        _keyed(phrases, kind, approx_kind)
    _keyed(raw["time_approximators"], "about", approx_kind)

    amount = rf"\d+(?:\.\d+)?|{alternation(raw['time_quantities'])}|{numbers.words_regex}"
    joiners = alternation(j for j in raw["number_range_joiners"] if j != "-")
    unit = alternation(raw["time_units"])
    approx_suffix = alternation(raw["time_approximator_suffix"])
    durations = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{alternation(prefix_kind)})\s+)?"
        rf"(?:(?P<approx>{alternation(approx_kind)})\s+)?"
        rf"(?P<qty>{amount})"
        rf"(?:(?:\s*[\-\u2013]\s*|\s+(?:{joiners})\s+)(?P<qty2>{amount}))?"
        rf"(?P<half_pre>\s+(?:{alternation(raw['time_half_infix'])}))?"
        rf"(?:(?<=\d)[\s\-]*|[\s\-]+)(?P<unit>{unit})(?![\w'])"
        rf"(?P<half>\s+(?:{alternation(raw['time_half_suffix'])}))?"
        rf"(?:\s+(?:or|o)\s+(?P<qty3>\d+|{numbers.words_regex}|so)(?![\w']))?"
        rf"(?P<approx_mid>(?:\s+|-)(?:{approx_suffix}))?"
        rf"(?:\s+(?P<post>{alternation(suffix_kind)}))?(?![\w'])"
        rf"(?P<approx_post>(?:\s+|-)(?:{approx_suffix}))?(?![\w'])"
    )
    # "in the past month", "within the next year": a window of one unit. Bare "last"/"past" need
    # an amount ("last 3 weeks"), because "last week" is a point in time.
    window_words = [p for p in raw["time_window_past"] + raw["time_window_future"] if " " in p]
    windows_without_amount = re.compile(rf"(?<![\w'])(?P<pre>{alternation(window_words)})\s+(?P<unit>{unit})(?![\w'])")

    month_numbers: dict = {}
    _keyed_values(raw["month_names"], month_numbers)
    months = alternation(raw["month_names"])
    needs_day = set(raw["month_needs_day"])
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    dates = re.compile(
        r"(?<![\w/.\-])(?:"
        r"\d{4}-\d{1,2}-\d{1,2}"
        r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
        r"|\d{1,2}-\d{1,2}-\d{2,4}"
        r"|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})"
        rf"|(?:{months})\.?\s+{day}(?:,?\s+\d{{4}})?"
        rf"|{day}\s+(?:of\s+|de\s+)?(?:{months})(?:,?\s+(?:de\s+)?\d{{4}})?"
        r")(?![\w/])"
    )
    month_parts: dict = {}
    _keyed_values(raw["month_parts"], month_parts)
    months_alone = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{alternation(raw['month_only_prefix'])})\s+)?"
        rf"(?:(?P<part>{alternation(raw['month_parts'])})[\s\-]+(?:of\s+|de\s+)?)?"
        rf"(?P<month>{months})(?:,?\s+(?:of\s+|de\s+|del\s+)?(?P<year>\d{{4}}))?"
        rf"(?![\w'])(?!\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b)"
    )

    # Two month names listed ("october and november", "sept, oct"), neither one a word of its own.
    listable = alternation([m for m in raw["month_names"] if m not in needs_day])
    months_listed = re.compile(
        rf"(?<![\w'])(?P<first>{listable})\s*(?:,|and|or|&|y|e)\s*(?:in\s+|en\s+)?(?P<second>{listable})(?![\w'])"
    )

    weekday_numbers: dict = {}
    _keyed_values(raw["weekday_names"], weekday_numbers)
    weekday_direction: dict = {}
    _keyed(raw["weekday_past_prefix"] + raw["weekday_past_suffix"], "past", weekday_direction)
    _keyed(raw["weekday_future_prefix"] + raw["weekday_future_suffix"], "future", weekday_direction)
    weekdays = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{alternation(raw['weekday_past_prefix'] + raw['weekday_future_prefix'])})\s+)?"
        rf"(?P<weekday>{alternation(raw['weekday_names'])})"
        rf"(?:\s+(?P<post>{alternation(raw['weekday_past_suffix'] + raw['weekday_future_suffix'])}))?(?![\w'])"
    )

    seasons_months: dict = {}
    _keyed_values(raw["seasons"], seasons_months)
    season_direction: dict = {}
    _keyed(raw["season_past_prefix"] + raw["season_past_suffix"], "past", season_direction)
    _keyed(raw["season_future_prefix"] + raw["season_future_suffix"], "future", season_direction)
    _keyed(raw["season_any_prefix"], "any", season_direction)
    season_pre = raw["season_past_prefix"] + raw["season_future_prefix"] + raw["season_any_prefix"]
    seasons = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{alternation(season_pre)})\s+)?"
        rf"(?:(?P<part>{alternation(_SEASON_EARLY + _SEASON_LATE)})\s+(?:of\s+)?(?:the\s+)?)?"
        rf"(?P<season>{alternation(raw['seasons'])})"
        rf"(?:\s+(?P<post>{alternation(raw['season_past_suffix'] + raw['season_future_suffix'])}))?(?![\w'])"
    )

    compiled = TimeWords(
        durations=durations,
        windows_without_amount=windows_without_amount,
        relative_days=PhraseTable(raw["relative_days"].items()),
        dates=dates,
        months_alone=months_alone,
        months_listed=months_listed,
        weekdays=weekdays,
        seasons=seasons,
        quantity_values=quantity_values,
        unit_days=unit_days,
        prefix_kind=prefix_kind,
        suffix_kind=suffix_kind,
        approx_kind=approx_kind,
        month_numbers=month_numbers,
        month_parts=month_parts,
        weekday_numbers=weekday_numbers,
        weekday_direction=weekday_direction,
        seasons_months=seasons_months,
        season_direction=season_direction,
        month_needs_day=frozenset(needs_day),
    )
    # dateparser loads its language data and builds its parsers on first use (tens of ms per
    # form); pay that here, once per process, not in the middle of a conversation.
    for sample in ("October 3", "Oct 3rd", "3 de octubre", "10/3/2026"):
        for prefer in ("past", "future"):
            _parse_date(sample, date(2000, 1, 1), prefer)
    return compiled


def _keyed_values(table: dict, into: dict) -> None:
    for phrase, value in table.items():
        for form in variants(str(phrase)):
            into.setdefault(key(form), value)


def _parse_date(text: str, today: date, prefer: str, order: str = "MDY") -> Optional[date]:
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": prefer,
        "DATE_ORDER": order,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["en", "es"], settings=settings)
    return parsed.date() if parsed else None


def _amount(qty: str) -> Optional[float]:
    lex = time_words()
    said = key(qty)
    if said in lex.quantity_values:
        return float(lex.quantity_values[said])
    return amount_value(qty)


def _spread(days: float, unit_days: int) -> int:
    return _SPREAD_BY_UNIT.get(unit_days) or max(1, round(days * 0.1))


def _duration(m: re.Match) -> Optional[tuple[int, int, int, str]]:
    """(days, low, high, kind) of a duration match, days unsigned; None when it is no time."""
    lex = time_words()
    amount = _amount(m.group("qty"))
    unit_days = lex.unit_days.get(key(m.group("unit")))
    if amount is None or unit_days is None:
        return None
    amount_high = amount
    if m.group("qty2"):
        second = _amount(m.group("qty2"))
        if second is None or second <= amount:
            return None
        amount_high = second
    if m.group("qty3") and key(m.group("qty3")) != "so":
        # "a month or two ago": one to two months.
        third = _amount(m.group("qty3"))
        if third is not None and third > amount:
            amount_high = third
    if m.group("half") or m.group("half_pre"):
        amount += 0.5
        amount_high += 0.5 if amount_high + 0.5 > amount else 0
        amount_high = max(amount, amount_high)
    days = (amount + amount_high) / 2 * unit_days
    low, high = amount * unit_days, amount_high * unit_days
    if unit_days == 365:
        # A year is 365 days but also 12 months of 30: "half a year" is 180 to 182 days.
        low = min(low, amount * 360)
    spread = _spread(days, unit_days)
    approx = lex.approx_kind.get(key(m.group("approx"))) if m.group("approx") else None
    if m.group("approx_post") or m.group("approx_mid") or (m.group("qty3") and key(m.group("qty3")) == "so"):
        approx = approx or "about"
    if approx == "about":
        low, high = low - spread, high + spread
    elif approx == "more":
        low, high = high + 1, high + 2 * spread
    elif approx == "less":
        low, high = max(0, low - 2 * spread), max(0, low - 1)
    elif approx == "at_least":
        high = high + 2 * spread
    elif approx == "at_most":
        low = max(0, low - 2 * spread)
    low, high = max(0, int(round(low))), int(round(high))
    point = int(round(days))
    if approx == "more":
        point = low
    elif approx == "less":
        point = high
    point = min(max(point, low), high)

    pre = key(m.group("pre")) if m.group("pre") else None
    post = key(m.group("post")) if m.group("post") else None
    # The word after the amount decides ("in 3 weeks ago" is past), else the word before.
    kind = lex.suffix_kind[post] if post else lex.prefix_kind.get(pre, "unsigned") if pre else "unsigned"
    return point, low, high, kind


def _month_range(m: re.Match, today: date, prefer: str) -> Optional[tuple[date, date]]:
    lex = time_words()
    month = lex.month_numbers.get(key(m.group("month")))
    pre = key(m.group("pre")) if m.group("pre") else None
    part = key(m.group("part")) if m.group("part") else None
    if part is None and pre in lex.month_parts:
        part = pre  # "late October", "end of May": the word before the month is a part of it
    said = key(m.group("month"))
    if month is None or not (pre or part):
        return None
    if said in lex.month_needs_day and not part and (said != "may" or pre in (None, "on", "de", "en", "around")):
        return None
    if m.group("year"):
        year = int(m.group("year"))
    elif prefer == "future":
        year = today.year if month >= today.month else today.year + 1
    else:
        year = today.year if month <= today.month else today.year - 1
    last_day = calendar.monthrange(year, month)[1]
    first, last = lex.month_parts.get(part, [1, 31]) if part else (1, 31)
    start, end = date(year, month, min(first, last_day)), date(year, month, min(last, last_day))
    if prefer == "future":
        start = max(start, today) if end >= today else start
    else:
        end = min(end, today) if start <= today else end
    return start, end


def _weekday_days(m: re.Match, today: date, prefer: str) -> Optional[int]:
    lex = time_words()
    target = lex.weekday_numbers.get(key(m.group("weekday")))
    if target is None:
        return None
    words_around = [key(g) for g in (m.group("pre"), m.group("post")) if g]
    direction = next((lex.weekday_direction[w] for w in words_around if w in lex.weekday_direction), prefer)
    if direction == "future":
        return (target - today.weekday()) % 7 or 7
    back = (today.weekday() - target) % 7 or 7
    if "before last" in words_around:
        back += 7
    return -back


_SEASON_EARLY = ["start of", "the start of", "beginning of", "the beginning of", "early", "earlier in", "principios de"]
_SEASON_LATE = ["end of", "the end of", "late", "later in", "finales de"]
_DAY_FIRST = re.compile(r"(?<![\w/.\-])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\w/])")
_YEAR_AFTER = re.compile(r"\s*(?:of\s+|de\s+|del\s+|in\s+)?((?:19|20)\d{2})(?![\w'])")


def _season_range(m: re.Match, today: date, prefer: str, year: Optional[int] = None) -> Optional[tuple[date, date]]:
    lex = time_words()
    months = lex.seasons_months.get(key(m.group("season")))
    words_around = [key(g) for g in (m.group("pre"), m.group("post")) if g]
    part = key(m.group("part")) if m.group("part") else None
    if months is None or not (words_around or year or part):
        return None  # "a fall", "spring cleaning": a season alone is no time
    first, last = months
    if part:
        # "at the start of the summer": its first month; "late summer": its last.
        first, last = (first, first) if part in _SEASON_EARLY else (last, last)

    def occurrence(year: int) -> tuple[date, date]:
        end_year = year + 1 if last < first else year
        return date(year, first, 1), date(end_year, last, calendar.monthrange(end_year, last)[1])

    if year is not None:
        # "the spring of 2024": that year's, whatever the words around say.
        start, end = occurrence(year)
        return (start, end) if start > today else (start, min(end, today))
    directions = [lex.season_direction.get(w, "any") for w in words_around]
    direction = next((d for d in directions if d != "any"), "any")
    seasons = [occurrence(y) for y in range(today.year - 2, today.year + 2)]
    going = direction if direction != "any" else prefer
    if going == "future":
        later = [s for s in seasons if s[1] >= today]
        if direction == "future" and later and later[0][0] <= today:
            later = later[1:]  # "next summer" while it is summer
        start, end = later[0]
        return max(start, today), end
    earlier = [s for s in seasons if s[0] <= today]
    if direction == "past" and earlier and earlier[-1][1] >= today:
        earlier = earlier[:-1]  # "last summer" while it is summer: the one before
    start, end = earlier[-1]
    return start, min(end, today)


def _from_dates(start: int, end: int, first: date, last: date, today: date) -> TimeReference:
    low, high = (first - today).days, (last - today).days
    middle = int(round((low + high) / 2))
    return TimeReference(start, end, middle, "past" if middle <= 0 else "future", low, high)


_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_ORDINAL_DAYS = {word: i + 1 for i, word in enumerate(_UNITS)}
_ORDINAL_DAYS.update({word: i + 10 for i, word in enumerate(_TEENS)})
_ORDINAL_DAYS.update({"twentieth": 20, "thirtieth": 30})
_ORDINAL_DAYS.update({f"twenty{sep}{word}": 21 + i for i, word in enumerate(_UNITS) for sep in (" ", "-")})
_ORDINAL_DAYS.update({f"thirty{sep}first": 31 for sep in (" ", "-")})
_MONTH_WORDS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_ORDINAL_WORDS = "|".join(sorted((re.escape(w) for w in _ORDINAL_DAYS), key=len, reverse=True))
_MONTH_THEN_ORDINAL = re.compile(rf"\b({_MONTH_WORDS})(\s+(?:the\s+)?)({_ORDINAL_WORDS})\b")
_ORDINAL_THEN_MONTH = re.compile(rf"\b(?:the\s+)?({_ORDINAL_WORDS})(\s+of\s+)({_MONTH_WORDS})\b")
# "january fifteen", "june twenty one": a day said as a number word, right after the month (not a
# count: "in march two times").
_CARDINAL_DAYS = {
    word: day
    for day, word in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ],
        start=1,
    )
}
_CARDINAL_DAYS.update({f"twenty{sep}{w}": 20 + d for w, d in list(_CARDINAL_DAYS.items())[:9] for sep in (" ", "-")})
_CARDINAL_DAYS.update({"thirty": 30, "thirty one": 31, "thirty-one": 31})
_CARDINAL_WORDS = "|".join(sorted((re.escape(w) for w in _CARDINAL_DAYS), key=len, reverse=True))
_MONTH_THEN_CARDINAL = re.compile(
    rf"\b({_MONTH_WORDS})(\s+(?:the\s+)?)({_CARDINAL_WORDS})\b(?!\s+(?:times?|visits?|days?|weeks?|months?|years?|x)\b)"
)


def _ordinal_days_as_digits(norm: str) -> str:
    """ "march thirty first" -> "march 31st" (padded with spaces: every position kept)."""

    def digits(words: str) -> str:
        day = _ORDINAL_DAYS[words]
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10 if day not in (11, 12, 13) else 0, "th")
        return f"{day}{suffix}".ljust(len(words))

    norm = _MONTH_THEN_ORDINAL.sub(lambda m: m.group(1) + m.group(2) + digits(m.group(3)), norm)
    norm = _MONTH_THEN_CARDINAL.sub(
        lambda m: m.group(1) + m.group(2) + str(_CARDINAL_DAYS[m.group(3)]).ljust(len(m.group(3))), norm
    )
    return _ORDINAL_THEN_MONTH.sub(lambda m: digits(m.group(1)) + m.group(2) + m.group(3), norm)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th weekday (0 = Monday) of a month; n = -1 the last."""
    if n < 0:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


# US holidays people tell time by ("the week before Thanksgiving", "twice since Labor Day").
_HOLIDAYS = {
    r"new year'?s eve": lambda y: date(y, 12, 31),
    r"new year'?s(?: day)?": lambda y: date(y, 1, 1),
    r"(?:mlk|martin luther king(?: jr)?)(?: day)?": lambda y: _nth_weekday(y, 1, 0, 3),
    r"presidents'? day": lambda y: _nth_weekday(y, 2, 0, 3),
    r"valentine'?s(?: day)?": lambda y: date(y, 2, 14),
    r"st\.? patrick'?s(?: day)?|saint patrick'?s(?: day)?": lambda y: date(y, 3, 17),
    r"easter(?: sunday)?": _easter,
    r"mother'?s day": lambda y: _nth_weekday(y, 5, 6, 2),
    r"memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    r"father'?s day": lambda y: _nth_weekday(y, 6, 6, 3),
    r"juneteenth": lambda y: date(y, 6, 19),
    r"(?:the )?fourth of july|july fourth|independence day": lambda y: date(y, 7, 4),
    r"labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    r"columbus day|indigenous peoples'? day": lambda y: _nth_weekday(y, 10, 0, 2),
    r"halloween": lambda y: date(y, 10, 31),
    r"veterans'? day": lambda y: date(y, 11, 11),
    r"thanksgiving(?: day)?": lambda y: _nth_weekday(y, 11, 3, 4),
    r"christmas eve": lambda y: date(y, 12, 24),
    r"christmas(?: day)?|xmas": lambda y: date(y, 12, 25),
}
_HOLIDAY_NAMES = "|".join(f"(?:{name})" for name in _HOLIDAYS)
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HOLIDAY = re.compile(
    r"\b(?:(?:the\s+)?(?P<unit>day|week|weekend|"
    + "|".join(_WEEKDAY_NAMES)
    + r")\s+(?P<side>before|after)\s+)?(?:(?P<which>last|this|next|this past|this coming)\s+)?"
    rf"(?P<name>{_HOLIDAY_NAMES})\b"
)


def _holiday_references(norm: str, today: date, prefer: str) -> list[TimeReference]:
    """ "the Friday before Memorial Day" (the Friday of that week), "the week before Thanksgiving"
    (a range of 7 days), "since Labor Day": the holiday's last (or, preferring the future, next)
    date; "next"/"last" say which."""
    found = []
    for m in _HOLIDAY.finditer(norm):
        rule = next(rule for name, rule in _HOLIDAYS.items() if re.fullmatch(name, m.group("name")))
        which = m.group("which") or ""
        going = (
            "future" if which in ("next", "this coming") else "past" if "last" in which or "past" in which else prefer
        )
        years = [today.year - 1, today.year, today.year + 1]
        if going == "future":
            day = next(rule(y) for y in years if rule(y) >= today)
        else:
            day = [rule(y) for y in years if rule(y) <= today][-1]
        if which == "last" and day == today:
            day = rule(day.year - 1)
        unit, side = m.group("unit"), m.group("side")
        sign = -1 if side == "before" else 1
        if unit in ("week", "weekend"):
            span = 7 if unit == "week" else 2
            near = day + timedelta(days=sign)
            far = day + timedelta(days=sign * span)
            first, last = min(near, far), max(near, far)
        elif unit == "day":
            first = last = day + timedelta(days=sign)
        elif unit:
            target = _WEEKDAY_NAMES.index(unit)
            step = ((day.weekday() - target) % 7 or 7) if side == "before" else ((target - day.weekday()) % 7 or 7)
            first = last = day + timedelta(days=sign * step)
        else:
            first = last = day
        found.append(_from_dates(m.start(), m.end(), first, last, today))
    return found


_MONTH_OF = re.compile(r"\b(?:the\s+)?month\s+of\s+(?=(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)")


def find_time_references(text: str, today: Optional[date] = None, prefer: str = "past") -> list[TimeReference]:
    """Times said in a text, in order: durations ("about 3 weeks ago" -> -21, "a month and a half
    ago" -> -45, "in about 2 months" -> +60), windows ("in the last 6 months"), fixed phrases
    ("yesterday", "next month"), weekdays ("last Tuesday"), months and seasons said alone ("back
    in March", "in early June", "last spring": a range) and explicit dates ("October 3",
    "10/3/2026", read by dateparser relative to `today`). `prefer` "past" or "future" decides the
    year when none is given, and which weekday or season is meant when no word says it.

    A month is 30 days and a year 365. Overlaps are resolved leftmost, then longest. ZIP codes
    ("01608-1234") are no dates.
    """
    lex = time_words()
    norm = _ordinal_days_as_digits(normalize(text))
    # "since the month of October", "in the month of June": the month.
    norm = _MONTH_OF.sub(lambda m: " " * len(m.group(0)), norm)
    for zip_match in ZIP_CODE.finditer(norm):
        norm = norm[: zip_match.start()] + " " * (zip_match.end() - zip_match.start()) + norm[zip_match.end() :]
    today = today or current_date()
    found: list[TimeReference] = []

    for m in lex.durations.finditer(norm):
        parsed = _duration(m)
        if parsed is None:
            continue
        days, low, high, kind = parsed
        if kind == "past":
            days, low, high = -days, -high, -low
        found.append(TimeReference(m.start(), m.end(), days, kind, low, high))

    for m in lex.windows_without_amount.finditer(norm):
        kind = lex.prefix_kind.get(key(m.group("pre")))
        unit_days = lex.unit_days.get(key(m.group("unit")))
        if kind in ("window_past", "window_future") and unit_days:
            found.append(TimeReference(m.start(), m.end(), unit_days, kind))

    for hit in lex.relative_days.find_all(norm):
        days = int(hit.label)
        found.append(TimeReference(hit.start, hit.end, days, "past" if days <= 0 else "future"))

    date_starts = [d.start() for d in lex.dates.finditer(norm)]
    for m in lex.weekdays.finditer(norm):
        if any(0 <= start - m.end() <= 3 for start in date_starts):
            continue  # "Thursday, June 4th": the date says when, the weekday only names it
        days = _weekday_days(m, today, prefer)
        if days is not None:
            found.append(TimeReference(m.start(), m.end(), days, "past" if days <= 0 else "future"))

    # "the 15/10, the 2/11 and the 20/11": one date that can only be day first makes them all so.
    order = "DMY" if any(int(d.group(1)) > 12 for d in _DAY_FIRST.finditer(norm)) else "MDY"
    for m in lex.dates.finditer(norm):
        when = _parse_date(m.group(), today, prefer, order if _DAY_FIRST.fullmatch(m.group()) else "MDY")
        if when is None:
            continue
        days = (when - today).days
        found.append(TimeReference(m.start(), m.end(), days, "past" if days <= 0 else "future"))

    for m in lex.months_alone.finditer(norm):
        dates = _month_range(m, today, prefer)
        if dates:
            found.append(_from_dates(m.start(), m.end(), *dates, today))
    if not found:
        alone = lex.month_numbers.get(key(norm))
        if alone and key(norm) not in lex.month_needs_day:
            # "March" as the whole answer.
            m = lex.months_alone.fullmatch(f"in {key(norm)}")
            dates = _month_range(m, today, prefer) if m else None
            if dates:
                found.append(_from_dates(len(norm) - len(norm.lstrip()), len(norm.rstrip()), *dates, today))

    # "two times, october and november": months listed together, each a time though no "in".
    taken = [(r.start, r.end) for r in found]
    for pair in lex.months_listed.finditer(norm):
        for group in ("first", "second"):
            start, end = pair.start(group), pair.end(group)
            if any(s <= start < e for s, e in taken):
                continue
            m = lex.months_alone.fullmatch(f"in {norm[start:end]}")
            dates = _month_range(m, today, prefer) if m else None
            if dates:
                found.append(_from_dates(start, end, *dates, today))

    found += _holiday_references(norm, today, prefer)

    for m in lex.seasons.finditer(norm):
        year = _YEAR_AFTER.match(norm, m.end())  # "the spring of 2024", "summer 2025"
        dates = _season_range(m, today, prefer, int(year.group(1)) if year else None)
        if dates:
            found.append(_from_dates(m.start(), year.end() if year else m.end(), *dates, today))

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
