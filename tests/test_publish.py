"""Map images and downloads: every level and view renders, at the asked size, with its legend
colours, title and date, byte for byte the same each time, and like the reviewed baseline.

Regenerate the baseline after an intended change of look with
    UPDATE_BASELINES=1 .venv/bin/python -m pytest -q tests/test_publish.py -k baseline
and look at tests/baseline/national_state_effective.png before committing it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from matplotlib.testing.compare import compare_images
from PIL import Image

from dashboard.publish import cli, layer_geojson, metadata_json, render_map, snapshot_csv
from dashboard.publish.drawing import map_shapes
from dashboard.publish.projection import INSET_FIPS, to_national
from geodata.boundaries import atlas_shapes
from geodata.dataset import Dataset, build_dataset
from geodata.layers import CATEGORIES, TITLES, build_layer
from geodata.tables import read_designations, read_policies
from tests.conftest import REPO, day, designation_row, measure_row

BASELINE = REPO / "tests" / "baseline" / "national_state_effective.png"
DAY = day("2025-08-05")
EARLIER = day("2017-01-01")
VIEWS = ("own", "effective", "federal", "287g", "compare")  # "compare": effective since EARLIER
LEVELS = ("state", "county", "place")


@pytest.fixture
def dataset(write_tables, empty_cache_settings) -> Dataset:
    """A few measures and listings that put jurisdictions in every category of every view."""
    policies, lists = write_tables(
        [
            measure_row(measure_id="ca-limits"),
            measure_row(measure_id="tx-requires", geoid="48", jurisdiction="Texas", direction="requires",
                        provisions="sanctuary_ban", adopted="2017-05-07", effective="2017-09-01"),
            measure_row(measure_id="az-requires", geoid="04", jurisdiction="Arizona", direction="requires",
                        provisions="status_inquiry", adopted="2010-04-23", effective="2010-07-29"),
            measure_row(measure_id="az-limits", geoid="04", jurisdiction="Arizona",
                        provisions="courthouse_protections", adopted="2020-01-01", effective="2020-01-01"),
            measure_row(measure_id="or-limits", geoid="41", jurisdiction="Oregon", adopted="1987-07-07",
                        effective="1987-07-07", ended="2020-01-01", end_reason="repealed"),
            measure_row(measure_id="travis-limits", geoid="48453", jurisdiction="Travis County, Texas",
                        adopted="2017-02-01", effective="2017-02-01"),
            measure_row(measure_id="harris-287g", geoid="48201", jurisdiction="Harris County, Texas",
                        instrument="agreement", direction="requires", provisions="agreement_287g",
                        adopted="2019-01-01", effective="2019-01-01"),
            measure_row(measure_id="la-city", geoid="0644000", jurisdiction="Los Angeles, California",
                        adopted="2024-12-04", effective="2024-12-04"),
            measure_row(measure_id="austin-limits", geoid="4805000", jurisdiction="Austin, Texas",
                        adopted="2018-01-01", effective="2018-01-01"),
        ],
        [
            designation_row(),
            designation_row(geoid="17031", jurisdiction="Cook County, Illinois"),
            designation_row(geoid="0644000", jurisdiction="Los Angeles, California"),
            designation_row(geoid="0644000", jurisdiction="Los Angeles, California", list="dhs-2025-05",
                            listed_on="2025-05-29"),
            designation_row(geoid="4835000", jurisdiction="Houston, Texas", list="dhs-2025-05",
                            listed_on="2025-05-29"),
        ],
    )
    return build_dataset(read_policies(policies).records, read_designations(lists).records,
                         empty_cache_settings)


def render(dataset: Dataset, level: str = "state", view: str = "effective", **options) -> bytes:
    if view == "compare":
        options.setdefault("compare_to", EARLIER)
        view = "effective"
    return render_map(dataset, DAY, level, view, **options)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def count_near(image: np.ndarray, color: str, tolerance: int = 3) -> int:
    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(image - rgb).max(axis=2) <= tolerance).sum())


def map_part(image: np.ndarray) -> np.ndarray:
    """The map without the legend column, so legend swatches can't pass for coloured places."""
    return image[:, : int(image.shape[1] * 0.7)]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("view", VIEWS)
def test_every_level_and_view_renders(dataset, level, view):
    png = render(dataset, level, view)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == (1200, 800)


@pytest.mark.parametrize("size", [(1200, 800), (1920, 1080), (1366, 768), (1000, 1000)])
def test_image_has_the_requested_pixel_size(dataset, size):
    assert Image.open(io.BytesIO(render(dataset, "county", size=size))).size == size


@pytest.mark.parametrize(
    ("level", "view", "minimum"),
    [("state", "effective", 500), ("state", "own", 500), ("state", "compare", 500),
     ("county", "287g", 30), ("place", "federal", 5)],
)
def test_legend_colours_appear_on_the_map(dataset, level, view, minimum):
    layer = build_layer(dataset, DAY, level, "effective" if view == "compare" else view,
                        EARLIER if view == "compare" else None)
    used = [key for key, count in layer.counts().items() if count and not (level == "place" and key == "none")]
    assert len(used) >= 2
    image = map_part(pixels(render(dataset, level, view)))
    found = {key: count_near(image, layer.colors()[key]) for key in used}
    assert all(n >= minimum for n in found.values()), found


