"""Map images and downloads: every level and view renders, at the asked size, with its legend
colours, title and date, byte for byte the same each time, and like the reviewed baseline; the credit
names the publisher and links only to a public address; a custom title never passes for the project's.

Regenerate the baseline after an intended change of look with
    UPDATE_BASELINES=1 .venv/bin/python -m pytest -q tests/test_publish.py -k baseline
and look at tests/baseline/national_state_effective.png before committing it.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import shapely
from matplotlib.testing.compare import compare_images
from PIL import Image

from dashboard import share
from dashboard.publish import cli, layer_geojson, metadata_json, render_layer, render_map, snapshot_csv
from dashboard.publish.credits import printable_link
from dashboard.publish.drawing import map_shapes
from dashboard.publish.projection import INSET_FIPS, to_national
from dashboard.publish.titles import MAX_TITLE, cleaned_title, custom_mark
from dashboard.urlstate import ViewState
from geodata.boundaries import atlas_shapes
from geodata.config import PROJECT_NAME, is_local_host, settings
from geodata.dataset import Dataset, build_dataset
from geodata.layers import CATEGORIES, DEFINITIONS, TITLES, build_layer, default_title
from geodata.tables import read_designations, read_policies
from tests.conftest import REPO, day, designation_row, measure_row

BASELINE = REPO / "tests" / "baseline" / "national_state_effective.png"
DAY = day("2025-08-05")
EARLIER = day("2017-01-01")
VIEWS = ("own", "effective", "federal", "287g", "compare")  # "compare": effective since EARLIER
LEVELS = ("state", "county", "place")
PUBLIC = "https://map.example.org/"
LOCAL_LINKS = ("http://localhost:8501/?date=2025-08-05", "https://LOCALHOST.:8501/", "http://127.0.0.1:8501/",
               "http://127.8.9.10/", "http://[::1]:8501/", "http://0.0.0.0:8501/", "http://[::ffff:127.0.0.1]/",
               "http://127.1/", "http://app.localhost/")


@pytest.fixture(autouse=True)
def no_configured_credit(monkeypatch):
    """Each test starts without GEODATA_PUBLIC_URL or GEODATA_PUBLISHER, whatever the shell has."""
    monkeypatch.delenv("GEODATA_PUBLIC_URL", raising=False)
    monkeypatch.delenv("GEODATA_PUBLISHER", raising=False)


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


def svg_text(svg: bytes) -> str:
    """Every text drawn on an SVG, lines joined by spaces, as a reader would read it."""
    root = ET.fromstring(svg)
    lines = ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]
    return " ".join(" ".join(lines).split())


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
    assert "No measure recorded (49)" in svg  # 47 states, DC and Puerto Rico
    assert "(number of states, DC and Puerto Rico)" in svg_text(svg.encode())
    text = svg_text(svg.encode())
    assert "Sources: Cooperation Map policy tables; Census Bureau boundaries." in text  # tables of no date here
    assert "Map: Cooperation Map · https://example.org/map?d=2025-08-05" in text
    assert "<text" in svg  # svg.fonttype 'none': text stays text


def test_titles_vary_by_level_and_view_and_can_be_replaced(dataset):
    assert "Federal ‘sanctuary jurisdiction’ lists by city" in render(dataset, "place", "federal",
                                                                     fmt="svg").decode()
    compared = render(dataset, "county", "compare", fmt="svg").decode()
    assert "Changes from January 1, 2017 to August 5, 2025" in compared
    custom = render(dataset, title="Sanctuary & anti-sanctuary laws, $2025", fmt="svg").decode()
    assert "Sanctuary &amp; anti-sanctuary laws, $2025" in custom
    assert "Immigration-enforcement cooperation policy by state · As of August 5, 2025" in custom


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
    assert len(national.states) == 52 and len(national.jurisdictions) == len(atlas_shapes("county"))


def test_alaska_hawaii_and_puerto_rico_insets_sit_clear_of_everything():
    national = to_national(atlas_shapes("state"))
    assert set(INSET_FIPS) == {"02", "15", "72"}
    contiguous = national.drop(index=list(INSET_FIPS)).union_all()
    boxes = {fips: shapely.box(*national.loc[[fips]].total_bounds) for fips in INSET_FIPS}
    # Metres in the EPSG:5070 plane; 50 km is about 10 px on a 1200 px wide national map.
    for fips, box in boxes.items():
        assert box.distance(contiguous) > 50_000, fips
        for other, other_box in boxes.items():
            assert other == fips or box.distance(other_box) > 50_000, (fips, other)
    centre = contiguous.centroid
    alaska, hawaii, puerto_rico = boxes["02"], boxes["15"], boxes["72"]
    # Alaska and Hawaii lower left: west of the contiguous centre and below its middle.
    assert alaska.centroid.x < centre.x and hawaii.centroid.x < centre.x
    assert alaska.centroid.y < centre.y and hawaii.centroid.y < centre.y
    # Puerto Rico lower right, east of Florida's tip and no higher than Georgia's coast.
    florida, georgia = (national.loc[fips].geometry for fips in ("12", "13"))
    assert puerto_rico.bounds[0] > florida.bounds[2] and puerto_rico.bounds[3] < georgia.bounds[1]


def test_puerto_rico_is_inside_the_national_extent_at_a_readable_scale():
    national = to_national(atlas_shapes("state"))
    west, south, east, north = national.drop(index=["72"]).total_bounds
    pr_west, pr_south, pr_east, pr_north = national.loc[["72"]].total_bounds
    # It widens the national view by nothing: the map of the rest holds it.
    assert west < pr_west and south <= pr_south and pr_east < east and pr_north < north
    assert tuple(national.total_bounds) == (west, south, east, north)
    # Enlarged, so its 78 municipios show: wider than Connecticut is on the map.
    counties = to_national(atlas_shapes("county"))
    assert (counties.index.str[:2] == "72").sum() == 78
    connecticut = national.loc[["09"]].total_bounds
    assert pr_east - pr_west > 2 * (connecticut[2] - connecticut[0])
    # Every municipio sits inside Puerto Rico's inset, and every other county outside it.
    box = shapely.box(pr_west, pr_south, pr_east, pr_north)
    inside = counties.geometry.representative_point().within(box)
    assert list(inside.index[inside.to_numpy()]) == list(counties.index[counties.index.str[:2] == "72"])


@pytest.mark.parametrize(
    ("options", "message"),
    [({"view": "colour"}, "unknown view"), ({"level": "tract"}, "unknown level"),
     ({"region": "ZZ"}, "unknown region"), ({"fmt": "gif"}, "unknown format"),
     ({"title": "x" * 500}, "at most"), ({"title": "Official ✅ map"}, "letters, digits"),
     ({"title": "<b>map</b>"}, "letters, digits"), ({"title": "map\u202e"}, "letters, digits")],
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
    plain = pd.read_csv(io.BytesIO(snapshot_csv(layer)))
    assert len(plain) == len(atlas_shapes("county")) and plain.columns[0] == "geoid"
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
    assert about["publisher"] == PROJECT_NAME and about["definition"] == DEFINITIONS["effective"]
    assert json.loads(metadata_json(layer, "http://localhost:8501/?date=2025-08-05"))["permalink"] is None
    assert about["sources"][0].startswith("Policy tables")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(write_tables, empty_cache_settings):
    policies, lists = write_tables([measure_row(measure_id="m1")])
    data = build_dataset(read_policies(policies).records, read_designations(lists).records, empty_cache_settings)
    hostile = dataclasses_replace_name(build_layer(data, DAY, "state", "own"), "06", '=HYPERLINK("x")')
    text = snapshot_csv(hostile).decode()
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text


def dataclasses_replace_name(layer, geoid: str, name: str):
    import dataclasses

    rows = tuple(r._replace(name=name) if r.geoid == geoid else r for r in layer.snapshot.rows)
    return dataclasses.replace(layer, snapshot=dataclasses.replace(layer.snapshot, rows=rows))


def test_layer_geojson_carries_categories_measures_and_metadata(dataset):
    document = json.loads(layer_geojson(dataset, build_layer(dataset, DAY, "state", "federal")))
    metadata = document["metadata"]
    assert (metadata["date"], metadata["level"], metadata["view"], metadata["compared_with"]) == (
        "2025-08-05", "state", "federal", None)
    assert metadata["generated_by"] == "dashboard.publish"
    assert "DHS list of 2025-05-29" in metadata["sources"]
    features = {f["properties"]["geoid"]: f for f in document["features"]}
    assert len(features) == 52  # the 50 states, DC and Puerto Rico
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


def test_place_geojson_of_no_shapes_is_an_empty_collection(dataset, monkeypatch):
    import geopandas as gpd

    from dashboard.publish import downloads

    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)
    monkeypatch.setattr(downloads, "jurisdiction_shapes", lambda _data, _level: empty)
    document = json.loads(layer_geojson(dataset, build_layer(dataset, DAY, "place", "federal")))
    assert document["features"] == [] and document["metadata"]["level"] == "place"


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
    svg = svg_text(out.with_suffix(".svg").read_bytes())
    assert "Texas counties" in svg and "As of August 5, 2025" in svg
    assert custom_mark(PROJECT_NAME) in svg
    assert "Immigration-enforcement cooperation policy by county, Texas · As of August 5, 2025" in svg
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
     (["--date", "2025-08-05", "--title", "Official 🏛 map"], "letters, digits"),
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


# --- Credit, links and the custom-title rule (issue #14) -------------------------------------------


def render_both(dataset: Dataset, **options) -> tuple[bytes, bytes]:
    """The PNG and the SVG of one drawing of the national state map."""
    images = render_layer(dataset, build_layer(dataset, DAY, "state", "effective"), **options)
    return images["png"], images["svg"]


def credit_strip(png: bytes) -> np.ndarray:
    """The bottom of the image, where the credit block is."""
    image = pixels(png)
    return image[int(image.shape[0] * 0.85):]


def test_configured_public_url_is_printed_on_png_and_svg(dataset, monkeypatch):
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    png, svg = render_both(dataset)
    text = svg_text(svg)
    link = f"{PUBLIC}?date=2025-08-05&level=state&view=effective"
    assert f"Map: {PROJECT_NAME} · {link}" in text
    assert Image.open(io.BytesIO(png)).text["Source"] == link
    assert b"localhost" not in png and b"localhost" not in svg
    monkeypatch.delenv("GEODATA_PUBLIC_URL")
    unlinked, _ = render_both(dataset)
    # The same drawing bar the link: the PNG's credit block differs, and only there.
    assert not np.array_equal(credit_strip(png), credit_strip(unlinked))
    assert np.array_equal(pixels(png)[:400], pixels(unlinked)[:400])


def test_without_public_url_images_carry_no_link(dataset):
    png, svg = render_both(dataset)
    text = svg_text(svg)
    assert "http" not in text and "localhost" not in text
    assert f"Map: {PROJECT_NAME}" in text
    assert "Source" not in Image.open(io.BytesIO(png)).text


@pytest.mark.parametrize("link", LOCAL_LINKS)
def test_a_local_permalink_is_never_printed(dataset, monkeypatch, link):
    png, svg = render_both(dataset, permalink=link)
    assert "http" not in svg_text(svg) and "Source" not in Image.open(io.BytesIO(png)).text
    assert not printable_link(link)
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    _, svg = render_both(dataset, permalink=link)
    assert f"{PUBLIC}?date=2025-08-05" in svg_text(svg)  # the public address stands in for it
    assert urlsplit(link).netloc.lower() not in svg_text(svg).lower()


def test_local_hosts_and_public_url_settings():
    assert all(is_local_host(urlsplit(link).hostname) for link in LOCAL_LINKS)
    assert not any(is_local_host(h) for h in ("map.example.org", "10.0.0.1", "8.8.8.8", "localhost.example.org"))
    assert settings({"GEODATA_PUBLIC_URL": " https://Map.Example.org/app?x=1#y "}).public_url == (
        "https://map.example.org/app")
    for bad in ("http://map.example.org/", "https://localhost:8501/", "https://127.0.0.1/", "map.example.org",
                "https://user:secret@map.example.org/", "https://map.example.org/\u202e"):
        config = settings({"GEODATA_PUBLIC_URL": bad})
        assert config.public_url is None
        assert any("GEODATA_PUBLIC_URL ignored" in line for line in config.ignored), bad
    assert settings({}).publisher == PROJECT_NAME
    assert settings({"GEODATA_PUBLISHER": "  The Daily\nPlanet "}).publisher == "The Daily Planet"
    config = settings({"GEODATA_PUBLISHER": "x" * 200})
    assert config.publisher == PROJECT_NAME and "GEODATA_PUBLISHER ignored" in config.ignored[0]


@pytest.mark.parametrize("view", ["own", "effective", "federal", "287g"])
def test_definition_publisher_and_dated_sources_are_in_the_credit(dataset, monkeypatch, view):
    monkeypatch.setenv("GEODATA_PUBLISHER", "The Daily Planet")
    text = svg_text(render(dataset, "county", view, fmt="svg"))
    assert DEFINITIONS[view] in text
    assert "Map: The Daily Planet" in text
    layer = build_layer(dataset, DAY, "county", view)
    assert f"Sources: {PROJECT_NAME} {layer.as_of[0].lower()}{layer.as_of[1:]}; Census Bureau boundaries." in text
    assert "ICE 287(g) sheets: not loaded" in text or view == "federal"


def test_every_definition_uses_its_legends_words():
    for view, categories in CATEGORIES.items():
        for category in categories:
            words = re.sub(r" \([^)]*\d{4}\)$", "", category.label)  # "On the DHS list (May 29, 2025)"
            assert words in DEFINITIONS[view], (view, words)


def test_a_custom_title_is_marked_and_keeps_the_projects_title(dataset, monkeypatch):
    monkeypatch.setenv("GEODATA_PUBLISHER", "The Daily Planet")
    text = svg_text(render(dataset, "county", "287g", title="Sheriffs sign up", fmt="svg"))
    assert text.index("Sheriffs sign up") < text.index(custom_mark("The Daily Planet"))
    assert f"{default_title('county', '287g')} · As of August 5, 2025" in text
    # The project's own title, typed in, is no custom title: no mark.
    own = svg_text(render(dataset, "county", "287g", title=default_title("county", "287g").upper(), fmt="svg"))
    assert "Custom title" not in own
    assert "Custom title" not in svg_text(render(dataset, "county", "287g", title="   ", fmt="svg"))


def test_the_link_on_an_image_leads_to_the_view_under_the_projects_title(dataset, monkeypatch):
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    png, svg = render_both(dataset, title="Where laws collide")
    assert Image.open(io.BytesIO(png)).text["Source"] == f"{PUBLIC}?date=2025-08-05&level=state&view=effective"
    assert "title=" not in svg_text(svg)


def test_title_rule_cleans_what_it_cannot_refuse():
    assert cleaned_title("  Sheriffs\nand   ICE ") == ("Sheriffs and ICE", ())
    title, notices = cleaned_title("<script>alert(1)</script> ✅ Ｆｕｌｌ\u202e")
    assert title == "scriptalert(1)/script Full" and "left out" in notices[0]
    title, notices = cleaned_title("x" * 5000)
    assert title == "x" * MAX_TITLE and any("cut" in n for n in notices)
    title, notices = cleaned_title("🚨🚨")
    assert title is None and "left out" in notices[0]


def test_cli_prints_the_public_link_and_says_why_a_local_one_is_not(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_dataset", lambda: dataset)
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("GEODATA_PUBLISHER", "The Daily Planet")
    out = tmp_path / "map.svg"
    assert cli.main(["--date", "2025-08-05", "--level", "county", "--out", str(out),
                     "--permalink", "http://localhost:8501/?date=2025-08-05"]) == 0
    text = svg_text(out.read_bytes())
    assert f"Map: The Daily Planet · {PUBLIC}?date=2025-08-05&level=county&view=effective" in text
    assert "localhost" not in out.read_text(encoding="utf-8")
    assert "is not printed" in capsys.readouterr().err


def test_cli_notes_an_unusable_public_url(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "load_dataset", lambda: dataset)
    monkeypatch.setenv("GEODATA_PUBLIC_URL", "http://localhost:8501/")
    assert cli.main(["--date", "2025-08-05", "--out", str(tmp_path / "map.svg")]) == 0
    assert "GEODATA_PUBLIC_URL ignored" in capsys.readouterr().err
    assert "http" not in svg_text((tmp_path / "map.svg").read_bytes())


# --- Share section ---------------------------------------------------------------------------------


def test_share_links_use_the_public_url_and_the_embed_fits(dataset, monkeypatch):
    state = ViewState(date=DAY, level="county", view="287g", selected="48201")
    browser = "http://localhost:8501/?date=2025-08-05"
    assert share.page_base(browser) == "http://localhost:8501/"
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    base = share.page_base(browser)
    assert base == PUBLIC
    assert share.permalink(base, state) == f"{PUBLIC}?date=2025-08-05&level=county&view=287g&j=48201"
    snippet = share.embed_snippet(base, state)
    assert f'src="{PUBLIC}?date=2025-08-05&amp;level=county&amp;view=287g&amp;j=48201&amp;embed=true"' in snippet
    assert f'height="{share.EMBED_HEIGHTS[share.DEFAULT_EMBED_WIDTH]}"' in snippet
    assert f'height="{share.EMBED_HEIGHTS[320]}"' in share.embed_snippet(base, state, 320)
    # The page grows with each notice above the map and each legend row past the fourth.
    layer = build_layer(dataset, DAY, "county", "effective", EARLIER)
    assert len(layer.notices) >= 1 and len(layer.categories) > 4
    expected = (share.EMBED_HEIGHTS[760] + len(layer.notices) * share.EMBED_NOTICE_HEIGHTS[760]
                + (len(layer.categories) - 4) * share.EMBED_ROW_HEIGHT)
    assert f'height="{expected}"' in share.embed_snippet(base, state, 760, layer)
    assert share.embed_height(400) == share.EMBED_HEIGHTS[320] == share.embed_height(200)
    assert share.embed_height(1600) == share.EMBED_HEIGHTS[1000]


def embed_src(snippet: str) -> str:
    found = re.search(r'src="([^"]*)"', snippet)
    assert found, snippet
    return found.group(1)


def test_share_links_carry_only_a_clean_title_and_the_embed_none():
    state = ViewState(date=DAY, title="<img src=x onerror=alert(1)> Official ✅ " + "y" * 300)
    link = share.permalink("https://map.example.org/", state)
    title = parse_qs(urlsplit(link).query)["title"][0]
    assert len(title) <= MAX_TITLE and "<" not in title and "✅" not in title
    assert title.startswith("img src=x onerror=alert(1) Official y")
    assert "title=" not in embed_src(share.embed_snippet("https://map.example.org/", state))


def share_page(dataset: "Dataset", title: str) -> None:  # noqa: UP037 (run without this module's imports)
    """Run by AppTest as a script of its own: it imports what it uses."""
    import datetime as dt

    import streamlit as st

    from dashboard import share
    from dashboard.urlstate import ViewState
    from geodata.layers import build_layer

    st.session_state.setdefault("title", title)
    state = ViewState(date=dt.date(2025, 8, 5), level="state", view="effective", title=title)
    share.share_section(dataset, state, build_layer(dataset, state.date, state.level, state.view))


def test_share_section_marks_a_custom_title_and_keeps_local_links_off_images(dataset, monkeypatch):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(share_page, args=(dataset, "Laws 🚨 collide"), default_timeout=60).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "left out of the title" in captions and custom_mark(PROJECT_NAME) in captions
    assert "Images carry no link" in captions
    permalink, embed = (c.value for c in at.code)
    assert "title=Laws+collide" in permalink and "🚨" not in permalink
    assert "title=" not in embed_src(embed) and f'height="{share.EMBED_HEIGHTS[share.DEFAULT_EMBED_WIDTH]}"' in embed


LONGEST_TITLES = ("Where sheriffs signed on with ICE while their states told police to stay out of immigration work",
                  "Sanctuary" * 11)


@pytest.mark.parametrize("size", [(1200, 800), (1920, 1080), (1366, 768)])
@pytest.mark.parametrize("view", ["own", "effective", "federal", "287g", "compare"])
def test_nothing_runs_off_the_page(dataset, monkeypatch, size, view):
    """The longest titles, every notice, the definition and a link stay inside the margins."""
    monkeypatch.setenv("GEODATA_PUBLIC_URL", PUBLIC)
    for title in (None, *LONGEST_TITLES):
        ink = (pixels(render(dataset, "county", view, size=size, title=title)) < 250).any(axis=2)
        edge = round(12 * min(size[0] / 1200, size[1] / 800))
        assert not (ink[:edge].any() or ink[-edge:].any() or ink[:, :edge].any() or ink[:, -edge:].any()), title
