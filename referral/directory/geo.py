"""Offline geocoding of a ZIP code or a town in Massachusetts and North Carolina.

Built on the index of every US ZIP code and town in `gazetteer.py` (from the `zipcodes` package),
so it needs no network. `resolve_place(text)` turns "01608", "fall river ma", "I live in raliegh"
or "Franklin" into a place, a choice to ask about, or a note that the place is outside the states
served (programs/registry.yml).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from referral.directory.gazetteer import ZIP_COUNT, Gazetteer, load_gazetteer, name_key
from referral.registry import registry

__all__ = [
    "AMBIGUOUS",
    "FOUND",
    "OUTSIDE",
    "UNKNOWN",
    "PlaceMatch",
    "distance_miles",
    "name_key",
    "nearest_zip_place",
    "place_names",
    "resolve_place",
    "state_code",
    "town_place",
    "warm_up",
    "within_state_bounds",
    "zip_place",
    "zip_places",
]

EARTH_RADIUS_MILES = 3958.8

# "found": a place in MA or NC; "ambiguous": several places fit, ask which (see `candidates`);
# "unknown": no place recognised; "outside": a real US place outside the states we serve.
FOUND, AMBIGUOUS, UNKNOWN, OUTSIDE = "found", "ambiguous", "unknown", "outside"

_ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:[- ]\d{4})?(?!\d)")
_LONGEST_TOWN_WORDS = 4
_STREET_WORDS = frozenset(
    {
        "st",
        "street",
        "ave",
        "avenue",
        "rd",
        "road",
        "blvd",
        "boulevard",
        "hwy",
        "highway",
        "dr",
        "drive",
        "ln",
        "lane",
        "pkwy",
        "turnpike",
        "tpke",
    }
)


@dataclass(frozen=True)
class PlaceMatch:
    """What a piece of text says about where someone is.

    `place` is the location dict, the `location` answer of referral/screening/questions.yml (zip, town, state, county, lat, lon)
    when `status` is "found" or "outside"; `candidates` lists places to choose from when
    "ambiguous". `state_hint` is a state the text named when no town could be found in it.
    """

    status: str
    place: dict | None = None
    candidates: list[dict] = field(default_factory=list)
    state_hint: str | None = None


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def warm_up() -> None:
    """Build the ZIP and town index now (a few seconds) rather than on the first question."""
    load_gazetteer()


def place_names(states: Iterable[str] | None = None) -> list[str]:
    """All town names in these states (default: the states served), for a gazetteer."""
    wanted = set(registry().served_states() if states is None else states)
    g = load_gazetteer()
    return sorted({row[1] for (st, _), row in g.towns.rows.items() if st in wanted})


def zip_places(states: Iterable[str] | None = None) -> list[dict]:
    """The place dict of every street-delivery ZIP in these states (default: the states served)."""
    wanted = set(registry().served_states() if states is None else states)
    g = load_gazetteer()
    return [g.zips[z] for z, row in sorted(g.zips.rows.items()) if row[2] in wanted and z in g.standard_zips]


def zip_place(zip_code: str) -> dict | None:
    """The place dict of a 5-digit ZIP code, or None when there is no such ZIP."""
    place = load_gazetteer().zips.get(zip_code[:5])
    return dict(place) if place else None


def town_place(town: str, state: str) -> dict | None:
    """The centroid place dict of a town in a state, or None."""
    place = load_gazetteer().towns.get((state.upper(), name_key(town)))
    return dict(place) if place else None


def state_code(text: str) -> str | None:
    """'Massachusetts', 'mass', 'MA' -> 'MA'; None when it is not a US state."""
    key = name_key(text)
    g = load_gazetteer()
    return g.state_names.get(key) or g.state_abbrevs.get(key)


def within_state_bounds(lat: float, lon: float, state: str, margin_deg: float = 0.25) -> bool:
    """Whether a point lies in the box around a state's ZIP codes (catches swapped lat/lon)."""
    bounds = load_gazetteer().state_bounds.get(state)
    if bounds is None:
        return False
    lat_min, lat_max, lon_min, lon_max = bounds
    return lat_min - margin_deg <= lat <= lat_max + margin_deg and lon_min - margin_deg <= lon <= lon_max + margin_deg


