"""Benchmark the nearest-provider look-up against a brute-force scan, at 1k, 10k and 100k providers.

Synthetic providers are spread uniformly over the bounding boxes of the states served
(programs/registry.yml; an equal share in each, with that state's programs, random telehealth
and languages). Each query point
is random in the same boxes and asks for the three nearest providers of the programs of its
state, the way the bot asks after a screening. "indexed" is `Directory.nearest` (a BallTree per
filter view; the count within the radius and the telehealth fallback included); "scan" answers
the same (top three, count within 25 miles, three nearest telehealth providers in the state)
with a vectorised numpy haversine over every provider. The views are built before timing; that
one-time cost is printed separately. "same answer" checks the top three against the scan.

Usage: python tools/bench_directory.py [--sizes 1000 10000 100000] [--queries 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from referral.directory import geo  # noqa: E402
from referral.directory.model import Provider  # noqa: E402
from referral.directory.search import EARTH_RADIUS_MILES, Directory, haversine_miles  # noqa: E402
from referral.registry import registry  # noqa: E402

LANGUAGES = ["English", "Spanish", "Portuguese", "Haitian Creole", "Vietnamese", "Khmer", "Arabic"]


def _boxes() -> dict[str, tuple[float, float, float, float]]:
    """Each served state's lat min, lat max, lon min, lon max (its ZIP codes' extent)."""
    boxes = {}
    for state in registry().served_states():
        places = geo.zip_places([state])
        lats, lons = [p["lat"] for p in places], [p["lon"] for p in places]
        boxes[state] = (min(lats), max(lats), min(lons), max(lons))
    return boxes


BOXES = _boxes()
STATES = tuple(BOXES)
PROGRAMS_OF_STATE = {state: list(registry().programs_in(state)) for state in STATES}


def synthetic_directory(n: int, rng: np.random.Generator) -> Directory:
    """Providers spread evenly over the served states: each offers its state's first program and
    the state's other programs three times in ten."""
    providers = []
    for i in range(n):
        state = STATES[i % len(STATES)]
        lat_min, lat_max, lon_min, lon_max = BOXES[state]
        first, *others = registry().programs_in(state)
        programs = (first,) + tuple(p for p in others if rng.random() < 0.3)
        languages = ("English",) + tuple(x for x in LANGUAGES[1:] if rng.random() < 0.15)
        providers.append(
            Provider(
                id=f"synthetic-{i}",
                name=f"Demo Synthetic Provider {i}",
                programs=programs,
                state=state,
                lat=float(rng.uniform(lat_min, lat_max)),
                lon=float(rng.uniform(lon_min, lon_max)),
                telehealth=bool(rng.random() < 0.5),
                languages=languages,
                demonstration=True,
            )
        )
    return Directory(providers)


def random_queries(count: int, rng: np.random.Generator) -> list[tuple[float, float, str]]:
    queries = []
    for i in range(count):
        state = STATES[i % len(STATES)]
        lat_min, lat_max, lon_min, lon_max = BOXES[state]
        queries.append((float(rng.uniform(lat_min, lat_max)), float(rng.uniform(lon_min, lon_max)), state))
    return queries


class BruteForce:
    """The same question answered by scanning every provider (what the index must beat): the
    three nearest of the programs, the count within 25 miles, and the three nearest offering
    telehealth in the state (the fallback `Directory.nearest` also computes)."""

    def __init__(self, directory: Directory):
        located = directory._located
        self.coords = np.radians([[p.lat, p.lon] for p in located])
        self.providers = located
        state = np.array([p.state for p in located])
        telehealth = np.array([p.telehealth is True for p in located])
        self.mask = {
            st: np.array([bool(set(p.programs).intersection(programs)) for p in located]) & (state == st)
            for st, programs in PROGRAMS_OF_STATE.items()
        }
        self.telehealth_mask = {st: m & telehealth for st, m in self.mask.items()}

    def nearest(self, lat: float, lon: float, state: str, k: int = 3, radius: float = 25) -> tuple[list, int, list]:
        dist = haversine_miles(np.radians([lat, lon]), self.coords)
        matching = np.where(self.mask[state], dist, np.inf)
        top = self._top(matching, k)
        count = int(np.count_nonzero(matching <= radius))
        telehealth = self._top(np.where(self.telehealth_mask[state], dist, np.inf), k)
        items = [self.providers[i].as_item(dist[i]) for i in top]
        fallback = [self.providers[i].as_item(dist[i]) for i in telehealth]
        return [i["id"] for i in items], count, fallback

    @staticmethod
    def _top(dist: np.ndarray, k: int) -> np.ndarray:
        top = np.argpartition(dist, k)[:k]
        return top[np.argsort(dist[top], kind="stable")]


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print(
        f"{'providers':>10} {'indexed median':>15} {'indexed p95':>12} {'scan median':>12} {'scan p95':>9} "
        f"{'speed-up (median)':>18} {'view build':>11} {'same answer':>12}"
    )
    for size in args.sizes:
        rng = np.random.default_rng(args.seed)
        directory = synthetic_directory(size, rng)
        brute = BruteForce(directory)
        queries = random_queries(args.queries, rng)

        t0 = time.perf_counter()
        for state, programs in PROGRAMS_OF_STATE.items():  # build the views the queries use
            lat, lon = BOXES[state][0], BOXES[state][2]
            directory.nearest(lat, lon, programs=programs, state=state)
        build_ms = (time.perf_counter() - t0) * 1000

        def indexed(q, directory=directory):
            lat, lon, state = q
            return directory.nearest(lat, lon, programs=PROGRAMS_OF_STATE[state], state=state)

        def scan(q, brute=brute):
            lat, lon, state = q
            return brute.nearest(lat, lon, state)

        same = 0
        for q in queries:
            result = indexed(q)
            ids, _, _ = scan(q)
            # Compare the nearest three regardless of radius (the scan has no widening).
            nearest3 = directory.nearest(
                q[0], q[1], programs=PROGRAMS_OF_STATE[q[2]], state=q[2], widen=False, radius_miles=1e6
            )
            same += [i["id"] for i in nearest3.items] == ids
            assert result.items, "a look-up must never come back empty here"
        t_index = timed(indexed, queries)
        t_scan = timed(scan, queries)
        m_index, m_scan = statistics.median(t_index), statistics.median(t_scan)
        print(
            f"{size:>10} {m_index:>12.3f} ms {p95(t_index):>9.3f} ms {m_scan:>9.3f} ms {p95(t_scan):>6.3f} ms "
            f"{m_scan / m_index:>17.1f}x {build_ms:>8.0f} ms {same:>6}/{len(queries)}"
        )
    print(f"(earth radius {EARTH_RADIUS_MILES} miles; {args.queries} queries per size; seed {args.seed})")


if __name__ == "__main__":
    main()
