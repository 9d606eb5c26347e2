"""The table parser and validator: every error type, reported with its line number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geodata.boundaries import load_gazetteer
from geodata.cli import main
from geodata.tables import read_designations, read_policies
from geodata.validate import check
from tests.conftest import designation_row, measure_row

TODAY = dt.date(2026, 1, 1)


def problems_of(policies: Path, designations: Path, cache: Path) -> list[str]:
    result = check(policies, designations, load_gazetteer(cache), today=TODAY)
    return [str(p) for p in result.problems]


def test_valid_tables_have_no_problems(write_tables, tmp_path):
    policies, lists = write_tables(
        [measure_row(), measure_row(measure_id="m2", geoid="48201", jurisdiction="Harris County, Texas",
                                    direction="requires", provisions="honor_detainers;mandates_287g")],
        [designation_row()],
    )
    result = check(policies, lists, load_gazetteer(tmp_path / "cache"), today=TODAY)
    assert result.ok, result.problems
    assert (result.measures, result.designations) == (2, 1)


@pytest.mark.parametrize(
    ("fields", "column", "fragment"),
    [
        ({"geoid": "6"}, "geoid", "malformed GEOID"),
        ({"geoid": "06x"}, "geoid", "malformed GEOID"),
        ({"geoid": "99"}, "geoid", "matches no boundary"),
        ({"geoid": "06999"}, "geoid", "matches no boundary"),
        ({"adopted": "2017-13-01"}, "adopted", "not a valid YYYY-MM-DD date"),
        ({"adopted": "10/05/2017"}, "adopted", "not a valid YYYY-MM-DD date"),
        ({"effective": "2030-01-01"}, "effective", "in the future"),
        ({"effective": "2017-01-01"}, "effective", "before adopted"),
        ({"ended": "2017-12-31", "end_reason": "repealed"}, "ended", "before effective"),
        ({"ended": "2019-01-01"}, "end_reason", "is empty"),
        ({"instrument": "decree"}, "instrument", "unknown value 'decree'"),
        ({"direction": "sideways"}, "direction", "unknown value 'sideways'"),
        ({"provisions": "detainer_limits;free_pizza"}, "provisions", "unknown provision tag 'free_pizza'"),
        ({"provisions": "honor_detainers"}, "provisions", "belongs to direction 'requires'"),
        ({"source_url": ""}, "source_url", "is empty"),
        ({"source_url": "http://example.org"}, "source_url", "must be an https URL"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "must be an https URL"),
        ({"jurisdiction": "Oregon"}, "jurisdiction", "does not match the boundary's name 'California'"),
        ({"title": ""}, "title", "is empty"),
    ],
)
def test_each_error_is_reported_on_its_line(write_tables, tmp_path, fields, column, fragment):
    policies, lists = write_tables([measure_row(measure_id="ok"), measure_row(**fields)])
    problems = problems_of(policies, lists, tmp_path / "cache")
    expected = f"{policies.name}:3: {column}: "
    assert any(p.startswith(expected) and fragment in p for p in problems), problems


def test_a_superseded_measure_must_hand_over_to_a_real_successor(write_tables, tmp_path):
    policies, lists = write_tables(
        [
            measure_row(measure_id="old", ended="2019-01-01", end_reason="superseded by new"),
            measure_row(measure_id="new", adopted="2018-06-01", effective="2019-02-01"),
            measure_row(measure_id="orphan", ended="2019-01-01", end_reason="superseded by missing-row"),
        ]
    )
    assert problems_of(policies, lists, tmp_path / "cache") == [
        f"{policies.name}:2: ended: 2019-01-01 is not the day its successor 'new' took effect (2019-02-01)",
        f"{policies.name}:4: end_reason: names 'missing-row', which is not in the table",
    ]


def test_duplicate_measure_id_names_the_first_line(write_tables, tmp_path):
    policies, lists = write_tables([measure_row(), measure_row(), measure_row(measure_id="m3")])
    assert problems_of(policies, lists, tmp_path / "cache") == [
        f"{policies.name}:3: measure_id: duplicate of line 2"
    ]


def test_every_problem_is_listed_not_just_the_first(write_tables, tmp_path):
    policies, lists = write_tables(
        [
            measure_row(measure_id="a", geoid="1"),
            measure_row(measure_id="b", adopted="nope", source_url="ftp://x"),
        ],
        [designation_row(list="fox-news"), designation_row(geoid="48", jurisdiction="Texas",
                                                           removed_on="2025-01-01")],
    )
    problems = problems_of(policies, lists, tmp_path / "cache")
    assert f"{policies.name}:2: geoid: malformed GEOID '1': expected 2, 5 or 7 digits" in problems
    assert any(p.startswith(f"{policies.name}:3: adopted:") for p in problems)
    assert any(p.startswith(f"{policies.name}:3: source_url:") for p in problems)
    assert any(p.startswith(f"{lists.name}:2: list: unknown value 'fox-news'") for p in problems)
    assert any(p.startswith(f"{lists.name}:3: removed_on:") for p in problems)


def test_notes_may_hold_anything_but_titles_hold_no_markup(write_tables, tmp_path):
    hostile = 'He said "no", then\nleft; <script>alert(1)</script>, & more'
    policies, _lists = write_tables([measure_row(notes=hostile)])
    table = read_policies(policies, TODAY)
    assert not table.problems
    assert table.records[0].notes == hostile
    policies, _lists = write_tables([measure_row(title=hostile)])
    assert [p.column for p in read_policies(policies, TODAY).problems] == ["title", "title"]


def test_malformed_csv_rows_are_reported_not_raised(tmp_path):
    path = tmp_path / "policies.csv"
    header = ",".join(measure_row())
    path.write_text(header + "\n" + "only,three,fields\n" + ",".join(measure_row().values()) + "\n")
    table = read_policies(path, TODAY)
    assert [str(p) for p in table.problems] == [f"{path.name}:2: row: has 3 fields, expected 13"]
    assert len(table.records) == 1


def test_missing_columns_and_unreadable_files(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("geoid,name\n06,California\n")
    assert "missing measure_id" in str(read_policies(wrong).problems[0])
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert str(read_designations(binary).problems[0]) == (
        "binary.csv:1: header: byte(s) 0xFF 0xFE at the start are not UTF-8; save the file as UTF-8"
    )
    assert "cannot read" in str(read_policies(tmp_path / "absent.csv").problems[0])


def test_names_match_with_or_without_kind_words(write_tables, tmp_path):
    policies, lists = write_tables(
        [
            measure_row(measure_id="a", geoid="17031", jurisdiction="Cook County, Illinois"),
            measure_row(measure_id="b", geoid="17031", jurisdiction="Cook, IL"),
            measure_row(measure_id="c", geoid="22071", jurisdiction="Orleans Parish, Louisiana"),
            measure_row(measure_id="d", geoid="51760", jurisdiction="Richmond city, Virginia"),
            measure_row(measure_id="e", geoid="17031", jurisdiction="Cook County, Georgia"),
        ]
    )
    problems = problems_of(policies, lists, tmp_path / "cache")
    assert problems == [
        f"{policies.name}:6: jurisdiction: 'Cook County, Georgia' does not match the boundary's name"
        " 'Cook County, Illinois'"
    ]


def test_check_command_exit_codes(write_tables, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("GEODATA_CACHE_DIR", str(tmp_path / "cache"))
    policies, lists = write_tables([measure_row()], [designation_row()])
    assert main(["check", "--policies", str(policies), "--designations", str(lists)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 measures, 1 federal-list entries")
    broken, _ = write_tables([measure_row(geoid="0x")], [designation_row()])
    assert main(["check", "--policies", str(broken), "--designations", str(lists)]) == 1
    assert "geoid: malformed GEOID" in capsys.readouterr().out


def test_committed_tables_pass_the_check(capsys):
    assert main(["check"]) == 0, capsys.readouterr().out
