""""Find a place": accents, punctuation, aliases, St./Saint, ranking, and the entries searched."""

from __future__ import annotations

import pytest

from geodata.config import Settings
from geodata.dataset import build_dataset
from geodata.placeindex import PlaceEntry, PlaceIndex, read_place_index
from geodata.search import SearchEntry, normalize, search, search_entries
from geodata.tables import DESIGNATION_COLUMNS, POLICY_COLUMNS, read_designations, read_policies
from tests.conftest import measure_row, write_csv


def place(geoid: str, name: str, kind: str, lon: float = 0.0, lat: float = 0.0, county: str = "") -> PlaceEntry:
    incorporated = kind not in ("CDP", "comunidad", "zona urbana")
    namelsad = f"{name} {kind}".strip()
    return PlaceEntry(geoid, name, namelsad, geoid[:2], county, incorporated, lon, lat)


PLACES = (
    place("0603526", "Bakersfield", "city", county="06029"),
    place("2903052", "Bakersfield", "village"),
    place("3521110", "Doña Ana", "CDP", county="35013"),
    place("2965000", "St. Louis", "city", county="29510"),
    place("2671000", "St. Louis", "city"),
    place("2964082", "Ste. Genevieve", "city"),
    place("3651000", "New York", "city", county="36081"),
    place("0644000", "Los Angeles", "city", county="06037"),
    place("4844062", "Los Angeles", "CDP"),
    place("0620802", "East Los Angeles", "CDP"),
    place("1150000", "Washington", "city", county="11001"),
    place("1755249", "O'Fallon", "city"),
    place("0665042", "San Buenaventura (Ventura)", "city"),
    place("1836003", "Indianapolis city (balance)", ""),
    place("4752006", "Nashville-Davidson metropolitan government (balance)", ""),
    place("7200358", "Adjuntas", "zona urbana"),
)


@pytest.fixture(scope="module")
def entries(tmp_path_factory) -> tuple[SearchEntry, ...]:
    """Every state and county (from the committed atlas), a place with rows, and the index's places."""
    tmp = tmp_path_factory.mktemp("search")
    policies = write_csv(tmp / "policies.csv", POLICY_COLUMNS, [
        measure_row(measure_id="la-city", geoid="0644000", jurisdiction="Los Angeles, California"),
        measure_row(measure_id="chicago", geoid="1714000", jurisdiction="Chicago, Illinois"),
    ])
    lists = write_csv(tmp / "designations.csv", DESIGNATION_COLUMNS, [])
    settings = Settings(str(tmp / "none"), 2015, str(tmp / "none"), tmp / "cache")
    dataset = build_dataset(read_policies(policies).records, read_designations(lists).records, settings)
    return search_entries(dataset, PlaceIndex({p.geoid: p for p in PLACES}))


def geoids(query: str, entries, limit: int = 10) -> list[str]:
    return [e.geoid for e in search(query, entries, limit)]


def labels(query: str, entries, limit: int = 10) -> list[str]:
    return [e.label for e in search(query, entries, limit)]


# --- the four examples of the issue -------------------------------------------------------------


def test_bakersfield_finds_the_california_city_first(entries):
    assert labels("Bakersfield", entries) == ["Bakersfield, California (city)", "Bakersfield, Missouri (village)"]


def test_dona_ana_without_the_tilde(entries):
    assert geoids("Dona Ana", entries) == ["3521110", "35013"]
    assert labels("dona ana", entries)[0] == "Doña Ana, New Mexico (CDP)"


def test_saint_louis_finds_st_louis_city_and_county(entries):
    found = geoids("Saint Louis", entries)
    assert {"2965000", "29189", "29510", "27137"} <= set(found)
    # Exact names first, the larger place (GeoNames population) before the smaller.
    assert found[:2] == ["2965000", "2671000"]


