"""Shared fixtures: small tables written by the tests themselves, and isolated settings."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from geodata.config import Settings
from geodata.tables import DESIGNATION_COLUMNS, POLICY_COLUMNS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _mirror(name: str, variable: str) -> Path:
    """The mirror in ../shared, else the directory `variable` names (a worktree kept elsewhere has
    no ../shared beside it)."""
    beside = SHARED / name
    configured = os.environ.get(variable, "").strip()
    if not beside.is_dir() and configured and Path(configured).is_dir():
        return Path(configured)
    return beside


CENSUS_MIRROR = _mirror("census", "GEODATA_CENSUS_SOURCE")
ICE_MIRROR = _mirror("ice-287g", "GEODATA_ICE287G_SOURCE")

SOURCE = "https://example.org/source"


def measure_row(**fields: str) -> dict[str, str]:
    row = {
        "measure_id": "m1",
        "geoid": "06",
        "jurisdiction": "California",
        "title": "A measure",
        "instrument": "statute",
        "direction": "limits",
        "provisions": "detainer_limits",
        "adopted": "2017-10-05",
        "effective": "2018-01-01",
        "ended": "",
        "end_reason": "",
        "source_url": SOURCE,
        "notes": "",
    }
    row.update(fields)
    return row


def designation_row(**fields: str) -> dict[str, str]:
    row = {
        "geoid": "06",
        "jurisdiction": "California",
        "list": "doj-2025-08",
        "listed_on": "2025-08-05",
        "removed_on": "",
        "source_url": SOURCE,
        "notes": "",
    }
    row.update(fields)
    return row


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def write_tables(tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    def write(measures: list[dict[str, str]], designations: list[dict[str, str]] | None = None):
        policies = write_csv(tmp_path / "policies.csv", POLICY_COLUMNS, measures)
        lists = write_csv(tmp_path / "designations.csv", DESIGNATION_COLUMNS, designations or [])
        return policies, lists

    return write


@pytest.fixture
def empty_cache_settings(tmp_path: Path) -> Settings:
    """Settings whose cache holds nothing: places fall back to points."""
    return Settings(
        census_source=str(tmp_path / "no-census"),
        census_year=2015,
        ice_287g_source=str(tmp_path / "no-ice"),
        cache_dir=tmp_path / "cache",
    )


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def mirror_env(cache: Path) -> dict[str, str]:
    """Environment that points the project's sources at the local mirrors, with its own cache."""
    env = {**os.environ, "GEODATA_CACHE_DIR": str(cache)}
    if CENSUS_MIRROR.is_dir():
        env |= {"GEODATA_CENSUS_SOURCE": str(CENSUS_MIRROR), "GEODATA_CENSUS_YEAR": "2015"}
    if ICE_MIRROR.is_dir():
        env["GEODATA_ICE287G_SOURCE"] = str(ICE_MIRROR)
    return env


@pytest.fixture(scope="session")
def mirror_cache(tmp_path_factory) -> Path:
    """A build cache made once from the mirrors: place boundaries and ICE's 287(g) sheets."""
    import subprocess
    import sys

    if not (CENSUS_MIRROR.is_dir() and ICE_MIRROR.is_dir()):
        pytest.skip(f"mirrors not found at {SHARED} (nor named by GEODATA_CENSUS_SOURCE, GEODATA_ICE287G_SOURCE)")
    cache = tmp_path_factory.mktemp("mirror-cache")
    subprocess.run([sys.executable, "-m", "geodata", "build"], env=mirror_env(cache), cwd=REPO, check=False,
                   capture_output=True, timeout=600)
    return cache


@pytest.fixture(scope="session")
def mirror_dataset(mirror_cache: Path):
    """The committed tables with the mirrors' boundaries and 287(g) agreements."""
    from geodata.config import settings
    from geodata.load import load_dataset

    return load_dataset(config=settings(mirror_env(mirror_cache)))
