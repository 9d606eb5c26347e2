"""ICE's 287(g) sheets: reading drifting layouts, one record per agreement, matching, and the cache.

Every sheet and Census zip here is built by the test itself. The tests marked `mirror` also
read the real sheets in ../shared/ice-287g and skip, with the reason, when they are absent.
"""

from __future__ import annotations

import datetime as dt
import threading
import typing
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely

from geodata.config import ICE_287G_PAGE, Settings
from geodata.ice287g import (
    AGREEMENTS_FILE,
    EXCEPTIONS_FILE,
    SHEETS_DIR,
    Agreement,
    SheetError,
    build_agreements,
    cached_agreement_measures,
    cached_agreements,
    coverage_lines,
    merge_sheets,
    parse_date_text,
    places_needed_by_agreements,
    read_sheet,
    sheet_date_from_name,
    sheet_link,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
ICE_MIRROR = SHARED / "ice-287g"
CENSUS_MIRROR = SHARED / "census"

MAY_COLUMNS = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA")
JULY_COLUMNS = (*MAY_COLUMNS, "ADDENDUM")
MOA_URL = "https://www.ice.gov/doclib/287gMOA/LeeCoFL_TFM_MOA.pdf"
SAFELINK = (
    "https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA"
    "%2FTampaPD_TFM.pdf&data=05%7C02&reserved=0"
)


@dataclass(frozen=True)
class Link:
    """A cell shown as `text` that links to `url`, as ICE's MOA column does."""

    text: str
    url: str


def write_sheet(
    path: Path,
    rows: Sequence[Sequence[object]],
    columns: Sequence[str] = MAY_COLUMNS,
    title_rows: Sequence[str] = (),
) -> Path:
    """An xlsx laid out like ICE's: optional title rows above the header, then one row per agreement."""
    book = openpyxl.Workbook()
    sheet = book.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(list(columns))
    for values in rows:
        sheet.append([v.text if isinstance(v, Link) else v for v in values])
        for column, value in enumerate(values, start=1):
            if isinstance(value, Link):
                sheet.cell(row=sheet.max_row, column=column).hyperlink = value.url
    book.save(path)
    return path


def census_zip(directory: Path, state: str, places: Sequence[tuple[str, str, str]]) -> Path:
    """A tiny stand-in for cb_2015_<state>_place_500k.zip: (PLACEFP, NAME, LSAD) per place."""
    directory.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {
            "STATEFP": [state] * len(places),
            "PLACEFP": [p[0] for p in places],
            "GEOID": [state + p[0] for p in places],
            "NAME": [p[1] for p in places],
            "LSAD": [p[2] for p in places],
        },
        geometry=[shapely.Point(-82.0 + i / 10, 28.0) for i in range(len(places))],
        crs=4269,
    )
    stem = f"cb_2015_{state}_place_500k"
    shapes = directory / f"{stem}-shp"
    shapes.mkdir()
    frame.to_file(shapes / f"{stem}.shp", driver="ESRI Shapefile")
    target = directory / f"{stem}.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for member in sorted(shapes.iterdir()):
            archive.write(member, member.name)
    return target


FLORIDA_PLACES = (
    ("71000", "Tampa", "25"),
    ("62625", "St. Cloud", "25"),
    ("69555", "Sunny Isles Beach", "25"),
    ("43975", "Melbourne", "25"),
    ("22660", "Ferry Pass", "57"),  # a CDP: unincorporated, so no police department of its own
)
ARKANSAS_PLACES = (("68810", "Texarkana", "25"),)


@pytest.fixture
def census_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "census-mirror"
    census_zip(directory, "12", FLORIDA_PLACES)
    census_zip(directory, "05", ARKANSAS_PLACES)
    return directory


def settings_for(source: Path | str, census: Path, cache: Path) -> Settings:
    return Settings(census_source=str(census), census_year=2015, ice_287g_source=str(source), cache_dir=cache)