def test_nyc_lists_new_york_city_first(entries):
    found = geoids("NYC", entries)
    assert found[0] == "3651000"
    assert "32023" not in found  # Nye County


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Doña Ana", "dona ana"),
        ("  DOÑA   ANA ", "dona ana"),
        ("St. Louis", "saint louis"),
        ("saint-louis", "saint louis"),
        ("Ste. Genevieve", "sainte genevieve"),
        ("Mt. Vernon", "mount vernon"),
        ("Ft Worth", "fort worth"),
        ("O'Fallon", "o fallon"),
        ("D.C.", "dc"),
        ("Washington, D. C.", "washington dc"),
        ("!?", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("query", ["NYC", "nyc", "N.Y.C.", "New York City", "new york city"])
def test_new_york_city_aliases(entries, query):
    assert geoids(query, entries)[0] == "3651000"


def test_la_is_los_angeles_city_and_county(entries):
    assert set(geoids("LA", entries)[:2]) == {"0644000", "06037"}
    assert set(geoids("L.A.", entries)[:2]) == {"0644000", "06037"}


@pytest.mark.parametrize("query", ["DC", "D.C.", "d c", "Washington DC", "Washington D.C.", "District of Columbia"])
def test_dc_is_the_district_of_columbia(entries, query):
    assert geoids(query, entries)[0] == "11"


@pytest.mark.parametrize("query", ["Bakersfield", "bakersfield", "BAKERSFIELD", "Bakérsfield", "Bakersfield!"])
def test_case_accents_and_punctuation_do_not_matter(entries, query):
    assert geoids(query, entries)[0] == "0603526"


@pytest.mark.parametrize("query", ["Doña Ana", "Dona Ana", "doña ana county", "Dona Ana County"])
def test_accents_either_way(entries, query):
    assert set(geoids(query, entries)) & {"3521110", "35013"}


@pytest.mark.parametrize("query", ["St. Louis", "St Louis", "st louis", "Saint Louis", "saint-louis"])
def test_st_and_saint_either_way(entries, query):
    assert {"2965000", "29189"} <= set(geoids(query, entries))


@pytest.mark.parametrize("query", ["Ste. Genevieve", "Ste Genevieve", "Sainte Genevieve"])
def test_ste_and_sainte_either_way(entries, query):
    assert {"2964082", "29186"} <= set(geoids(query, entries))


@pytest.mark.parametrize("query", ["O'Fallon", "O Fallon", "OFallon", "ofallon"])
def test_apostrophes_and_spacing(entries, query):
    assert geoids(query, entries) == ["1755249"]


def test_a_name_in_parentheses_is_a_name_too(entries):
    assert geoids("Ventura", entries)[0] == "0665042"
    assert geoids("San Buenaventura", entries)[0] == "0665042"


def test_a_consolidated_government_answers_to_its_city(entries):
    assert geoids("Indianapolis", entries)[0] == "1836003"
    assert geoids("Nashville", entries)[0] == "4752006"
    assert labels("Indianapolis", entries)[0] == "Indianapolis city (balance), Indiana"


def test_a_state_after_a_comma_narrows_the_search(entries):
    assert geoids("Bakersfield, CA", entries) == ["0603526"]
    assert geoids("Bakersfield, Missouri", entries) == ["2903052"]
    assert geoids("bakersfield missouri", entries) == ["2903052"]
    assert geoids("Washington, DC", entries)[0] == "1150000"
    # The zona urbana, then the municipio (Puerto Rico's county equivalent) of the same name.
    assert geoids("Adjuntas, PR", entries) == ["7200358", "72001"]


def test_nothing_to_match(entries):
    assert search("", entries) == []
    assert search(" .,;! ", entries) == []
    assert search("Bakersfield", entries, limit=0) == []
    assert search("Xqzzy", entries) == []
    assert search("Bakersfield", ()) == []


def test_limit(entries):
    assert len(search("a", entries, limit=3)) == 3
    assert len(search("a", entries)) == 10


# --- ranking ----------------------------------------------------------------------------------


def test_exact_then_starts_then_word_starts_then_contains():
    def entry(geoid: str, key: str) -> SearchEntry:
        return SearchEntry(geoid, key, "place", (key,))

    ranked = [
        entry("0600001", "bakersfield"),
        entry("0600002", "bakersfield heights"),
        entry("0600003", "east bakersfield"),
        entry("0600004", "westbakersfield"),
    ]
    assert search("Bakersfield", list(reversed(ranked))) == ranked
    assert search("Bakersfield", [entry("0600005", "bakers field"), entry("0600006", "bake")]) == [
        SearchEntry("0600005", "bakers field", "place", ("bakers field",))
    ]


def test_ties_go_state_county_incorporated_place_cdp_then_name():
    tied = [
        SearchEntry("0600002", "Zeta (CDP)", "place", ("alpha",), incorporated=False),
        SearchEntry("0600001", "Zeta (city)", "place", ("alpha",)),
        SearchEntry("0600003", "Beta (city)", "place", ("alpha",)),
        SearchEntry("06001", "Alpha County", "county", ("alpha",)),
        SearchEntry("06", "Alpha", "state", ("alpha",)),
    ]
    assert [e.geoid for e in search("alpha", tied)] == ["06", "06001", "0600003", "0600001", "0600002"]


def test_new_york_ranks_the_state_then_the_city_then_the_county(entries):
    assert geoids("New York", entries)[:3] == ["36", "3651000", "36061"]


def test_los_angeles_ranking(entries):
    assert geoids("Los Angeles", entries)[:4] == ["0644000", "4844062", "06037", "0620802"]


# --- the entries ------------------------------------------------------------------------------


def test_entries_cover_states_counties_and_every_indexed_place(entries):
    by_geoid = {e.geoid: e for e in entries}
    assert len(by_geoid) == len(entries)
    assert sum(e.level == "state" for e in entries) == 52  # the 50 states, DC and Puerto Rico
    assert sum(e.level == "county" for e in entries) > 3000
    assert {p.geoid for p in PLACES} | {"1714000"} <= set(by_geoid)
    assert by_geoid["06"].label == "California (state)"
    assert by_geoid["72"].label == "Puerto Rico (territory)"
    assert by_geoid["72127"].label == "San Juan Municipio, Puerto Rico (county)"
    assert by_geoid["06029"].label == "Kern County, California (county)"
    assert by_geoid["0603526"].label == "Bakersfield, California (city)"
    assert by_geoid["3521110"].label == "Doña Ana, New Mexico (CDP)"
    assert not by_geoid["3521110"].incorporated
    assert by_geoid["7200358"].label == "Adjuntas, Puerto Rico (zona urbana)"
    # A place with rows that the index does not know is still found, by the dataset's name.
    assert by_geoid["1714000"].label == "Chicago, Illinois (city)"
    assert geoids("Chicago", entries)[0] == "1714000"


def test_entries_without_an_index(empty_cache_settings):
    dataset = build_dataset([], [], empty_cache_settings)
    found = search_entries(dataset, None)
    assert {e.level for e in found} == {"state", "county"}
    assert search_entries(dataset, None) is found  # worked out once per dataset and index


# --- the real index ---------------------------------------------------------------------------


@pytest.mark.mirror
def test_the_four_examples_on_the_built_index(mirror_cache, mirror_dataset):
    index = read_place_index(mirror_cache)
    assert index is not None
    real = search_entries(mirror_dataset, index)
    assert labels("Bakersfield", real)[0] == "Bakersfield, California (city)"
    assert {"3521110", "35013"} <= set(geoids("Dona Ana", real))
    assert {"2965000", "29189"} <= set(geoids("Saint Louis", real))
    assert geoids("NYC", real)[0] == "3651000"