def test_svg_carries_title_date_legend_counts_and_credits(dataset):
    svg = render(dataset, fmt="svg", permalink="https://example.org/map?d=2025-08-05").decode()
    assert "Immigration-enforcement cooperation policy by state" in svg
    assert "As of August 5, 2025" in svg
    assert "Limits cooperation (1)" in svg  # California alone
    assert "Requires or expands" in svg and "cooperation (1)" in svg  # Texas alone (wrapped)
    assert "No measure recorded (48)" in svg
    assert "Source: Cooperation Map policy tables; Census Bureau boundaries" in svg
    assert "Policy tables" in svg
    assert "https://example.org/map?d=2025-08-05" in svg
    assert "<text" in svg  # svg.fonttype 'none': text stays text


def test_titles_vary_by_level_and_view_and_can_be_replaced(dataset):
    assert "Federal ‘sanctuary jurisdiction’ lists by city" in render(dataset, "place", "federal",
                                                                     fmt="svg").decode()
    compared = render(dataset, "county", "compare", fmt="svg").decode()
    assert "Changes from January 1, 2017 to August 5, 2025" in compared
    custom = render(dataset, title="Sanctuary & anti-sanctuary laws, $2025", fmt="svg").decode()
    assert "Sanctuary &amp; anti-sanctuary laws, $2025" in custom
    assert "policy by state" not in custom


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_identical_inputs_give_identical_bytes(dataset, fmt):
    options = {"fmt": fmt, "permalink": "https://example.org/x"}
    assert render(dataset, "county", **options) == render(dataset, "county", **options)
    assert render(dataset, "place", "compare", **options) == render(dataset, "place", "compare", **options)


def test_region_by_postal_code_or_fips_is_the_same_map(dataset):
    assert render(dataset, "county", region="CA") == render(dataset, "county", region="06")
    assert "by county, California" in render(dataset, "county", region="ca", fmt="svg").decode()


def test_region_draws_only_that_state_without_insets(dataset):
    shapes = map_shapes(dataset, "county", "06")
    assert set(shapes.jurisdictions.index.str[:2]) == {"06"}
    assert list(shapes.states.index) == ["06"]
    national = map_shapes(dataset, "county", None)
    assert len(national.states) == 51 and len(national.jurisdictions) == len(atlas_shapes("county"))


def test_alaska_and_hawaii_insets_sit_clear_of_everything():
    national = to_national(atlas_shapes("state"))
    contiguous = national.drop(index=list(INSET_FIPS)).union_all()
    alaska, hawaii = (shapely.box(*national.loc[[fips]].total_bounds) for fips in INSET_FIPS)
    # Metres in the EPSG:5070 plane; 50 km is about 10 px on a 1200 px wide national map.
    assert alaska.distance(contiguous) > 50_000 and hawaii.distance(contiguous) > 50_000
    assert alaska.distance(hawaii) > 50_000
    # Lower left: west of the contiguous centre and below its middle.
    centre = contiguous.centroid
    assert alaska.centroid.x < centre.x and hawaii.centroid.x < centre.x
    assert alaska.centroid.y < centre.y and hawaii.centroid.y < centre.y


@pytest.mark.parametrize(
    ("options", "message"),
    [({"view": "colour"}, "unknown view"), ({"level": "tract"}, "unknown level"),
     ({"region": "ZZ"}, "unknown region"), ({"fmt": "gif"}, "unknown format"),
     ({"title": "x" * 500}, "at most")],
)
def test_bad_arguments_raise_clear_errors(dataset, options, message):
    arguments = {"level": "state", "view": "effective", **options}
    with pytest.raises(ValueError, match=message):
        render_map(dataset, DAY, arguments.pop("level"), arguments.pop("view"), **arguments)


def test_national_map_matches_the_reviewed_baseline(dataset, tmp_path):
    png = render(dataset, "state", "effective", permalink="https://example.org/map?date=2025-08-05")
    if os.environ.get("UPDATE_BASELINES"):
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_bytes(png)
        pytest.skip(f"baseline written to {BASELINE}: look at it before committing")
    actual = tmp_path / "national_state_effective.png"
    actual.write_bytes(png)
    assert compare_images(str(BASELINE), str(actual), tol=5) is None