# --------------------------------------------------------------------------- dates and names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("participatingAgencies05192025pm.xlsx", dt.date(2025, 5, 19)),
        ("participatingAgencies07182025pm.xlsx", dt.date(2025, 7, 18)),
        ("participatingAgencies-2025-08-01.xlsx", dt.date(2025, 8, 1)),
        ("participatingAgencies.xlsx", None),
        ("participatingAgencies13452025.xlsx", None),
    ],
)
def test_the_sheet_date_comes_from_the_file_name(name, expected):
    assert sheet_date_from_name(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05", dt.date(2025, 3, 5)),
        ("3/5/2025", dt.date(2025, 3, 5)),
        ("3/5/25", dt.date(2025, 3, 5)),
        ("05/082025", dt.date(2025, 5, 8)),  # as typed on ICE's sheet, second slash missing
        ("7/72025", dt.date(2025, 7, 7)),
        ("March 5, 2025", dt.date(2025, 3, 5)),
        ("pending", None),
        ("", None),
        ("13/45/2025", None),
    ],
)
def test_signed_dates_typed_as_text(text, expected):
    assert parse_date_text(text) == expected


def test_the_sheet_link_is_found_on_the_program_page():
    page = (
        '<a href="/doclib/about/offices/ero/287g/participatingAgencies05192025pm.xlsx">old</a>'
        '<a href="/doclib/other/budget.xlsx">budget</a>'
        "<a href='/doclib/about/offices/ero/287g/participatingAgencies07182025pm.xlsx'>current</a>"
    )
    assert sheet_link(page, ICE_287G_PAGE) == (
        "https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies07182025pm.xlsx"
    )


# --------------------------------------------------------------------------- reading sheets


def test_reads_the_may_layout(tmp_path):
    path = write_sheet(
        tmp_path / "participatingAgencies05192025pm.xlsx",
        [
            ("FLORIDA", "Lee County Sheriff's Office", "County", "Lee County", "Task Force Model",
             dt.datetime(2025, 2, 26), Link("link", MOA_URL)),
            ("FLORIDA", "Tampa Police Department", "Municipality", "#N/A", "Task Force Model",
             dt.datetime(2025, 2, 28), "link pending"),
        ],
    )
    sheet = read_sheet(path)
    assert sheet.day == dt.date(2025, 5, 19)
    assert [r.agency for r in sheet.rows] == ["Lee County Sheriff's Office", "Tampa Police Department"]
    lee, tampa = sheet.rows
    assert (lee.signed, lee.moa_url) == (dt.date(2025, 2, 26), MOA_URL)
    assert (tampa.county_cell, tampa.moa_url) == ("", "")


def test_reads_the_july_layout_with_header_and_cell_drift(tmp_path):
    path = write_sheet(
        tmp_path / "participatingAgencies07182025pm.xlsx",
        [
            ("  FLORIDA ", "Lee County  Sheriff\u2019s Office ", "County", "Lee County ", "Task Force Model ",
             "05/082025", Link("link ", MOA_URL), None),
            ("FLORIDA", "Tampa Police Department", "Municipality", "#N/A", "Task Force Model",
             45838, Link("link", SAFELINK), Link("link", MOA_URL)),  # 45838: Excel's serial for 2025-06-30
            (None, None, None, None, None, None, None, None),
            ("* Link pending: the MOA is being posted", None, None, None, None, None, None, None),
        ],
        columns=(" STATE", "LAW ENFORCEMENT  AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE ", "SIGNED",
                 "MOA", "ADDENDUM"),
        title_rows=("287(g) Participating Agencies", "Updated July 18, 2025"),
    )
    sheet = read_sheet(path)
    lee, tampa = sheet.rows
    assert lee.state_text == "FLORIDA"
    assert lee.agency == "Lee County Sheriff's Office"
    assert lee.county_cell == "Lee County"
    assert lee.support_type == "Task Force Model"
    assert lee.signed == dt.date(2025, 5, 8)
    assert lee.line == 4  # two title rows and the header above it
    assert tampa.signed == dt.date(2025, 6, 30)
    assert tampa.county_cell == ""
    # Outlook's safelinks wrapper is taken off the MOA link.
    assert tampa.moa_url == "https://www.ice.gov/doclib/287gMOA/TampaPD_TFM.pdf"
    assert len(sheet.skipped) == 1 and "no agency name" in sheet.skipped[0]


def test_a_sheet_without_the_expected_header_is_named_in_the_error(tmp_path):
    path = write_sheet(tmp_path / "odd.xlsx", [("x", "y")], columns=("NAME", "PLACE"))
    with pytest.raises(SheetError, match=r"odd\.xlsx: no header row with STATE"):
        read_sheet(path)


