"""Offline geocoding of a ZIP code or a town in Massachusetts and North Carolina.

Built on the `zipcodes` package (every US ZIP with its town, county and coordinates), so it needs
no network. `resolve_place(text)` turns "01608", "fall river ma", "I live in raliegh" or "Franklin"
into a place, a choice to ask about, or a note that the place is outside the states served (programs/registry.yml).
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import math
import os
import pickle
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import zipcodes
from rapidfuzz import process
from rapidfuzz.distance import OSA

from referral.registry import registry

DATA_DIR = Path(__file__).parent / "data"
EARTH_RADIUS_MILES = 3958.8

# "found": a place in MA or NC; "ambiguous": several places fit, ask which (see `candidates`);
# "unknown": no place recognised; "outside": a real US place outside the states we serve.
FOUND, AMBIGUOUS, UNKNOWN, OUTSIDE = "found", "ambiguous", "unknown", "outside"

_ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:[- ]\d{4})?(?!\d)")
_LONGEST_TOWN_WORDS = 4


@dataclass(frozen=True)
class PlaceMatch:
    """What a piece of text says about where someone is.

    `place` is the normalized location dict of CONTRACTS.md (zip, town, state, county, lat, lon)
    when `status` is "found" or "outside"; `candidates` lists places to choose from when
    "ambiguous". `corrected` is True when a typo was fixed ("raliegh" -> Raleigh), so the bot can
    confirm. `state_hint` is a state the text named when no town could be found in it.
    """

    status: str
    place: dict | None = None
    candidates: list[dict] = field(default_factory=list)
    corrected: bool = False
    state_hint: str | None = None


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in miles (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def name_key(text: str) -> str:
    """The form used to compare place names: lower case, no accents or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[-/]", " ", text.lower())
    text = re.sub(r"[^a-z0-9& ]", "", text)
    return " ".join(text.split())


def display_town(name: str) -> str:
    """'Winston-salem' -> 'Winston-Salem' (zipcodes lower-cases after a hyphen)."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


_PLACE_FIELDS = ("zip", "town", "state", "county", "lat", "lon")
_ZIP_COUNT = len(_PLACE_FIELDS)  # index of a town's ZIP count in its tuple


class _PlaceTable(Mapping):
    """Place dicts stored as tuples (zip, town, state, county, lat, lon); each lookup returns a
    fresh dict. One tuple per ZIP and per town, instead of one dict each, keeps the index of
    every US place small. A town's tuple has a 7th item, its number of ZIPs (not in the dict)."""

    __slots__ = ("rows",)

    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def __getitem__(self, key) -> dict:
        return dict(zip(_PLACE_FIELDS, self.rows[key]))

    def __contains__(self, key) -> bool:
        return key in self.rows

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class _Gazetteer:
    """Every US ZIP and town, indexed once per process (building it takes a few seconds)."""

    zips: _PlaceTable  # "01608" -> place dict
    standard_zips: frozenset[str]  # ZIPs of streets (not PO boxes or single companies)
    towns: _PlaceTable  # (state, name key) -> place dict of the town centroid
    town_states: tuple[str, ...]  # every state (and territory) that has towns, sorted
    state_places: dict[str, dict]  # "TX" -> place dict of the state (centroid of its ZIPs)
    state_names: dict[str, str]  # full-name key ("texas", "north carolina") -> code
    state_abbrevs: dict[str, str]  # "tx", "tex", "mass" -> code
    state_bounds: dict[str, tuple[float, float, float, float]]  # code -> lat/lon min/max
    served: tuple[str, ...]
    served_town_keys: dict[str, list[str]]  # state -> its town name keys, for typo matching
    cue_words: frozenset[str]
    filler_words: frozenset[str]
    common_word_towns: frozenset[str]


CACHE_DIR = Path(os.environ.get("REFERRAL_CACHE_DIR") or Path(__file__).resolve().parents[2] / "var" / "cache")


