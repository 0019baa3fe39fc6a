"""Nearest providers by great-circle distance, with the filters a person can ask for.

How a look-up stays fast at any directory size: each combination of filters (programs,
telehealth, language, state) gets its own *view*, the providers that match it, built the first
time the combination is asked for and kept (a few dozen at most, least recently used dropped).
A large view has its own scikit-learn BallTree with the haversine metric, so the k nearest
matching providers come straight out of one tree query, however rare the filter; a small view
is scanned with numpy, which is faster than a tree below a few hundred points. This avoids the
weak spot of filtering after a k-nearest query on the whole directory, where a rare filter
("speaks Khmer") makes k grow towards the whole directory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.neighbors import BallTree

from .lexicon import canonical_language, languages_matching, program_ids
from .model import Provider, SearchResult

EARTH_RADIUS_MILES = 3958.8
RADIUS_STEPS_MILES = (25, 50, 100, 200)  # widening steps; after the last, no distance limit
MIN_RESULTS = 3  # fewer than this within the radius: widen
SCAN_BELOW = 512  # smaller views are scanned: below this a tree query costs more than a scan
MAX_VIEWS = 32


class _View:
    """The located providers matching one filter combination, ready for nearest queries."""

    def __init__(self, positions: np.ndarray, coords: np.ndarray):
        self.positions = positions  # indexes into Directory._located
        self.coords = coords  # radians, (n, 2) as (lat, lon)
        self.tree = BallTree(coords, metric="haversine") if len(positions) >= SCAN_BELOW else None

    def __len__(self) -> int:
        return len(self.positions)

    def nearest(self, point: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and distances (miles) of at least the k nearest, nearest first; ties by
        position. A scanned view returns all its providers: sorting a few hundred is cheap and
        spares a second scan to count those within the radius."""
        k = min(k, len(self.positions))
        if k == 0:
            return self.positions[:0], np.empty(0)
        if self.tree is not None:
            dist, ind = self.tree.query(point.reshape(1, 2), k=k)
            dist, ind = dist[0] * EARTH_RADIUS_MILES, ind[0]
        else:
            dist = haversine_miles(point, self.coords)
            ind = np.arange(len(dist))
        positions = self.positions[ind]
        order = np.lexsort((positions, np.round(dist, 6)))  # same distance: directory order
        return positions[order], dist[order]

    def count_within(self, point: np.ndarray, radius_miles: float) -> int:
        if self.tree is not None:
            return int(
                self.tree.query_radius(point.reshape(1, 2), r=radius_miles / EARTH_RADIUS_MILES, count_only=True)[0]
            )
        return int(np.count_nonzero(haversine_miles(point, self.coords) <= radius_miles))


