"""The geodata layer: policy tables, boundaries, and snapshots for any date.

    >>> import datetime as dt
    >>> from geodata import build_layer, load_dataset, snapshot
    >>> data = load_dataset()
    >>> snap = snapshot(dt.date(2018, 6, 1), "state", data)
    >>> layer = build_layer(data, dt.date(2018, 6, 1), "county", "effective")
"""

from geodata.dataset import Dataset
from geodata.layers import Layer, build_layer
from geodata.load import load_dataset
from geodata.snapshot import JurisdictionStatus, Snapshot, snapshot, status_of
from geodata.tables import Designation, Measure, Problem, read_designations, read_policies

__all__ = [
    "Dataset",
    "Designation",
    "JurisdictionStatus",
    "Layer",
    "Measure",
    "Problem",
    "Snapshot",
    "build_layer",
    "load_dataset",
    "read_designations",
    "read_policies",
    "snapshot",
    "status_of",
]
