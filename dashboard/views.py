"""What each map view colours, and with which colours. Pure: no streamlit here.

Limits and requires are Okabe & Ito's (2008) blue and vermillion, which stay apart
under protanopia, deuteranopia and tritanopia. Conflict is Paul Tol's sand: Okabe &
Ito's reddish purple came within ΔE 14 of the blue under simulated protanopia.
tests/test_views.py checks every pair of colours in every view under simulated
colour-vision deficiency (CAM02-UCS ΔE ≥ 15).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from geodata.snapshot import Change, JurisdictionStatus, Snapshot
from geodata.tables import Measure
from geodata.vocabulary import PROVISIONS


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    color: str


NO_DATA = "#EDEDED"

VIEWS: MappingProxyType[str, str] = MappingProxyType(
    {
        "own": "Own measures",
        "effective": "What applies here",
        "federal": "Federal lists",
        "287g": "287(g) agreements",
    }
)

CATEGORIES: MappingProxyType[str, tuple[Category, ...]] = MappingProxyType(
    {
        "own": (
            Category("limits", "Limits cooperation", "#0072B2"),
            Category("requires", "Requires cooperation", "#D55E00"),
            Category("both", "Both limits and requires", "#DDCC77"),
            Category("none", "No measure of its own", NO_DATA),
        ),
        "effective": (
            Category("limits", "Limits cooperation", "#0072B2"),
            Category("requires", "Requires cooperation", "#D55E00"),
            Category("conflict", "Conflict: limits and requires both apply", "#DDCC77"),
            Category("none", "No measure applies", NO_DATA),
        ),
        "federal": (
            Category("both_lists", "On the DHS and DOJ lists", "#882255"),
            Category("dhs", "On the DHS list (May 2025)", "#E69F00"),
            Category("doj", "On the DOJ list (Aug 2025)", "#56B4E9"),
            Category("none", "Not on a federal list", NO_DATA),
        ),
        "287g": (
            Category("agreement", "287(g) agreement in force", "#D55E00"),
            Category("none", "No 287(g) agreement", NO_DATA),
        ),
        "compare": (
            Category("newly_limits", "Newly limits", "#0072B2"),
            Category("newly_requires", "Newly requires", "#D55E00"),
            Category("newly_conflict", "Newly in conflict", "#DDCC77"),
            Category("ended", "Measures ended", "#555555"),
            Category("unchanged", "No change", NO_DATA),
        ),
    }
)


def category_of(row: JurisdictionStatus, view: str, agreement_ids: frozenset[str] = frozenset()) -> str:
    """The category key a jurisdiction falls in, for one view."""
    if view == "own":
        return row.own_status
    if view == "effective":
        return row.effective_status
    if view == "federal":
        lists = set(row.federal_lists)
        if {"dhs-2025-05", "doj-2025-08"} <= lists:
            return "both_lists"
        if "dhs-2025-05" in lists:
            return "dhs"
        return "doj" if "doj-2025-08" in lists else "none"
    if view == "287g":
        return "agreement" if any(m in agreement_ids for m in row.own_measures) else "none"
    raise ValueError(f"unknown view {view!r}")


def change_category(change: Change | None) -> str:
    if change is None:
        return "unchanged"
    return change.kind if change.kind in {c.key for c in CATEGORIES["compare"]} else "unchanged"


def colors(view: str) -> dict[str, str]:
    return {c.key: c.color for c in CATEGORIES[view]}


def labels(view: str) -> dict[str, str]:
    return {c.key: c.label for c in CATEGORIES[view]}


def support_models(
    snap: Snapshot, measures_by_id: Mapping[str, Measure], agreement_ids: frozenset[str]
) -> dict[str, str]:
    """GEOID -> the 287(g) support models in force there, in words, for tooltips."""
    found = {}
    for row in snap.rows:
        tags = {
            tag
            for measure_id in row.own_measures
            if measure_id in agreement_ids
            for tag in measures_by_id[measure_id].provisions
            if tag != "agreement_287g"
        }
        if tags:
            found[row.geoid] = "; ".join(sorted(PROVISIONS[t][1] for t in tags if t in PROVISIONS))
    return found
