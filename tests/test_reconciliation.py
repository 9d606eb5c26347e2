"""The DHS list reconciled state by state, and the entries the map cannot draw."""

from __future__ import annotations

import datetime as dt

from geodata.reconciliation import dhs_tallies, reconciliation_lines, reported_counts
from geodata.tables import Designation, read_unplaced_designations

HEADER = "state_fips,jurisdiction,kind,list,listed_on,removed_on,source_url,notes\n"
DAY = dt.date(2025, 5, 29)


def designation(geoid: str) -> Designation:
    return Designation(geoid, "x", "dhs-2025-05", DAY, dt.date(2025, 6, 1), "https://example.org/", "")


def test_the_committed_table_of_towns_reads_cleanly_and_says_how_each_is_drawn():
    table = read_unplaced_designations()
    assert not table.problems
    assert {u.jurisdiction for u in table.records} >= {"East Haven, Connecticut", "Montclair, New Jersey"}
    assert all("not drawn" in u.drawn_as for u in table.records)


def test_a_bad_row_of_towns_is_reported_with_its_line_and_left_out(tmp_path):
    path = tmp_path / "towns.csv"
    path.write_text(
        HEADER
        + "9,Nowhere,new_england_town,dhs-2025-05,2025-05-29,,https://example.org/,\n"
        + "09,Hamden,parish,dhs-2025-05,2025-05-29,,https://example.org/,\n"
        + "09,Windham,new_england_town,dhs-2025-05,2025-05-29,2025-05-01,http://example.org/,<b>x</b>\n"
        + "09,East Haven,new_england_town,dhs-2025-05,2025-05-29,2025-06-01,https://example.org/,ok\n",
        encoding="utf-8",
    )
    table = read_unplaced_designations(path)
    assert [u.jurisdiction for u in table.records] == ["East Haven"]
    columns = {(p.line, p.column) for p in table.problems}
    assert (2, "state_fips") in columns and (3, "kind") in columns
    assert (4, "removed_on") in columns and (4, "source_url") in columns


def test_each_state_is_set_beside_the_counts_a_source_reports():
    towns = read_unplaced_designations().records
    tallies = dhs_tallies((designation("34"), designation("34005"), designation("3451000")), towns)
    assert tallies["34"].statewide and tallies["34"].counties == 1 and tallies["34"].places == 1
    assert tallies["34"].not_drawn == sum(1 for u in towns if u.state_fips == "34")
    assert reported_counts()["34"].cities == 18
    lines = reconciliation_lines((designation("34005"),), ())
    assert any(line.strip().startswith("New Jersey") and "counties 1 of 3 reported (-2)" in line for line in lines)
