"""The provider directory's records: a provider, a search result, and the load error.

A `Provider` is one service of one organization at one location (an HSDS service_at_location),
flattened to what the assistant says and what the `providers` payload carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class DirectoryError(Exception):
    """A directory file that cannot be loaded: which file, which line, and why."""

    def __init__(self, file: str | Path, line: int | None, reason: str):
        self.file = str(file)
        self.line = line
        self.reason = reason
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    programs: tuple[str, ...]
    state: str
    service_name: str | None = None
    address: str | None = None
    town: str | None = None
    zip: str | None = None
    county: str | None = None
    lat: float | None = None
    lon: float | None = None
    # How the coordinates were found: "address" (geocoded street address), "zip_centroid" or
    # "town_centroid" (approximate). None when there are no coordinates.
    coordinates_source: str | None = None
    phone: str | None = None
    website: str | None = None
    telehealth: bool | None = None  # None: not known
    languages: tuple[str, ...] = ()
    service_area: tuple[str, ...] = ()
    note: str | None = None
    demonstration: bool = False  # fictional provider for tests and demos
    source: str = ""  # "file:line" the record came from

    @property
    def located(self) -> bool:
        """Whether the provider has coordinates; only located providers appear in distance lists."""
        return self.lat is not None and self.lon is not None

    def as_item(self, distance_miles: float | None = None) -> dict:
        """The item of the `providers` custom payload (PRODUCT.md); fields may be added, never renamed."""
        return {
            "id": self.id,
            "name": self.name,
            "programs": list(self.programs),
            "distance_miles": None if distance_miles is None else round(float(distance_miles), 1),
            "address": self.address,
            "town": self.town,
            "state": self.state,
            "zip": self.zip,
            "phone": self.phone,
            "website": self.website,
            "telehealth": self.telehealth,
            "languages": list(self.languages),
            "demonstration": self.demonstration,
            "note": self.note,
        }


@dataclass
class SearchResult:
    """Nearest providers for one place and set of filters, nearest first.

    `items` is the requested page (`offset`, `limit`) as payload items. `radius_used_miles` is the
    search radius that was needed to find enough providers (None: no distance limit, i.e. the
    whole state when a state was given); `widened` says it is larger than the radius asked for.
    `total_within_radius` counts matching providers inside that radius; `nearest_distance_miles`
    is how far the nearest matching provider is (None when none matches at all).
    `telehealth_in_state` lists the nearest matching providers offering telehealth in the
    person's state (the fallback when nobody is close). `has_more` says "show more" would find
    more (with widening, at any distance).
    """

    items: list[dict]
    radius_used_miles: float | None
    widened: bool
    total_within_radius: int
    nearest_distance_miles: float | None
    telehealth_in_state: list[dict] = field(default_factory=list)
    has_more: bool = False
    state: str | None = None  # the state used for `telehealth_in_state`
    offset: int = 0
    limit: int = 3
