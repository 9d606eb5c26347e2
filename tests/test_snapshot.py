"""Snapshots: interval edges, inheritance from state and county, conflict, federal lists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from geodata.cli import main
from geodata.dataset import build_dataset
from geodata.snapshot import effective_status, own_status, snapshot, status_of
from geodata.tables import read_designations, read_policies
from tests.conftest import day, designation_row, measure_row


@pytest.fixture
def dataset(write_tables, empty_cache_settings):
    policies, lists = write_tables(
        [
            measure_row(measure_id="ca-limits", effective="2018-01-01", ended="2020-01-01",
                        end_reason="repealed"),
            measure_row(measure_id="tx-requires", geoid="48", jurisdiction="Texas", direction="requires",
                        provisions="sanctuary_ban", adopted="2017-05-07", effective="2017-09-01"),
            measure_row(measure_id="travis-limits", geoid="48453", jurisdiction="Travis County, Texas",
                        adopted="2017-02-01", effective="2017-02-01"),
            measure_row(measure_id="la-county", geoid="06037", jurisdiction="Los Angeles County, California",
                        direction="requires", provisions="honor_detainers", adopted="2010-01-01",
                        effective="2010-01-01"),
            measure_row(measure_id="la-city", geoid="0644000", jurisdiction="Los Angeles, California",
                        adopted="2024-12-04", effective="2024-12-04"),
        ],
        [designation_row(geoid="0644000", jurisdiction="Los Angeles, California", list="dhs-2025-05",
                         listed_on="2025-05-29", removed_on="2025-06-02")],
    )
    return build_dataset(read_policies(policies).records, read_designations(lists).records,
                         empty_cache_settings)


def test_status_rules():
    assert own_status([]) == "none"
    assert own_status(["limits", "limits"]) == "limits"
    assert own_status(["requires", "limits"]) == "both"
    assert effective_status(["requires", "limits"]) == "conflict"
    assert effective_status(["requires"]) == "requires"


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2017-12-31", "none"), ("2018-01-01", "limits"), ("2019-12-31", "limits"), ("2020-01-01", "none")],
)
def test_interval_edges(dataset, date, expected):
    """In force from the day of `effective` up to, not including, the day of `ended`."""
    california = snapshot(day(date), "state", dataset).by_geoid()["06"]
    assert california.own_status == expected
    assert california.own_measures == (("ca-limits",) if expected == "limits" else ())


def test_counties_inherit_from_their_state_and_can_conflict(dataset):
    counties = snapshot(day("2018-06-01"), "county", dataset).by_geoid()
    assert len(counties) > 3000
    harris = counties["48201"]
    assert (harris.own_status, harris.effective_status, harris.inherited_measures) == (
        "none", "requires", ("tx-requires",))
    travis = counties["48453"]
    assert (travis.own_status, travis.effective_status) == ("limits", "conflict")
    before_sb4 = snapshot(day("2017-08-31"), "county", dataset).by_geoid()["48453"]
    assert before_sb4.effective_status == "limits"


def test_places_inherit_from_county_and_state(dataset):
    """Los Angeles has no Census polygon here, so its county comes from its point."""
    assert dataset.gazetteer.place_county["0644000"] == "06037"
    la = status_of(dataset, "0644000", day("2025-01-01"))
    assert la.own_status == "limits"
    assert la.inherited_measures == ("la-county",)
    assert la.effective_status == "conflict"
    assert la.name == "Los Angeles, California"


def test_federal_lists_by_date(dataset):
    def lists(date: str) -> tuple[str, ...]:
        return status_of(dataset, "0644000", day(date)).federal_lists

    assert lists("2025-05-28") == ()
    assert lists("2025-05-29") == ("dhs-2025-05",)
    assert lists("2025-06-02") == ()


def test_snapshot_rejects_unknown_level(dataset):
    with pytest.raises(ValueError, match="level must be one of"):
        snapshot(dt.date(2020, 1, 1), "planet", dataset)


def test_snapshot_command(capsys):
    assert main(["snapshot", "--date", "2018-06-01", "--level", "state", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["California"]["own_status"] == "limits"
    assert rows["Texas"]["own_status"] == "requires"
    assert main(["snapshot", "--date", "2018-6-1", "--level", "state"]) == 2


def test_state_agency_agreements_neither_colour_the_state_nor_flow_down(dataset, empty_cache_settings):
    """A state agency's (or a campus police's) 287(g) agreement binds that agency: no statewide mandate."""
    agency = dataclasses.replace(dataset.measures_by_id["ca-limits"], measure_id="state-doc", direction="requires",
                                 provisions=("agreement_287g",), instrument="agreement")
    data = build_dataset((*dataset.measures, agency), dataset.designations, empty_cache_settings)
    california = status_of(data, "06", day("2019-07-01"))
    assert "state-doc" in california.own_measures and california.agreements == ("state-doc",)
    assert (california.own_status, california.effective_status) == ("limits", "limits")
    assert "state-doc" not in status_of(data, "06037", day("2019-07-01")).inherited_measures
    county = snapshot(day("2019-07-01"), "county", data).by_geoid()["06037"]
    assert "state-doc" not in county.inherited_measures


def test_a_statute_that_mandates_287g_still_flows_down(dataset, empty_cache_settings):
    mandate = dataclasses.replace(dataset.measures_by_id["tx-requires"], measure_id="mandate",
                                  provisions=("mandates_287g",))
    data = build_dataset((*dataset.measures, mandate), dataset.designations, empty_cache_settings)
    assert "mandate" in status_of(data, "48201", day("2019-07-01")).inherited_measures
