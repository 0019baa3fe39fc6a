"""Reads people's free-text screening answers ("yep", "three times", "about 3 weeks ago") into the
normalized answer values of CONTRACTS.md. Pure functions; the word lists live in lexicon.yml.

`parse_answer(question_id, text, entities, today, context)` is the one entry point for the form.
The finders below it (`find_time_references`, `number_value`, `coverage_mentions`, ...) are also
used by the spaCy entity extractor (components/entities.py), so each phrase is parsed one way only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import dateparser
import yaml
from rapidfuzz.distance import Levenshtein

from referral.registry import registry, us_states
from referral.screening.questions import answer_values, question_ids
from referral.text import fold

LEXICON_PATH = Path(__file__).with_name("lexicon.yml")

NOT_SURE = "not_sure"
YES_NO_QUESTIONS = ("justice", "access_barriers", "daily_living", "consent")
MAX_AGE = 120
# A count of ER visits in 90 days above this is not a count ("2024" is a year).
MAX_ER_VISITS = 90

_WORD_GAP = r"[\s\-]+"
_PUNCTUATION = re.compile(r"[,.;:!?()]")


@dataclass(frozen=True)
class ParsedAnswer:
    """A normalized answer (`value`, None when unclear: ask again) and what else was understood."""

    value: Any = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PhraseHit:
    """A lexicon phrase found in a text: character offsets and the phrase's label."""

    start: int
    end: int
    label: Any


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


# ----------------------------------------------------------------------------- text and phrases


def normalize(text: str) -> str:
    """Lower case with punctuation blanked out, keeping every character's position.

    Positions are kept so that what is found in the normalized text can be pointed at in the
    original (the entity extractor reports character offsets). Kept: letters, digits, and `/ . -`
    inside numbers or words, apostrophes inside words.
    """
    chars = []
    for ch in fold(text):  # the shared unmasking that keeps every position ("L0well", curly quotes)
        low = ch.lower()
        chars.append(low if len(low) == 1 else ch)
    s = "".join(chars).replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    s = re.sub(r"[^\w'/.\-+ ]|_", " ", s)
    s = re.sub(r"(?<!\d)[./]|[./](?!\d)", " ", s)
    s = re.sub(r"(?<![^\W\d_])'|'(?![^\W\d_])", " ", s)
    return s


def strip_accents(text: str) -> str:
    """'sé' -> 'se': people often type Spanish without accents."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _variants(phrase: str) -> list[str]:
    """A phrase as people may type it: with and without apostrophes and accents."""
    base = normalize(phrase).strip()
    forms = [base, base.replace("'", ""), strip_accents(base), strip_accents(base).replace("'", "")]
    return list(dict.fromkeys(f for f in forms if f))


def _key(text: str) -> str:
    return " ".join(re.split(_WORD_GAP, text.strip()))


def _phrase_regex(phrase: str) -> str:
    return _WORD_GAP.join(re.escape(word) for word in phrase.split())


def _alternation(phrases: Iterable[str]) -> str:
    """Regex alternatives, longest first, so the longest phrase at a position wins."""
    forms = {v for p in phrases for v in _variants(str(p))}
    return "|".join(_phrase_regex(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


class PhraseTable:
    """Finds lexicon phrases in normalized text: whole words, leftmost first, longest at a position.

    Entries are (phrase, label); when a phrase is listed twice, the first label is kept.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]]):
        self._labels: dict[str, Any] = {}
        for phrase, label in entries:
            for form in _variants(str(phrase)):
                self._labels.setdefault(_key(form), label)
        body = _alternation(self._labels)
        self._regex = re.compile(rf"(?<![\w'])(?:{body})(?![\w'])") if body else None

    def find_all(self, text: str) -> list[PhraseHit]:
        if self._regex is None:
            return []
        return [
            PhraseHit(m.start(), m.end(), self._labels[_key(m.group())]) for m in self._regex.finditer(text)
        ]

    def first(self, text: str) -> Optional[PhraseHit]:
        hits = self.find_all(text)
        return hits[0] if hits else None


