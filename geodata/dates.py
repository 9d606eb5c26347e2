"""Calendar helpers shared by the data layer, the app and the renderers. Pure functions."""

from __future__ import annotations

import datetime as dt


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month."""
    days = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        days.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def year_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """January 1 of every year from `first`'s year to `last`'s year."""
    return [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]


def long_date(day: dt.date) -> str:
    """'August 5, 2025'."""
    return f"{day:%B} {day.day}, {day.year}"
