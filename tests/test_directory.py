"""The provider directory: loading and validating data files, nearest-first look-up with filters,
widening, "show more", the shipped data sets, and the command-line tool."""

import copy
import importlib.util
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pytest

from referral.directory import geo, loader
from referral.directory.loader import default_directory, dump_directory, load_directory, providers_dir
from referral.directory.model import DirectoryError, Provider
from referral.directory.search import Directory, nearest_by_scan

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD_FIELDS = {
    "id",
    "name",
    "programs",
    "distance_miles",
    "address",
    "town",
    "state",
    "zip",
    "phone",
    "website",
    "telehealth",
    "languages",
}
MA_PROGRAMS = ["CSP", "CSP-HI", "CSP-JI"]


@pytest.fixture(scope="module", autouse=True)
def gazetteer():
    geo.warm_up()


@pytest.fixture(scope="module")
def demo():
    return load_directory([providers_dir() / "demo_providers.json", providers_dir() / "named_providers.json"])


def near(demo_directory, place_text, **filters):
    """The nearest providers to a place, kept to its state as the providers action asks."""
    place = geo.resolve_place(place_text).place
    filters.setdefault("state", place["state"])
    return demo_directory.nearest(place["lat"], place["lon"], **filters)


# --- a small valid file to break in one place at a time -------------------------------------

DATASET = {"id": "test", "title": "Test providers", "demonstration": False}


def valid_record(n: int) -> dict:
    return {
        "id": f"test-{n}",
        "organization": {"name": f"Test Agency {n}", "website": "https://example.org/test"},
        "service": {
            "name": "Community Support Program",
            "programs": ["CSP"],
            "telehealth": True,
            "languages": ["English", "Spanish"],
            "service_area": ["Worcester County"],
        },
        "location": {
            "address_1": "1 Test Street",
            "city": "Worcester",
            "state": "MA",
            "postal_code": "01608",
            "latitude": 42.2624,
            "longitude": -71.8003,
            "coordinates_source": "zip_centroid",
        },
        "phone": "508-555-0100",
    }


def write_directory(path: Path, records: list, dataset: dict = DATASET) -> Path:
    path.write_text(dump_directory(dataset, records), encoding="utf-8")
    return path


def provider_line(path: Path, index: int) -> int:
    """The line where the index-th provider block starts (as dump_directory writes them)."""
    starts = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line == "    {"]
    return starts[index]


def load_with_third_record_changed(tmp_path: Path, change) -> DirectoryError:
    records = [valid_record(n) for n in range(4)]
    change(records[2])
    path = write_directory(tmp_path / "providers.json", records)
    with pytest.raises(DirectoryError) as err:
        load_directory(path)
    assert err.value.file == str(path)
    assert err.value.line == provider_line(path, 2)
    return err.value


def _del(part, key):
    return lambda r: r[part].pop(key) if part else r.pop(key)


def _set(part, key, value):
    def change(r):
        if part:
            r[part][key] = value
        else:
            r[key] = value

    return change