def _is_negated(text: str, start: int, negators: "PhraseTable", max_gap_words: int = 1) -> bool:
    """Whether a negator ("no", "doesn't have") sits just before `start` with no punctuation between.

    `text` is the original text: "no, MassHealth" (a comma) is an answer, "no MassHealth" is not.
    """
    before = normalize(text[:start])
    for hit in negators.find_all(before):
        gap = text[hit.end : start]
        if _PUNCTUATION.search(gap):
            continue
        if len(gap.split()) <= max_gap_words:
            return True
    return False


# ----------------------------------------------------------------------------- the lexicon


@dataclass
class _Lexicon:
    raw: dict
    answers: dict  # question id -> PhraseTable of yes/no/not_sure phrases
    numbers: re.Pattern
    number_values: dict
    counts: PhraseTable
    zero_count: PhraseTable
    durations: re.Pattern
    windows_without_amount: re.Pattern
    relative_days: PhraseTable
    dates: re.Pattern
    quantity_values: dict
    unit_days: dict
    prefix_kind: dict
    suffix_kind: dict
    tables: dict = field(default_factory=dict)


def _words_table(words: dict) -> PhraseTable:
    return PhraseTable((phrase, label) for label, phrases in words.items() for phrase in phrases)


@lru_cache(maxsize=1)
def lexicon() -> _Lexicon:
    """The lexicon, compiled once per process."""
    raw = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))

    answers = {}
    for question_id in question_ids():
        own = raw["question_words"].get(question_id, {})
        entries = [(p, label) for label, phrases in own.items() for p in phrases]
        entries += [(p, label) for label, phrases in raw["answer_words"].items() for p in phrases]
        answers[question_id] = PhraseTable(entries)

    number_values = {_key(normalize(k)): v for k, v in {**raw["number_words"], **raw["tens_words"]}.items()}
    units = [k for k, v in raw["number_words"].items() if 1 <= v <= 9]
    compound = rf"(?:{_alternation(raw['tens_words'])})(?:{_WORD_GAP}(?:{_alternation(units)}))?"
    number_words = rf"{compound}|{_alternation(raw['number_words'])}"
    numbers = re.compile(
        rf"(?<![\d.,/\w])(?:(?P<digits>\d+(?:\.\d+)?)(?![\d/]|[.,]\d)"
        rf"|(?P<words>(?:{number_words}))(?![\w']))"
    )

    quantity_values = {_key(normalize(k)): v for k, v in raw["time_quantities"].items()}
    unit_days = {_key(normalize(k)): v for k, v in raw["time_units"].items()}
    for k, v in list(unit_days.items()):
        unit_days[_key(strip_accents(k))] = v
    for k, v in list(quantity_values.items()):
        quantity_values[_key(strip_accents(k))] = v

    prefix_kind = {}
    for kind, name in (("window_past", "time_window_past"), ("window_future", "time_window_future"),
                       ("past", "time_past_prefix"), ("future", "time_future_prefix")):
        for phrase in raw[name]:
            for form in _variants(phrase):
                prefix_kind.setdefault(_key(form), kind)
    suffix_kind = {}
    for kind, name in (("past", "time_past_suffix"), ("future", "time_future_suffix")):
        for phrase in raw[name]:
            for form in _variants(phrase):
                suffix_kind.setdefault(_key(form), kind)

    amount = rf"\d+(?:\.\d+)?|{_alternation(raw['time_quantities'])}|{number_words}"
    unit = _alternation(raw["time_units"])
    durations = re.compile(
        rf"(?<![\w'])(?:(?P<pre>{_alternation(prefix_kind)})\s+)?"
        rf"(?:(?P<approx>{_alternation(raw['time_approximators'])})\s+)?"
        rf"(?P<qty>{amount})(?:(?<=\d)[\s\-]*|[\s\-]+)(?P<unit>{unit})(?![\w'])"
        rf"(?P<half>\s+(?:{_alternation(raw['time_half_suffix'])}))?"
        rf"(?:\s+(?P<post>{_alternation(suffix_kind)}))?(?![\w'])"
    )
    # "in the past month", "within the next year": a window of one unit. Bare "last"/"past" need
    # an amount ("last 3 weeks"), because "last week" is a point in time.
    window_words = [p for p in raw["time_window_past"] + raw["time_window_future"] if " " in p]
    windows_without_amount = re.compile(
        rf"(?<![\w'])(?P<pre>{_alternation(window_words)})\s+(?P<unit>{unit})(?![\w'])"
    )

    months = _alternation(raw["month_names"])
    months_not_may = _alternation(m for m in raw["month_names"] if m != "may")
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    dates = re.compile(
        r"(?<![\w/.\-])(?:"
        r"\d{4}-\d{1,2}-\d{1,2}"
        r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
        r"|\d{1,2}-\d{1,2}-\d{2,4}"
        rf"|(?:{months})\.?\s+{day}(?:,?\s+\d{{4}})?"
        rf"|{day}\s+(?:of\s+|de\s+)?(?:{months})(?:,?\s+(?:de\s+)?\d{{4}})?"
        rf"|(?:{_alternation(raw['month_only_prefix'])})\s+"
        rf"(?P<month_only>(?:{months_not_may})(?:\s+\d{{4}})?)"
        r")(?![\w/])"
    )

    lex = _Lexicon(
        raw=raw,
        answers=answers,
        numbers=numbers,
        number_values=number_values,
        counts=PhraseTable(raw["count_words"].items()),
        zero_count=PhraseTable((p, 0) for p in raw["zero_count"]),
        durations=durations,
        windows_without_amount=windows_without_amount,
        relative_days=PhraseTable(raw["relative_days"].items()),
        dates=dates,
        quantity_values=quantity_values,
        unit_days=unit_days,
        prefix_kind=prefix_kind,
        suffix_kind=suffix_kind,
    )
    lex.tables = {
        "coverage": PhraseTable(_coverage_entries(raw)),
        "coverage_negators": PhraseTable((p, True) for p in raw["coverage_negators"]),
        "states": _state_table(),
        "diagnosis": _words_table(raw["diagnosis"]),
        "diagnosis_negators": PhraseTable((p, True) for p in raw["diagnosis_negators"]),
        "housing": _words_table(raw["housing"]),
        "for_whom": PhraseTable(
            [(p, ("client", None)) for p in raw["for_whom"]["client"]]
            + [(p, ("other", None)) for p in raw["for_whom"]["other"]]
            + [(p, ("other", label)) for p, label in raw["relations"].items()]
            + [(p, ("self", None)) for p in raw["for_whom"]["self"]]
        ),
        "still_in_hospital": PhraseTable((p, True) for p in raw["still_in_hospital"]),
        "already_moved_in": PhraseTable((p, True) for p in raw["already_moved_in"]),
        "soon": PhraseTable((p, True) for p in raw["soon_words"]),
        "age_at_least": PhraseTable((p, True) for p in raw["age_at_least"]),
        "age_at_most": PhraseTable((p, True) for p in raw["age_at_most"]),
        "age_turning": PhraseTable((p, True) for p in raw["age_turning"]),
        "age_adult": PhraseTable((p, True) for p in raw["age_adult"]),
        "age_minor": PhraseTable((p, True) for p in raw["age_minor"]),
    }
    # dateparser loads its language data and builds its parsers on first use (tens of ms per
    # form); pay that here, once per process, not in the middle of a conversation.
    for sample in ("October 3", "Oct 3rd", "3 de octubre", "10/3/2026", "March"):
        for prefer in ("past", "future"):
            _parse_date(sample, date(2000, 1, 1), prefer)
    return lex


