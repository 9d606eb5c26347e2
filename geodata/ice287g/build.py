"""`python -m geodata build` for 287(g): read the sheets, merge and match the agreements,
replace the cache, and report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geodata.config import ICE_287G_PAGE, Settings
from geodata.ice287g.agreements import Agreement, merge_sheets
from geodata.ice287g.cache import write_cache
from geodata.ice287g.matching import CensusError, CensusPlaces, match_all
from geodata.ice287g.sheets import SheetError, read_sheet
from geodata.ice287g.sources import SourceError, sheet_paths

HOW_TO_GET = (
    "set GEODATA_ICE287G_SOURCE to ICE's participating-agencies .xlsx sheet (linked from "
    f"{ICE_287G_PAGE}) or to a directory of such sheets, then run `python -m geodata build`"
)


@dataclass
class AgreementBuildReport:
    source: str
    sheets: list[tuple[str, dt.date, int]] = field(default_factory=list)
    skipped_rows: list[str] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        if not self.ok:
            return [f"287(g): FAILED: {f}" for f in self.failures]
        out = [f"287(g): {len(self.sheets)} sheet(s) from {self.source}"]
        out += [f"287(g):   {name} ({day}, {rows} agreement rows)" for name, day, rows in self.sheets]
        out += summary_lines(self.agreements, prefix="287(g): ")
        out += [f"287(g): skipped {row}" for row in self.skipped_rows]
        out += [f"287(g): wrote {path}" for path in self.written]
        return out


def summary_lines(agreements: Sequence[Agreement], prefix: str = "") -> list[str]:
    total = len(agreements)
    if not total:
        return [f"{prefix}no agreements"]
    matched = [a for a in agreements if a.matched]
    kinds = Counter(a.match_kind for a in matched)
    approximate = sum(1 for a in matched if a.approximate)
    open_now = sum(1 for a in agreements if a.ended is None)
    exceptions = sum(1 for a in agreements if a.problems)
    return [
        f"{prefix}{total} agreements ({open_now} open, {total - open_now} ended)",
        f"{prefix}matched {len(matched)} of {total} ({100 * len(matched) / total:.1f}%): "
        f"county {kinds['county']}, place {kinds['place']}, state {kinds['state']}; "
        f"{approximate} of them approximate",
        f"{prefix}{exceptions} exception(s)",
    ]


def build_agreements(settings: Settings) -> AgreementBuildReport:
    """Read the sheets, match every agreement, and replace the cache only if all of that worked."""
    report = AgreementBuildReport(source=settings.ice_287g_source)
    try:
        paths = sheet_paths(settings)
    except SourceError as exc:
        report.failures.append(f"the 287(g) layer is unavailable: {exc}. To get it, {HOW_TO_GET}.")
        return report
    try:
        sheets = [read_sheet(path) for path in paths]
        agreements = match_all(merge_sheets(sheets), CensusPlaces(settings))
        report.written = list(write_cache(agreements, settings.cache_dir))
    except (SheetError, CensusError, OSError) as exc:
        report.failures.append(f"{exc}; the earlier 287(g) cache in {settings.cache_dir} is unchanged")
        return report
    report.sheets = [(s.name, s.day, len(s.rows)) for s in sorted(sheets, key=lambda s: (s.day, s.name))]
    report.skipped_rows = [line for s in sheets for line in s.skipped]
    report.agreements = agreements
    return report