def haversine_miles(point: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Great-circle distances in miles from one (lat, lon) point to many, all in radians."""
    lat, lon = point
    dlat = coords[:, 0] - lat
    dlon = coords[:, 1] - lon
    a = np.sin(dlat / 2) ** 2 + np.cos(lat) * np.cos(coords[:, 0]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.minimum(a, 1.0)))  # rounding can pass 1


class Directory:
    """The providers of one or more directory files, searchable by distance.

    Build it with `loader.load_directory(paths)` (validated files) or directly from Provider
    objects (tests, benchmark). Providers without coordinates are kept for `unlocated()` but
    never appear in a distance list.
    """

    def __init__(self, providers: Sequence[Provider], sources: Sequence[str] = ()):
        self.providers: tuple[Provider, ...] = tuple(providers)
        self.sources = tuple(sources)
        self._by_id = {p.id: p for p in self.providers}
        self._located = [p for p in self.providers if p.located]
        n = len(self._located)
        self._coords = np.radians(np.array([[p.lat, p.lon] for p in self._located], dtype=float).reshape(n, 2))
        self._program_bit = {pid: 1 << i for i, pid in enumerate(program_ids())}
        self._programs = np.array(
            [sum(self._program_bit[x] for x in p.programs) for p in self._located], dtype=np.uint8
        ).reshape(n)
        self._telehealth = np.array(
            [1 if p.telehealth is True else 0 if p.telehealth is False else -1 for p in self._located], dtype=np.int8
        ).reshape(n)
        self._state = np.array([p.state for p in self._located], dtype="U2").reshape(n)
        self._language_index: dict[str, np.ndarray] = {}
        for i, p in enumerate(self._located):
            for language in p.languages:
                self._language_index.setdefault(language, np.zeros(n, dtype=bool))[i] = True
        self._views: OrderedDict[tuple, _View] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.providers)

    def get(self, provider_id: str) -> Provider | None:
        return self._by_id.get(provider_id)

    def nearest(
        self,
        lat: float,
        lon: float,
        programs: Iterable[str] | str | None = None,
        telehealth: bool | None = None,
        language: str | None = None,
        state: str | None = None,
        limit: int = 3,
        offset: int = 0,
        radius_miles: float = 25,
        widen: bool = True,
    ) -> SearchResult:
        """The nearest providers offering any of `programs`, nearest first.

        `telehealth` True/False keeps providers that do / do not offer it (None: any);
        `language` ("Spanish", "espanol", "someone who speaks Haitian Creole") keeps providers
        listing that language (an unknown language matches nobody; check with
        `lexicon.canonical_language` first); `state` keeps providers in that state.
        With `widen`, fewer than three within `radius_miles` widens the radius step by step
        (25, 50, 100, 200 miles, then no limit); "show more" is the same call with `offset`
        advanced, and it widens further when the page needs it.
        """
        filters = self._filters(programs, telehealth, language, state)
        view = self._view(filters)
        point = np.radians([lat, lon])
        target = offset + MIN_RESULTS
        positions, dist = view.nearest(point, max(offset + limit + 1, target))

        if widen:
            steps = [radius_miles, *(s for s in RADIUS_STEPS_MILES if s > radius_miles)]
            needed = min(target, len(view))
            radius_used = next((r for r in steps if np.count_nonzero(dist <= r) >= needed), None)
        else:
            radius_used = radius_miles

        if radius_used is None:
            total = len(view)
        elif len(dist) == len(view) or dist[-1] > radius_used:
            total = int(np.count_nonzero(dist <= radius_used))  # all within the radius are here
        else:
            total = view.count_within(point, radius_used)

        items = [
            self._located[positions[i]].as_item(dist[i])
            for i in range(offset, min(offset + limit, len(positions)))
            if radius_used is None or dist[i] <= radius_used
        ]
        has_more = offset + limit < (len(view) if widen else total)

        # The fallback the bot offers when nobody is close: telehealth in the person's state.
        th_state = state.upper() if state else (self._located[positions[0]].state if len(positions) else None)
        telehealth_items: list[dict] = []
        if th_state and telehealth is not False:
            th_view = self._view((filters[0], True, filters[2], th_state))
            th_positions, th_dist = th_view.nearest(point, MIN_RESULTS)
            telehealth_items = [
                self._located[p].as_item(d) for p, d in zip(th_positions[:MIN_RESULTS], th_dist[:MIN_RESULTS])
            ]

        return SearchResult(
            items=items,
            radius_used_miles=radius_used,
            widened=radius_used != radius_miles,
            total_within_radius=total,
            nearest_distance_miles=round(float(dist[0]), 1) if len(dist) else None,
            telehealth_in_state=telehealth_items,
            has_more=has_more,
            state=th_state,
            offset=offset,
            limit=limit,
        )

    def unlocated(self, programs: Iterable[str] | str | None = None) -> list[Provider]:
        """Providers without coordinates offering any of `programs` (e.g. the organizations
        named in the CSP document), for "see also the official provider list"; they are never
        part of a distance list. `.name` for the text, `.as_item()` for a payload."""
        wanted = self._program_set(programs)
        return [p for p in self.providers if not p.located and (not wanted or wanted.intersection(p.programs))]

    def _program_set(self, programs: Iterable[str] | str | None) -> set[str]:
        if programs is None:
            return set()
        if isinstance(programs, str):
            programs = [programs]
        wanted = set(programs)
        unknown = wanted - set(program_ids())
        if unknown:
            raise ValueError(f"unknown program id(s): {', '.join(sorted(unknown))}")
        return wanted

    def _filters(self, programs, telehealth, language, state) -> tuple:
        bits = sum(self._program_bit[p] for p in self._program_set(programs))
        if language:
            language = canonical_language(language) or language.strip().lower()
        return (bits, telehealth, language or None, state.upper() if state else None)

    def _view(self, filters: tuple) -> _View:
        with self._lock:
            view = self._views.get(filters)
            if view is not None:
                self._views.move_to_end(filters)
                return view
        bits, telehealth, language, state = filters
        mask = np.ones(len(self._located), dtype=bool)
        if bits:
            mask &= (self._programs & bits) != 0
        if telehealth is not None:
            mask &= self._telehealth == (1 if telehealth else 0)
        if language:
            spoken = np.zeros(len(self._located), dtype=bool)
            for name in languages_matching(language):
                if name in self._language_index:
                    spoken |= self._language_index[name]
            mask &= spoken
        if state:
            mask &= self._state == state
        positions = np.flatnonzero(mask)
        view = _View(positions, self._coords[positions])
        with self._lock:
            self._views[filters] = view
            while len(self._views) > MAX_VIEWS:
                self._views.popitem(last=False)
        return view


def nearest_by_scan(directory: Directory, lat: float, lon: float, k: int, **filters) -> list[tuple[str, float]]:
    """Reference answer for tests and the benchmark: scan every provider, no index.

    Returns (id, miles) of the k nearest located providers matching the filters.
    """
    bits, telehealth, language, state = directory._filters(
        filters.get("programs"), filters.get("telehealth"), filters.get("language"), filters.get("state")
    )
    wanted_languages = set(languages_matching(language)) if language else None
    dist = haversine_miles(np.radians([lat, lon]), directory._coords)
    hits = []
    for i, p in enumerate(directory._located):
        if bits and not any(directory._program_bit[x] & bits for x in p.programs):
            continue
        if telehealth is not None and p.telehealth is not telehealth:
            continue
        if wanted_languages is not None and not wanted_languages.intersection(p.languages):
            continue
        if state and p.state != state:
            continue
        hits.append((float(dist[i]), i, p.id))
    hits.sort()
    return [(pid, d) for d, _, pid in hits[:k]]
