"""The index of every US ZIP code and town behind the offline geocoding (referral/directory/geo.py):
built from the `zipcodes` package, cached on disk in var/cache, and kept small in memory."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import os
import pickle
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import zipcodes

from referral.registry import registry

DATA_DIR = Path(__file__).parent / "data"
CACHE_DIR = Path(os.environ.get("REFERRAL_CACHE_DIR") or Path(__file__).resolve().parents[2] / "var" / "cache")


def name_key(text: str) -> str:
    """The form used to compare place names: lower case, no accents or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[-/]", " ", text.lower())
    text = re.sub(r"[^a-z0-9& ]", "", text)
    return " ".join(text.split())


def display_town(name: str) -> str:
    """'Winston-salem' -> 'Winston-Salem' (zipcodes lower-cases after a hyphen)."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


PLACE_FIELDS = ("zip", "town", "state", "county", "lat", "lon")
ZIP_COUNT = len(PLACE_FIELDS)  # index of a town's ZIP count in its tuple


class PlaceTable(Mapping):
    """Place dicts stored as tuples (zip, town, state, county, lat, lon); each lookup returns a
    fresh dict. One tuple per ZIP and per town, instead of one dict each, keeps the index of
    every US place small. A town's tuple has a 7th item, its number of ZIPs (not in the dict)."""

    __slots__ = ("rows",)

    def __init__(self, rows: dict) -> None:
        self.rows = rows

    def __getitem__(self, key) -> dict:
        return dict(zip(PLACE_FIELDS, self.rows[key]))

    def __contains__(self, key) -> bool:
        return key in self.rows

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Gazetteer:
    """Every US ZIP and town, indexed once per process (building it takes a few seconds)."""

    zips: PlaceTable  # "01608" -> place dict
    standard_zips: frozenset[str]  # ZIPs of streets (not PO boxes or single companies)
    towns: PlaceTable  # (state, name key) -> place dict of the town centroid
    town_states: tuple[str, ...]  # every state (and territory) that has towns, sorted
    state_places: dict[str, dict]  # "TX" -> place dict of the state (centroid of its ZIPs)
    state_names: dict[str, str]  # full-name key ("texas", "north carolina") -> code
    state_abbrevs: dict[str, str]  # "tx", "tex", "mass" -> code
    state_bounds: dict[str, tuple[float, float, float, float]]  # code -> lat/lon min/max
    served: tuple[str, ...]
    served_town_keys: dict[str, list[str]]  # state -> its town name keys, for typo matching
    cue_words: frozenset[str]
    filler_words: frozenset[str]
    nicknames: dict[str, str]  # "gboro" -> "greensboro" (place_words.json)
    common_word_towns: frozenset[str]


def _cache_path() -> Path:
    """The cache file of this code, these data files and this `zipcodes` version."""
    digest = hashlib.sha256(zipcodes.__version__.encode())
    for path in (Path(__file__), DATA_DIR / "us_states.json", DATA_DIR / "place_words.json"):
        digest.update(path.read_bytes())
    digest.update(" ".join(registry().served_states()).encode())  # the states served come from the registry
    return CACHE_DIR / f"gazetteer-{digest.hexdigest()[:16]}.pickle"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The index, from the cache file when this code and data built one before (0.1 s, not 3 s)."""
    path = _cache_path()
    try:
        with path.open("rb") as cached:
            gazetteer = pickle.load(cached)
        if isinstance(gazetteer, Gazetteer):
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
    _release_memory()
    return gazetteer


def _release_memory() -> None:
    """After a build: it creates and drops 42,000 raw ZIP records from `zipcodes`. Collect them
    and hand the freed heap pages back to the system, so the process does not keep them."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only
        except (OSError, AttributeError):
            pass


def _build_gazetteer() -> Gazetteer:
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
    return Gazetteer(
        zips=PlaceTable(zips),
        standard_zips=frozenset(standard_zips),
        towns=PlaceTable(towns),
        town_states=tuple(sorted({state for state, _ in towns})),
        state_places=state_places,
        state_names=state_names,
        state_abbrevs=state_abbrevs,
        state_bounds=state_bounds,
        served=served,
        served_town_keys={s: sorted(k for st, k in towns if st == s) for s in served},
        cue_words=frozenset(words["cue_words"]),
        filler_words=frozenset(words["filler_words"]),
        nicknames={k: v for k, v in words.get("nicknames", {}).items() if not k.startswith("_")},
        common_word_towns=frozenset(words["common_word_towns"]),
    )