def test_a_truncated_sheet_is_an_error_naming_it(tmp_path):
    good = write_sheet(tmp_path / "good.xlsx", [])
    broken = tmp_path / "participatingAgencies07182025pm.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(SheetError, match=r"participatingAgencies07182025pm\.xlsx: not a readable xlsx"):
        read_sheet(broken)


# --------------------------------------------------------------------------- one record per agreement


def lee(signed: object = dt.datetime(2025, 2, 26), agency: str = "Lee County Sheriff's Office") -> tuple:
    return ("FLORIDA", agency, "County", "Lee County", "Task Force Model", signed, Link("link", MOA_URL))


def test_the_same_agreement_across_sheets_is_one_record_and_a_missing_one_has_ended(tmp_path):
    may = write_sheet(
        tmp_path / "participatingAgencies05192025pm.xlsx",
        [
            lee(),
            lee(),  # listed twice on one sheet: still one agreement
            ("FLORIDA", "Collier County Sheriff's Office", "County", "Collier County", "Jail Enforcement Model",
             dt.datetime(2019, 5, 6), "link"),
            ("FLORIDA", "Indiatlantic Police Department", "Municipality", "#N/A", "Task Force Model",
             dt.datetime(2025, 5, 13), "link pending"),
        ],
    )
    july = write_sheet(
        tmp_path / "participatingAgencies07182025pm.xlsx",
        [
            # Case, spacing, apostrophe style and a text date: the same agreement.
            ("FLORIDA", " LEE COUNTY SHERIFF\u2019S OFFICE", "County", "Lee County ", "Task Force Model ",
             "2/26/2025", "link pending", None),
            # A corrected spelling with the same state, model and date: a rename, not a new agreement.
            ("FLORIDA", "Indialantic Police Department", "Municipality", "#N/A", "Task Force Model",
             dt.datetime(2025, 5, 13), "link pending", None),
            # Same agency, another model: another agreement.
            ("FLORIDA", "Lee County Sheriff's Office", "County", "Lee County", "Warrant Service Officer",
             dt.datetime(2025, 7, 2), "link pending", None),
        ],
        columns=JULY_COLUMNS,
    )
    agreements = {a.agreement_id: a for a in merge_sheets([read_sheet(july), read_sheet(may)])}
    assert sorted(agreements) == [
        "287g-fl-collier-county-sheriffs-office-jem-2019-05-06",
        "287g-fl-indialantic-police-department-tfm-2025-05-13",
        "287g-fl-lee-county-sheriffs-office-tfm-2025-02-26",
        "287g-fl-lee-county-sheriffs-office-wso-2025-07-02",
    ]
    lee_tfm = agreements["287g-fl-lee-county-sheriffs-office-tfm-2025-02-26"]
    assert lee_tfm.seen_on == (dt.date(2025, 5, 19), dt.date(2025, 7, 18))
    assert lee_tfm.ended is None
    assert lee_tfm.moa_url == MOA_URL  # "link pending" later does not lose the earlier link
    collier = agreements["287g-fl-collier-county-sheriffs-office-jem-2019-05-06"]
    assert collier.seen_on == (dt.date(2025, 5, 19),)
    assert collier.ended == dt.date(2025, 7, 18)
    renamed = agreements["287g-fl-indialantic-police-department-tfm-2025-05-13"]
    assert renamed.ended is None
    assert renamed.also_listed_as == ("Indiatlantic Police Department",)
    assert agreements["287g-fl-lee-county-sheriffs-office-wso-2025-07-02"].seen_on == (dt.date(2025, 7, 18),)


def test_an_ended_agreement_ends_at_the_first_later_sheet_without_it(tmp_path):
    sheets = [
        read_sheet(write_sheet(tmp_path / f"participatingAgencies{name}.xlsx", rows))
        for name, rows in (("03012025", [lee()]), ("04012025", [lee()]), ("05012025", []), ("06012025", []))
    ]
    (agreement,) = merge_sheets(sheets)
    assert agreement.seen_on == (dt.date(2025, 3, 1), dt.date(2025, 4, 1))
    assert agreement.ended == dt.date(2025, 5, 1)