def test_snapshot_csv_starts_with_its_header_and_reads_with_plain_pandas(dataset):
    import pandas as pd

    layer = build_layer(dataset, DAY, "county", "effective")
    frame = pd.read_csv(io.BytesIO(snapshot_csv(layer)), dtype=str)
    assert list(frame.columns[:8]) == ["geoid", "name", "level", "date", "compared_with", "view", "category",
                                       "category_label"]
    rows = frame.set_index("geoid")
    assert len(rows) == len(atlas_shapes("county"))
    assert rows.loc["48453", "effective_status"] == "conflict"
    assert rows.loc["48453", "category_label"] == "Conflict: limits and requires both apply"
    assert rows.loc["48453", "inherited_measures"] == "tx-requires"
    about = json.loads(metadata_json(layer, "https://example.org/p"))
    assert about["date"] == "2025-08-05" and about["view"] == "effective" and about["permalink"]
    assert about["sources"][0].startswith("Policy tables")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(write_tables, empty_cache_settings):
    policies, lists = write_tables([measure_row(measure_id="m1")])
    data = build_dataset(read_policies(policies).records, read_designations(lists).records, empty_cache_settings)
    hostile = dataclasses_replace_name(build_layer(data, DAY, "state", "own"), "06", '=HYPERLINK("x")')
    text = snapshot_csv(hostile).decode()
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text


def dataclasses_replace_name(layer, geoid: str, name: str):
    import dataclasses

    rows = tuple(dataclasses.replace(r, name=name) if r.geoid == geoid else r for r in layer.snapshot.rows)
    return dataclasses.replace(layer, snapshot=dataclasses.replace(layer.snapshot, rows=rows))


def test_layer_geojson_carries_categories_measures_and_metadata(dataset):
    document = json.loads(layer_geojson(dataset, build_layer(dataset, DAY, "state", "federal")))
    metadata = document["metadata"]
    assert (metadata["date"], metadata["level"], metadata["view"], metadata["compared_with"]) == (
        "2025-08-05", "state", "federal", None)
    assert metadata["generated_by"] == "dashboard.publish"
    assert "DHS list of 2025-05-29" in metadata["sources"]
    features = {f["properties"]["geoid"]: f for f in document["features"]}
    assert len(features) == 51
    california = features["06"]["properties"]
    assert california["category"] == "doj"
    assert california["federal_lists"] == ["doj-2025-08"]
    assert california["own_measures"] == ["ca-limits"]
    assert features["06"]["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_place_geojson_leaves_out_places_in_no_category(dataset):
    document = json.loads(layer_geojson(dataset, build_layer(dataset, DAY, "place", "federal")))
    categories = {f["properties"]["geoid"]: f["properties"]["category"] for f in document["features"]}
    assert categories == {"0644000": "both_lists", "4835000": "dhs"}
    assert {f["geometry"]["type"] for f in document["features"]} == {"Point"}


def test_every_view_has_a_title():
    assert set(TITLES) == set(CATEGORIES)


# --- Command line --------------------------------------------------------------------------------


def test_cli_writes_png_and_svg(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_dataset", lambda: dataset)
    out = tmp_path / "maps" / "map.png"
    code = cli.main(["--date", "2025-08-05", "--level", "county", "--view", "effective", "--out", str(out),
                        "--size", "1920x1080", "--region", "TX", "--title", "Texas counties"])
    assert code == 0
    assert Image.open(out).size == (1920, 1080)
    svg = out.with_suffix(".svg").read_text(encoding="utf-8")
    assert "Texas counties" in svg and "As of August 5, 2025" in svg
    assert str(out) in capsys.readouterr().out


def test_cli_compare_to_shows_changes_and_a_reversed_pair_is_swapped(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_dataset", lambda: dataset)
    out = tmp_path / "changes.svg"
    assert cli.main(["--date", "2025-08-05", "--compare-to", "2017-01-01", "--out", str(out)]) == 0
    assert "Changes from January 1, 2017 to August 5, 2025" in out.read_text(encoding="utf-8")
    assert out.with_suffix(".png").exists()
    assert cli.main(["--date", "2017-01-01", "--compare-to", "2025-08-05", "--out", str(out)]) == 0
    assert "Changes from January 1, 2017 to August 5, 2025" in out.read_text(encoding="utf-8")
    assert "swapped" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--date", "2025-02-30"], "not a date"), (["--date", "yesterday"], "not a date"),
     (["--date", "2025-08-05", "--region", "Atlantis"], "unknown region"),
     (["--date", "2025-08-05", "--view", "colour"], "invalid choice"),
     (["--date", "2025-08-05", "--size", "big"], "not a size"),
     (["--date", "2025-08-05", "--view", "compare"], "invalid choice"),
     (["--date", "2025-08-05", "--title", "x" * 500], "at most"),
     (["--date", "2025-08-05", "--compare-to", "2020-13-01"], "not a date")],
)
def test_cli_bad_arguments_exit_2_with_a_message(tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as exited:
        cli.main([*arguments, "--out", str(tmp_path / "map.png")])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "map.png").exists()


def test_cli_bad_date_from_a_shell_has_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.publish", "--date", "2025-8-5x", "--out", str(tmp_path / "m.png")],
        capture_output=True, text=True, cwd=REPO, check=False,
    )
    assert result.returncode == 2
    assert "not a date '2025-8-5x'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not Path(tmp_path / "m.png").exists()