def _coverage_entries(raw: dict) -> list[tuple[str, Any]]:
    """Coverage phrases and their labels: each served state's Medicaid (registry.yml) as
    ("medicaid_of", state) for its names and ("kind", answer) for its kinds, then the lexicon's
    "medicaid" (state not said), "other", "none" and "not_sure"."""
    entries: list[tuple[str, Any]] = []
    for state in registry().states.values():
        entries += [(w, ("medicaid_of", state.code)) for w in state.medicaid.words]
    for state in registry().states.values():
        entries += [(w, ("kind", answer)) for answer, words in state.medicaid.kinds.items() for w in words]
    entries += [(p, label) for label in ("medicaid", "other", "none", "not_sure") for p in raw["coverage"][label]]
    return entries


def _state_table() -> PhraseTable:
    """US state names and other names ("texas", "north carolina", "mass") -> state code."""
    entries = []
    for state in us_states():
        entries += [(name, state["code"]) for name in [state["name"], *state.get("other_names", [])]]
    # Two-letter codes only for the states served: "nc medicaid", "medicaid in ma".
    entries += [(code.lower(), code) for code in registry().served_states()]
    return PhraseTable(entries)


# ----------------------------------------------------------------------------- numbers


def _number_at(match: re.Match) -> Optional[float]:
    if match.group("digits"):
        return float(match.group("digits"))
    words = _key(match.group("words")).split()
    values = lexicon().number_values
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
    for m in lexicon().numbers.finditer(norm):
        value = _number_at(m)
        # A run of hundreds of digits is no age, count or duration (and as a float it is inf).
        if value is not None and math.isfinite(value) and abs(value) < 1e12:
            out.append((m.start(), m.end(), value))
    return out