def test_an_unreadable_or_impossible_signed_date_is_an_exception(tmp_path):
    path = write_sheet(
        tmp_path / "participatingAgencies07182025pm.xlsx",
        [lee(signed="pending"), lee(signed=dt.datetime(5025, 7, 7), agency="Grundy County Sheriff's Office"),
         lee(signed=dt.datetime(2025, 9, 1), agency="Polk County Sheriff's Office")],
    )
    problems = {a.agency: a.problems for a in merge_sheets([read_sheet(path)])}
    assert "signed date missing, unreadable or implausible: 'pending'" in problems["Lee County Sheriff's Office"]
    assert "implausible: '5025-07-07'" in problems["Grundy County Sheriff's Office"][0]
    assert "after the sheet of 2025-07-18" in problems["Polk County Sheriff's Office"][0]


# --------------------------------------------------------------------------- matching and the cache


MATCHING_ROWS = [
    # (state, agency, type, COUNTY cell, model, signed) -> expected in MATCHED or UNMATCHED below
    ("FLORIDA", "Lee County Sheriff's Office", "County", "Lee County", "Task Force Model", dt.datetime(2025, 2, 26)),
    ("FLORIDA", "Miami Dade Sheriff's Office", "County", "Miami-Dade County", "Task Force Model",
     dt.datetime(2025, 2, 26)),
    ("FLORIDA", "Jacksonville Sheriff's Office", "County", "Duval County", "Jail Enforcement Model",
     dt.datetime(2020, 6, 9)),
    ("FLORIDA", "Miami Dade Corrections and Rehabilitation", "County", "Miami-Dade County",
     "Warrant Service Officer", dt.datetime(2025, 3, 1)),
    ("FLORIDA", "Tampa Police Department", "Municipality", "#N/A", "Task Force Model", dt.datetime(2025, 2, 28)),
    ("FLORIDA", "City of St. Cloud Police Department", "Municipality", "#N/A", "Task Force Model",
     dt.datetime(2025, 4, 15)),
    ("FLORIDA", "Sunny Isles Police Department", "Municipality", "#N/A", "Task Force Model",
     dt.datetime(2025, 3, 10)),
    ("FLORIDA", "Florida Highway Patrol", "State Agency", "#N/A", "Task Force Model", dt.datetime(2025, 2, 7)),
    ("ARKANSAS", "Arkansas State Police Department", "Municipality", "Pulaski County", "Task Force Model",
     dt.datetime(2025, 7, 7)),
    ("ARKANSAS", "Texarkana Police Department", "Municipality", "Bowie County", "Task Force Model",
     dt.datetime(2025, 7, 11)),
    ("VIRGINIA", "Hopewell County Sheriff's Office", "County", "Hopewell County", "Task Force Model",
     dt.datetime(2025, 6, 30)),
    ("VIRGINIA", "Richmond County Sheriff's Office", "County", "Richmond County", "Task Force Model",
     dt.datetime(2025, 6, 12)),
    ("TEXAS", "Lampass County Sheriff's Office", "County", "Lampass County", "Jail Enforcement Model",
     dt.datetime(2025, 3, 1)),
    # approximate: the smallest unit known to hold them
    ("FLORIDA", "University of Florida Police Department", "State Agency", "#N/A", "Task Force Model",
     dt.datetime(2025, 4, 15)),
    ("FLORIDA", "Lee County Port Authority Police", "County", "Lee County", "Task Force Model",
     dt.datetime(2025, 4, 1)),
    ("FLORIDA", "Melbourne International Airport Police Department", "Municipality", "#N/A",
     "Task Force Model", dt.datetime(2025, 4, 25)),
    ("FLORIDA", "Sample Township Police Department", "Municipality", "Lee County ", "Task Force Model",
     dt.datetime(2025, 4, 1)),
    # unmatched: kept, with the reason
    ("FLORIDA", "Atlantis Police Department", "Municipality", "#N/A", "Task Force Model", dt.datetime(2025, 7, 2)),
    ("FLORIDA", "Ferry Pass Police Department", "Municipality", "#N/A", "Task Force Model",
     dt.datetime(2025, 7, 2)),
    ("FLORIDA", "Gulf Coast District Jail", "County", "Gulf Coast County", "Warrant Service Officer",
     dt.datetime(2025, 7, 2)),
]
MATCHED = {
    "Lee County Sheriff's Office": ("12071", "county", False),
    "Miami Dade Sheriff's Office": ("12086", "county", False),
    "Jacksonville Sheriff's Office": ("12031", "county", False),
    "Miami Dade Corrections and Rehabilitation": ("12086", "county", False),
    "Tampa Police Department": ("1271000", "place", False),
    "City of St. Cloud Police Department": ("1262625", "place", False),
    "Sunny Isles Police Department": ("1269555", "place", False),
    "Florida Highway Patrol": ("12", "state", False),
    "Arkansas State Police Department": ("05", "state", False),
    "Texarkana Police Department": ("0568810", "place", False),
    "Hopewell County Sheriff's Office": ("51670", "county", False),  # an independent city
    "Richmond County Sheriff's Office": ("51159", "county", False),  # not Richmond city (51760)
    "Lampass County Sheriff's Office": ("48281", "county", False),  # Lampasas, misspelt
    "University of Florida Police Department": ("12", "state", True),
    "Lee County Port Authority Police": ("12071", "county", True),
    "Melbourne International Airport Police Department": ("1243975", "place", True),
    "Sample Township Police Department": ("12071", "county", True),
}
UNMATCHED = {
    "Atlantis Police Department": "no incorporated Census place named 'Atlantis' in Florida",
    "Ferry Pass Police Department": "no incorporated Census place named 'Ferry Pass' in Florida",
    "Gulf Coast District Jail": "the sheet's COUNTY cell 'Gulf Coast County' is not a county of Florida",
}