def nearest_zip_place(lat: float, lon: float, state: str | None = None) -> dict | None:
    """The ZIP place closest to a point (for a county when a provider has no ZIP)."""
    zips = load_gazetteer().zips
    best, best_d = None, float("inf")
    for code, row in zips.rows.items():
        if state and row[2] != state:
            continue
        d = distance_miles(lat, lon, row[4], row[5])
        if d < best_d:
            best, best_d = code, d
    return zips[best] if best else None


def resolve_place(text: str, prefer_state: str | None = None) -> PlaceMatch:
    """Find the place a person means: a ZIP code, or a town with or without its state.

    A ZIP code anywhere in the text wins. Otherwise a named state ("worcester ma", "Portland,
    Maine", "Raleigh, North Carolina") narrows the towns; a town found in both Massachusetts and
    North Carolina ("Franklin", "Lowell") is ambiguous unless `prefer_state` picks one. Typos are
    corrected only for the text as a whole or the words after "in"/"near" ("I live in raliegh"),
    so that ordinary words in a sentence are never taken for a town.
    """
    g = load_gazetteer()
    if not text or not text.strip():
        return PlaceMatch(UNKNOWN)
    prefer = prefer_state.upper() if prefer_state else None

    text = _digits_said(_named_as_usual(g, text))
    zip_match = _ZIP_RE.search(text)
    if zip_match:
        place = g.zips.get(zip_match.group(1))
        if place is None:
            return PlaceMatch(UNKNOWN)
        return PlaceMatch(FOUND if place["state"] in g.served else OUTSIDE, dict(place))

    tokens = name_key(text).split()
    if not tokens:
        return PlaceMatch(UNKNOWN)
    raw_tokens = _raw_tokens(text)
    named_state, state_span, state_is_town = _find_state(g, tokens, raw_tokens, _clause_ends(text))
    county = _county_said(g, tokens, named_state if not state_is_town else None, prefer)
    if county is not None:
        return county  # "ashe county NC, out in the county not in a town"
    town_tokens = [t for i, t in enumerate(tokens) if not (state_span and state_span[0] <= i < state_span[1])]

    if named_state and not state_is_town:
        return _resolve_in_state(g, town_tokens, named_state)

    found = _exact_towns(g, town_tokens, g.served, states_known=False)
    if found:
        bigger = _bigger_elsewhere(g, found)
        if bigger and not (prefer and any(p["state"] == prefer for p in found)):
            # "Providence": a village in NC, a city in RI; ask which rather than take the village.
            return PlaceMatch(AMBIGUOUS, candidates=[*(_choose(g, found, None).candidates or found), bigger])
        return _choose(g, found, prefer)
    if named_state and state_is_town:
        # "Florida" or "Washington" alone: a town here and a state elsewhere; ask which.
        key = name_key(" ".join(tokens[state_span[0] : state_span[1]]))
        towns = [dict(g.towns[(s, key)]) for s in g.served if (s, key) in g.towns]
        if prefer and any(t["state"] == prefer for t in towns):
            return PlaceMatch(FOUND, next(t for t in towns if t["state"] == prefer))
        return PlaceMatch(AMBIGUOUS, candidates=towns + [dict(g.state_places[named_state])])

    core = _core(g, tokens)
    states = [s for s in g.town_states if (s, core) in g.towns] if core else []
    typo = _typo_towns(g, tokens, g.served)
    if typo and states:
        # "Pawtucket" is a city in Rhode Island, one letter from Nantucket: a town spelled right
        # elsewhere, at least as big as the one here it might be a typo of, is never silently
        # taken for it; the person says which ("ashville" is still Asheville, NC).
        states.sort(key=lambda s: -g.towns.rows[(s, core)][ZIP_COUNT])
        choice = _choose(g, typo, prefer)
        here = [choice.place] if choice.place else list(choice.candidates or [])
        elsewhere_zips = g.towns.rows[(states[0], core)][ZIP_COUNT]
        here_zips = max((g.towns.rows[(p["state"], name_key(p["town"]))][ZIP_COUNT] for p in here if p), default=0)
        if elsewhere_zips >= here_zips:
            return PlaceMatch(AMBIGUOUS, candidates=[*here, dict(g.towns[(states[0], core)])])
    if typo:
        return _choose(g, typo, prefer)

    if states:
        # A bare town that exists only outside MA and NC ("Chicago"): the state with most ZIPs.
        states.sort(key=lambda s: -g.towns.rows[(s, core)][ZIP_COUNT])
        places = [g.towns[(s, core)] for s in states]
        return PlaceMatch(OUTSIDE, places[0], candidates=places)
    return PlaceMatch(UNKNOWN)