def number_value(text: str) -> Optional[int]:
    """The whole number a short phrase says: "three", "twenty-one", "4", "twice", "a couple"."""
    norm = normalize(text).strip()
    count = lexicon().counts.first(norm)
    if count and count.start == 0 and count.end == len(norm):
        return int(count.label)
    numbers = find_numbers(norm)
    if len(numbers) == 1:
        start, end, value = numbers[0]
        rest = (norm[:start] + norm[end:]).strip()
        if (not rest or rest in ("times", "time", "visits", "veces", "vez")) and value == int(value):
            return int(value)
    return None


# ----------------------------------------------------------------------------- time


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
    lex = lexicon()
    key = _key(qty)
    if key in lex.quantity_values:
        return float(lex.quantity_values[key])
    if re.fullmatch(r"\d+(?:\.\d+)?", key):
        return float(key)
    m = lex.numbers.fullmatch(qty.strip())
    return _number_at(m) if m else None


def find_time_references(
    text: str, today: Optional[date] = None, prefer: str = "past"
) -> list[TimeReference]:
    """Times said in a text, in order: durations ("about 3 weeks ago" -> -21, "a month and a half
    ago" -> -45, "in about 2 months" -> +60), windows ("in the last 6 months"), fixed phrases
    ("yesterday", "next month") and explicit dates ("October 3", "10/3/2026", read by dateparser
    relative to `today`; `prefer` "past" or "future" decides the year when none is given).

    A month is 30 days and a year 365. Overlaps are resolved leftmost, then longest.
    """
    lex = lexicon()
    norm = normalize(text)
    today = today or date.today()
    found: list[TimeReference] = []

    for m in lex.durations.finditer(norm):
        amount = _amount(m.group("qty"))
        unit_days = lex.unit_days.get(_key(m.group("unit")))
        if amount is None or unit_days is None:
            continue
        if m.group("half"):
            amount += 0.5
        days = int(round(amount * unit_days))
        pre = _key(m.group("pre")) if m.group("pre") else None
        post = _key(m.group("post")) if m.group("post") else None
        # The word after the amount decides ("in 3 weeks ago" is past), else the word before.
        kind = lex.suffix_kind[post] if post else lex.prefix_kind.get(pre, "unsigned") if pre else "unsigned"
        if kind == "past":
            days = -days
        found.append(TimeReference(m.start(), m.end(), days, kind))

    for m in lex.windows_without_amount.finditer(norm):
        kind = lex.prefix_kind.get(_key(m.group("pre")))
        unit_days = lex.unit_days.get(_key(m.group("unit")))
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


# ----------------------------------------------------------------------------- per question


# "she has", "I do", "he didn't": a whole answer only where its clause ends there ("yes she has",
# "he did, twice"). "she has an apartment with me" is about something else, not a "yes".
_AUX_ANSWER = re.compile(
    r"(i|he|she|they|we) (do|does|did|have|has|don't|doesn't|didn't|haven't|hasn't)( not)?"
)
_AFTER_AUX_ANSWER = {"yes", "yeah", "no", "too", "really", "actually", "definitely", "though", "sadly",
                     "already", "before", "lol", "i", "think", "guess", "so"}