@pytest.fixture
def built(tmp_path: Path, census_dir: Path) -> Settings:
    """A cache built from one small July-layout sheet covering every matching rule."""
    sheet = write_sheet(
        tmp_path / "participatingAgencies07182025pm.xlsx",
        [(*row, Link("link", MOA_URL) if i == 0 else "link pending", None) for i, row in enumerate(MATCHING_ROWS)],
        columns=JULY_COLUMNS,
    )
    settings = settings_for(sheet, census_dir, tmp_path / "cache")
    report = build_agreements(settings)
    assert report.ok, report.failures
    return settings


def test_every_matching_rule(built):
    agreements = {a.agency: a for a in cached_agreements(built.cache_dir)}
    assert set(agreements) == set(MATCHED) | set(UNMATCHED)  # nothing is dropped
    found = {name: (a.geoid, a.match_kind, a.approximate) for name, a in agreements.items() if a.matched}
    assert found == MATCHED
    for name, reason in UNMATCHED.items():
        assert agreements[name].geoid is None
        assert reason in agreements[name].problems[0], agreements[name].problems
    assert "spelling corrected" in agreements["Lampass County Sheriff's Office"].match_basis


def test_the_cache_files_list_every_agreement_and_the_exceptions(built):
    lines = (built.cache_dir / AGREEMENTS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(MATCHING_ROWS)
    exceptions = (built.cache_dir / EXCEPTIONS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(exceptions) == 1 + len(UNMATCHED)
    assert all(name in "\n".join(exceptions) for name in UNMATCHED)
    assert list(built.cache_dir.rglob("*.part")) == []


def test_agreements_become_measures(built):
    measures = {m.measure_id: m for m in cached_agreement_measures(built.cache_dir)}
    assert len(measures) == len(MATCHED)  # unmatched agreements are exceptions, not measures
    lee = measures["287g-fl-lee-county-sheriffs-office-tfm-2025-02-26"]
    assert lee.geoid == "12071"
    assert lee.jurisdiction == "Lee County, Florida"
    assert lee.title == "287(g) agreement: Lee County Sheriff's Office (Task Force Model)"
    assert (lee.instrument, lee.direction) == ("agreement", "requires")
    assert lee.provisions == ("agreement_287g", "task_force_model")
    assert lee.adopted == lee.effective == dt.date(2025, 2, 26)
    assert (lee.ended, lee.end_reason) == (None, "")
    assert lee.source_url == MOA_URL
    assert "2025-07-18" in lee.notes
    tampa = measures["287g-fl-tampa-police-department-tfm-2025-02-28"]
    assert tampa.source_url == ICE_287G_PAGE  # "link pending": the program page instead
    campus = measures["287g-fl-university-of-florida-police-department-tfm-2025-04-15"]
    assert "Approximate match" in campus.notes


def test_measures_are_cached_until_the_file_changes(built):
    first = cached_agreement_measures(built.cache_dir)
    assert cached_agreement_measures(built.cache_dir) is first
    path = built.cache_dir / AGREEMENTS_FILE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3]), encoding="utf-8")
    assert len(cached_agreement_measures(built.cache_dir)) < len(first)


