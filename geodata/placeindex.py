"""Every Census place (incorporated places and CDPs), as a name, a point and a county.

The place layer (`geodata.places`) keeps outlines only for the places the tables name; this index
knows all ~29,500 places of the 50 states, DC and Puerto Rico, so a reader can find any town and
see what applies there: its state's and its county's measures (`status_of_place`).

Built by `python -m geodata build` from the same cartographic boundary zips into the git-ignored
cache (`place_index.csv`). Each place's county is the county holding its representative point.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import time
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd
import shapely

from geodata.boundaries import Jurisdiction, atlas_shapes
from geodata.config import Settings
from geodata.dataset import Dataset
from geodata.download import FetchError, SourceUnreachable, fetch
from geodata.files import CacheNotWritable, atomic_write, ensure_writable_dir
from geodata.fips import STATES
from geodata.places import CENSUS_DIR, EQUAL_AREA_CRS, census_file_name
from geodata.snapshot import JurisdictionStatus, status_of

_log = logging.getLogger(__name__)

INDEX_FILE = "place_index.csv"
COLUMNS = ("geoid", "name", "namelsad", "state_fips", "county_geoid", "incorporated", "lon", "lat")
#: 50 states, DC and Puerto Rico (`geodata.fips.STATES`); the island areas (60, 66, 69, 78) are left
#: out: the map has no counties there, and the tables no measures.
PLACE_STATES: tuple[str, ...] = tuple(sorted(STATES))
STATE_NAMES: Mapping[str, str] = STATES

#: what the Census appends to NAME to make NAMELSAD, by LSAD code; the 2015 files have no NAMELSAD
#: column. "00" (and any code not here) appends nothing: the name already says it ("Milford city
#: (balance)").
LSAD_WORDS: Mapping[str, str] = MappingProxyType({
    "21": "borough",
    "25": "city",
    "37": "municipality",
    "43": "town",
    "47": "village",
    "53": "city and borough",
    "55": "comunidad",
    "57": "CDP",
    "62": "zona urbana",
    "CG": "consolidated government",
    "CN": "corporation",
    "MG": "metropolitan government",
    "MT": "metro government",
    "UC": "urban county",
    "UG": "unified government",
})
#: census-designated places: 57, and Puerto Rico's comunidades (55) and zonas urbanas (62), which are
#: its CDPs. Everything else is an incorporated place.
CDP_LSAD = frozenset({"55", "57", "62"})


@dataclass(frozen=True)
class PlaceEntry:
    geoid: str
    #: the Census NAME: "Bakersfield", "Doña Ana"
    name: str
    #: the name with its kind: "Bakersfield city", "Doña Ana CDP"
    namelsad: str
    state_fips: str
    #: the county holding the place's representative point; "" when none does (Puerto Rico)
    county_geoid: str
    incorporated: bool
    lon: float
    lat: float

    @property
    def kind(self) -> str:
        """'city', 'town', 'village', 'CDP', ...; '' when the name already says it."""
        head, tail = self.namelsad[: len(self.name)], self.namelsad[len(self.name):]
        return tail.strip() if head == self.name else ""

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state_fips, "")

    @property
    def display_name(self) -> str:
        """'Bakersfield, California', as `Jurisdiction.display_name` names places."""
        return f"{self.name}, {self.state_name}" if self.state_name else self.name

    def as_row(self) -> dict[str, str]:
        return {
            "geoid": self.geoid,
            "name": self.name,
            "namelsad": self.namelsad,
            "state_fips": self.state_fips,
            "county_geoid": self.county_geoid,
            "incorporated": "yes" if self.incorporated else "no",
            "lon": f"{self.lon:.5f}",
            "lat": f"{self.lat:.5f}",
        }


# eq=False: an index is identified by the object, so it can key caches (search entries) cheaply.
@dataclass(frozen=True, eq=False)
class PlaceIndex:
    #: GEOID -> entry, in GEOID order
    entries: Mapping[str, PlaceEntry]
    #: rows of the file that could not be used (a damaged cache); they are left out
    skipped_rows: int = 0

    def get(self, geoid: str) -> PlaceEntry | None:
        return self.entries.get(geoid)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[PlaceEntry]:
        return iter(self.entries.values())


@dataclass
class PlaceIndexReport:
    #: states whose file was read
    built: list[str] = field(default_factory=list)
    #: states whose file failed, and whose entries were kept from the previous index
    kept_from_previous: list[str] = field(default_factory=list)
    #: states whose file failed, with no previous entries to keep
    absent: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: what was left out of files that were read, with why
    warnings: list[str] = field(default_factory=list)
    #: places in the index written (or left as it was)
    places: int = 0
    #: True when the build produced exactly what the cache held, so nothing was rewritten
    unchanged: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        out = [
            f"place index: {self.places} places, {len(self.built)} state files read in {self.seconds:.1f} s"
        ]
        if self.unchanged:
            out.append("place index: the cache already held exactly these; left as it was")
        if self.kept_from_previous:
            out.append(
                f"place index: {len(self.kept_from_previous)} state(s) kept from the previous index"
                f" ({', '.join(sorted(self.kept_from_previous))})"
            )
        if self.absent:
            out.append(
                f"place index: no places for {len(self.absent)} state(s) ({', '.join(sorted(self.absent))});"
                " search finds only their places with rows until a build reads their files"
            )
        out += [f"place index: {w}" for w in self.warnings]
        out += [f"place index: not read: {f}" for f in self.failures]
        return out


def index_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / INDEX_FILE


class _StateFailed(Exception):
    """One state's file was fetched but cannot be used."""