VALIDATION_ERRORS = [
    ("missing id", _del(None, "id"), "missing required field 'id'"),
    ("id with spaces", _set(None, "id", "test 2"), "may use only letters"),
    ("missing organization name", _del("organization", "name"), "missing required field 'organization.name'"),
    ("missing programs", _del("service", "programs"), "missing required field 'service.programs'"),
    ("programs not a list", _set("service", "programs", "CSP"), "must be a list of program ids"),
    ("unknown program", _set("service", "programs", ["CSX"]), "unknown program 'CSX'"),
    ("program twice", _set("service", "programs", ["CSP", "CSP"]), "lists a program twice"),
    ("program of another state", _set("service", "programs", ["CST"]), "CST is delivered in NC, not MA"),
    ("missing state", _del("location", "state"), "missing required field 'location.state'"),
    ("state not a code", _set("location", "state", "Mass"), "not a two-letter US state code"),
    ("short ZIP", _set("location", "postal_code", "0160"), "must be 5 digits"),
    ("ZIP that does not exist", _set("location", "postal_code", "00000"), "does not exist"),
    ("ZIP of another state", _set("location", "postal_code", "27601"), "is in NC, not MA"),
    ("latitude without longitude", _del("location", "longitude"), "both latitude and longitude, or neither"),
    ("latitude out of range", _set("location", "latitude", 95.0), "latitude 95.0 is out of range"),
    ("latitude as text", _set("location", "latitude", "42.26"), "latitude must be a number"),
    ("swapped coordinates", lambda r: r["location"].update(latitude=-71.8003, longitude=42.2624), "are not in MA"),
    ("bad coordinates source", _set("location", "coordinates_source", "guess"), "coordinates_source must be one of"),
    ("seven-digit phone", _set(None, "phone", "555-0101"), "is not a US phone number"),
    ("website without scheme", _set("organization", "website", "example.org"), "must be a full http(s) address"),
    ("languages not a list", _set("service", "languages", "Spanish"), "must be a list of language names"),
    ("unknown language", _set("service", "languages", ["Klingon"]), "unknown language 'Klingon'"),
    ("telehealth as text", _set("service", "telehealth", "yes"), "must be true, false or null"),
    ("misspelt field", lambda r: r["location"].update(adress_1="1 Test St"), "unknown field 'location.adress_1'"),
    ("unknown top field", _set(None, "email", "a@example.org"), "unknown field 'email'"),
    ("service area not a list", _set("service", "service_area", "Worcester"), "must be a list of place names"),
]


@pytest.mark.parametrize("case, change, reason", VALIDATION_ERRORS, ids=[c[0] for c in VALIDATION_ERRORS])
def test_bad_record_stops_load_with_file_line_and_reason(tmp_path, case, change, reason):
    err = load_with_third_record_changed(tmp_path, change)
    assert reason in err.reason
    assert str(err).startswith(f"{err.file}:{err.line}: ")


def test_bad_zip_stops_load_with_file_and_line(tmp_path):
    records = [valid_record(0), valid_record(1)]
    records[1]["location"]["postal_code"] = "1608"
    path = write_directory(tmp_path / "list.json", records)
    with pytest.raises(DirectoryError, match=r"list\.json:\d+: ZIP code '1608' must be 5 digits"):
        load_directory(path)


def test_duplicate_id_stops_load_at_the_second_one(tmp_path):
    records = [valid_record(0), valid_record(1), valid_record(0)]
    path = write_directory(tmp_path / "dup.json", records)
    with pytest.raises(DirectoryError) as err:
        load_directory(path)
    assert err.value.line == provider_line(path, 2)
    assert f"duplicate id 'test-0' (first used at {path}:{provider_line(path, 0)})" in err.value.reason


def test_duplicate_id_across_files_is_caught(tmp_path):
    first = write_directory(tmp_path / "a.json", [valid_record(0)])
    second = write_directory(tmp_path / "b.json", [valid_record(1), valid_record(0)])
    with pytest.raises(DirectoryError) as err:
        load_directory([first, second])
    assert err.value.file == str(second) and "duplicate id 'test-0'" in err.value.reason


def test_broken_json_reports_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(
        '{\n  "dataset": {"id": "x", "title": "x", "demonstration": false},\n  "providers": [\n    {"id": }\n  ]\n}\n'
    )
    with pytest.raises(DirectoryError) as err:
        load_directory(path)
    assert err.value.line == 4 and "not valid JSON" in err.value.reason


@pytest.mark.parametrize(
    "dataset, reason",
    [
        ({"id": "x", "title": "x"}, "'dataset.demonstration' must be true or false"),
        ({"title": "x", "demonstration": False}, "missing required field 'dataset.id'"),
        ({"id": "x", "title": "x", "demonstration": False, "owner": "me"}, "unknown field 'dataset.owner'"),
    ],
)
def test_bad_dataset_header_stops_load(tmp_path, dataset, reason):
    path = write_directory(tmp_path / "h.json", [valid_record(0)], dataset)
    with pytest.raises(DirectoryError, match=reason):
        load_directory(path)


