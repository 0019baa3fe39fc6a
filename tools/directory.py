"""Provider directory command line: validate files, import provider lists, print coverage.

  python tools/directory.py validate FILE [FILE ...]
  python tools/directory.py import-csv LIST.csv --out FILE.json [--program CSP] [--state MA]
  python tools/directory.py import-hsds SERVICES.json --out FILE.json [--program CSP]
  python tools/directory.py stats FILE [FILE ...] [--within-miles 25] [--show 10]

The formats and the import column names are described in referral/directory/README.md.
Errors print as FILE:LINE: reason and exit with status 1; nothing is written on an error.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from referral.directory import geo  # noqa: E402
from referral.directory.lexicon import (  # noqa: E402
    language_name,
    program_ids,
    program_states,
    programs_in_text,
)
from referral.directory.loader import (  # noqa: E402
    DATA_DIR,
    array_item_lines,
    dump_directory,
    load_directory,
    normalize_phone,
    provider_from_record,
)
from referral.directory.model import DirectoryError  # noqa: E402


def header_key(text: str) -> str:
    """'Program(s)', 'ZIP Code' -> 'programs', 'zipcode': how import headers are compared."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def column_map(header: list[str]) -> tuple[dict[str, str], list[str]]:
    """Directory field -> the CSV column holding it; plus the columns nothing reads."""
    known = json.loads((DATA_DIR / "import_headers.json").read_text(encoding="utf-8"))["columns"]
    by_key = {header_key(h): field for field, headers in known.items() for h in headers}
    mapping: dict[str, str] = {}
    unread = []
    for column in header:
        field = by_key.get(header_key(column))
        if field and field not in mapping:
            mapping[field] = column
        else:
            unread.append(column)
    return mapping, unread


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "provider"