def _names_with_kind(frame: pd.DataFrame) -> pd.Series:
    if "NAMELSAD" in frame.columns:
        return frame["NAMELSAD"].astype(str)
    words = frame["LSAD"].astype(str).map(LSAD_WORDS).fillna("")
    return (frame["NAME"].astype(str) + " " + words).str.strip()


def _incorporated(frame: pd.DataFrame) -> pd.Series:
    # TIGER files say it with the class code (C* incorporated, U* CDP); cartographic files only with LSAD.
    if "CLASSFP" in frame.columns:
        return frame["CLASSFP"].astype(str).str.startswith("C")
    return ~frame["LSAD"].astype(str).isin(CDP_LSAD)


def read_state_places(path: Path, state: str) -> tuple[pd.DataFrame, list[str], int]:
    """One state's places with their representative points (EPSG:4326), the GEOIDs left out for want
    of a usable geometry, and how many rows were left out for want of a GEOID of this state.

    Raises _StateFailed for a file that cannot be used at all.
    """
    try:
        frame = gpd.read_file(f"zip://{path}")
    except Exception as exc:  # a whole zip can hold a broken shapefile; GDAL raises its own errors
        raise _StateFailed(f"cannot read the shapefile in it ({exc})") from exc
    missing = sorted({"GEOID", "NAME", "LSAD"} - set(frame.columns))
    if missing:
        raise _StateFailed(f"its shapefile lacks the column(s) {', '.join(missing)}")
    geoids = frame["GEOID"].astype(str)
    ours = (geoids.str.fullmatch(r"\d{7}") & geoids.str.startswith(state)).to_numpy()
    frame, geoids = frame[ours], geoids[ours]
    try:
        # An invalid ring would put the point outside the place, or nowhere.
        shapes = shapely.make_valid(frame.geometry.to_numpy())
        points = gpd.GeoSeries(shapely.point_on_surface(shapes), crs=frame.crs or 4269).to_crs(4326)
    except Exception as exc:  # GEOS and PROJ raise their own errors for geometry they cannot use
        raise _StateFailed(f"cannot place its shapes ({exc})") from exc
    placed = ~(points.isna() | points.is_empty).to_numpy()
    without_geometry = geoids[~placed].tolist()
    if not placed.any():
        raise _StateFailed("it holds no usable place of this state")
    table = pd.DataFrame({
        "geoid": geoids.to_numpy(),
        "name": frame["NAME"].astype(str).str.strip().to_numpy(),
        "namelsad": _names_with_kind(frame).str.strip().to_numpy(),
        "state_fips": state,
        "incorporated": _incorporated(frame).to_numpy(),
        "lon": points.x.round(5).to_numpy(),
        "lat": points.y.round(5).to_numpy(),
    })[placed]
    return table.drop_duplicates("geoid").reset_index(drop=True), without_geometry, int((~ours).sum())