def test_demonstration_data_must_say_demo_in_every_name(tmp_path):
    dataset = {**DATASET, "demonstration": True}
    records = [valid_record(0), valid_record(1)]
    records[0]["organization"]["name"] = "Demo Test Agency"
    path = write_directory(tmp_path / "demo.json", records, dataset)
    with pytest.raises(DirectoryError) as err:
        load_directory(path)
    assert err.value.line == provider_line(path, 1)
    assert "does not say 'Demo'" in err.value.reason


def test_nothing_is_half_loaded(tmp_path, monkeypatch):
    good = write_directory(tmp_path / "good.json", [valid_record(0)])
    records = [valid_record(1), valid_record(2)]
    records[1]["phone"] = "call us"
    bad = write_directory(tmp_path / "bad.json", records)
    with pytest.raises(DirectoryError):
        load_directory([good, bad])
    # The setting used by the action server fails the same way every time: no directory is
    # cached half-built, so the server does not start with part of the data.
    monkeypatch.setenv("DIRECTORY_DATASET", f"{good}:{bad}")
    for _ in range(2):
        with pytest.raises(DirectoryError):
            default_directory()


def test_provider_without_coordinates_loads_but_is_never_listed_by_distance(tmp_path):
    located, unlocated = valid_record(0), valid_record(1)
    for key in ("latitude", "longitude", "coordinates_source", "postal_code", "address_1", "city"):
        unlocated["location"].pop(key)
    directory = load_directory(write_directory(tmp_path / "p.json", [located, unlocated]))
    result = directory.nearest(42.26, -71.80, widen=True)
    assert [item["id"] for item in result.items] == ["test-0"]
    assert [p.id for p in directory.unlocated("CSP")] == ["test-1"]


def test_phone_and_language_words_are_normalized(tmp_path):
    record = valid_record(0)
    record["phone"] = "(508) 555-0100 x 12"
    record["service"]["languages"] = ["english", "Español", "haitian"]
    provider = load_directory(write_directory(tmp_path / "n.json", [record])).get("test-0")
    assert provider.phone == "508-555-0100 ext. 12"
    assert provider.languages == ("English", "Spanish", "Haitian Creole")
    assert provider.county == "Worcester County"  # filled in from the ZIP code


CSV_HEADER = (
    "id,organization_name,programs,state,postal_code,latitude,longitude,telehealth,languages,phone,demonstration\n"
)


def test_csv_directory_loads_like_json(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        CSV_HEADER + "demo-1,Demo One,CSP;CSP-HI,MA,01608,42.2624,-71.8003,yes,English;Spanish,508-555-0100,yes\n"
    )
    provider = load_directory(path).get("demo-1")
    assert provider.programs == ("CSP", "CSP-HI")
    assert provider.telehealth is True and provider.demonstration is True
    assert provider.languages == ("English", "Spanish")


def test_bad_csv_row_stops_load_with_its_line(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        CSV_HEADER
        + "a,Agency A,CSP,MA,01608,42.2624,-71.8003,no,English,508-555-0100,no\n"
        + "b,Agency B,CSP,MA,01608,42.2624,-71.8003,maybe,English,508-555-0100,no\n"
    )
    with pytest.raises(DirectoryError, match=r"list\.csv:3: 'telehealth' must be yes, no or empty"):
        load_directory(path)