def _cache_path() -> Path:
    """The cache file of this code, these data files and this `zipcodes` version."""
    digest = hashlib.sha256(zipcodes.__version__.encode())
    for path in (Path(__file__), DATA_DIR / "us_states.json", DATA_DIR / "place_words.json"):
        digest.update(path.read_bytes())
    digest.update(" ".join(registry().served_states()).encode())  # the states served come from the registry
    return CACHE_DIR / f"gazetteer-{digest.hexdigest()[:16]}.pickle"


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    """The index, from the cache file when this code and data built one before (0.1 s, not 3 s)."""
    path = _cache_path()
    try:
        with path.open("rb") as cached:
            gazetteer = pickle.load(cached)
        if isinstance(gazetteer, _Gazetteer):
            return gazetteer
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass  # no cache yet, or unreadable: build it
    gazetteer = _build_gazetteer()
    try:  # written whole or not at all (the action server and Rasa may both get here)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_bytes(pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, path)
        for stale in CACHE_DIR.glob("gazetteer-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only disk: build it each time
    # Memory: the build creates and drops 42,000 raw ZIP records from `zipcodes`. Collect them
    # and hand the freed heap pages back to the system, so the process does not keep them.
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only
        except (OSError, AttributeError):
            pass
    return gazetteer


def _build_gazetteer() -> _Gazetteer:
    states = json.loads((DATA_DIR / "us_states.json").read_text(encoding="utf-8"))
    words = json.loads((DATA_DIR / "place_words.json").read_text(encoding="utf-8"))
    town_key = lru_cache(maxsize=None)(name_key)  # share one string per distinct name
    town_display = lru_cache(maxsize=None)(display_town)
    shared: dict[str, str] = {}  # one copy of each state and county name

    zips: dict[str, tuple] = {}  # ZIP -> (zip, town, state, county, lat, lon)
    standard_zips: set[str] = set()
    primary: dict[tuple[str, str], list[str]] = defaultdict(list)  # town -> its ZIP codes
    alternate: dict[tuple[str, str], list[str]] = defaultdict(list)
    spellings: Counter = Counter()  # ((state, name key), spelling) -> number of ZIPs
    # Read the records by their first two ZIP digits (~430 at a time, same order as the full
    # list) and keep only compact tuples: the 42,000 raw record dicts never exist at once, which
    # leaves far less fragmented heap behind (list_all() would even keep them cached for good).
    for prefix in (f"{n:02d}" for n in range(100)):
        for rec in zipcodes.similar_to(prefix):
            try:
                lat, lon = float(rec["lat"]), float(rec["long"])
            except (TypeError, ValueError):
                continue
            code = rec["zip_code"]
            state = shared.setdefault(rec["state"], rec["state"])
            county = shared.setdefault(rec["county"], rec["county"]) if rec["county"] else None
            zips[code] = (code, town_display(rec["city"]), state, county, lat, lon)
            if rec["zip_code_type"] == "STANDARD":
                standard_zips.add(code)
            # UNIQUE ZIPs belong to one company or campus ("At&t"); their names are not towns.
            if rec["zip_code_type"] == "UNIQUE":
                continue
            key = (state, town_key(rec["city"]))
            primary[key].append(code)
            spellings[key, town_display(rec["city"])] += 1
            for alt in rec["acceptable_cities"]:
                alt_key = (state, town_key(alt))
                alternate[alt_key].append(code)
                spellings[alt_key, town_display(alt)] += 1

    # Most ZIPs spell it "Winston-Salem", a few "Winston Salem": use the usual spelling (the
    # first one seen on a tie, as most_common() keeps insertion order among equal counts).
    usual_spelling: dict[tuple[str, str], str] = {}
    for (key, spelling), _ in spellings.most_common():
        usual_spelling.setdefault(key, spelling)
    del spellings

    towns: dict[tuple[str, str], tuple] = {}  # (state, name key) -> (None, town, ..., ZIP count)
    for key in set(primary) | set(alternate):
        # A name that is some ZIP's main town is that town; only otherwise use the ZIPs that
        # list it as an acceptable name (e.g. a village inside a larger ZIP).
        codes = primary.get(key) or alternate[key]
        rows = [zips[c] for c in codes if c in standard_zips] or [zips[c] for c in codes]
        counties = Counter(row[3] for row in rows if row[3])
        towns[key] = (
            None,
            usual_spelling[key],
            key[0],
            counties.most_common(1)[0][0] if counties else None,
            round(sum(row[4] for row in rows) / len(rows), 4),
            round(sum(row[5] for row in rows) / len(rows), 4),
            len(codes),
        )

    by_state: dict[str, list[tuple]] = defaultdict(list)
    for row in zips.values():
        by_state[row[2]].append(row)
    state_names: dict[str, str] = {}
    state_abbrevs: dict[str, str] = {}
    state_places: dict[str, dict] = {}
    for st in states["states"]:
        for name in [st["name"], *st["other_names"]]:
            state_names[name_key(name)] = st["code"]
        for abbrev in [st["code"], *st["abbreviations"]]:
            state_abbrevs[name_key(abbrev)] = st["code"]
        rows = by_state.get(st["code"])
        if rows:
            state_places[st["code"]] = {
                "zip": None,
                "town": None,
                "state": st["code"],
                "county": None,
                "lat": round(sum(row[4] for row in rows) / len(rows), 4),
                "lon": round(sum(row[5] for row in rows) / len(rows), 4),
            }
    state_bounds = {}
    for code, rows in by_state.items():
        lats, lons = [row[4] for row in rows], [row[5] for row in rows]
        state_bounds[code] = (min(lats), max(lats), min(lons), max(lons))
    served = registry().served_states()
    return _Gazetteer(
        zips=_PlaceTable(zips),
        standard_zips=frozenset(standard_zips),
        towns=_PlaceTable(towns),
        town_states=tuple(sorted({state for state, _ in towns})),
        state_places=state_places,
        state_names=state_names,
        state_abbrevs=state_abbrevs,
        state_bounds=state_bounds,
        served=served,
        served_town_keys={s: sorted(k for st, k in towns if st == s) for s in served},
        cue_words=frozenset(words["cue_words"]),
        filler_words=frozenset(words["filler_words"]),
        common_word_towns=frozenset(words["common_word_towns"]),
    )


def warm_up() -> None:
    """Build the ZIP and town index now (a few seconds) rather than on the first question."""
    _gazetteer()


def place_names(states: Iterable[str] | None = None) -> list[str]:
    """All town names in these states (default: the states served), for a gazetteer."""
    wanted = set(registry().served_states() if states is None else states)
    g = _gazetteer()
    return sorted({row[1] for (st, _), row in g.towns.rows.items() if st in wanted})


def zip_places(states: Iterable[str] | None = None) -> list[dict]:
    """The place dict of every street-delivery ZIP in these states (default: the states served)."""
    wanted = set(registry().served_states() if states is None else states)
    g = _gazetteer()
    return [g.zips[z] for z, row in sorted(g.zips.rows.items()) if row[2] in wanted and z in g.standard_zips]


def zip_place(zip_code: str) -> dict | None:
    """The place dict of a 5-digit ZIP code, or None when there is no such ZIP."""
    place = _gazetteer().zips.get(zip_code[:5])
    return dict(place) if place else None


def town_place(town: str, state: str) -> dict | None:
    """The centroid place dict of a town in a state, or None."""
    place = _gazetteer().towns.get((state.upper(), name_key(town)))
    return dict(place) if place else None


def state_code(text: str) -> str | None:
    """'Massachusetts', 'mass', 'MA' -> 'MA'; None when it is not a US state."""
    key = name_key(text)
    g = _gazetteer()
    return g.state_names.get(key) or g.state_abbrevs.get(key)


def within_state_bounds(lat: float, lon: float, state: str, margin_deg: float = 0.25) -> bool:
    """Whether a point lies in the box around a state's ZIP codes (catches swapped lat/lon)."""
    bounds = _gazetteer().state_bounds.get(state)
    if bounds is None:
        return False
    lat_min, lat_max, lon_min, lon_max = bounds
    return lat_min - margin_deg <= lat <= lat_max + margin_deg and lon_min - margin_deg <= lon <= lon_max + margin_deg


def nearest_zip_place(lat: float, lon: float, state: str | None = None) -> dict | None:
    """The ZIP place closest to a point (for a county when a provider has no ZIP)."""
    zips = _gazetteer().zips
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
    g = _gazetteer()
    if not text or not text.strip():
        return PlaceMatch(UNKNOWN)
    prefer = prefer_state.upper() if prefer_state else None

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
    named_state, state_span, state_is_town = _find_state(g, tokens, raw_tokens)
    town_tokens = [t for i, t in enumerate(tokens) if not (state_span and state_span[0] <= i < state_span[1])]

    if named_state and not state_is_town:
        return _resolve_in_state(g, town_tokens, named_state)

    found = _exact_towns(g, town_tokens, g.served, states_known=False)
    if found:
        return _choose(g, found, prefer)
    if named_state and state_is_town:
        # "Florida" or "Washington" alone: a town here and a state elsewhere; ask which.
        key = name_key(" ".join(tokens[state_span[0] : state_span[1]]))
        towns = [dict(g.towns[(s, key)]) for s in g.served if (s, key) in g.towns]
        if prefer and any(t["state"] == prefer for t in towns):
            return PlaceMatch(FOUND, next(t for t in towns if t["state"] == prefer))
        return PlaceMatch(AMBIGUOUS, candidates=towns + [dict(g.state_places[named_state])])

    typo = _typo_towns(g, tokens, g.served)
    if typo:
        match = _choose(g, typo, prefer)
        return PlaceMatch(match.status, match.place, match.candidates, corrected=True)

    core = _core(g, tokens)
    states = [s for s in g.town_states if (s, core) in g.towns] if core else []
    if states:
        # A bare town that exists only outside MA and NC ("Chicago"): the state with most ZIPs.
        states.sort(key=lambda s: -g.towns.rows[(s, core)][_ZIP_COUNT])
        places = [g.towns[(s, core)] for s in states]
        return PlaceMatch(OUTSIDE, places[0], candidates=places)
    return PlaceMatch(UNKNOWN)


def _raw_tokens(text: str) -> list[str]:
    """The words of the text as typed (for telling 'ME' from 'me'), aligned with name_key()."""
    out = []
    for word in re.sub(r"[-/]", " ", text).split():
        if name_key(word):
            out.append(re.sub(r"[^A-Za-z0-9&]", "", unicodedata.normalize("NFKD", word)))
    return out


def _find_state(g: _Gazetteer, tokens: list[str], raw: list[str]) -> tuple[str | None, tuple | None, bool]:
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
    for i, tok in enumerate(tokens):
        code = g.state_abbrevs.get(tok)
        if not code:
            continue
        rest_is_filler = all(t in g.filler_words for t in tokens[i + 1 :])
        after_town = any((code, " ".join(tokens[j:i])) in g.towns for j in range(max(0, i - _LONGEST_TOWN_WORDS), i))
        typed_upper = i < len(raw) and raw[i].isupper() and not shouting
        alone = len(tokens) == 1 and tok not in g.filler_words and tok not in g.cue_words
        if (
            alone
            or (after_town and (rest_is_filler or typed_upper))
            or (code in g.served and (typed_upper or (rest_is_filler and tok not in g.filler_words)))
        ):
            found.append((i + 1, 1, code, False))
    if not found:
        return None, None, False
    end, length, code, is_town = max(found, key=lambda f: (f[0], f[1]))
    return code, (end - length, end), is_town


def _exact_towns(g: _Gazetteer, tokens: list[str], states: Iterable[str], states_known: bool) -> list[dict]:
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
            hits.append((n, i, places))
    if not hits:
        return []
    n, i, places = max(hits, key=lambda h: (h[0], h[1]))
    return [dict(p) for p in places]


def _said_as_place(g: _Gazetteer, tokens: list[str], start: int, end: int, states_known: bool) -> bool:
    """A town that is also an everyday word ("Reading", "Faith") counts only when said as a place."""
    rest = [t for j, t in enumerate(tokens) if not start <= j < end]
    return (
        states_known
        or not [t for t in rest if t not in g.filler_words and t not in g.cue_words]
        or (start > 0 and tokens[start - 1] in g.cue_words)
    )


def _typo_towns(g: _Gazetteer, tokens: list[str], states: Iterable[str]) -> list[dict]:
    """Towns within one or two typing errors of the text as a whole or of the words after 'in'."""
    phrases = []
    core = _core(g, tokens)
    if core:
        phrases.append(core)
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


def _core(g: _Gazetteer, tokens: list[str]) -> str:
    """The text without filler ("I live in", "zip is"): what is left should be the place."""
    return " ".join(t for t in tokens if t not in g.filler_words and t not in g.cue_words)


def _resolve_in_state(g: _Gazetteer, tokens: list[str], state: str) -> PlaceMatch:
    served = state in g.served
    towns = _exact_towns(g, tokens, (state,), states_known=True)
    corrected = False
    if not towns and served:
        towns = _typo_towns(g, tokens, (state,))
        corrected = bool(towns)
    if towns:
        if len(towns) > 1:
            return PlaceMatch(AMBIGUOUS, candidates=towns, corrected=corrected)
        return PlaceMatch(FOUND if served else OUTSIDE, towns[0], corrected=corrected)
    if served:
        return PlaceMatch(UNKNOWN, state_hint=state)
    return PlaceMatch(OUTSIDE, dict(g.state_places[state]))


def _choose(g: _Gazetteer, places: list[dict], prefer: str | None) -> PlaceMatch:
    """One place is found; the same name in both states is ambiguous unless a state is preferred."""
    if len(places) == 1:
        return PlaceMatch(FOUND, places[0])
    preferred = [p for p in places if p["state"] == prefer]
    if len(preferred) == 1:
        return PlaceMatch(FOUND, preferred[0])
    order = {s: i for i, s in enumerate(g.served)}
    return PlaceMatch(AMBIGUOUS, candidates=sorted(places, key=lambda p: (order.get(p["state"], 99), p["town"])))