def counties_of_points(places: pd.DataFrame) -> pd.Series:
    """Place GEOID -> GEOID of the county of its own state holding its point (`lon`, `lat`).

    A point that the simplified county outlines miss (on a shore, in a river) gets the nearest county
    of its state; a place in a state the map has no counties for (Puerto Rico) gets none.
    """
    counties = (
        atlas_shapes("county")[["geoid", "geometry"]].reset_index(drop=True).rename(columns={"geoid": "county_geoid"})
    )
    points = gpd.GeoDataFrame(
        {"geoid": places["geoid"].to_numpy(), "state": places["state_fips"].to_numpy()},
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs=4326,
    )
    inside = gpd.sjoin(points, counties, predicate="within", how="inner")
    inside = inside[inside["county_geoid"].str[:2] == inside["state"]].drop_duplicates("geoid")
    found = dict(zip(inside["geoid"], inside["county_geoid"], strict=True))
    missed = points[~points["geoid"].isin(found)]
    if not missed.empty:
        projected = counties.to_crs(EQUAL_AREA_CRS)
        for state, group in missed.to_crs(EQUAL_AREA_CRS).groupby("state"):
            of_state = projected[projected["county_geoid"].str[:2] == state]
            if of_state.empty:
                continue
            nearest = gpd.sjoin_nearest(group, of_state, how="inner").drop_duplicates("geoid")
            found.update(zip(nearest["geoid"], nearest["county_geoid"], strict=True))
    return pd.Series(found, dtype=object)


def build_place_index(settings: Settings, *, states: Iterable[str] = PLACE_STATES) -> PlaceIndexReport:
    """Fetch each state's place file and write the index of every place. Never half-writes it.

    A state whose file cannot be had or used keeps its entries from the previous index (as do
    states not asked for); a place without a usable geometry in a file that is read keeps its
    previous entry, if any. The index is rewritten only when some state was read and the result
    differs from what is there. Call it holding `geodata.files.build_lock` (the `build` command does).
    """
    started = time.perf_counter()
    report = PlaceIndexReport()
    try:
        ensure_writable_dir(settings.cache_dir)
    except CacheNotWritable as exc:
        report.failures.append(str(exc))
        return report
    previous = read_place_index(settings.cache_dir)
    old: Mapping[str, PlaceEntry] = previous.entries if previous is not None else {}
    asked = sorted(set(states))
    kept = {g: e for g, e in old.items() if e.state_fips not in asked}
    tables: list[pd.DataFrame] = []
    not_tried = ""  # why the remaining states are not asked for, once one answer says it is pointless
    skipped = 0
    for state in asked:
        name = census_file_name(settings.census_year, state)
        table: pd.DataFrame | None = None
        if not_tried:
            skipped += 1
        else:
            try:
                path = fetch(name, settings.census_source, settings.cache_dir / CENSUS_DIR)
                table, without_geometry, foreign = read_state_places(path, state)
            except SourceUnreachable as exc:
                report.failures.append(str(exc))
                # Offline, every state would wait out its retries: stop asking after the first.
                not_tried = "the source is unreachable"
            except CacheNotWritable as exc:
                report.failures.append(f"{name}: {exc}")
                not_tried = str(exc)
            except FetchError as exc:
                report.failures.append(str(exc))
            except _StateFailed as exc:
                report.failures.append(f"{name}: {exc}")
        if table is None:
            of_state = {g: e for g, e in old.items() if e.state_fips == state}
            if of_state:
                report.kept_from_previous.append(state)
                kept.update(of_state)
            else:
                report.absent.append(state)
            continue
        report.built.append(state)
        tables.append(table)
        if without_geometry:
            kept.update({g: old[g] for g in without_geometry if g in old})
            shown = ", ".join(without_geometry[:5]) + (" ..." if len(without_geometry) > 5 else "")
            report.warnings.append(f"{name}: {len(without_geometry)} place(s) without a usable geometry ({shown})")
        if foreign:
            report.warnings.append(f"{name}: {foreign} row(s) without a GEOID of this state left out")
    if skipped:
        report.failures.append(f"{skipped} more state file(s) not tried: {not_tried}")
    if not report.built:
        report.places, report.seconds = len(old), time.perf_counter() - started
        return report  # nothing new: the index stays as it is
    entries = dict(kept)
    entries.update(_entries(pd.concat(tables, ignore_index=True)))
    report.places = len(entries)
    try:
        report.unchanged = not write_place_index(entries.values(), settings.cache_dir)
    except (CacheNotWritable, OSError) as exc:
        report.failures.append(f"place index: {index_path(settings.cache_dir)} was not written ({exc})")
    report.seconds = time.perf_counter() - started
    return report


def _entries(table: pd.DataFrame) -> dict[str, PlaceEntry]:
    table = table.assign(county_geoid=table["geoid"].map(counties_of_points(table)).fillna(""))
    return {
        row.geoid: PlaceEntry(row.geoid, row.name, row.namelsad, row.state_fips, row.county_geoid,
                              bool(row.incorporated), float(row.lon), float(row.lat))
        for row in table.itertuples(index=False)
    }


