"""What the live map and the static edition fetch for the national view: the city level's base map is
the states alone, and the places the national view draws are simplified, each state's own file having
them whole (the map swaps those in on zooming in)."""

from __future__ import annotations

import json

import pytest
import shapely

from dashboard.mapview import atlas_url
from dashboard.publish.screen import national_topology, states_topology
from dashboard.static_assets import NATIONAL_PLACE_TOLERANCE_KM, ensure_static_assets, places_geojson


def _rings(topology: dict, arcs: list) -> list:
    """A geometry's arc references, resolved to the arcs themselves (a negative index is reversed)."""
    return [_rings(topology, a) if isinstance(a, list) else
            (topology["arcs"][a] if a >= 0 else ("reversed", topology["arcs"][~a])) for a in arcs]


def test_the_states_atlas_holds_every_state_drawn_from_the_same_arcs():
    full, states = json.loads(national_topology()), json.loads(states_topology())
    assert set(states["objects"]) == {"states"}
    assert states["transform"] == full["transform"] and states["bbox"] == full["bbox"]
    before, after = full["objects"]["states"]["geometries"], states["objects"]["states"]["geometries"]
    assert [g["id"] for g in after] == [g["id"] for g in before]
    for old, new in zip(before, after, strict=True):
        assert _rings(states, new["arcs"]) == _rings(full, old["arcs"]), old["id"]
    assert len(states_topology()) < len(national_topology()) / 3


def test_the_city_level_fetches_the_states_atlas_and_the_others_the_full_one(tmp_path):
    urls = ensure_static_assets(tmp_path / "cache", tmp_path / "static")
    assert atlas_url("place", urls) == urls.states_atlas != urls.atlas
    assert atlas_url("county", urls) == atlas_url("state", urls) == urls.atlas
    served = json.loads((tmp_path / "static" / "geo" / urls.states_atlas.rsplit("/", 1)[-1]).read_text())
    assert set(served["objects"]) == {"states"}


def test_the_national_places_are_simplified_and_their_states_files_have_them_whole(mirror_cache, tmp_path):
    text, drawn = places_geojson(mirror_cache)
    if text is None:
        pytest.skip("the mirror build made no place boundaries")
    national = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in json.loads(text)["features"]}
    assert set(national) == drawn
    urls = ensure_static_assets(mirror_cache, tmp_path / "static")
    state_file = json.loads((tmp_path / "static" / "geo" / urls.outlines["06"]["url"].rsplit("/", 1)[-1]).read_text())
    whole = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in state_file["features"]}
    los_angeles = "0644000"
    assert los_angeles in national and los_angeles in whole
    coarse, full = national[los_angeles], whole[los_angeles]
    assert shapely.get_num_coordinates(coarse) < shapely.get_num_coordinates(full)
    # Simplified, not moved: every point of the coarse outline is within the tolerance of the whole one.
    assert coarse.hausdorff_distance(full) <= NATIONAL_PLACE_TOLERANCE_KM + 0.01
