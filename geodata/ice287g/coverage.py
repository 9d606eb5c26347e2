"""The 287(g) part of `python -m geodata coverage`: match rates, exceptions, agreements in
force by month and by support model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from geodata.config import Settings
from geodata.dates import month_starts
from geodata.fips import ABBREVIATIONS
from geodata.ice287g.agreements import MODELS, Agreement
from geodata.ice287g.build import summary_lines
from geodata.ice287g.cache import CacheError, cached_agreements

NOT_BUILT = (
    "287(g) agreements: layer not built. Build it with `python -m geodata build`, which fetches"
    " ICE's current sheet; set GEODATA_ICE287G_SOURCE to a sheet or a directory of sheets when"
    " ICE's page is unreachable."
)


def month_end(month: dt.date, cap: dt.date) -> dt.date:
    return min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), cap)


def in_force_by_month(agreements: Sequence[Agreement]) -> list[tuple[dt.date, int]]:
    """Agreements in force at each month's end (the latest sheet's date for its month)."""
    dated = [a for a in agreements if a.signed]
    latest = max((d for a in agreements for d in a.seen_on), default=None)
    if not dated or latest is None:
        return []
    first = min(a.signed for a in dated if a.signed)
    months = month_starts(first, latest)
    return [(m, sum(1 for a in dated if a.in_force(month_end(m, latest)))) for m in months]


def month_lines(counts: Sequence[tuple[dt.date, int]]) -> list[str]:
    """One line per run of months with the same count, so quiet years take one line."""
    lines: list[str] = []
    start = 0
    for i in range(1, len(counts) + 1):
        if i == len(counts) or counts[i][1] != counts[start][1]:
            first, last = counts[start][0], counts[i - 1][0]
            span = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} .. {last:%Y-%m}"
            lines.append(f"    {span:<18} {counts[start][1]:>5}")
            start = i
    return lines


def model_lines(agreements: Sequence[Agreement]) -> list[str]:
    lines = []
    for tag, (label, _, _) in MODELS.items():
        having = [a for a in agreements if tag in a.models]
        open_now = sum(1 for a in having if a.ended is None)
        lines.append(f"    {label:<24} {len(having):>5} agreements, {open_now:>5} open")
    unknown = sum(1 for a in agreements if not a.models)
    if unknown:
        lines.append(f"    {'unknown model':<24} {unknown:>5} agreements")
    return lines


def exception_lines(agreements: Sequence[Agreement]) -> list[str]:
    lines = []
    for a in sorted((a for a in agreements if a.problems), key=lambda a: a.agreement_id):
        state = ABBREVIATIONS.get(a.state, "??")
        signed = a.signed.isoformat() if a.signed else "undated"
        lines.append(f"    {state} {a.agency} ({a.model_labels}, {signed}): {' | '.join(a.problems)}")
    return lines


def coverage_lines(settings: Settings) -> list[str]:
    """The 287(g) part of `python -m geodata coverage`."""
    try:
        agreements = cached_agreements(settings.cache_dir)
    except (CacheError, OSError, UnicodeDecodeError) as exc:
        return [f"287(g) agreements: cache unreadable ({exc})"]
    if not agreements:
        return [NOT_BUILT]
    sheets = sorted({d for a in agreements for d in a.seen_on})
    span = f"{sheets[0]} .. {sheets[-1]}" if sheets else "no sheet dates"
    lines = [f"287(g) agreements, from {len(sheets)} sheet date(s) ({span}):"]
    lines += summary_lines(agreements, prefix="  ")
    lines += exception_lines(agreements)
    lines.append("  in force at month end:")
    lines += month_lines(in_force_by_month(agreements))
    lines.append("  by support model:")
    lines += model_lines(agreements)
    return lines
