"""Offline geocoding: ZIP codes and towns of Massachusetts and North Carolina, typos, towns that
exist in both states, places outside the two states, and words that only look like towns."""

import statistics
import time

import pytest
import zipcodes

from referral.directory import gazetteer, geo
from referral.directory.geo import resolve_place


@pytest.fixture(scope="module", autouse=True)
def index_built_once():
    geo.warm_up()


def test_zip_code_gives_town_county_and_coordinates():
    match = resolve_place("01608")
    assert match.status == "found"
    assert match.place["zip"] == "01608"
    assert match.place["town"] == "Worcester"
    assert match.place["state"] == "MA"
    assert match.place["county"] == "Worcester County"
    assert match.place["lat"] == pytest.approx(42.26, abs=0.01)
    assert match.place["lon"] == pytest.approx(-71.80, abs=0.01)


@pytest.mark.parametrize("text", ["zip is 01608", "my zip code is 01608-1234", "01608 MA", "I'm at 01608."])
def test_zip_code_inside_a_sentence_is_found(text):
    match = resolve_place(text)
    assert match.status == "found"
    assert match.place["zip"] == "01608"


@pytest.mark.parametrize(
    "text, town, state",
    [
        ("Worcester", "Worcester", "MA"),
        ("worcester ma", "Worcester", "MA"),
        ("fall river ma", "Fall River", "MA"),
        ("Fall River, MA", "Fall River", "MA"),
        ("brockton", "Brockton", "MA"),
        ("Raleigh, NC", "Raleigh", "NC"),
        ("Raleigh, North Carolina", "Raleigh", "NC"),
        ("Boston, Massachusetts", "Boston", "MA"),
        ("I live in worcester", "Worcester", "MA"),
        ("near Lowell MA", "Lowell", "MA"),
        ("we're in New Bedford", "New Bedford", "MA"),
        ("I LIVE IN WORCESTER MA", "Worcester", "MA"),
        ("hyannis", "Hyannis", "MA"),
        ("Charlotte", "Charlotte", "NC"),
    ],
)
def test_town_is_found_with_or_without_its_state(text, town, state):
    match = resolve_place(text)
    assert match.status == "found", match
    assert (match.place["town"], match.place["state"]) == (town, state)
    assert match.place["zip"] is None


def test_town_point_is_the_mean_of_its_zip_codes():
    brockton = [z for z in zipcodes.filter_by(city="Brockton", state="MA") if z["zip_code_type"] == "STANDARD"]
    place = resolve_place("Brockton").place
    assert place["lat"] == pytest.approx(statistics.mean(float(z["lat"]) for z in brockton), abs=1e-3)
    assert place["lon"] == pytest.approx(statistics.mean(float(z["long"]) for z in brockton), abs=1e-3)
    assert place["county"] == "Plymouth County"


def test_a_zip_codes_other_town_name_is_a_town():
    # Pelham is listed as an acceptable town name of Amherst's ZIP code 01002.
    match = resolve_place("Pelham, MA")
    assert match.status == "found"
    assert match.place["town"] == "Pelham"


@pytest.mark.parametrize(
    "text, town, state",
    [
        ("raliegh", "Raleigh", "NC"),
        ("I live in raliegh", "Raleigh", "NC"),
        ("worchester", "Worcester", "MA"),
        ("sprinfield ma", "Springfield", "MA"),
        ("Pittsfeild", "Pittsfield", "MA"),
        ("ashville", "Asheville", "NC"),
    ],
)
def test_typo_in_a_town_is_corrected(text, town, state):
    match = resolve_place(text)
    assert match.status == "found", match
    assert (match.place["town"], match.place["state"]) == (town, state)


def test_franklin_is_ambiguous_between_massachusetts_and_north_carolina():
    match = resolve_place("Franklin")
    assert match.status == "ambiguous"
    assert [(c["town"], c["state"]) for c in match.candidates] == [("Franklin", "MA"), ("Franklin", "NC")]
    assert match.place is None


@pytest.mark.parametrize("text", ["Lowell", "near Lowell", "wilmington", "Concord"])
def test_towns_in_both_states_ask_which(text):
    match = resolve_place(text)
    assert match.status == "ambiguous"
    assert {c["state"] for c in match.candidates} == {"MA", "NC"}


def test_a_typo_in_a_town_of_both_states_is_still_ambiguous():
    match = resolve_place("who offers CSP near Lowel?")
    assert match.status == "ambiguous"
    assert {(c["town"], c["state"]) for c in match.candidates} == {("Lowell", "MA"), ("Lowell", "NC")}


@pytest.mark.parametrize(
    "text, state, county",
    [
        ("Franklin, MA", "MA", "Norfolk County"),
        ("franklin nc", "NC", "Macon County"),
        ("Lowell in North Carolina", "NC", "Gaston County"),
        ("Lowell, Massachusetts", "MA", "Middlesex County"),
    ],
)
def test_naming_the_state_settles_a_town_of_both_states(text, state, county):
    match = resolve_place(text)
    assert match.status == "found"
    assert match.place["state"] == state
    assert match.place["county"] == county


def test_prefer_state_settles_a_town_of_both_states():
    assert resolve_place("Franklin", prefer_state="NC").place["state"] == "NC"
    assert resolve_place("Lowell", prefer_state="MA").place["county"] == "Middlesex County"
    # A town in only one state is found there whatever the preference.
    assert resolve_place("Raleigh", prefer_state="MA").place["state"] == "NC"


@pytest.mark.parametrize("text", ["", "   ", "asdfgh", "00000", "I don't know", "qwerty zxcv"])
def test_unknown_place(text):
    match = resolve_place(text)
    assert match.status == "unknown"
    assert match.place is None and match.candidates == []