@lru_cache(maxsize=1)
def _nickname_pattern(names: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted(names, key=len, reverse=True)
    body = "|".join(r"[\s\-/']*".join(map(re.escape, name.split())) for name in alternatives)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_SAID_ZIP = re.compile(
    r"\b(?:(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)[\s-]+){4}"
    r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)


def _digits_said(text: str) -> str:
    """A ZIP code said digit by digit ("zero one six oh eight", voice-to-text) as digits."""
    return _SAID_ZIP.sub(lambda m: "".join(_DIGIT_WORDS[w.lower()] for w in re.split(r"[\s-]+", m.group(0))), text)


def _named_as_usual(g: Gazetteer, text: str) -> str:
    """The text with a town's nickname ("gboro", "southie") replaced by the town's name."""
    if not g.nicknames:
        return text
    pattern = _nickname_pattern(tuple(g.nicknames))
    return pattern.sub(lambda m: g.nicknames.get(name_key(m.group(0)), m.group(0)), text)


def _clause_ends(text: str) -> set[int]:
    """The indexes (aligned with name_key()) of the words a comma or a full stop follows:
    "lowell ma, the shelter on..." names the state right after the town."""
    ends, i = set(), 0
    for word in re.sub(r"[-/]", " ", text).split():
        if name_key(word):
            if re.search(r"[,.;:!?)]$", word):
                ends.add(i)
            i += 1
    return ends


def _raw_tokens(text: str) -> list[str]:
    """The words of the text as typed (for telling 'ME' from 'me'), aligned with name_key()."""
    out = []
    for word in re.sub(r"[-/]", " ", text).split():
        if name_key(word):
            out.append(re.sub(r"[^A-Za-z0-9&]", "", unicodedata.normalize("NFKD", word)))
    return out


def _find_state(
    g: Gazetteer, tokens: list[str], raw: list[str], ends: set[int] | None = None
) -> tuple[str | None, tuple | None, bool]:
    """The state the text names last, its token span, and whether that name is also a town here.

    A full name counts anywhere ("Portland, Maine"). A code or short form ("MA", "mass") counts
    only where people write one: alone, right after a town in that state ("lowell nc"), at the
    end for our own states ("worcester ma"), or typed in capitals ("I'm in NC"). That keeps the
    words "in", "me", "or", "ok", "miss" from being read as states.
    """
    found: list[tuple[int, int, str, bool]] = []  # (end, length, code, is_town_here)
    for n in (3, 2, 1):
        for i in range(len(tokens) - n + 1):
            phrase = " ".join(tokens[i : i + n])
            code = g.state_names.get(phrase)
            if code:
                is_town = code not in g.served and any((s, phrase) in g.towns for s in g.served)
                found.append((i + n, n, code, is_town))
    shouting = all(r.isupper() for r in raw if r.isalpha())
    ends = ends or set()
    for i, tok in enumerate(tokens):
        code = g.state_abbrevs.get(tok)
        if not code or (i > 0 and tokens[i - 1] in ("not", "no")):
            continue  # "Concord, New Hampshire (NH not MA)"
        rest_is_filler = all(t in g.filler_words for t in tokens[i + 1 :])
        after_town = any((code, " ".join(tokens[j:i])) in g.towns for j in range(max(0, i - _LONGEST_TOWN_WORDS), i))
        typed_upper = i < len(raw) and raw[i].isupper() and not shouting
        alone = len(tokens) == 1 and tok not in g.filler_words and tok not in g.cue_words
        if (
            alone
            or (after_town and (rest_is_filler or typed_upper or i in ends))
            or (code in g.served and (typed_upper or (rest_is_filler and tok not in g.filler_words)))
        ):
            found.append((i + 1, 1, code, False))
    if not found:
        return None, None, False
    end, length, code, is_town = max(found, key=lambda f: (f[0], f[1]))
    return code, (end - length, end), is_town


def _exact_towns(g: Gazetteer, tokens: list[str], states: Iterable[str], states_known: bool) -> list[dict]:
    """Towns named exactly in the text, longest then rightmost name first, in any of `states`."""
    states = tuple(states)
    hits: list[tuple[int, int, list[dict]]] = []
    for n in range(min(_LONGEST_TOWN_WORDS, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            key = " ".join(tokens[i : i + n])
            places = [g.towns[(s, key)] for s in states if (s, key) in g.towns]
            if not places or all(t in g.filler_words for t in tokens[i : i + n]):
                continue
            if key in g.common_word_towns and not _said_as_place(g, tokens, i, i + n, states_known):
                continue
            if i + n < len(tokens) and tokens[i + n] in _STREET_WORDS:
                continue  # "the shelter on Middlesex St": a street, not the town
            hits.append((n, i, places))
    if not hits:
        return []
    n, i, places = max(hits, key=lambda h: (h[0], h[1]))
    return [dict(p) for p in places]


def _said_as_place(g: Gazetteer, tokens: list[str], start: int, end: int, states_known: bool) -> bool:
    """A town that is also an everyday word ("Reading", "Faith") counts only when said as a place."""
    rest = [t for j, t in enumerate(tokens) if not start <= j < end]
    return (
        states_known
        or not [t for t in rest if t not in g.filler_words and t not in g.cue_words]
        or (start > 0 and tokens[start - 1] in g.cue_words)
    )


def _typo_towns(g: Gazetteer, tokens: list[str], states: Iterable[str]) -> list[dict]:
    """Towns within one or two typing errors of the text as a whole or of the words after 'in'."""
    phrases = []
    core = _core(g, tokens)
    if core:
        phrases.append(core)
        words = core.split()
        if len(words) > 1 and tuple(states) != tuple(g.served):
            # A state named ("worchester mass ..."): each word or pair of words may be the town.
            phrases += [" ".join(words[i : i + n]) for n in (2, 1) for i in range(len(words) - n + 1)]
    for i, tok in enumerate(tokens):
        if tok in g.cue_words:
            after = []
            for t in tokens[i + 1 : i + 1 + _LONGEST_TOWN_WORDS]:
                if t in g.cue_words:
                    break
                after.append(t)
            while after and after[-1] in g.filler_words:
                after.pop()
            for n in range(len(after), 0, -1):
                phrases.append(" ".join(after[:n]))
    best: list[tuple[int, str, str]] = []
    for phrase in dict.fromkeys(phrases):
        if len(phrase.replace(" ", "")) < 4 or phrase in g.filler_words:
            continue
        max_edits = 1 if len(phrase) < 8 else 2
        for state in states:
            for key, dist, _ in process.extract(
                phrase, g.served_town_keys[state], scorer=OSA.distance, score_cutoff=max_edits, limit=5
            ):
                if key in g.common_word_towns:
                    continue
                best.append((dist, key, state))
    if not best:
        return []
    # Fewest edits first; then a name that starts like the text, since people rarely mistype
    # the first letter ("worchester" is Worcester, not Dorchester).
    first = {phrase[:1] for phrase in phrases}
    rank = {(s, k): (d, k[:1] not in first) for d, k, s in best}
    top = min(rank.values())
    return [dict(g.towns[key]) for key in sorted(rank) if rank[key] == top]


def _core(g: Gazetteer, tokens: list[str]) -> str:
    """The text without filler ("I live in", "zip is"): what is left should be the place."""
    return " ".join(t for t in tokens if t not in g.filler_words and t not in g.cue_words)


def _resolve_in_state(g: Gazetteer, tokens: list[str], state: str) -> PlaceMatch:
    served = state in g.served
    towns = _exact_towns(g, tokens, (state,), states_known=True)
    if not towns and served:
        towns = _typo_towns(g, tokens, (state,))
    if towns:
        if len(towns) > 1:
            return PlaceMatch(AMBIGUOUS, candidates=towns)
        return PlaceMatch(FOUND if served else OUTSIDE, towns[0])
    if served:
        return PlaceMatch(UNKNOWN, state_hint=state)
    return PlaceMatch(OUTSIDE, dict(g.state_places[state]))


# A town of the states served whose name belongs to a town elsewhere at least half its size (by
# ZIP codes): "Springfield" is a city in MA and in MO, "Greenville" in NC and SC; asked about
# (a person in Missouri told of MassHealth programs would be misled), unless the coverage said
# the state.
_ELSEWHERE_MIN_ZIPS = 5
_ELSEWHERE_RATIO = 0.5
_ELSEWHERE_RATIO_BOTH = 4


def _county_places(g: Gazetteer) -> dict:
    """(state, county name key without "county") -> the county as a place: its name, state and the
    centre of its ZIPs (the `town` is the county's name, there is no ZIP). Built once per index."""
    cached = _COUNTIES.get(id(g))
    if cached is not None:
        return cached
    points: dict = {}
    for row in g.zips.rows.values():
        _, _, state, county, lat, lon = row[:6]
        if county and lat is not None and lon is not None:
            points.setdefault((state, name_key(county.replace(" County", ""))), (county, []))[1].append((lat, lon))
    places = {}
    for (state, key), (county, coords) in points.items():
        lat = sum(c[0] for c in coords) / len(coords)
        lon = sum(c[1] for c in coords) / len(coords)
        places[(state, key)] = {"zip": None, "town": county, "state": state, "county": county, "lat": lat, "lon": lon}
    _COUNTIES[id(g)] = places
    return places


_COUNTIES: dict = {}


def _county_said(g: Gazetteer, tokens: list[str], state: str | None, prefer: str | None) -> PlaceMatch | None:
    """A county named as the place ("Ashe County, NC", "out in Johnston county"): in the state
    named, else in the states served (asked which when in both); None when no county is said."""
    if "county" not in tokens:
        return None
    at = tokens.index("county")
    counties = _county_places(g)
    for size in (3, 2, 1):
        words = tokens[max(0, at - size) : at]
        if len(words) < size:
            continue
        key = " ".join(words)
        states = [state] if state else list(g.served)
        found = [dict(counties[(s, key)]) for s in states if (s, key) in counties]
        if len(found) == 1:
            return PlaceMatch(FOUND if found[0]["state"] in g.served else OUTSIDE, found[0])
        if found:
            preferred = [p for p in found if p["state"] == prefer]
            return PlaceMatch(FOUND, preferred[0]) if len(preferred) == 1 else PlaceMatch(AMBIGUOUS, candidates=found)
    return None


def _bigger_elsewhere(g: Gazetteer, places: list[dict]) -> dict | None:
    """The town of the same name outside the states served that is as large as any of `places`
    or not much smaller ("Providence, RI" for the Providence of NC), or None."""
    key = name_key(places[0]["town"])
    served_zips = max(g.towns.rows[(p["state"], key)][ZIP_COUNT] for p in places if (p["state"], key) in g.towns.rows)
    outside = [s for s in g.town_states if s not in g.served and (s, key) in g.towns]
    if not outside:
        return None
    state = max(outside, key=lambda s: g.towns.rows[(s, key)][ZIP_COUNT])
    zips = g.towns.rows[(state, key)][ZIP_COUNT]
    # A name in both states served is asked about anyway (MA or NC); another state is added to
    # that question only when its town is far larger.
    ratio = _ELSEWHERE_RATIO if len({p["state"] for p in places}) == 1 else _ELSEWHERE_RATIO_BOTH
    if zips >= _ELSEWHERE_MIN_ZIPS and zips >= ratio * served_zips:
        return dict(g.towns[(state, key)])
    return None


def _choose(g: Gazetteer, places: list[dict], prefer: str | None) -> PlaceMatch:
    """One place is found; the same name in both states is ambiguous unless a state is preferred."""
    if len(places) == 1:
        return PlaceMatch(FOUND, places[0])
    preferred = [p for p in places if p["state"] == prefer]
    if len(preferred) == 1:
        return PlaceMatch(FOUND, preferred[0])
    order = {s: i for i, s in enumerate(g.served)}
    return PlaceMatch(AMBIGUOUS, candidates=sorted(places, key=lambda p: (order.get(p["state"], 99), p["town"])))