def _answer_word(question_id: str, norm: str, text: str = "") -> Optional[str]:
    table = lexicon().answers[question_id]
    while True:
        hit = table.first(norm)
        if hit is None:
            return None
        if text and _AUX_ANSWER.fullmatch(norm[hit.start : hit.end]):
            rest = _PUNCTUATION.split(text[hit.end :], maxsplit=1)[0].lower().split()
            if any(word not in _AFTER_AUX_ANSWER for word in rest):
                # Not a whole answer: blank its subject and look again, so that a phrase it
                # overlapped ("he doesn't want it" -> "doesn't want") is still found.
                subject_end = norm.index(" ", hit.start)
                norm = norm[: hit.start] + " " * (subject_end - hit.start) + norm[subject_end:]
                continue
        return hit.label


def _exact(question_id: str, text: str) -> Optional[Any]:
    raw = text.strip().lower()
    if raw == NOT_SURE:
        return NOT_SURE
    if raw in answer_values(question_id):
        return raw
    if question_id in ("age", "er_visits", "psych_discharge", "move_in") and re.fullmatch(r"\d{1,3}", raw):
        # A bare number from a button or an integration; for the time questions it is days only
        # when sent exactly as a number (typed text goes through the parser below).
        limit = {"age": MAX_AGE, "er_visits": MAX_ER_VISITS}.get(question_id)
        return int(raw) if limit is not None and int(raw) <= limit else None
    return None