@pytest.mark.parametrize(
    "text, state, town",
    [
        ("Texas", "TX", None),
        ("Portland, Maine", "ME", "Portland"),
        ("Portland ME", "ME", "Portland"),
        ("NY 10001", "NY", "New York"),
        ("90210", "CA", "Beverly Hills"),
        ("Chicago", "IL", "Chicago"),
        ("I moved to Providence, RI", "RI", "Providence"),
    ],
)
def test_place_outside_massachusetts_and_north_carolina(text, state, town):
    match = resolve_place(text)
    assert match.status == "outside"
    assert match.place["state"] == state
    assert match.place["town"] == town


@pytest.mark.parametrize("text, state", [("Massachusetts", "MA"), ("I live in North Carolina", "NC"), ("NC", "NC")])
def test_our_state_without_a_town_asks_for_the_town(text, state):
    match = resolve_place(text)
    assert match.status == "unknown"
    assert match.state_hint == state


def test_a_state_name_that_is_also_a_town_here_asks_which():
    match = resolve_place("Florida")
    assert match.status == "ambiguous"
    assert [(c["town"], c["state"]) for c in match.candidates] == [("Florida", "MA"), (None, "FL")]
    assert resolve_place("Washington NC").place["town"] == "Washington"


@pytest.mark.parametrize(
    "text", ["ok", "near me", "help me", "I have faith", "I miss my family", "my MD said so", "hi", "my son George"]
)
def test_everyday_words_are_not_places(text):
    assert resolve_place(text).status == "unknown"


def test_a_town_that_is_an_everyday_word_counts_when_said_as_a_place():
    # Reading, MA is a town here, Reading, PA a larger city elsewhere: which one is asked.
    match = resolve_place("I live in Reading")
    assert ("Reading", "MA") in [(c["town"], c["state"]) for c in match.candidates]
    assert resolve_place("I live in Reading, MA").place["town"] == "Reading"
    assert resolve_place("Faith, NC").place["state"] == "NC"


def test_a_village_here_named_like_a_city_elsewhere_is_asked_about():
    """ "Providence" alone is a village in NC and a city in RI: ask, never take the village."""
    match = resolve_place("im in providence now")
    assert match.status == "ambiguous"
    assert {("Providence", "NC"), ("Providence", "RI")} <= {(c["town"], c["state"]) for c in match.candidates}
    assert resolve_place("Providence", prefer_state="NC").place["state"] == "NC"
    assert resolve_place("Worcester").place["state"] == "MA"  # no town of its size elsewhere: no question
    assert resolve_place("Charlotte").place["state"] == "NC"


def test_a_state_after_a_comma_a_street_and_a_state_said_as_not():
    assert resolve_place("lowell ma, the shelter on middlesex st").place["state"] == "MA"
    assert resolve_place("Concord, New Hampshire (NH not MA)").place["state"] == "NH"


def test_towns_by_the_names_people_call_them():
    assert resolve_place("gboro nc").place["town"] == "Greensboro"
    assert resolve_place("we live in southie").place["town"] == "South Boston"
    assert resolve_place("the bull city").place["town"] == "Durham"


def test_place_names_lists_the_towns_of_both_states():
    names = geo.place_names()
    for town in ("Worcester", "Fall River", "Hyannis", "Raleigh", "Franklin", "Asheville"):
        assert town in names
    assert "At&t" not in names  # a company's own ZIP code is not a town
    assert "Portland" not in names
    assert "Portland" in geo.place_names(states=("ME",))


def test_resolve_place_takes_well_under_five_milliseconds():
    texts = ["01608", "Worcester", "fall river ma", "I live in raliegh", "Franklin", "Portland, Maine", "asdfgh"]
    timings = []
    for _ in range(30):
        for text in texts:
            start = time.perf_counter()
            resolve_place(text)
            timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.005


def test_the_cached_index_is_the_built_index(tmp_path, monkeypatch):
    """A second process reads the index from var/cache; it must be the one a build gives."""
    monkeypatch.setattr(gazetteer, "CACHE_DIR", tmp_path)
    gazetteer.load_gazetteer.cache_clear()
    try:
        built = gazetteer.load_gazetteer()  # no cache file yet: built, then written
        files = list(tmp_path.glob("gazetteer-*.pickle"))
        assert len(files) == 1
        gazetteer.load_gazetteer.cache_clear()
        cached = gazetteer.load_gazetteer()
        assert cached is not built
        for name in built.__dataclass_fields__:
            a, b = getattr(built, name), getattr(cached, name)
            assert (dict(a.rows) == dict(b.rows)) if isinstance(a, gazetteer.PlaceTable) else a == b, name
        files[0].write_bytes(b"not a pickle")  # a damaged cache is rebuilt, not trusted
        gazetteer.load_gazetteer.cache_clear()
        rebuilt = gazetteer.load_gazetteer()
        assert dict(rebuilt.zips.rows) == dict(built.zips.rows)
    finally:
        gazetteer.load_gazetteer.cache_clear()


@pytest.mark.parametrize(
    "said, elsewhere", [("Springfield", "MO"), ("I live in Springfield", "MO"), ("Greenville", "SC")]
)
def test_a_city_of_the_same_name_elsewhere_is_asked_about(said, elsewhere):
    """ "Springfield" is a city in Massachusetts and in Missouri: asked, not taken as MA; with the
    state known from the coverage, it is taken."""
    match = resolve_place(said)
    assert match.status == "ambiguous"
    assert elsewhere in {c["state"] for c in match.candidates}
    home = "MA" if "Springfield" in said else "NC"
    assert resolve_place(said, prefer_state=home).place["state"] == home
    assert resolve_place(f"{said}, {home}").status == "found"
