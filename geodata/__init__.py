"""The geodata layer: policy tables, boundaries, and snapshots for any date.

    >>> import datetime as dt
    >>> from geodata import load_dataset, snapshot
    >>> snap = snapshot(dt.date(2018, 6, 1), "state", load_dataset())
"""

from geodata.dataset import Dataset, load_dataset
from geodata.snapshot import JurisdictionStatus, Snapshot, compare, snapshot, status_of
from geodata.tables import Designation, Measure, Problem, read_designations, read_policies

__all__ = [
    "Dataset",
    "Designation",
    "JurisdictionStatus",
    "Measure",
    "Problem",
    "Snapshot",
    "compare",
    "load_dataset",
    "read_designations",
    "read_policies",
    "snapshot",
    "status_of",
]