def test_places_needed_are_the_matched_places(built, tmp_path):
    assert places_needed_by_agreements(built) == {"1271000", "1262625", "1269555", "0568810", "1243975"}
    empty = settings_for(tmp_path / "none", tmp_path / "none", tmp_path / "empty-cache")
    assert places_needed_by_agreements(empty) == set()


def test_coverage_lists_rates_exceptions_months_and_models(built):
    text = "\n".join(coverage_lines(built))
    total = len(MATCHING_ROWS)
    assert f"matched {len(MATCHED)} of {total} ({100 * len(MATCHED) / total:.1f}%)" in text
    assert "county 9, place 5, state 3; 4 of them approximate" in text
    for name in UNMATCHED:
        assert name in text
    assert "2020-06" in text and "2025-07" in text  # from the earliest signed month to the sheet's
    assert "Task Force Model" in text and "Jail Enforcement Model" in text


def test_ended_agreements_become_ended_measures(tmp_path, census_dir):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    write_sheet(sheets / "participatingAgencies05192025pm.xlsx", [lee()])
    write_sheet(sheets / "participatingAgencies07182025pm.xlsx", [], columns=JULY_COLUMNS)
    settings = settings_for(sheets, census_dir, tmp_path / "cache")
    assert build_agreements(settings).ok
    (measure,) = cached_agreement_measures(settings.cache_dir)
    assert measure.ended == dt.date(2025, 7, 18)
    assert measure.end_reason == "not on ICE's sheet of 2025-07-18"
    assert measure.in_force(dt.date(2025, 7, 17)) and not measure.in_force(dt.date(2025, 7, 18))


# --------------------------------------------------------------------------- failures


def test_a_missing_source_says_the_layer_is_unavailable_and_how_to_get_it(tmp_path, census_dir):
    settings = settings_for(tmp_path / "no-such-sheets", census_dir, tmp_path / "cache")
    report = build_agreements(settings)
    assert not report.ok
    message = "\n".join(report.lines())
    assert "287(g) layer is unavailable" in message
    assert "does not exist" in message
    assert "GEODATA_ICE287G_SOURCE" in message
    assert not (tmp_path / "cache" / AGREEMENTS_FILE).exists()
    assert cached_agreement_measures(settings.cache_dir) == ()
    assert "layer not built" in coverage_lines(settings)[0]


def test_an_empty_source_directory_is_unavailable_too(tmp_path, census_dir):
    (tmp_path / "empty").mkdir()
    report = build_agreements(settings_for(tmp_path / "empty", census_dir, tmp_path / "cache"))
    assert not report.ok and "holds no .xlsx sheet" in report.lines()[0]


