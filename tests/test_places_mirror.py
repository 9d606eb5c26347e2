"""Building the place layer from the Census mirror in ../shared/census (skipped without it)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from geodata.boundaries import read_place_shapes
from geodata.config import Settings
from geodata.dataset import build_dataset
from geodata.places import build_places
from geodata.snapshot import status_of
from tests.conftest import CENSUS_MIRROR, measure_row

pytestmark = [
    pytest.mark.mirror,
    pytest.mark.skipif(not CENSUS_MIRROR.is_dir(), reason=f"Census mirror not found at {CENSUS_MIRROR}"),
]


@pytest.fixture
def mirror_settings(tmp_path) -> Settings:
    return Settings(str(CENSUS_MIRROR), 2015, "", tmp_path / "cache")


def test_build_keeps_only_needed_places_with_their_county(mirror_settings):
    report = build_places({"0644000", "1714000", "4805000"}, mirror_settings)
    assert report.ok, report.failures
    places = read_place_shapes(mirror_settings.cache_dir)
    assert places is not None
    assert list(places["geoid"]) == ["0644000", "1714000", "4805000"]
    assert dict(zip(places["geoid"], places["county_geoid"], strict=True)) == {
        "0644000": "06037",  # Los Angeles
        "1714000": "17031",  # Chicago
        "4805000": "48453",  # Austin: mostly Travis, partly Williamson and Hays
    }
    assert places.loc["0644000", "name"] == "Los Angeles"


def test_a_truncated_mirror_file_leaves_the_good_cache_intact(mirror_settings, tmp_path):
    assert build_places({"0644000"}, mirror_settings).ok
    before = read_place_shapes(mirror_settings.cache_dir)
    # A mirror whose California file is truncated, as a dropped download would leave it.
    broken_mirror = tmp_path / "broken"
    broken_mirror.mkdir()
    data = (CENSUS_MIRROR / "cb_2015_06_place_500k.zip").read_bytes()
    (broken_mirror / "cb_2015_06_place_500k.zip").write_bytes(data[: len(data) // 3])
    shutil.copy(CENSUS_MIRROR / "cb_2015_17_place_500k.zip", broken_mirror)
    # The cached copy of the good zip must not be replaced by the broken one either.
    broken = Settings(str(broken_mirror), 2015, "", mirror_settings.cache_dir)
    report = build_places({"0644000", "1714000"}, broken)
    assert not report.ok
    assert any("cb_2015_06_place_500k.zip: not a readable zip" in f for f in report.failures)
    assert report.kept_from_previous == ["0644000"]
    after = read_place_shapes(mirror_settings.cache_dir)
    assert set(after["geoid"]) == {"0644000", "1714000"}
    assert after.loc["0644000"].geometry.equals(before.loc["0644000"].geometry)
    assert list(mirror_settings.cache_dir.rglob("*.part")) == []


def test_places_with_polygons_inherit_from_their_county(mirror_settings):
    assert build_places({"0644000"}, mirror_settings).ok
    measures = [
        measure_row(measure_id="county", geoid="06037", jurisdiction="Los Angeles County, California",
                    direction="requires", provisions="honor_detainers"),
    ]
    from geodata.tables import Measure

    records = [
        Measure(r["measure_id"], r["geoid"], r["jurisdiction"], r["title"], r["instrument"], r["direction"],
                tuple(r["provisions"].split(";")), dt.date(2017, 1, 1), dt.date(2018, 1, 1), None, "",
                r["source_url"], "")
        for r in measures
    ]
    dataset = build_dataset(records, [], mirror_settings)
    assert dataset.gazetteer.places_have_geometry
    assert dataset.place_points == ()
    la = status_of(dataset, "0644000", dt.date(2019, 1, 1))
    assert (la.inherited_measures, la.effective_status) == (("county",), "requires")


def test_committed_tables_match_the_census_place_boundaries(mirror_settings):
    """Every place GEOID in the tables exists in the Census files, under a matching name."""
    from geodata.boundaries import load_gazetteer
    from geodata.cli import needed_places
    from geodata.tables import DESIGNATIONS_PATH, POLICIES_PATH
    from geodata.validate import check

    report = build_places(needed_places(POLICIES_PATH, DESIGNATIONS_PATH), mirror_settings)
    assert report.ok and not report.not_in_census, report.lines()
    result = check(POLICIES_PATH, DESIGNATIONS_PATH, load_gazetteer(mirror_settings.cache_dir))
    assert result.unchecked_places == 0
    assert result.ok, [str(p) for p in result.problems]
