"""Provenance readers can see: notes are public copy, and `geodata check` says where they are not."""

from __future__ import annotations

import datetime as dt

import pytest

from geodata.boundaries import load_gazetteer
from geodata.cli import main
from geodata.provenance import process_language
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
    assert all(m.startswith(f"{policies}:3: notes: ") for m in messages), messages
    assert any("reviewer" in m for m in messages)
    assert any("first person" in m for m in messages)


def test_check_command_fails_on_process_language(write_tables, capsys):
    policies, lists = write_tables([measure_row(notes="New source: see report.")])
    assert main(["check", "--policies", str(policies), "--designations", str(lists)]) == 1
    assert f"{policies}:2: notes: " in capsys.readouterr().out


def test_committed_notes_are_public_copy():
    table = read_policies(POLICIES_PATH)
    offending = {m.measure_id: process_language(m.notes) for m in table.records if process_language(m.notes)}
    assert offending == {}