def index_text(entries: Iterable[PlaceEntry]) -> str:
    """The CSV of the index, in GEOID order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(e.as_row() for e in sorted(entries, key=lambda e: e.geoid))
    return buffer.getvalue()


def write_place_index(entries: Iterable[PlaceEntry], cache_dir: Path) -> bool:
    """Replace the index with `entries`, in one step; False (nothing written) when it already holds them."""
    data = index_text(entries).encode("utf-8")
    target = index_path(cache_dir)
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass  # none yet, or unreadable: written below
    atomic_write(target, data)
    return True


def read_place_index(cache_dir: Path) -> PlaceIndex | None:
    """The index built by `python -m geodata build`, or None when there is none or it cannot be read.

    Read once per version of the file: the same object comes back until the file changes.
    A row that cannot be used is left out and counted (`PlaceIndex.skipped_rows`).
    """
    path = index_path(cache_dir)
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read_index(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_index(path: Path, _mtime_ns: int, _size: int) -> PlaceIndex | None:
    try:
        # A damaged byte costs only its row (see _entry), not the whole index.
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        _log.warning("place index %s is not used: %s", path, exc)
        return None
    reader = csv.DictReader(io.StringIO(text))
    entries: dict[str, PlaceEntry] = {}
    skipped = 0
    try:
        if tuple(reader.fieldnames or ()) != COLUMNS:
            _log.warning("place index %s is not used: its header is not %s", path, ",".join(COLUMNS))
            return None
        for row in reader:
            entry = _entry(row)
            if entry is None or entry.geoid in entries:
                skipped += 1
            else:
                entries[entry.geoid] = entry
    except csv.Error as exc:
        _log.warning("place index %s is not used: %s", path, exc)
        return None
    if skipped:
        _log.warning("place index %s: %d row(s) could not be used and were left out", path, skipped)
    return PlaceIndex(MappingProxyType(dict(sorted(entries.items()))), skipped)


def _entry(row: Mapping[str | None, str | list[str] | None]) -> PlaceEntry | None:
    """The entry a CSV row holds, or None when any of its fields is missing or malformed."""
    values = [row.get(column) for column in COLUMNS]
    if None in row or not all(isinstance(v, str) for v in values):
        return None  # too many or too few fields
    geoid, name, namelsad, state, county, incorporated, lon_text, lat_text = (str(v) for v in values)
    if not (len(geoid) == 7 and geoid.isascii() and geoid.isdigit() and state == geoid[:2]):
        return None
    if county and not (len(county) == 5 and county.isascii() and county.isdigit() and county[:2] == state):
        return None
    if not name.strip() or "\ufffd" in name + namelsad or incorporated not in ("yes", "no"):
        return None
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        return None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return PlaceEntry(geoid, name, namelsad, state, county, incorporated == "yes", lon, lat)


def dataset_with_place(dataset: Dataset, geoid: str, place_index: PlaceIndex | None) -> Dataset:
    """The dataset, with a place only the index knows added to its gazetteer (and its county), so
    questions about that one place (`status_of`, `jurisdiction_history`) follow the same rules as
    every snapshot (`Measure.applies_below`). The dataset itself when it knows the place already."""
    entry = place_index.get(geoid) if place_index is not None else None
    if entry is None or dataset.gazetteer.get(geoid) is not None:
        return dataset
    gazetteer = dataset.gazetteer
    place = Jurisdiction(entry.geoid, entry.name, "place", entry.state_fips)
    county = {entry.geoid: entry.county_geoid} if entry.county_geoid else {}
    widened = replace(
        gazetteer,
        jurisdictions=MappingProxyType(ChainMap({geoid: place}, gazetteer.jurisdictions)),
        place_county=MappingProxyType(ChainMap(county, gazetteer.place_county)),
    )
    return replace(dataset, gazetteer=widened)


def status_of_place(
    dataset: Dataset, geoid: str, day: dt.date, place_index: PlaceIndex | None
) -> JurisdictionStatus:
    """What applies at any place on `day`: `status_of` for a jurisdiction the dataset knows; for a
    place only the index knows, its own rows (if any) and what it inherits from its state and its
    county, named from the index."""
    status = status_of(dataset_with_place(dataset, geoid, place_index), geoid, day)
    entry = place_index.get(geoid) if place_index is not None else None
    if entry is None or dataset.gazetteer.get(geoid) is not None:
        return status
    # Jurisdiction.display_name knows only the 50 states and DC; the index knows Puerto Rico too.
    return status._replace(name=entry.display_name)