def unique_id(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def locate(location: dict, geocode: bool) -> None:
    """Fill missing coordinates from the ZIP or town centroid, marking how they were found."""
    if location.get("latitude") is not None or not geocode:
        return
    place, source = None, None
    if location.get("postal_code"):
        place, source = geo.zip_place(location["postal_code"]), "zip_centroid"
    if place is None and location.get("city") and location.get("state"):
        place, source = geo.town_place(location["city"], location["state"]), "town_centroid"
    if place is not None and place["state"] == location.get("state"):
        location.update(latitude=place["lat"], longitude=place["lon"], coordinates_source=source)


def clean_zip(text: str) -> str:
    """Spreadsheets drop the leading zero of Massachusetts ZIPs ("1608"): put it back."""
    text = text.strip()
    return text.zfill(5) if re.fullmatch(r"\d{3,4}", text) else text


def split_phones(text: str) -> tuple[str | None, list[str]]:
    parts = [p.strip() for p in re.split(r"[;/\n]|\bor\b", text) if p.strip()]
    return (parts[0], parts[1:]) if parts else (None, [])


def web_address(text: str) -> str:
    text = text.strip()
    return text if not text or re.match(r"https?://", text, re.I) else "https://" + text


def write_output(out: Path, dataset: dict, records: list[dict], geocode_counts: Counter) -> None:
    text = dump_directory(dataset, records)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")
    tmp.write_text(text, encoding="utf-8")
    try:
        directory = load_directory(tmp)  # the output must load exactly as the bot will load it
    except DirectoryError as err:
        tmp.unlink()
        raise DirectoryError(out, err.line, err.reason) from None
    tmp.replace(out)
    located = sum(1 for p in directory.providers if p.located)
    print(
        f"wrote {out}: {len(records)} providers, {located} with coordinates "
        f"({geocode_counts['address']} given, {geocode_counts['zip_centroid']} ZIP centroid, "
        f"{geocode_counts['town_centroid']} town centroid), {len(records) - located} without"
    )


def import_csv(args: argparse.Namespace) -> None:
    path = Path(args.file)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        mapping, unread = column_map(reader.fieldnames or [])
        if "name" not in mapping:
            raise DirectoryError(path, 1, "no provider name column (e.g. 'Provider', 'Organization')")
        if unread:
            print(f"note: columns not imported: {', '.join(unread)}", file=sys.stderr)
        records, taken, counts = [], set(), Counter()
        for row in reader:
            line = reader.line_num
            cell = {field: (row.get(column) or "").strip() for field, column in mapping.items()}
            if not any(cell.values()):
                continue
            record = csv_record(cell, args, path, line, taken)
            provider_from_record(record, path, line, demonstration=False)  # stops on the first bad row
            counts[record["location"].get("coordinates_source", "none")] += 1
            records.append(record)
    dataset = {
        "id": args.dataset_id or Path(args.out).stem,
        "title": f"Providers imported from {path.name}",
        "demonstration": False,
        "source": f"{path.name}, imported {dt.date.today().isoformat()} with tools/directory.py import-csv",
    }
    write_output(Path(args.out), dataset, records, counts)


def csv_record(cell: dict, args: argparse.Namespace, path: Path, line: int, taken: set[str]) -> dict:
    def fail(reason: str) -> DirectoryError:
        return DirectoryError(path, line, reason)

    programs = programs_in_text(cell.get("programs", "")) if cell.get("programs") else [args.program]
    if programs is None:
        raise fail(f"program '{cell['programs']}' not recognised (see programs.json import_words)")
    state = geo.state_code(cell["state"]) if cell.get("state") else args.state
    if state is None:
        raise fail(f"state '{cell['state']}' is not a US state")
    languages = []
    for part in re.split(r"[;,/]", cell.get("languages", "")):
        if part.strip():
            name = language_name(part)
            if name is None:
                raise fail(f"unknown language '{part.strip()}' (add it to data/languages.json)")
            languages.append(name)
    telehealth = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(
        cell.get("telehealth", "").lower()
    )
    phone, other_phones = split_phones(cell.get("phone", ""))
    if phone:
        if normalize_phone(phone) is None:
            raise fail(f"phone '{phone}' is not a US phone number")
        phone = normalize_phone(phone)
    notes = [cell["note"]] if cell.get("note") else []
    if other_phones:
        notes.append("Other phones: " + ", ".join(other_phones))

    location = {"state": state}
    for field in ("address_1", "address_2", "city", "county"):
        if cell.get(field):
            location[field] = cell[field]
    if cell.get("postal_code"):
        location["postal_code"] = clean_zip(cell["postal_code"])
    if cell.get("latitude") and cell.get("longitude"):
        try:
            location.update(latitude=float(cell["latitude"]), longitude=float(cell["longitude"]))
        except ValueError:
            raise fail("latitude and longitude must be numbers") from None
        location["coordinates_source"] = "address"
    locate(location, args.geocode)

    record = {
        "id": unique_id(slug(f"{cell['name']} {cell.get('city', '')}"), taken),
        "organization": {
            "name": cell["name"],
            **({"website": web_address(cell["website"])} if cell.get("website") else {}),
        },
        "service": {
            "name": cell.get("service_name") or None,
            "programs": programs,
            "telehealth": telehealth,
            "languages": languages,
            "service_area": [a.strip() for a in re.split(r"[;\n]", cell.get("service_area", "")) if a.strip()],
        },
        "location": location,
    }
    if not record["service"]["name"]:
        del record["service"]["name"]
    if phone:
        record["phone"] = phone
    if notes:
        record["note"] = " ".join(notes)
    return record


def hsds_services(doc: object, text: str) -> list[tuple[int, dict, dict | None]]:
    """(line, service, parent organization) for an HSDS 3 services list, API page or organization."""
    if isinstance(doc, list):
        return [(line, s, None) for line, s in zip(array_item_lines(text, None), doc)]
    if isinstance(doc, dict):
        for key in ("contents", "services"):
            if isinstance(doc.get(key), list):
                parent = doc if key == "services" and "name" in doc else None
                return [(line, s, parent) for line, s in zip(array_item_lines(text, key), doc[key])]
        if "service_at_locations" in doc or "organization" in doc:
            return [(1, doc, None)]
    return []


def import_hsds(args: argparse.Namespace) -> None:
    path = Path(args.file)
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise DirectoryError(path, err.lineno, f"not valid JSON: {err.msg}") from None
    services = hsds_services(doc, text)
    if not services:
        raise DirectoryError(path, 1, "no HSDS services found (expected a list, 'contents' or 'services')")
    records, taken, counts = [], set(), Counter()
    for line, service, parent in services:
        for record in hsds_records(service, parent, args, path, line, taken):
            provider_from_record(record, path, line, demonstration=False)
            counts[record["location"].get("coordinates_source", "none")] += 1
            records.append(record)
    dataset = {
        "id": args.dataset_id or Path(args.out).stem,
        "title": f"Providers imported from {path.name} (HSDS)",
        "demonstration": False,
        "source": f"{path.name}, imported {dt.date.today().isoformat()} with tools/directory.py import-hsds",
    }
    write_output(Path(args.out), dataset, records, counts)


def hsds_records(service: dict, parent: dict | None, args, path: Path, line: int, taken: set[str]) -> list[dict]:
    def fail(reason: str) -> DirectoryError:
        return DirectoryError(path, line, reason)

    if not isinstance(service, dict):
        raise fail("an HSDS service must be an object")
    org = service.get("organization") or parent or {}
    name = (org.get("name") or service.get("name") or "").strip()
    if not name:
        raise fail("service has no organization name")

    texts = [service.get("name"), service.get("alternate_name"), (service.get("program") or {}).get("name")]
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        texts += [term.get("code"), term.get("name"), term.get("term"), attribute.get("value")]
    programs: list[str] = []
    for t in texts:
        for program in (programs_in_text(t) if isinstance(t, str) else None) or []:
            if program not in programs:
                programs.append(program)
    if not programs:
        if not args.program:
            raise fail(
                f"no program id ({', '.join(program_ids())}) in the service's name, program or "
                "attributes; pass --program to set one"
            )
        programs = [args.program]

    languages = []
    for lang in service.get("languages") or []:
        label = lang.get("name") or lang.get("code") or ""
        known = language_name(label)
        if known is None:
            raise fail(f"unknown language '{label}' (add it to data/languages.json)")
        if known not in languages:
            languages.append(known)
    areas = [a.get("name") or a.get("description") for a in service.get("service_areas") or []]
    website = service.get("url") or org.get("website") or org.get("url")

    sals = service.get("service_at_locations") or [{}]
    locations = [(sal, sal.get("location") or {}) for sal in sals]
    virtual = any(loc.get("location_type") == "virtual" for _, loc in locations)
    physical = [(sal, loc) for sal, loc in locations if loc.get("location_type") != "virtual"] or locations[:1]
    records = []
    for sal, loc in physical:
        addresses = loc.get("addresses") or loc.get("physical_addresses") or []
        address = next((a for a in addresses if a.get("address_type") == "physical"), addresses[0] if addresses else {})
        state_text = address.get("state_province") or ""
        state = geo.state_code(state_text) if state_text else args.state
        if state is None:
            raise fail(f"state '{state_text}' is not a US state")
        location = {"state": state}
        for ours, theirs in (("address_1", "address_1"), ("address_2", "address_2"), ("city", "city")):
            if address.get(theirs):
                location[ours] = address[theirs]
        if address.get("postal_code"):
            location["postal_code"] = clean_zip(str(address["postal_code"]))
        if loc.get("latitude") is not None and loc.get("longitude") is not None:
            location.update(latitude=loc["latitude"], longitude=loc["longitude"], coordinates_source="address")
        locate(location, args.geocode)
        phone = None
        for holder in (sal, loc, service, org):
            numbers = [p for p in holder.get("phones") or [] if p.get("number")]
            if numbers:
                phone = str(numbers[0]["number"]).strip().strip('"')
                if numbers[0].get("extension"):
                    phone += f" x{numbers[0]['extension']}"
                break
        record = {
            "id": unique_id(slug(f"hsds {service.get('id') or name} {loc.get('id') or ''}"), taken),
            "organization": {"name": name, **({"website": website} if website else {})},
            "service": {
                "name": service.get("name") or None,
                "programs": programs,
                "telehealth": True if virtual else None,
                "languages": languages,
                "service_area": [a for a in areas if a],
            },
            "location": location,
        }
        if not record["service"]["name"]:
            del record["service"]["name"]
        if phone:
            record["phone"] = normalize_phone(phone) or phone  # an odd number fails validation next
        records.append(record)
    return records


def validate(args: argparse.Namespace) -> None:
    for file in args.files:
        directory = load_directory(file)
        located = sum(1 for p in directory.providers if p.located)
        print(f"OK {file}: {len(directory)} providers, {located} with coordinates")


def stats(args: argparse.Namespace) -> None:
    directory = load_directory(args.files)
    providers = directory.providers
    located = [p for p in providers if p.located]
    print(
        f"{len(providers)} providers ({len(located)} with coordinates, {len(providers) - len(located)} without; "
        f"{sum(p.demonstration for p in providers)} demonstration)"
    )
    print("\nProviders per program:")
    for program in program_ids():
        offering = [p for p in providers if program in p.programs]
        print(f"  {program:<7} {len(offering):>5}   ({sum(p.telehealth is True for p in offering)} offer telehealth)")
    print("\nProviders per county:")
    counties = Counter()
    for p in providers:
        county = p.county
        if county is None and p.located:
            county = (geo.nearest_zip_place(p.lat, p.lon, p.state) or {}).get("county")
        counties[(p.state, county or "(county not known)")] += 1
    for (state, county), n in sorted(counties.items()):
        print(f"  {state} {county:<28} {n:>5}")
    print(
        "\nLanguages:",
        ", ".join(f"{lang} {n}" for lang, n in Counter(lang for p in providers for lang in p.languages).most_common()),
    )

    radius = args.within_miles
    print(f"\nZIP code places with no provider of the program within {radius:g} miles:")
    for program in program_ids():
        places = geo.zip_places(program_states(program))
        gaps = []
        for place in places:
            result = directory.nearest(
                place["lat"], place["lon"], programs=program, limit=1, radius_miles=radius, widen=False
            )
            if result.total_within_radius == 0:
                gaps.append((result.nearest_distance_miles, place))
        states = "/".join(program_states(program))
        print(f"  {program:<7} {len(gaps)} of {len(places)} {states} ZIP places")
        for distance, place in sorted(gaps, key=lambda g: -(g[0] or float("inf")))[: args.show]:
            nearest = f"nearest {distance:.1f} miles" if distance is not None else "no provider at all"
            print(f"          {place['zip']} {place['town']}, {place['county']}: {nearest}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check directory files; print FILE:LINE: reason on the first error")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=validate)
    for name, run, what in (
        ("import-csv", import_csv, "a provider list CSV (e.g. the MassHealth CSP list)"),
        ("import-hsds", import_hsds, "HSDS 3 JSON services"),
    ):
        p = sub.add_parser(name, help=f"convert {what} to a directory file")
        p.add_argument("file")
        p.add_argument("--out", required=True)
        p.add_argument(
            "--program",
            choices=program_ids(),
            default=program_ids()[0] if name == "import-csv" else None,
            help="program of rows that do not name one"
            + (f" (default {program_ids()[0]}, the registry's first)" if name == "import-csv" else ""),
        )
        first_state = program_states(program_ids()[0])[0]
        p.add_argument(
            "--state", default=first_state, help=f"state of rows that do not name one (default {first_state})"
        )
        p.add_argument("--dataset-id", help="dataset id in the output (default: the output file name)")
        p.add_argument(
            "--no-geocode",
            dest="geocode",
            action="store_false",
            help="leave coordinates empty instead of using the ZIP or town centroid",
        )
        p.set_defaults(run=run)
    p = sub.add_parser("stats", help="providers per program and county; places with no provider nearby")
    p.add_argument("files", nargs="+")
    p.add_argument("--within-miles", type=float, default=25)
    p.add_argument("--show", type=int, default=10, help="how many of the farthest places to list per program")
    p.set_defaults(run=stats)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except DirectoryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
