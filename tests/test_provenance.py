"""Provenance readers can see: notes are public copy, every measure has its evidence, and `geodata check`
says where either fails."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt

import pytest

from geodata.boundaries import load_gazetteer
from geodata.cli import main
from geodata.provenance import (
    EVIDENCE_COLUMNS,
    EVIDENCE_PATH,
    Evidence,
    evidence_problems,
    process_language,
    read_evidence,
)
from geodata.tables import POLICIES_PATH, read_policies
from geodata.validate import check
from tests.conftest import measure_row

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    "note",
    [
        "Reviewer (round 10): the signing day is not confirmed.",
        "Effective date set in round 8.",
        "I did not confirm SB 2-C's own effective-date clause.",
        "Signed Tuesday; we could not find the chaptered text.",
        "Not in existing_state_rows.tsv.",
        "Reported in the research brief; that page was not read in this pass.",
        "FIX of existing row: only ended is added.",
        "ADOPTED DATE NOT CONFIRMED: signed 'last week'.",
        "Verify the signing date if possible.",
        "The signing day was not found.",
        "Effective date from the law-firm page (see docs/methodology.md).",
        "A mirror address as returned by search.",
        "This completes the existing end row cobb-county-end-287g-2021.",
        "Current status after 2015 not verified.",
        "Later ordinances (dates not confirmed to PREFIX2 standard, so not added).",
        "Its day is not known to the brief's standard.",
    ],
)
def test_process_language_is_recognised(note):
    assert process_language(note), note


@pytest.mark.parametrize(
    "note",
    [
        "Signed 2017-10-05; effective January 1, 2018 (https://example.org/we-have-your-back/review.md).",
        "Title I of the act bars status checks; the Protect Our Courts Act is separate.",
        "FWD.us says Polis signed it on Friday; remedies include habeas corpus.",
        "WCIA reported a 'Page Not Found' by May 31. The signing day is not confirmed.",
        "The Department of Correction is to confirm immigration status before release.",
        "AILA brief: penalties effective 10/1/19. Signing date not confirmed, so adopted is left empty.",
    ],
)
def test_public_copy_passes(note):
    assert process_language(note) == [], note


def test_check_rejects_a_process_language_note_on_its_line(write_tables, tmp_path):
    policies, lists = write_tables([
        measure_row(measure_id="ok", notes="Signed 2017-10-05; effective 2018-01-01 per the statute's history note."),
        measure_row(measure_id="bad", notes="Reviewer (round 10): I could not confirm the signing day."),
    ])
    result = check(policies, lists, load_gazetteer(tmp_path / "cache"), today=TODAY)
    messages = [str(p) for p in result.problems]
    assert messages, "a process-language note must be reported"
    assert all(m.startswith("policies.csv:3: notes: ") for m in messages), messages
    assert any("reviewer" in m for m in messages)
    assert any("first person" in m for m in messages)


def test_check_command_fails_on_process_language(write_tables, capsys):
    policies, lists = write_tables([measure_row(notes="New source: see report.")])
    assert main(["check", "--policies", str(policies), "--designations", str(lists)]) == 1
    assert "policies.csv:2: notes: " in capsys.readouterr().out


def test_check_rejects_process_language_in_a_federal_list_entry(write_tables, tmp_path):
    entry = {"geoid": "06", "jurisdiction": "California", "list": "dhs-2025-05", "listed_on": "2025-05-29",
             "removed_on": "", "source_url": "https://example.org/", "notes": "Reviewer: not found in round 3."}
    policies, lists = write_tables([measure_row()], [entry])
    result = check(policies, lists, load_gazetteer(tmp_path / "cache"), today=TODAY)
    assert any(str(p).startswith("designations.csv:2: notes: ") for p in result.problems)


def test_committed_notes_are_public_copy():
    table = read_policies(POLICIES_PATH)
    offending = {m.measure_id: process_language(m.notes) for m in table.records if process_language(m.notes)}
    assert offending == {}


# --- evidence ---------------------------------------------------------------------------------

EVIDENCE = "The statute's history note gives the effective date; the bill page describes the detainer limits."


def write_evidence(directory, rows):
    """Write evidence.csv beside the fixture's policies.csv."""
    path = directory / "evidence.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(EVIDENCE_COLUMNS)
        writer.writerows(rows)
    return path


def problems_of(policies, lists, tmp_path):
    return [str(p) for p in check(policies, lists, load_gazetteer(tmp_path / "cache"), today=TODAY).problems]


def test_every_measure_needs_evidence(write_tables, tmp_path):
    policies, lists = write_tables([measure_row(measure_id="m1"), measure_row(measure_id="m2")])
    write_evidence(tmp_path, [("m1", EVIDENCE, "2025-12-01")])
    assert problems_of(policies, lists, tmp_path) == [
        "policies.csv:3: measure_id: 'm2' has no evidence row in evidence.csv"
    ]


def test_evidence_rows_are_checked(write_tables, tmp_path):
    policies, lists = write_tables([measure_row(measure_id="m1")])
    write_evidence(tmp_path, [
        ("m1", EVIDENCE, "2025-12-01"),
        ("ghost", EVIDENCE, "2025-12-01"),
        ("m1", EVIDENCE, "2025-12-01"),
        ("", "", "01/12/2025"),
        ("", "I could not find the signing day; see report.", "2030-01-01"),
    ])
    found = problems_of(policies, lists, tmp_path)
    assert "evidence.csv:3: measure_id: 'ghost' is not a measure in policies.csv" in found
    assert "evidence.csv:4: measure_id: duplicate of line 2" in found
    assert "evidence.csv:5: evidence: is empty" in found
    assert "evidence.csv:5: checked_on: not a valid YYYY-MM-DD date: '01/12/2025'" in found
    assert "evidence.csv:6: checked_on: 2030-01-01 is in the future" in found
    assert any(p.startswith("evidence.csv:6: evidence: is written in the first person") for p in found)
    assert any(p.startswith("evidence.csv:6: evidence: is a remark to the team") for p in found)


def test_a_scratch_table_without_evidence_is_not_held_to_it(write_tables, tmp_path):
    policies, lists = write_tables([measure_row()])
    assert problems_of(policies, lists, tmp_path) == []


def test_read_evidence():
    evidence = read_evidence()
    assert set(evidence) == {m.measure_id for m in read_policies().records}
    first = evidence["ca-sb54-2017"]
    assert isinstance(first, Evidence) and first.evidence and first.checked_on <= dt.date.today()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.evidence = "changed"  # type: ignore[misc]


def test_committed_evidence_passes():
    table = read_policies(POLICIES_PATH)
    assert evidence_problems(EVIDENCE_PATH, table.records, POLICIES_PATH) == []
