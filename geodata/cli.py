"""Command line: python -m geodata check | build | snapshot | coverage."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

from geodata.boundaries import load_gazetteer
from geodata.config import Settings, settings
from geodata.files import BuildLockTimeout, CacheNotWritable, build_lock, remove_stale_temporaries
from geodata.fips import STATES
from geodata.ice287g import build_agreements, places_needed_by_agreements
from geodata.ice287g import coverage_lines as agreement_coverage_lines
from geodata.largest import largest_lines
from geodata.load import load_dataset
from geodata.placeindex import build_place_index, read_place_index
from geodata.placeoutlines import build_place_outlines
from geodata.places import build_places
from geodata.reconciliation import reconciliation_lines
from geodata.snapshot import snapshot
from geodata.tables import (
    DESIGNATIONS_PATH,
    POLICIES_PATH,
    parse_date,
    read_designations,
    read_policies,
    read_unplaced_designations,
)
from geodata.validate import check
from geodata.vocabulary import LEVELS


def _add_table_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policies", type=Path, default=POLICIES_PATH)
    parser.add_argument("--designations", type=Path, default=DESIGNATIONS_PATH)


def cmd_check(args: argparse.Namespace) -> int:
    config = settings()
    result = check(args.policies, args.designations, load_gazetteer(config.cache_dir))
    for problem in result.problems:
        print(problem)
    if not result.ok:
        print(f"{len(result.problems)} problem(s) found", file=sys.stderr)
        return 1
    summary = f"ok: {result.measures} measures, {result.designations} federal-list entries"
    if result.unchecked_places:
        summary += (
            f"; {result.unchecked_places} place GEOID(s) not checked against boundaries"
            " (run `python -m geodata build` to fetch them)"
        )
    print(summary)
    return 0


def needed_places(policies: Path, designations: Path) -> set[str]:
    rows = (*read_policies(policies).records, *read_designations(designations).records)
    needed = {r.geoid for r in rows if r.level == "place"}
    return needed | places_needed_by_agreements(settings())


def _cache_is_fresh(config_cache: Path, *tables: Path) -> bool:
    from geodata.boundaries import places_path

    cache = places_path(config_cache)
    if not cache.exists():
        return False
    built = cache.stat().st_mtime
    return all(not t.exists() or t.stat().st_mtime <= built for t in tables)


#: fixed temporary names that builds before the unique ones could leave behind
_LEGACY_TEMPORARIES = (
    "places.geojson", "places.manifest.json", "agreements_287g.csv", "agreements_287g_exceptions.csv",
)


def cmd_build(args: argparse.Namespace) -> int:
    config = settings()
    if args.if_missing and _cache_is_fresh(config.cache_dir, args.policies, args.designations):
        print(f"geodata cache in {config.cache_dir} is up to date")
        return 0
    try:
        with build_lock(config.cache_dir, on_wait=lambda message: print(message, flush=True)):
            # Another build may have finished while this one waited.
            if args.if_missing and _cache_is_fresh(config.cache_dir, args.policies, args.designations):
                print(f"geodata cache in {config.cache_dir} is up to date")
                return 0
            removed = remove_stale_temporaries(config.cache_dir, _LEGACY_TEMPORARIES)
            if removed:
                print(f"removed {len(removed)} temporary file(s) left by an interrupted build")
            return _build(args, config)
    except (CacheNotWritable, BuildLockTimeout) as exc:
        print(f"FAILED: {exc}")
        print("Nothing was built. Set GEODATA_CACHE_DIR to a directory you can write to and retry.",
              file=sys.stderr)
        return 1


def _build(args: argparse.Namespace, config: Settings) -> int:
    status = 0
    if not args.skip_287g:
        report_287g = build_agreements(config)
        for line in report_287g.lines():
            print(line)
        status |= 0 if report_287g.ok else 1
    geoids = needed_places(args.policies, args.designations)
    print(f"places: {len(geoids)} needed, source {config.census_source} (edition {config.census_year})")
    report = build_places(geoids, config)
    for line in report.lines():
        print(line)
    if not report.ok:
        print(
            "Place boundaries are incomplete: the app draws missing cities as points."
            " Set GEODATA_CENSUS_SOURCE to a reachable URL or a local mirror and retry.",
            file=sys.stderr,
        )
        status |= 1
    # Search's index of every place: a state it cannot read costs search those places, not the build.
    for line in build_place_index(config).lines():
        print(line)
    # Every incorporated place's outline for the city level; like the index, a failed state costs the
    # map that state's outlines, not the build.
    for line in build_place_outlines(config).lines():
        print(line)
    return status


def cmd_snapshot(args: argparse.Namespace) -> int:
    try:
        day = parse_date(args.date)
    except ValueError as exc:
        print(f"--date: {exc}", file=sys.stderr)
        return 2
    dataset = load_dataset(args.policies, args.designations)
    rows = [r.as_row() for r in snapshot(day, args.level, dataset).rows]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1)
        print()
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["geoid"])
        writer.writeheader()
        writer.writerows(rows)
    return 0


def coverage_lines(policies: Path, designations: Path) -> list[str]:
    dataset = load_dataset(policies, designations)
    # ICE-sheet agreements are counted by the 287(g) lines below.
    own = [m for m in dataset.measures if not m.measure_id.startswith("287g-")]
    lines = [f"measures: {len(own)} in {len({m.geoid for m in own})} jurisdictions"]
    by_level = Counter(m.level for m in own)
    jurisdictions = Counter(level for level, _ in {(m.level, m.geoid) for m in own})
    for level in LEVELS:
        lines.append(f"  {level:<7} {by_level[level]:>4} measures, {jurisdictions[level]:>4} jurisdictions")
    for level in LEVELS:
        directions = Counter(m.direction for m in own if m.level == level)
        lines.append(
            f"  {level:<7} limits {directions['limits']:>4}  requires {directions['requires']:>4}"
        )
    lines.append("by decade (effective):")
    decades = Counter((m.effective.year // 10 * 10, m.direction) for m in own)
    for decade in sorted({d for d, _ in decades}):
        limits, requires = decades[(decade, "limits")], decades[(decade, "requires")]
        lines.append(f"  {decade}s  limits {limits:>4}  requires {requires:>4}")
    ended = sum(1 for m in own if m.ended)
    lines.append(f"ended measures: {ended}")
    lines.append("federal lists:")
    lists = Counter(d.list for d in dataset.designations)
    for name in sorted(lists):
        entries = [d for d in dataset.designations if d.list == name]
        levels = Counter(d.level for d in entries)
        removed = sum(1 for d in entries if d.removed_on)
        lines.append(
            f"  {name}: {lists[name]} entries ({', '.join(f'{levels[lv]} {lv}' for lv in LEVELS)}),"
            f" {removed} with removed_on"
        )
    lines += reconciliation_lines(dataset.designations, read_unplaced_designations().records)
    states = {m.geoid for m in own if m.level == "state"}
    lines.append(f"states, DC and Puerto Rico with a statewide measure: {len(states)} of {len(STATES)}")
    lines += largest_lines(dataset, read_place_index(settings().cache_dir))
    return lines + agreement_coverage_lines(settings())


def cmd_coverage(args: argparse.Namespace) -> int:
    for line in coverage_lines(args.policies, args.designations):
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="validate the policy and designation tables")
    _add_table_args(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", help="fetch and cache place boundaries (and 287(g) sheets)")
    _add_table_args(p)
    p.add_argument("--skip-287g", action="store_true", help="do not fetch ICE's 287(g) sheets")
    p.add_argument("--if-missing", action="store_true", help="do nothing if the cache is up to date")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("snapshot", help="status of every jurisdiction of a level on a date")
    _add_table_args(p)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--level", required=True, choices=LEVELS)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("coverage", help="counts by level, direction, decade and federal list")
    _add_table_args(p)
    p.set_defaults(func=cmd_coverage)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
