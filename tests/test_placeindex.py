"""The index of every Census place: building it, reading it back, and what applies at a place with no row."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path

import pytest

from geodata.config import Settings
from geodata.dataset import build_dataset
from geodata.placeindex import (
    COLUMNS,
    PLACE_STATES,
    PlaceEntry,
    PlaceIndex,
    build_place_index,
    index_path,
    read_place_index,
    status_of_place,
    write_place_index,
)
from geodata.snapshot import status_of
from geodata.tables import read_designations, read_policies
from tests.conftest import CENSUS_MIRROR, day, designation_row, measure_row

BAKERSFIELD = PlaceEntry("0603526", "Bakersfield", "Bakersfield city", "06", "06029", True, -119.14012, 35.35014)
DONA_ANA = PlaceEntry("3521110", "Doña Ana", "Doña Ana CDP", "35", "35013", False, -106.81734, 32.39335)
ADJUNTAS = PlaceEntry("7200358", "Adjuntas", "Adjuntas zona urbana", "72", "", False, -66.72405, 18.16269)
LOS_ANGELES = PlaceEntry("0644000", "Los Angeles", "Los Angeles city", "06", "06037", True, -118.28519, 34.02075)

needs_mirror = pytest.mark.skipif(not CENSUS_MIRROR.is_dir(), reason=f"Census mirror not found at {CENSUS_MIRROR}")


def index_of(*entries: PlaceEntry) -> PlaceIndex:
    return PlaceIndex({e.geoid: e for e in entries})


def test_every_state_dc_and_puerto_rico_but_no_island_area():
    assert len(PLACE_STATES) == 52
    assert {"06", "11", "72"} <= set(PLACE_STATES)
    assert not {"60", "66", "69", "78"} & set(PLACE_STATES)


def test_entry_names():
    assert (BAKERSFIELD.kind, BAKERSFIELD.display_name) == ("city", "Bakersfield, California")
    assert (DONA_ANA.kind, ADJUNTAS.kind) == ("CDP", "zona urbana")
    assert ADJUNTAS.display_name == "Adjuntas, Puerto Rico"
    balance = dataclasses.replace(BAKERSFIELD, name="Milford city (balance)", namelsad="Milford city (balance)")
    assert balance.kind == ""


def test_written_index_reads_back_and_is_not_rewritten_when_unchanged(tmp_path):
    assert write_place_index([DONA_ANA, BAKERSFIELD, ADJUNTAS], tmp_path)
    index = read_place_index(tmp_path)
    assert index is not None
    assert list(index.entries) == ["0603526", "3521110", "7200358"]
    assert index.get("3521110") == DONA_ANA
    assert index.skipped_rows == 0
    assert read_place_index(tmp_path) is index  # read once per version of the file
    assert not write_place_index([BAKERSFIELD, DONA_ANA, ADJUNTAS], tmp_path)
    lines = index_path(tmp_path).read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "0603526,Bakersfield,Bakersfield city,06,06029,yes,-119.14012,35.35014"


def test_a_missing_or_unreadable_index_is_none(tmp_path):
    assert read_place_index(tmp_path) is None
    index_path(tmp_path).write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    assert read_place_index(tmp_path) is None


def test_a_bad_row_loses_only_itself(tmp_path):
    good = ",".join(BAKERSFIELD.as_row().values())
    bad = [
        "064400,Short GEOID,x city,06,06037,yes,-118.1,34.0",
        "0644000,Wrong state,x city,48,06037,yes,-118.1,34.0",
        "0644000,Other state's county,x city,06,48453,yes,-118.1,34.0",
        "0644000,Not a flag,x city,06,06037,maybe,-118.1,34.0",
        "0644000,No longitude,x city,06,06037,yes,,34.0",
        "0644000,Off the globe,x city,06,06037,yes,-118.1,94.0",
        "0644000,Too few fields,x city,06",
        "0644000,Too many,x city,06,06037,yes,-118.1,34.0,extra",
        ",,,,,,,",
    ]
    data = "\n".join([",".join(COLUMNS), good, *bad]).encode() + b"\n0644001,Bad \xff byte,x,06,06037,yes,-118,34\n"
    index_path(tmp_path).write_bytes(data)
    index = read_place_index(tmp_path)
    assert index is not None
    assert list(index.entries) == ["0603526"]
    assert index.skipped_rows == len(bad) + 1


@pytest.fixture
def dataset(write_tables, empty_cache_settings):
    policies, lists = write_tables(
        [
            measure_row(measure_id="ca-limits", effective="2018-01-01"),
            measure_row(measure_id="ca-ended", effective="2018-01-01", ended="2020-01-01", end_reason="repealed"),
            measure_row(measure_id="kern-requires", geoid="06029", jurisdiction="Kern County, California",
                        direction="requires", provisions="honor_detainers", effective="2019-01-01"),
            measure_row(measure_id="la-county", geoid="06037", jurisdiction="Los Angeles County, California",
                        direction="requires", provisions="honor_detainers", effective="2010-01-01"),
            measure_row(measure_id="la-city", geoid="0644000", jurisdiction="Los Angeles, California",
                        effective="2024-12-04"),
        ],
        [designation_row(geoid="0644000", jurisdiction="Los Angeles, California", list="dhs-2025-05",
                         listed_on="2025-05-29")],
    )
    return build_dataset(read_policies(policies).records, read_designations(lists).records,
                         empty_cache_settings)


def test_a_place_with_no_row_inherits_from_its_state_and_county(dataset):
    assert dataset.gazetteer.get(BAKERSFIELD.geoid) is None
    status = status_of_place(dataset, BAKERSFIELD.geoid, day("2025-08-05"), index_of(BAKERSFIELD))
    assert (status.name, status.level) == ("Bakersfield, California", "place")
    assert status.own_measures == ()
    assert status.inherited_measures == ("ca-limits", "kern-requires")
    assert (status.own_status, status.effective_status) == ("none", "conflict")
    before_kern = status_of_place(dataset, BAKERSFIELD.geoid, day("2018-06-01"), index_of(BAKERSFIELD))
    assert before_kern.inherited_measures == ("ca-ended", "ca-limits")
    assert before_kern.effective_status == "limits"


def test_the_dataset_is_left_as_it_was(dataset):
    status_of_place(dataset, BAKERSFIELD.geoid, day("2025-08-05"), index_of(BAKERSFIELD))
    assert dataset.gazetteer.get(BAKERSFIELD.geoid) is None
    assert BAKERSFIELD.geoid not in dataset.gazetteer.place_county


def test_a_place_the_dataset_knows_is_answered_by_status_of(dataset):
    """The index never overrides the dataset: Los Angeles keeps its own rows and its county."""
    moved = dataclasses.replace(LOS_ANGELES, name="Elsewhere", county_geoid="06029")
    on = day("2025-08-05")
    assert status_of_place(dataset, LOS_ANGELES.geoid, on, index_of(moved)) == status_of(dataset, "0644000", on)
    assert status_of_place(dataset, "06", on, None) == status_of(dataset, "06", on)


def test_a_place_without_a_county_inherits_from_its_state_only(dataset):
    status = status_of_place(dataset, ADJUNTAS.geoid, day("2025-08-05"), index_of(ADJUNTAS))
    assert (status.name, status.inherited_measures, status.effective_status) == ("Adjuntas, Puerto Rico", (), "none")


# --- built from the Census mirror -------------------------------------------------------------


def mirror_copy(tmp_path: Path, *states: str) -> Path:
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    for state in states:
        shutil.copy(CENSUS_MIRROR / f"cb_2015_{state}_place_500k.zip", mirror)
    return mirror


@needs_mirror
def test_index_built_from_mirror_files(tmp_path):
    settings = Settings(str(mirror_copy(tmp_path, "06", "29", "35")), 2015, "", tmp_path / "cache")
    report = build_place_index(settings, states=("06", "29", "35"))
    assert report.ok, report.lines()
    assert report.built == ["06", "29", "35"]
    index = read_place_index(settings.cache_dir)
    assert index is not None and len(index) == report.places > 2000
    bakersfield = index.get("0603526")
    assert bakersfield is not None
    assert (bakersfield.name, bakersfield.namelsad, bakersfield.county_geoid, bakersfield.incorporated) == (
        "Bakersfield", "Bakersfield city", "06029", True
    )
    assert -119.3 < bakersfield.lon < -118.9 and 35.2 < bakersfield.lat < 35.5
    dona_ana = index.get("3521110")
    assert dona_ana is not None
    assert (dona_ana.name, dona_ana.kind, dona_ana.county_geoid, dona_ana.incorporated) == (
        "Doña Ana", "CDP", "35013", False
    )
    assert index.get("2965000").county_geoid == "29510"  # St. Louis, an independent city
    assert all(e.county_geoid[:2] == e.state_fips for e in index)
    again = build_place_index(settings, states=("06", "29", "35"))
    assert again.unchanged and again.ok


@needs_mirror
def test_the_build_asks_for_every_state(tmp_path):
    settings = Settings(str(mirror_copy(tmp_path, "11")), 2015, "", tmp_path / "cache")
    report = build_place_index(settings)
    assert report.built == ["11"]
    assert len(report.failures) == len(report.absent) == len(PLACE_STATES) - 1
    assert any("cb_2015_72_place_500k.zip" in f and "does not exist" in f for f in report.failures)
    index = read_place_index(settings.cache_dir)
    assert index is not None and list(index.entries) == ["1150000"]
    assert index.get("1150000").county_geoid == "11001"


@needs_mirror
def test_a_failed_state_keeps_its_previous_entries(tmp_path):
    mirror = mirror_copy(tmp_path, "06", "35")
    settings = Settings(str(mirror), 2015, "", tmp_path / "cache")
    assert build_place_index(settings, states=("06", "35")).ok
    before = read_place_index(settings.cache_dir)
    # California's file truncated, as a dropped download would leave it.
    zip_path = mirror / "cb_2015_06_place_500k.zip"
    zip_path.write_bytes(zip_path.read_bytes()[:100_000])
    report = build_place_index(settings, states=("06", "35"))
    assert not report.ok
    assert any("cb_2015_06_place_500k.zip: not a readable zip" in f for f in report.failures)
    assert (report.built, report.kept_from_previous) == (["35"], ["06"])
    after = read_place_index(settings.cache_dir)
    assert after is not None and dict(after.entries) == dict(before.entries)
    assert list(settings.cache_dir.rglob("*.part")) == []
    # The source gone altogether: nothing is rewritten, everything is kept.
    gone = dataclasses.replace(settings, census_source=str(tmp_path / "nowhere"))
    report = build_place_index(gone, states=("06", "35"))
    assert report.kept_from_previous == ["06", "35"] and report.places == len(before)


@needs_mirror
def test_a_garbage_shapefile_fails_its_state_only(tmp_path):
    mirror = mirror_copy(tmp_path, "06", "35")
    settings = Settings(str(mirror), 2015, "", tmp_path / "cache")
    assert build_place_index(settings, states=("06", "35")).ok
    before = read_place_index(settings.cache_dir)
    # A whole zip (its CRCs pass) whose .shp is garbage.
    original = mirror / "cb_2015_35_place_500k.zip"
    members = {}
    with zipfile.ZipFile(original) as archive:
        for info in archive.infolist():
            members[info.filename] = archive.read(info)
    with zipfile.ZipFile(original, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, bytes(len(data)) if member.endswith(".shp") else data)
    report = build_place_index(settings, states=("06", "35"))
    assert (report.built, report.kept_from_previous) == (["06"], ["35"]), report.lines()
    assert any(f.startswith("cb_2015_35_place_500k.zip: ") for f in report.failures)
    assert dict(read_place_index(settings.cache_dir).entries) == dict(before.entries)


def test_offline_the_build_stops_asking_after_the_first_state(tmp_path, monkeypatch):
    from geodata import placeindex
    from geodata.download import SourceUnreachable

    asked: list[str] = []

    def unreachable(name: str, *args: object, **kwargs: object) -> Path:
        asked.append(name)
        raise SourceUnreachable(f"{name}: timed out")

    monkeypatch.setattr(placeindex, "fetch", unreachable)
    report = build_place_index(Settings("https://census.example/shp", 2015, "", tmp_path / "cache"))
    assert asked == ["cb_2015_01_place_500k.zip"]
    assert report.failures == [
        "cb_2015_01_place_500k.zip: timed out", f"{len(PLACE_STATES) - 1} more state file(s) not tried: the source"
        " is unreachable",
    ]
    assert report.absent == list(PLACE_STATES) and not index_path(tmp_path / "cache").exists()


def test_an_unwritable_cache_is_a_failure_not_a_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    report = build_place_index(Settings(str(tmp_path), 2015, "", blocker / "cache"), states=("06",))
    assert not report.ok and "not writable" in report.failures[0]


@pytest.mark.mirror
def test_build_command_writes_the_index_and_bakersfield_inherits(mirror_cache, mirror_dataset):
    """`python -m geodata build` from the mirrors; Bakersfield, with no row of its own, on 2025-08-05."""
    index = read_place_index(mirror_cache)
    assert index is not None and len(index) > 29_000
    on = day("2025-08-05")
    # Every incorporated place is outlined by the build, so the dataset knows Bakersfield itself.
    assert mirror_dataset.gazetteer.get("0603526") is not None
    status = status_of_place(mirror_dataset, "0603526", on, index)
    expected = tuple(
        m.measure_id for parent in ("06", "06029")
        for m in mirror_dataset.measures_by_geoid.get(parent, ()) if m.in_force(on) and m.applies_below
    )
    assert status.name == "Bakersfield, California"
    assert status.inherited_measures == expected
    assert "ca-sb54-2017" in status.inherited_measures  # the California Values Act
    assert status.effective_status == "limits"
