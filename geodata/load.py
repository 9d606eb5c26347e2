"""Load the dataset from files: the policy tables, the federal lists, and what `build` cached.

The one place that reads them together, so `geodata.dataset` stays free of I/O and of the
287(g) pipeline, which joins only through `geodata.ice287g.feed`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import zlib
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from geodata.boundaries import Jurisdiction, places_path, read_place_cache
from geodata.config import Settings, settings
from geodata.dataset import Dataset, Provenance, build_dataset
from geodata.ice287g.cache import AGREEMENTS_FILE
from geodata.ice287g.feed import agreement_feed
from geodata.placeindex import index_path, read_place_index
from geodata.placeoutlines import outline_states
from geodata.provenance import evidence_path_for, read_evidence
from geodata.tables import DESIGNATIONS_PATH, POLICIES_PATH, Measure, read_designations, read_policies

REPO = Path(__file__).resolve().parents[1]


def tables_last_changed(*tables: Path) -> dt.date | None:
    """The day the tables last changed: the last commit that touched them, else their files' dates."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", *map(str, tables)],
            cwd=REPO, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        if out and not _has_uncommitted_changes(tables):
            return dt.date.fromisoformat(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    stamps = [t.stat().st_mtime for t in tables if t.exists()]
    return dt.date.fromtimestamp(max(stamps)) if stamps else None


def _has_uncommitted_changes(tables: tuple[Path, ...]) -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", *map(str, tables)],
        cwd=REPO, capture_output=True, text=True, timeout=5, check=True,
    ).stdout
    return bool(status.strip())


def bounded_by_state_bans(agreements: Sequence[Measure], policies: Sequence[Measure]) -> tuple[Measure, ...]:
    """ICE-sheet agreements end when a state statute barring 287(g) takes effect after the sheets list them.

    ICE's sheets lag the law: an agreement still listed in July 2025 in a state that barred 287(g)
    in 2026 cannot be shown as in force after the ban, and no sheet says when it ended. It ends on
    the ban's first day, and its end reason says that this is inferred from the law.
    """
    bans = [m for m in policies if m.bars_287g_statewide]
    bounded = []
    for agreement in agreements:
        for ban in (b for b in bans if b.geoid == agreement.geoid[:2] and b.effective > agreement.effective):
            if agreement.ended is None or agreement.ended > ban.effective:
                agreement = replace(
                    agreement, ended=ban.effective,
                    end_reason=f"barred by state law ({ban.title}); ICE's sheets predate it, so the day is inferred",
                )
        bounded.append(agreement)
    return tuple(bounded)


def outlined_places(cache_dir: Path) -> tuple[tuple[Jurisdiction, str], ...]:
    """Every incorporated place of the index whose state has outlines built, with its county."""
    index = read_place_index(cache_dir)
    states = set(outline_states(cache_dir))
    if index is None or not states:
        return ()
    return tuple(
        (Jurisdiction(e.geoid, e.name, "place", e.state_fips), e.county_geoid)
        for e in index.entries.values() if e.incorporated and e.state_fips in states
    )


@lru_cache(maxsize=4)
def _load(policies: Path, designations: Path, config: Settings, stamp: tuple) -> Dataset:
    policy_table = read_policies(policies)
    designation_table = read_designations(designations)
    feed = agreement_feed(config.cache_dir)
    provenance = Provenance(tables_last_changed(policies, designations), feed.sheet_dates, feed.problem,
                            read_place_cache(config.cache_dir).problem)
    return build_dataset(
        (*policy_table.records, *bounded_by_state_bans(feed.measures, policy_table.records)),
        designation_table.records,
        config,
        (*policy_table.problems, *designation_table.problems),
        provenance,
        read_evidence(evidence_path_for(policies)),
        version=f"{zlib.crc32(repr(stamp).encode()):08x}",
        more_places=outlined_places(config.cache_dir),
    )


def _stamp(*paths: Path) -> tuple:
    stamps = []
    for path in paths:
        try:
            stat = Path(path).stat()
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(path), None, None))
    return tuple(stamps)


def load_dataset(
    policies: Path = POLICIES_PATH,
    designations: Path = DESIGNATIONS_PATH,
    config: Settings | None = None,
) -> Dataset:
    """Load and index the tables. Cached until a table or a built cache file changes.

    Cheap to call on every page run: it only compares the files' stamps, so a running app picks
    up an edited table or a new build without a restart.
    """
    config = config or settings()
    watched = (evidence_path_for(policies), places_path(config.cache_dir), config.cache_dir / AGREEMENTS_FILE,
               index_path(config.cache_dir))
    return _load(Path(policies), Path(designations), config, _stamp(policies, designations, *watched))