def test_a_truncated_sheet_leaves_the_earlier_cache_intact(tmp_path, census_dir):
    sheets = tmp_path / "sheets"
    sheets.mkdir()
    write_sheet(sheets / "participatingAgencies05192025pm.xlsx", [lee()])
    settings = settings_for(sheets, census_dir, tmp_path / "cache")
    assert build_agreements(settings).ok
    before = {name: (settings.cache_dir / name).read_bytes() for name in (AGREEMENTS_FILE, EXCEPTIONS_FILE)}
    whole = write_sheet(tmp_path / "whole.xlsx", [lee()], columns=JULY_COLUMNS).read_bytes()
    (sheets / "participatingAgencies07182025pm.xlsx").write_bytes(whole[: len(whole) // 2])
    report = build_agreements(settings)
    assert not report.ok
    message = "\n".join(report.lines())
    assert "participatingAgencies07182025pm.xlsx: not a readable xlsx workbook" in message
    assert "earlier 287(g) cache" in message and "unchanged" in message
    after = {name: (settings.cache_dir / name).read_bytes() for name in (AGREEMENTS_FILE, EXCEPTIONS_FILE)}
    assert after == before
    assert list(settings.cache_dir.rglob("*.part")) == []


def test_a_missing_census_file_fails_the_build_and_keeps_the_cache(tmp_path, census_dir):
    sheet = write_sheet(tmp_path / "participatingAgencies07182025pm.xlsx", [MATCHING_ROWS[4]])
    settings = settings_for(sheet, census_dir, tmp_path / "cache")
    assert build_agreements(settings).ok
    before = (settings.cache_dir / AGREEMENTS_FILE).read_bytes()
    report = build_agreements(settings_for(sheet, tmp_path / "no-census", tmp_path / "cache"))
    assert not report.ok
    assert "cb_2015_12_place_500k.zip" in report.lines()[0]
    assert (settings.cache_dir / AGREEMENTS_FILE).read_bytes() == before


# --------------------------------------------------------------------------- from the web


class SheetServer(BaseHTTPRequestHandler):
    files: typing.ClassVar[dict[str, bytes]] = {}

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        body = SheetServer.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SheetServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    SheetServer.files = {}


def test_the_sheet_linked_from_the_page_is_downloaded_into_the_cache(tmp_path, census_dir, server):
    sheet = write_sheet(tmp_path / "s.xlsx", [lee()]).read_bytes()
    SheetServer.files = {
        "/287g": b'<a href="/doclib/287g/participatingAgencies07182025pm.xlsx">Participating agencies</a>',
        "/doclib/287g/participatingAgencies07182025pm.xlsx": sheet,
    }
    settings = settings_for(f"{server}/287g", census_dir, tmp_path / "cache")
    report = build_agreements(settings)
    assert report.ok, report.failures
    assert (settings.cache_dir / SHEETS_DIR / "participatingAgencies07182025pm.xlsx").read_bytes() == sheet
    (agreement,) = cached_agreements(settings.cache_dir)
    assert agreement.seen_on == (dt.date(2025, 7, 18),)


def test_an_undated_download_is_kept_once_under_the_download_date(tmp_path, census_dir, server):
    SheetServer.files = {
        "/287g": b'<a href="/files/participatingAgencies.xlsx">sheet</a>',
        "/files/participatingAgencies.xlsx": write_sheet(tmp_path / "s.xlsx", [lee()]).read_bytes(),
    }
    settings = settings_for(f"{server}/287g", census_dir, tmp_path / "cache")
    assert build_agreements(settings).ok
    assert build_agreements(settings).ok  # the same sheet again: not a second copy
    kept = sorted(p.name for p in (settings.cache_dir / SHEETS_DIR).iterdir())
    assert kept == [f"participatingAgencies-{dt.date.today().isoformat()}.xlsx"]


def test_an_unreachable_page_says_the_layer_is_unavailable(tmp_path, census_dir, server):
    settings = settings_for(f"{server}/moved", census_dir, tmp_path / "cache")
    report = build_agreements(settings)
    assert not report.ok
    assert "unavailable: HTTP 404" in report.lines()[0]
    assert "GEODATA_ICE287G_SOURCE" in report.lines()[0]


# --------------------------------------------------------------------------- the real sheets


mirror = pytest.mark.skipif(
    not (ICE_MIRROR.is_dir() and CENSUS_MIRROR.is_dir()),
    reason=f"needs ICE's sheets in {ICE_MIRROR} and the Census mirror in {CENSUS_MIRROR}",
)


def real_build(source: Path, cache: Path) -> list[Agreement]:
    settings = settings_for(source, CENSUS_MIRROR, cache)
    report = build_agreements(settings)
    assert report.ok, report.failures
    return list(cached_agreements(settings.cache_dir))


@pytest.mark.mirror
@mirror
def test_the_july_sheet_matches_at_least_95_percent(tmp_path):
    agreements = real_build(ICE_MIRROR / "participatingAgencies07182025pm.xlsx", tmp_path / "cache")
    assert len(agreements) == 832
    matched = sum(1 for a in agreements if a.matched)
    assert matched / len(agreements) >= 0.95


@pytest.mark.mirror
@mirror
def test_both_real_sheets_make_one_history(tmp_path):
    agreements = real_build(ICE_MIRROR, tmp_path / "cache")
    assert sum(1 for a in agreements if a.matched) / len(agreements) >= 0.95
    assert all(a.ended in (None, dt.date(2025, 7, 18)) for a in agreements)
    assert sum(1 for a in agreements if a.ended is None) == 832
    by_agency = {a.agency: a for a in agreements}
    assert by_agency["Hopewell County Sheriff's Office"].geoid == "51670"
    assert by_agency["Indialantic Police Department"].also_listed_as == ("Indiatlantic Police Department",)
    ids = [m.measure_id for m in cached_agreement_measures(tmp_path / "cache")]
    assert len(ids) == len(set(ids))