def test_csv_with_an_unknown_column_is_refused(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("id,organization_name,programs,state,fax\n")
    with pytest.raises(DirectoryError, match=r"list\.csv:1: unknown column 'fax'"):
        load_directory(path)


# --- the shipped data sets ------------------------------------------------------------------


def test_default_data_set_is_the_demo_set_plus_the_named_organizations(monkeypatch):
    monkeypatch.delenv("DIRECTORY_DATASET", raising=False)
    directory = default_directory()
    assert len(directory) == 45
    assert sum(p.located for p in directory.providers) == 40
    assert default_directory() is directory  # loaded once


def test_named_setting_loads_only_the_named_organizations(monkeypatch):
    monkeypatch.setenv("DIRECTORY_DATASET", "named")
    directory = default_directory()
    assert {p.name for p in directory.providers} == {
        "Eliot Community Human Services",
        "Riverside Community Care",
        "Behavioral Health Network",
        "Boston Medical Center Corp.",
        "Clinical and Support Options",
    }


def test_setting_can_name_a_file(tmp_path, monkeypatch):
    path = write_directory(tmp_path / "mine.json", [valid_record(0)])
    monkeypatch.setenv("DIRECTORY_DATASET", str(path))
    assert [p.id for p in default_directory().providers] == ["test-0"]


def test_every_demo_provider_is_clearly_fictional(demo):
    demo_providers = [p for p in demo.providers if p.demonstration]
    assert len(demo_providers) == 40
    for p in demo_providers:
        assert "Demo" in p.name and "Demo" in p.address
        assert p.phone[4:] >= "555-0100" and p.phone[4:] <= "555-0199", p.phone
        assert p.website is None or p.website.startswith("https://example.org/")
    states = {p.state for p in demo_providers}
    assert states == {"MA", "NC"}
    assert {x for p in demo_providers for x in p.programs} == {"CSP", "CSP-HI", "CSP-JI", "CST"}


def test_named_organizations_have_no_invented_contact_details(demo):
    named = [p for p in demo.providers if not p.demonstration]
    assert len(named) == 5
    for p in named:
        assert p.programs == ("CSP",) and p.state == "MA"
        assert (p.address, p.zip, p.phone, p.website, p.lat, p.lon, p.telehealth) == (None,) * 7
        assert "MassHealth CSP provider list" in p.note and "Mass.gov" in p.note


# --- nearest first ----------------------------------------------------------------------------


def test_providers_near_01608_are_the_worcester_ones_nearest_first(demo):
    result = near(demo, "01608", programs=MA_PROGRAMS)
    assert [i["town"] for i in result.items] == ["Worcester", "Worcester", "Worcester"]
    distances = [i["distance_miles"] for i in result.items]
    assert distances == sorted(distances)
    assert all(round(d, 1) == d for d in distances)
    assert result.radius_used_miles == 25 and not result.widened
    assert result.total_within_radius == 5
    assert result.nearest_distance_miles == 0.0


def test_each_item_carries_the_payload_fields_of_the_product_contract(demo):
    item = near(demo, "01608", programs=MA_PROGRAMS).items[0]
    assert PAYLOAD_FIELDS <= set(item)
    json.dumps(item)  # goes into a custom payload as is
    assert item["name"] == "Demo Harbor Community Support"
    assert item["programs"] == ["CSP", "CSP-JI"]
    assert item["phone"] == "508-555-0100" and item["zip"] == "01608" and item["state"] == "MA"
    assert item["telehealth"] is True and item["languages"] == ["English", "Spanish"]


def test_order_matches_a_scan_of_every_provider_with_any_filters():
    rng = np.random.default_rng(3)
    languages = ["English", "Spanish", "Khmer", "Portuguese"]
    providers = [
        Provider(
            id=f"p{i}",
            name=f"Demo {i}",
            programs=("CSP",) if i % 3 else ("CSP", "CSP-HI"),
            state="MA",
            lat=float(rng.uniform(41.3, 42.8)),
            lon=float(rng.uniform(-73.4, -70.0)),
            telehealth=bool(i % 2),
            languages=tuple(x for x in languages if rng.random() < 0.4),
        )
        for i in range(3000)
    ]
    directory = Directory(providers)
    filter_sets = [
        {},
        {"programs": ["CSP-HI"]},
        {"telehealth": True, "language": "Khmer"},
        {"programs": "CSP-HI", "language": "portuguese", "telehealth": False},
    ]
    for filters in filter_sets:
        for _ in range(20):
            lat, lon = float(rng.uniform(41.3, 42.8)), float(rng.uniform(-73.4, -70.0))
            result = directory.nearest(lat, lon, limit=8, widen=False, radius_miles=1e5, **filters)
            expected = nearest_by_scan(directory, lat, lon, 8, **filters)
            assert [i["id"] for i in result.items] == [pid for pid, _ in expected]
            assert [i["distance_miles"] for i in result.items] == [round(d, 1) for _, d in expected]


def test_program_filter_keeps_only_providers_of_that_program(demo):
    result = near(demo, "Worcester", programs="CSP-HI")
    assert result.items and all("CSP-HI" in i["programs"] for i in result.items)
    assert result.items[0]["name"] == "Demo Elm Street Recovery Partners"


def test_telehealth_filter_keeps_only_telehealth_providers(demo):
    result = near(demo, "Worcester", programs=MA_PROGRAMS, telehealth=True, limit=10)
    assert result.items and all(i["telehealth"] is True for i in result.items)


@pytest.mark.parametrize("asked", ["Khmer", "khmer", "someone who speaks Khmer", "cambodian"])
def test_language_filter_understands_how_people_ask(demo, asked):
    result = near(demo, "01608", programs=MA_PROGRAMS, language=asked)
    assert result.items and all("Khmer" in i["languages"] for i in result.items)
    assert result.items[0]["town"] == "Lowell"  # no Khmer speakers in Worcester: the nearest are in Lowell


def test_espanol_means_spanish(demo):
    result = near(demo, "Raleigh, NC", programs="CST", language="español")
    assert result.items and all("Spanish" in i["languages"] for i in result.items)


def test_asking_for_chinese_finds_mandarin_and_cantonese_speakers(demo):
    result = near(demo, "Boston", programs=MA_PROGRAMS, language="Chinese")
    assert result.items[0]["name"] == "Demo Granite City Community Support"


def test_a_language_nobody_lists_matches_nobody(demo):
    result = near(demo, "01608", programs=MA_PROGRAMS, language="Klingon")
    assert result.items == [] and result.nearest_distance_miles is None and not result.has_more


def test_state_filter_keeps_to_the_state(demo):
    result = demo.nearest(42.26, -71.80, state="NC", widen=True)
    assert result.items and all(i["state"] == "NC" for i in result.items)


def test_show_more_pages_on_without_repeating_anyone(demo):
    pages = [near(demo, "01608", programs=MA_PROGRAMS, offset=offset) for offset in (0, 3, 6)]
    ids = [i["id"] for page in pages for i in page.items]
    assert len(ids) == 9 and len(set(ids)) == 9
    distances = [i["distance_miles"] for page in pages for i in page.items]
    assert distances == sorted(distances)
    assert pages[0].has_more and pages[2].has_more
    # Five within 25 miles: the third page needed a wider radius.
    assert pages[2].widened and pages[2].radius_used_miles > 25


def test_last_page_says_there_is_no_more(demo):
    result = near(demo, "Raleigh, NC", programs="CST", offset=15)
    assert len(result.items) == 1 and not result.has_more


def test_fewer_than_three_within_25_miles_widens_and_says_how_far_the_nearest_is(demo):
    result = near(demo, "Nantucket", programs=MA_PROGRAMS)
    assert result.widened
    assert result.radius_used_miles == 100  # 25 and 50 miles have fewer than three
    assert result.nearest_distance_miles == 28.8
    assert [i["town"] for i in result.items] == ["Hyannis", "New Bedford", "Plymouth"]


@pytest.mark.parametrize("place, radius", [("Williamstown", 50), ("Murphy, NC", 200)])
def test_radius_widens_step_by_step(demo, place, radius):
    programs = "CST" if place.endswith("NC") else MA_PROGRAMS
    result = near(demo, place, programs=programs)
    assert result.radius_used_miles == radius
    assert len(result.items) == 3


def test_beyond_200_miles_the_whole_state_is_searched():
    providers = [
        Provider(id=f"p{i}", name=f"Demo {i}", programs=("CST",), state="NC", lat=35.9, lon=-75.7 - i * 0.01)
        for i in range(2)
    ]
    result = Directory(providers).nearest(35.1, -84.0, programs="CST", state="NC")  # Murphy to the Outer Banks
    assert result.radius_used_miles is None and result.widened
    assert len(result.items) == 2 and result.nearest_distance_miles > 400


def test_telehealth_in_the_state_is_offered_when_nobody_is_close(demo):
    result = near(demo, "Nantucket", programs=MA_PROGRAMS)
    assert result.state == "MA"
    assert len(result.telehealth_in_state) == 3
    assert all(i["telehealth"] is True and i["state"] == "MA" for i in result.telehealth_in_state)


def test_widen_false_keeps_the_radius_even_if_empty(demo):
    result = near(demo, "Nantucket", programs=MA_PROGRAMS, widen=False)
    assert result.items == [] and result.radius_used_miles == 25 and not result.widened
    assert result.nearest_distance_miles == 28.8  # still says how far the nearest is


def test_never_an_empty_list_anywhere_in_either_state(demo):
    for place in geo.zip_places(("MA", "NC"))[::25]:
        programs = MA_PROGRAMS if place["state"] == "MA" else ["CST"]
        result = demo.nearest(place["lat"], place["lon"], programs=programs, state=place["state"])
        assert len(result.items) == 3, place


def test_named_organizations_are_offered_beside_the_list_not_in_it(demo):
    result = near(demo, "Boston", programs=MA_PROGRAMS, limit=50)
    assert all(i["id"].startswith("demo-") for i in result.items)
    assert len(demo.unlocated(MA_PROGRAMS)) == 5
    assert demo.unlocated("CST") == []


def test_an_unknown_program_id_is_a_programming_error(demo):
    with pytest.raises(ValueError, match="unknown program"):
        demo.nearest(42.26, -71.80, programs=["CSX"])


def test_lookup_stays_fast_on_a_large_directory():
    rng = np.random.default_rng(5)
    providers = [
        Provider(
            id=f"p{i}",
            name=f"Demo {i}",
            programs=("CSP",),
            state="MA",
            lat=float(rng.uniform(41.3, 42.8)),
            lon=float(rng.uniform(-73.4, -70.0)),
            telehealth=True,
        )
        for i in range(20000)
    ]
    directory = Directory(providers)
    directory.nearest(42.0, -71.5, programs="CSP", state="MA")  # builds the view once
    timings = []
    for _ in range(50):
        lat, lon = float(rng.uniform(41.3, 42.8)), float(rng.uniform(-73.4, -70.0))
        start = time.perf_counter()
        directory.nearest(lat, lon, programs="CSP", state="MA")
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.005  # typically under 1 ms; loose for a shared machine


# --- the command-line tool --------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli():
    spec = importlib.util.spec_from_file_location("directory_cli", ROOT / "tools" / "directory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OFFICIAL_CSV = """Provider Name,Program(s),Street Address,City/Town,State,Zip Code,Phone Number,Website,Languages
Demo Sample Agency,"CSP, CSP-HI",1 Demo Rd,Worcester,MA,1608,(508) 555-0150 / 508-555-0151,www.example.org/demo,Spanish
Demo Other Agency,Community Support Program,2 Demo Road,Pittsfield,Massachusetts,01201,413.555.0152,,
Demo Justice Agency,CSP for Individuals with Justice Involvement,,Lowell,MA,,978-555-0153,,English
"""


def test_cli_imports_the_official_list_csv(cli, tmp_path, capsys):
    source = tmp_path / "official.csv"
    source.write_text(OFFICIAL_CSV)
    out = tmp_path / "official.json"
    assert cli.main(["import-csv", str(source), "--out", str(out)]) == 0
    directory = load_directory(out)
    sample = directory.get("demo-sample-agency-worcester")
    assert sample.programs == ("CSP", "CSP-HI")
    assert sample.zip == "01608"  # leading zero restored
    assert sample.phone == "508-555-0150" and "508-555-0151" in sample.note
    assert sample.website == "https://www.example.org/demo"
    assert sample.coordinates_source == "zip_centroid"
    assert directory.get("demo-other-agency-pittsfield").state == "MA"
    justice = directory.get("demo-justice-agency-lowell")
    assert justice.programs == ("CSP-JI",) and justice.coordinates_source == "town_centroid"
    assert "3 providers" in capsys.readouterr().out


def test_cli_import_stops_at_a_bad_row_and_writes_nothing(cli, tmp_path, capsys):
    source = tmp_path / "bad.csv"
    source.write_text(
        "Provider,Program,City,Zip\nDemo A,CSP,Worcester,01608\nDemo B,Community Widgets,Worcester,01608\n"
    )
    out = tmp_path / "bad.json"
    assert cli.main(["import-csv", str(source), "--out", str(out)]) == 1
    assert f"{source}:3: program 'Community Widgets' not recognised" in capsys.readouterr().err
    assert not out.exists()


HSDS_PAGE = {
    "contents": [
        {
            "id": "svc-1",
            "name": "Community Support Program (CSP)",
            "url": "https://example.org/demo-hsds",
            "organization": {"id": "org-1", "name": "Demo HSDS Agency"},
            "languages": [{"name": "Spanish", "code": "es"}],
            "service_at_locations": [
                {
                    "id": "sal-1",
                    "location": {
                        "id": "loc-1",
                        "location_type": "physical",
                        "latitude": 42.27,
                        "longitude": -71.8,
                        "phones": [{"number": "508-555-0160"}],
                        "addresses": [
                            {
                                "address_1": "5 Demo Way",
                                "city": "Worcester",
                                "state_province": "MA",
                                "postal_code": "01608",
                                "address_type": "physical",
                            }
                        ],
                    },
                },
                {"id": "sal-2", "location": {"id": "loc-2", "location_type": "virtual"}},
            ],
        },
        {
            "id": "svc-2",
            "name": "Adult team",
            "organization": {"name": "Demo Carolina HSDS Team"},
            "attributes": [{"taxonomy_term": {"code": "CST", "name": "Community Support Team"}}],
            "service_at_locations": [
                {
                    "location": {
                        "addresses": [
                            {
                                "address_1": "9 Demo St",
                                "city": "Durham",
                                "state_province": "North Carolina",
                                "postal_code": "27701",
                            }
                        ]
                    }
                }
            ],
        },
    ]
}


def test_cli_imports_hsds_services(cli, tmp_path):
    source = tmp_path / "services.json"
    source.write_text(json.dumps(HSDS_PAGE, indent=2))
    out = tmp_path / "hsds.json"
    assert cli.main(["import-hsds", str(source), "--out", str(out)]) == 0
    providers = {p.name: p for p in load_directory(out).providers}
    agency = providers["Demo HSDS Agency"]
    assert agency.programs == ("CSP",) and agency.telehealth is True  # it has a virtual location
    assert agency.coordinates_source == "address" and agency.phone == "508-555-0160"
    team = providers["Demo Carolina HSDS Team"]
    assert team.programs == ("CST",) and team.state == "NC" and team.coordinates_source == "zip_centroid"


def test_cli_hsds_service_without_a_program_is_refused_with_its_line(cli, tmp_path, capsys):
    page = copy.deepcopy(HSDS_PAGE)
    page["contents"][1]["attributes"] = []
    source = tmp_path / "services.json"
    source.write_text(json.dumps(page, indent=2))
    assert cli.main(["import-hsds", str(source), "--out", str(tmp_path / "o.json")]) == 1
    line = loader.array_item_lines(source.read_text(), "contents")[1]
    assert f"{source}:{line}: no program id" in capsys.readouterr().err


def test_cli_validate_reports_ok_or_the_first_error(cli, tmp_path, capsys):
    assert cli.main(["validate", str(providers_dir() / "demo_providers.json")]) == 0
    assert "40 providers, 40 with coordinates" in capsys.readouterr().out
    records = [valid_record(0)]
    records[0]["location"]["postal_code"] = "1608"
    bad = write_directory(tmp_path / "bad.json", records)
    assert cli.main(["validate", str(bad)]) == 1
    assert f"{bad}:{provider_line(bad, 0)}: ZIP code '1608'" in capsys.readouterr().err


def test_cli_stats_counts_programs_counties_and_gaps(cli, capsys):
    assert cli.main(["stats", str(providers_dir() / "demo_providers.json"), "--within-miles", "25", "--show", "1"]) == 0
    out = capsys.readouterr().out
    assert "CSP-HI      7" in out and "CST        16" in out
    assert "MA Worcester County" in out and "NC Wake County" in out
    assert "02554 Nantucket, Nantucket County: nearest 28.8 miles" in out
