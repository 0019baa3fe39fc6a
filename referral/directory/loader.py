"""Load and validate provider directory files (JSON or CSV), all or nothing.

`load_directory(paths)` reads every file, checks every record, and only then builds the
`Directory`; the first bad record raises `DirectoryError` with its file, line and reason, so a
directory is never half-loaded and no row is silently dropped. The format is described in
README.md next to this file. `default_directory()` loads the data set chosen by the
DIRECTORY_DATASET setting, once per process.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from referral.registry import program_file

from . import geo
from .lexicon import language_name, program_ids, program_states
from .model import DirectoryError, Provider
from .search import Directory

# DIRECTORY_DATASET values and their files in the programs folder's providers/ (programs/, or
# REFERRAL_PROGRAMS_DIR); any other value is a path (or paths joined by ":").
DATA_DIR = Path(__file__).parent / "data"  # reference data: languages, import headers, states


def providers_dir() -> Path:
    """The provider files of the programs folder."""
    return program_file("providers")


DATASETS = {
    "demo": ("demo_providers.json", "named_providers.json"),
    "named": ("named_providers.json",),
}
DEFAULT_DATASET = "demo"

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
_PHONE_RE = re.compile(
    r"^\s*(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})\s*(?:(?:x|ext\.?|extension)\s*(\d{1,6}))?\s*$",
    re.IGNORECASE,
)
COORDINATE_SOURCES = ("address", "zip_centroid", "town_centroid")

# The fields of a record, by part (HSDS table); see README.md for what each means.
RECORD_FIELDS = {
    "id": None,
    "organization": ("name", "website"),
    "service": ("name", "programs", "telehealth", "languages", "service_area"),
    "location": (
        "address_1",
        "address_2",
        "city",
        "state",
        "postal_code",
        "county",
        "latitude",
        "longitude",
        "coordinates_source",
    ),
    "phone": None,
    "note": None,
}
DATASET_FIELDS = ("id", "title", "demonstration", "description", "source", "official_list")

# The flat CSV form: one column per field; lists are separated by ";".
CSV_COLUMNS = {
    "id": ("id",),
    "organization_name": ("organization", "name"),
    "website": ("organization", "website"),
    "service_name": ("service", "name"),
    "programs": ("service", "programs"),
    "telehealth": ("service", "telehealth"),
    "languages": ("service", "languages"),
    "service_area": ("service", "service_area"),
    "address_1": ("location", "address_1"),
    "address_2": ("location", "address_2"),
    "city": ("location", "city"),
    "state": ("location", "state"),
    "postal_code": ("location", "postal_code"),
    "county": ("location", "county"),
    "latitude": ("location", "latitude"),
    "longitude": ("location", "longitude"),
    "coordinates_source": ("location", "coordinates_source"),
    "phone": ("phone",),
    "note": ("note",),
    "demonstration": None,
}
CSV_REQUIRED = ("id", "organization_name", "programs", "state")
CSV_LIST_COLUMNS = ("programs", "languages", "service_area")


@dataclass(frozen=True)
class Dataset:
    """The header of a directory file: which data set it is and whether it is fictional."""

    id: str
    title: str
    demonstration: bool


def load_directory(paths: str | Path | Iterable[str | Path]) -> Directory:
    """Load one or more directory files into a searchable Directory, or raise DirectoryError."""
    if isinstance(paths, str | Path):
        paths = [paths]
    providers: list[Provider] = []
    first_seen: dict[str, str] = {}
    sources = []
    for path in map(Path, paths):
        for provider in read_providers(path):
            if provider.id in first_seen:
                file, line = provider.source.rsplit(":", 1)
                raise DirectoryError(
                    file, int(line), f"duplicate id '{provider.id}' (first used at {first_seen[provider.id]})"
                )
            first_seen[provider.id] = provider.source
            providers.append(provider)
        sources.append(str(path))
    return Directory(providers, sources=sources)


def read_providers(path: Path) -> list[Provider]:
    """Every provider of one file, validated; raises DirectoryError on the first bad record."""
    if not path.is_file():
        raise DirectoryError(path, None, "file not found")
    if path.suffix.lower() == ".json":
        dataset, rows = _read_json(path)
    elif path.suffix.lower() == ".csv":
        dataset, rows = None, _read_csv(path)
    else:
        raise DirectoryError(path, None, "unsupported file type (use .json or .csv)")
    providers = []
    for line, record, demonstration in rows:
        if dataset is not None:
            demonstration = dataset.demonstration
        providers.append(provider_from_record(record, path, line, demonstration))
    return providers


def provider_from_record(record: object, file: str | Path, line: int | None, demonstration: bool) -> Provider:
    """Check one record against the format and turn it into a Provider."""

    def fail(reason: str) -> DirectoryError:
        return DirectoryError(file, line, reason)

    if not isinstance(record, dict):
        raise fail("a provider must be an object")
    for key in record:
        if key not in RECORD_FIELDS:
            raise fail(f"unknown field '{key}'")
    parts = {}
    for part, allowed in RECORD_FIELDS.items():
        if allowed is None:
            continue
        value = record.get(part) or {}
        if not isinstance(value, dict):
            raise fail(f"'{part}' must be an object")
        for key in value:
            if key not in allowed:
                raise fail(f"unknown field '{part}.{key}'")
        parts[part] = value
    org, service, loc = parts["organization"], parts["service"], parts["location"]

    provider_id = _text(record.get("id"), "id", fail)
    if not provider_id:
        raise fail("missing required field 'id'")
    if not _ID_RE.match(provider_id):
        raise fail(f"id '{provider_id}' may use only letters, digits, '.', '_' and '-'")

    name = _text(org.get("name"), "organization.name", fail)
    if not name:
        raise fail("missing required field 'organization.name'")
    if demonstration and "Demo" not in name:
        raise fail(f"'{name}' is in a demonstration data set but its name does not say 'Demo'")

    programs = service.get("programs")
    if programs in (None, "", []):
        raise fail("missing required field 'service.programs'")
    if not isinstance(programs, list) or not all(isinstance(p, str) for p in programs):
        raise fail("'service.programs' must be a list of program ids")
    for program in programs:
        if program not in program_ids():
            raise fail(f"unknown program '{program}' (expected one of {', '.join(program_ids())})")
    if len(set(programs)) != len(programs):
        raise fail("'service.programs' lists a program twice")

    state = _text(loc.get("state"), "location.state", fail)
    if not state:
        raise fail("missing required field 'location.state'")
    if geo.state_code(state) != state:
        raise fail(f"state '{state}' is not a two-letter US state code")
    for program in programs:
        if state not in program_states(program):
            raise fail(f"program {program} is delivered in {', '.join(program_states(program))}, not {state}")

    zip_code = _text(loc.get("postal_code"), "location.postal_code", fail)
    if zip_code:
        if not _ZIP_RE.match(zip_code):
            raise fail(f"ZIP code '{zip_code}' must be 5 digits (or ZIP+4)")
        zip_place = geo.zip_place(zip_code)
        if zip_place is None:
            raise fail(f"ZIP code '{zip_code}' does not exist")
        if zip_place["state"] != state:
            raise fail(f"ZIP code '{zip_code}' is in {zip_place['state']}, not {state}")

    lat, lon = loc.get("latitude"), loc.get("longitude")
    lat = None if lat == "" else lat
    lon = None if lon == "" else lon
    if (lat is None) != (lon is None):
        raise fail("give both latitude and longitude, or neither")
    coordinates_source = _text(loc.get("coordinates_source"), "location.coordinates_source", fail)
    if lat is not None:
        for label, value, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail(f"{label} must be a number")
            if not -limit <= value <= limit:
                raise fail(f"{label} {value} is out of range (-{limit} to {limit})")
        if not geo.within_state_bounds(lat, lon, state):
            raise fail(f"coordinates {lat}, {lon} are not in {state} (latitude and longitude swapped?)")
        if coordinates_source and coordinates_source not in COORDINATE_SOURCES:
            raise fail(f"coordinates_source must be one of {', '.join(COORDINATE_SOURCES)}")
    elif coordinates_source:
        raise fail("coordinates_source given without coordinates")

    phone = _text(record.get("phone"), "phone", fail)
    if phone:
        phone = normalize_phone(phone)
        if phone is None:
            raise fail(f"phone '{record['phone']}' is not a US phone number like 508-555-0101")

    website = _text(org.get("website"), "organization.website", fail)
    if website and not is_web_address(website):
        raise fail(f"website '{website}' must be a full http(s) address like https://example.org")

    languages = service.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise fail("'service.languages' must be a list of language names")
    canonical = []
    for language in languages:
        known = language_name(language)
        if known is None:
            raise fail(f"unknown language '{language}' (add it to data/languages.json)")
        if known not in canonical:
            canonical.append(known)

    telehealth = service.get("telehealth")
    if telehealth is not None and not isinstance(telehealth, bool):
        raise fail("'service.telehealth' must be true, false or null (not known)")

    service_area = service.get("service_area") or []
    if not isinstance(service_area, list) or not all(isinstance(x, str) and x.strip() for x in service_area):
        raise fail("'service.service_area' must be a list of place names")

    county = _text(loc.get("county"), "location.county", fail)
    if not county and zip_code:
        county = geo.zip_place(zip_code)["county"]

    address = (
        ", ".join(
            a
            for a in (
                _text(loc.get("address_1"), "location.address_1", fail),
                _text(loc.get("address_2"), "location.address_2", fail),
            )
            if a
        )
        or None
    )
    return Provider(
        id=provider_id,
        name=name,
        programs=tuple(programs),
        state=state,
        service_name=_text(service.get("name"), "service.name", fail),
        address=address,
        town=_text(loc.get("city"), "location.city", fail),
        zip=zip_code,
        county=county,
        lat=None if lat is None else float(lat),
        lon=None if lon is None else float(lon),
        coordinates_source=coordinates_source if lat is not None else None,
        phone=phone,
        website=website,
        telehealth=telehealth,
        languages=tuple(canonical),
        service_area=tuple(x.strip() for x in service_area),
        note=_text(record.get("note"), "note", fail),
        demonstration=demonstration,
        source=f"{file}:{line}",
    )


def dump_directory(dataset: dict, records: list[dict]) -> str:
    """A directory file's text: the dataset header, then one provider per block, one part
    (organization, service, location) per line, so that an error's line number finds it."""
    header = json.dumps(dataset, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    out = ["{", f'  "dataset": {header},', '  "providers": [']
    for i, record in enumerate(records):
        fields = [f"      {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in record.items()]
        out.append("    {\n" + ",\n".join(fields) + "\n    }" + ("," if i < len(records) - 1 else ""))
    out += ["  ]", "}"]
    return "\n".join(out) + "\n"


def normalize_phone(text: str) -> str | None:
    """'(508) 555-0101 x 12' -> '508-555-0101 ext. 12'; None when not a US phone number."""
    m = _PHONE_RE.match(text)
    if not m:
        return None
    number = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return f"{number} ext. {m.group(4)}" if m.group(4) else number


def is_web_address(text: str) -> bool:
    parsed = urlparse(text)
    return parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in text


def _text(value: object, label: str, fail) -> str | None:
    """An optional text field: None or empty means not given."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(f"'{label}' must be text")
    return value.strip() or None


def _read_json(path: Path) -> tuple[Dataset, list[tuple[int, object, bool]]]:
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DirectoryError(path, err.lineno, f"not valid JSON: {err.msg}") from None
    if not isinstance(doc, dict) or "providers" not in doc or "dataset" not in doc:
        raise DirectoryError(path, 1, "expected an object with 'dataset' and 'providers'")
    for key in doc:
        if key not in ("dataset", "providers", "_about"):
            raise DirectoryError(path, _line_of_key(text, key), f"unknown top-level field '{key}'")
    dataset = _dataset(doc["dataset"], path, _line_of_key(text, "dataset"))
    if not isinstance(doc["providers"], list):
        raise DirectoryError(path, _line_of_key(text, "providers"), "'providers' must be a list")
    lines = array_item_lines(text, "providers")
    return dataset, [(line, record, dataset.demonstration) for line, record in zip(lines, doc["providers"])]


def _dataset(value: object, path: Path, line: int) -> Dataset:
    if not isinstance(value, dict):
        raise DirectoryError(path, line, "'dataset' must be an object")
    for key in value:
        if key not in DATASET_FIELDS:
            raise DirectoryError(path, line, f"unknown field 'dataset.{key}'")
    for key in ("id", "title"):
        if not isinstance(value.get(key), str) or not value[key].strip():
            raise DirectoryError(path, line, f"missing required field 'dataset.{key}'")
    if not isinstance(value.get("demonstration"), bool):
        raise DirectoryError(path, line, "'dataset.demonstration' must be true or false")
    return Dataset(value["id"], value["title"], value["demonstration"])


def _line_of_key(text: str, key: str) -> int:
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def array_item_lines(text: str, key: str | None) -> list[int]:
    """The line where each element of a JSON array starts: the top-level array (key None) or the
    array under a top-level key. The text must already be valid JSON."""
    decoder = json.JSONDecoder()
    space = re.compile(r"\s*")
    pos = space.match(text, 0).end()

    def skip(i: int) -> int:
        return space.match(text, i).end()

    def items(i: int) -> list[int]:
        lines, line, counted = [], 1, 0
        i = skip(i + 1)  # past "["
        while text[i] != "]":
            line += text.count("\n", counted, i)
            counted = i
            lines.append(line)
            _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return lines

    if key is None:
        return items(pos) if text[pos] == "[" else []
    if text[pos] != "{":
        return []
    pos = skip(pos + 1)
    while text[pos] != "}":
        name, pos = decoder.raw_decode(text, pos)
        pos = skip(skip(pos) + 1)  # past ":"
        if name == key and text[pos] == "[":
            return items(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] == ",":
            pos = skip(pos + 1)
    return []


def _read_csv(path: Path) -> Iterator[tuple[int, dict, bool]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        for column in header:
            if column not in CSV_COLUMNS:
                raise DirectoryError(path, 1, f"unknown column '{column}'")
        for column in CSV_REQUIRED:
            if column not in header:
                raise DirectoryError(path, 1, f"missing required column '{column}'")
        rows = []
        for row in reader:
            line = reader.line_num
            if None in row:
                raise DirectoryError(path, line, "more cells than columns")
            record: dict = {}
            demonstration = False
            for column, value in row.items():
                value = (value or "").strip()
                if column == "demonstration":
                    demonstration = _csv_bool(value, path, line, column) or False
                    continue
                target = CSV_COLUMNS[column]
                if column in CSV_LIST_COLUMNS:
                    value = [v.strip() for v in value.split(";") if v.strip()]
                elif column == "telehealth":
                    value = _csv_bool(value, path, line, column)
                elif column in ("latitude", "longitude") and value:
                    try:
                        value = float(value)
                    except ValueError:
                        raise DirectoryError(path, line, f"{column} must be a number") from None
                if value in ("", []):
                    continue
                if len(target) == 1:
                    record[target[0]] = value
                else:
                    record.setdefault(target[0], {})[target[1]] = value
            rows.append((line, record, demonstration))
    return iter(rows)


def _csv_bool(value: str, path: Path, line: int, column: str) -> bool | None:
    folded = value.strip().lower()
    if folded in ("", "unknown"):
        return None
    if folded in ("yes", "y", "true", "1"):
        return True
    if folded in ("no", "n", "false", "0"):
        return False
    raise DirectoryError(path, line, f"'{column}' must be yes, no or empty")


def dataset_paths(setting: str | None = None) -> list[Path]:
    """The files of a DIRECTORY_DATASET setting: 'demo', 'named', or file paths joined by ':'."""
    setting = (setting or DEFAULT_DATASET).strip()
    if setting in DATASETS:
        return [providers_dir() / name for name in DATASETS[setting]]
    return [Path(p).expanduser() for p in setting.split(os.pathsep) if p.strip()]


def default_directory() -> Directory:
    """The directory chosen by the DIRECTORY_DATASET environment variable, loaded once."""
    return _load_setting(os.environ.get("DIRECTORY_DATASET", DEFAULT_DATASET).strip() or DEFAULT_DATASET)


@lru_cache(maxsize=4)
def _load_setting(setting: str) -> Directory:
    geo.warm_up()
    return load_directory(dataset_paths(setting))
