"""Drawing a layer's jurisdictions on the map axes, in the projected plane."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.axes import Axes

from dashboard.publish.page import BASEMAP_FILL, Box, Page
from dashboard.publish.projection import jurisdiction_shapes, project, projected_atlas, shapes_are_points
from geodata.dataset import Dataset
from geodata.layers import IDLE_CATEGORIES, NO_DATA, Layer


@dataclass(frozen=True)
class MapShapes:
    """Everything drawn on the map, in one projected plane."""

    jurisdictions: gpd.GeoDataFrame
    states: gpd.GeoDataFrame
    #: county outlines under the cities of a one-state map; None on national maps
    counties: gpd.GeoDataFrame | None
    extent: tuple[float, float, float, float]


def map_shapes(dataset: Dataset, level: str, region: str | None) -> MapShapes:
    states = projected_atlas("state", region)
    if level == "place":
        jurisdictions = project(jurisdiction_shapes(dataset, level), region)
    else:
        jurisdictions = projected_atlas(level, region)
    counties = projected_atlas("county", region) if region and level == "place" else None
    minx, miny, maxx, maxy = states.total_bounds
    pad = 0.015 * max(maxx - minx, maxy - miny)
    return MapShapes(jurisdictions, states, counties, (minx - pad, miny - pad, maxx + pad, maxy + pad))


def colors_for(layer: Layer, geoids: pd.Index) -> list[str]:
    palette = layer.colors()
    return [palette.get(layer.category.get(g, ""), NO_DATA) for g in geoids]


def drawn_places(layer: Layer, shapes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Places worth drawing, the legend's first categories last, so they land on top."""
    order = {c.key: i for i, c in enumerate(layer.categories)}
    keep = [g for g in shapes.index if layer.category.get(g, "none") not in IDLE_CATEGORIES]
    ranked = sorted(keep, key=lambda g: (-order[layer.category[g]], g))
    return shapes.loc[ranked]


def draw_polygons(ax: Axes, frame: gpd.GeoDataFrame, colors: list[str], edge: str | None,
                  linewidth: float, zorder: int) -> None:
    if not frame.empty:
        frame.plot(ax=ax, color=colors, edgecolor=edge or colors, linewidth=linewidth, zorder=zorder)


def draw_state_lines(ax: Axes, states: gpd.GeoDataFrame, color: str, linewidth: float) -> None:
    states.boundary.plot(ax=ax, color=color, linewidth=linewidth, zorder=3)


def draw_points(ax: Axes, frame: gpd.GeoDataFrame, colors: list[str], size: float) -> None:
    if not frame.empty:
        ax.scatter(frame.geometry.x, frame.geometry.y, s=size, c=colors, edgecolors="white",
                   linewidths=0.5, zorder=4)


def draw_basemap(page: Page, ax: Axes, shapes: MapShapes) -> None:
    """Light states (and, for one state, its counties) under the cities, for orientation."""
    s = page.scale
    draw_polygons(ax, shapes.states, [BASEMAP_FILL] * len(shapes.states), "white", 0.7 * s, 1)
    if shapes.counties is not None:
        shapes.counties.boundary.plot(ax=ax, color="white", linewidth=0.5 * s, zorder=1)


def draw_layer(page: Page, ax: Axes, layer: Layer, shapes: MapShapes) -> None:
    s = page.scale
    if layer.level == "state":
        draw_polygons(ax, shapes.states, colors_for(layer, shapes.states.index), "white", 0.6 * s, 1)
        return
    if layer.level == "county":
        counties = shapes.jurisdictions
        draw_polygons(ax, counties, colors_for(layer, counties.index), "white", 0.12 * s, 1)
        draw_state_lines(ax, shapes.states, "white", 0.9 * s)
        return
    draw_basemap(page, ax, shapes)
    places = drawn_places(layer, shapes.jurisdictions)
    if shapes_are_points(shapes.jurisdictions):
        # One state fills the page, so its cities can take bigger dots than the whole country's.
        area = (30 if shapes.counties is None else 55) * s * s
        draw_points(ax, places, colors_for(layer, places.index), area)
    else:
        # Edges in the fill colour keep cities of a few pixels visible at national scale.
        draw_polygons(ax, places, colors_for(layer, places.index), None, 0.3 * s, 2)


def add_map_axes(page: Page, box: Box) -> Axes:
    ax = page.figure.add_axes((box.left / page.width, box.bottom / page.height,
                               box.width / page.width, box.height / page.height))
    ax.set_axis_off()
    return ax


def frame_map(ax: Axes, extent: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="datalim", anchor="C")