def _parse_for_whom(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    hits = lexicon().tables["for_whom"].find_all(norm)
    kinds = [h.label[0] for h in hits]
    for kind in ("client", "other", "self"):
        if kind in kinds:
            relation = next((h.label[1] for h in hits if h.label[0] == kind and h.label[1]), None)
            return ParsedAnswer(kind, {"relation": relation} if relation else {})
    if _answer_word("for_whom", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


def _medicaid_typo(norm: str) -> Optional[str]:
    """The served state whose one-word Medicaid name is written with one typo ("mashealth")."""
    for state in registry().states.values():
        target = state.medicaid.spelling
        if not target:
            continue
        for word in norm.split():
            if 7 <= len(word) <= 12 and word != target and Levenshtein.distance(word, target, score_cutoff=1) <= 1:
                return state.code
    return None


def coverage_label(label: Any) -> str:
    """A coverage mention's label as a string: a coverage answer ("masshealth_ffs"), or
    "medicaid_of:MA" (a state's Medicaid, kind not said), "medicaid" (state not said), "other",
    "none", "not_sure"."""
    if isinstance(label, tuple):
        return f"medicaid_of:{label[1]}" if label[0] == "medicaid_of" else label[1]
    return label


def coverage_mentions(text: str) -> list[PhraseHit]:
    """Coverage names in a text with what each means (see `coverage_label`). A name said as not
    had ("no MassHealth", "lost his MassHealth") is labelled "negated:<label>"."""
    tables = lexicon().tables
    norm = normalize(text)
    out = []
    for hit in tables["coverage"].find_all(norm):
        label = coverage_label(hit.label)
        said_as_not_had = _is_negated(text, hit.start, tables["coverage_negators"])
        if label not in ("none", "not_sure", "other") and said_as_not_had:
            label = f"negated:{label}"
        out.append(PhraseHit(hit.start, hit.end, label))
    return out


def coverage_from_mentions(labels: list[str], state: Optional[str], said_states: list[str]) -> ParsedAnswer:
    """Decides the coverage value from the coverage names found (see `coverage_mentions`).

    Order: a served state's Medicaid named (the kind when said, else the state's default:
    "MassHealth" -> masshealth_unsure); a kind said alone ("through my ACO"), unless the person is
    known to be in another state; Medicaid, by the state said in the text or else the state known
    from the location (without either: None, with extra {"needs_state": True}); other insurance or
    none, whichever was said first; not sure.
    """
    reg = registry()
    found = [label for label in labels if not label.startswith("negated:")]
    negated = [label for label in labels if label.startswith("negated:")]
    place = said_states[0] if said_states else state
    named_states = [label.split(":", 1)[1] for label in found if label.startswith("medicaid_of:")]
    kinds = [label for label in found if label in reg.coverage_answers()]

    if named_states:
        named = named_states[0]
        kind_said = next((k for k in kinds if reg.state_of_coverage(k) == named), None)
        return ParsedAnswer(kind_said or reg.medicaid_default(named))
    if kinds and "medicaid" not in found:
        # "through my ACO", "fee for service" without naming MassHealth: that state's Medicaid,
        # unless the person is known to be in another state.
        kind = kinds[0]
        return ParsedAnswer(kind if place in (None, reg.state_of_coverage(kind)) else None)
    if "medicaid" in found:
        if place in reg.states:
            kind_said = next((k for k in kinds if reg.state_of_coverage(k) == place), None)
            return ParsedAnswer(kind_said or reg.medicaid_default(place))
        if place:
            return ParsedAnswer("medicaid_other_state")
        return ParsedAnswer(None, {"needs_state": True})
    for label in found:
        if label in ("other", "none"):
            return ParsedAnswer(label)
    if negated:
        return ParsedAnswer("none")
    if "not_sure" in found:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


def _parse_coverage(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    labels = [hit.label for hit in coverage_mentions(text)]
    typo_state = _medicaid_typo(norm)
    if typo_state and f"medicaid_of:{typo_state}" not in labels:
        labels.append(f"medicaid_of:{typo_state}")
    said_states = [hit.label for hit in lexicon().tables["states"].find_all(norm)]
    parsed = coverage_from_mentions(labels, context.get("state"), said_states)
    if parsed.value is None and not labels and _answer_word("coverage", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return parsed


def _numbers_outside_times(
    text: str, norm: str, today: date, keep_years: bool = False
) -> list[tuple[int, int, float]]:
    refs = find_time_references(text, today)
    # For an age, "34 years" is the answer, not a time.
    spans = [(r.start, r.end) for r in refs if not (keep_years and r.kind == "unsigned" and r.days % 365 == 0)]
    return [n for n in find_numbers(norm) if not any(s <= n[0] < e for s, e in spans)]


def _parse_age(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    numbers = [n for n in _numbers_outside_times(text, norm, today, keep_years=True) if n[2] == int(n[2])]
    plus = re.search(r"(\d+)\s*\+", norm)
    if numbers:
        value = int(numbers[0][2])
        if value > MAX_AGE:
            return ParsedAnswer(None)
        if tables["age_turning"].first(norm):
            return ParsedAnswer(max(value - 1, 0), {"turning": value})
        if tables["age_at_most"].first(norm):
            return ParsedAnswer(max(value - 1, 0), {"at_most": True})
        if tables["age_at_least"].first(norm) or plus:
            return ParsedAnswer(value, {"at_least": True})
        return ParsedAnswer(value)
    if tables["age_minor"].first(norm):
        return ParsedAnswer(17, {"at_most": True})
    if tables["age_adult"].first(norm):
        return ParsedAnswer(18, {"at_least": True})
    if _answer_word("age", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


def _parse_diagnosis(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    hits = [
        h for h in tables["diagnosis"].find_all(norm)
        if not _is_negated(text, h.start, tables["diagnosis_negators"], max_gap_words=2)
    ]
    kinds = {h.label for h in hits}
    named = [text[h.start : h.end] for h in hits if h.label != "both"]
    extra = {"diagnosis_text": ", ".join(dict.fromkeys(n.lower() for n in named))} if named else {}
    unsure = lexicon().answers["diagnosis"].first(norm)
    if hits and unsure and unsure.label == NOT_SURE and unsure.start < hits[0].start:
        # "not sure if it's depression": a guess, not a diagnosis.
        return ParsedAnswer(NOT_SURE, extra)
    if "both" in kinds or {"mental_health", "substance_use"} <= kinds:
        return ParsedAnswer("both", extra)
    if kinds:
        return ParsedAnswer(kinds.pop(), extra)
    word = _answer_word("diagnosis", norm, text)
    return ParsedAnswer(word)


def _first_time(text: str, today: date, prefer: str) -> tuple[Optional[TimeReference], list[TimeReference]]:
    """The time that answers the question, and any windows said.

    A time in the question's direction wins over one without a direction: in "he was in for
    two weeks and got out a month ago" the discharge was a month ago.
    """
    refs = find_time_references(text, today, prefer)
    points = [r for r in refs if not r.kind.startswith("window")]
    windows = [r for r in refs if r.kind.startswith("window")]
    ranked = sorted(points, key=lambda r: {prefer: 0, "unsigned": 1}.get(r.kind, 2))
    return (ranked[0] if ranked else None), windows


def _parse_psych_discharge(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    if lexicon().tables["still_in_hospital"].first(norm):
        return ParsedAnswer(None, {"still_in_hospital": True})
    point, windows = _first_time(text, today, "past")
    if point is not None:
        if point.kind == "future":
            return ParsedAnswer(None, {"future": True})
        return ParsedAnswer(abs(point.days))
    word = _answer_word("psych_discharge", norm, text)
    if windows:
        # "yes, in the last 2 months" -> yes; "not in the last year" -> no. A window that does
        # not line up with the 180 days ("not in the last 2 weeks") says too little: ask again.
        window = windows[0]
        if window.kind == "window_past" and word in ("no", None) and _negated_window(norm, window):
            return ParsedAnswer("no" if window.days >= 180 else None)
        if window.kind == "window_past" and window.days <= 180 and word != "no":
            return ParsedAnswer("yes")
        return ParsedAnswer(None)
    if word:
        return ParsedAnswer(word)
    if find_numbers(norm):
        return ParsedAnswer(None, {"needs_unit": True})
    return ParsedAnswer(None)


def _negated_window(norm: str, window: TimeReference) -> bool:
    before = norm[: window.start]
    hit = lexicon().answers["psych_discharge"].find_all(before)
    return any(h.label == "no" for h in hit)


def _parse_er_visits(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    lex = lexicon()
    times = [(r.start, r.end) for r in find_time_references(text, today)]
    outside = lambda start: not any(s <= start < e for s, e in times)  # noqa: E731
    candidates = sorted(
        [(h.start, int(h.label)) for h in lex.counts.find_all(norm) if outside(h.start)]
        + [(n[0], int(n[2])) for n in find_numbers(norm) if outside(n[0]) and n[2] == int(n[2])]
    )
    candidates = [c for c in candidates if 0 <= c[1] <= MAX_ER_VISITS]
    zero = lex.zero_count.first(norm)
    word = _answer_word("er_visits", norm, text)
    if not candidates:
        if word == NOT_SURE:
            return ParsedAnswer(NOT_SURE)
        if zero or word == "no":
            return ParsedAnswer(0)
        return ParsedAnswer(None, {"needs_number": True} if word == "yes" else {})
    # "not once", "never" before any number mean none; a bare "no" before a number is the
    # person correcting themselves ("no, twice").
    bare_no = _key(norm[zero.start : zero.end]) in ("no", "nope", "nah") if zero else False
    if zero and zero.start < candidates[0][0] and not bare_no:
        return ParsedAnswer(0)
    return ParsedAnswer(candidates[0][1])


def _parse_housing(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    kinds = {h.label for h in lexicon().tables["housing"].find_all(norm)}
    if "homeless" in kinds:
        return ParsedAnswer("homeless_psh" if "homeless_psh" in kinds else "homeless")
    if "housed" in kinds:
        return ParsedAnswer("housed")
    if "homeless_psh" in kinds:
        return ParsedAnswer("homeless_psh")
    if _answer_word("housing", norm, text) == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    return ParsedAnswer(None)


def _parse_move_in(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    tables = lexicon().tables
    if tables["already_moved_in"].first(norm):
        return ParsedAnswer(None, {"already_moved_in": True})
    point, windows = _first_time(text, today, "future")
    if point is not None:
        if point.days < 0:
            return ParsedAnswer(None, {"past": True})
        return ParsedAnswer(abs(point.days))
    future_windows = [w for w in windows if w.kind == "window_future"]
    if future_windows:
        return ParsedAnswer(future_windows[0].days)
    word = _answer_word("move_in", norm, text)
    if word == NOT_SURE:
        return ParsedAnswer(NOT_SURE)
    if tables["soon"].first(norm) or word == "yes":
        return ParsedAnswer(None, {"needs_time": True})
    if find_numbers(norm):
        return ParsedAnswer(None, {"needs_unit": True})
    return ParsedAnswer(None)


def _parse_location(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
    # Places are resolved by referral.directory.geo.resolve_place; only "not sure" is read here.
    return ParsedAnswer(NOT_SURE if _answer_word("location", norm, text) == NOT_SURE else None)


def _yes_no_parser(question_id: str):
    def parse(text: str, norm: str, today: date, context: dict) -> ParsedAnswer:
        return ParsedAnswer(_answer_word(question_id, norm, text))

    return parse


_PARSERS = {
    "for_whom": _parse_for_whom,
    "location": _parse_location,
    "coverage": _parse_coverage,
    "age": _parse_age,
    "diagnosis": _parse_diagnosis,
    "psych_discharge": _parse_psych_discharge,
    "er_visits": _parse_er_visits,
    "housing": _parse_housing,
    "move_in": _parse_move_in,
    **{q: _yes_no_parser(q) for q in YES_NO_QUESTIONS},
}


def _from_entities(question_id: str, entities: list[dict], context: dict) -> Optional[ParsedAnswer]:
    """An answer taken from extracted entities, where one fits the question unambiguously."""
    by_type: dict[str, list] = {}
    for entity in entities:
        by_type.setdefault(entity.get("entity"), []).append(entity.get("value"))
    if question_id == "coverage":
        values = [v for v in by_type.get("coverage", []) if v in answer_values("coverage") or v == NOT_SURE]
        return ParsedAnswer(values[0]) if len(set(values)) == 1 else None
    if question_id in ("psych_discharge", "move_in"):
        days = [v for v in by_type.get("duration", []) if isinstance(v, (int, float))]
        if len(days) != 1:
            return None
        value = int(days[0])
        if question_id == "psych_discharge":
            return ParsedAnswer(-value) if value <= 0 else ParsedAnswer(None, {"future": True})
        return ParsedAnswer(value) if value >= 0 else ParsedAnswer(None, {"past": True})
    if question_id == "er_visits":
        numbers = [
            v for v in by_type.get("number", []) if isinstance(v, (int, float)) and 0 <= v <= MAX_ER_VISITS
        ]
        return ParsedAnswer(int(numbers[0])) if len(numbers) == 1 else None
    return None


def parse_answer(
    question_id: str,
    text: str,
    entities: Optional[list[dict]] = None,
    today: Optional[date] = None,
    context: Optional[dict] = None,
) -> ParsedAnswer:
    """Reads a free-text answer to one screening question.

    Args:
        question_id: a question id of PRODUCT.md.
        text: what the person typed (or a button's payload).
        entities: Rasa entities of the message (`entity`, `value`); a `coverage`, `duration` or
            `number` entity that fits the question is used first. Ages are always read from the
            text, where "turns 18" or "over 18" can be seen.
        today: the date durations and dates are counted from (default: today).
        context: what is known already, e.g. {"state": "MA"} so that plain "medicaid" means
            MassHealth in Massachusetts and NC Medicaid in North Carolina.

    Returns:
        ParsedAnswer: `value` is the normalized value of CONTRACTS.md, or None when the answer is
        unclear (ask again); `extra` holds what else was understood, e.g. {"relation": "brother"},
        {"diagnosis_text": "depression"}, {"needs_state": True}, {"needs_unit": True} ("2" to a
        question about when), {"future": True}, {"still_in_hospital": True}, {"at_least": True}.
    """
    if question_id not in _PARSERS:
        raise ValueError(f"unknown screening question id: {question_id!r}")
    text = text or ""
    context = context or {}
    exact = _exact(question_id, text)
    if exact is not None:
        return ParsedAnswer(exact)
    if entities:
        from_entities = _from_entities(question_id, entities, context)
        if from_entities is not None:
            return from_entities
    return _PARSERS[question_id](text, normalize(text), today or date.today(), context)
