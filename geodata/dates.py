"""Calendar helpers shared by the data layer, the app and the renderers. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from geodata.i18n import ENGLISH, N_, Translator

#: the timeline's key dates and what happened on each (none for a round date), for the app's
#: "Key dates" box and the static edition alike
KEY_DATES: tuple[tuple[dt.date, str], ...] = (
    (dt.date(1979, 11, 27), N_("LAPD Special Order 40")),
    (dt.date(2017, 1, 1), ""),
    (dt.date(2025, 1, 20), N_("new administration")),
    (dt.date(2025, 5, 29), N_("DHS list published")),
    (dt.date(2025, 8, 5), N_("DOJ list published")),
)


def key_date_label(day: dt.date, event: str, tr: Translator = ENGLISH) -> str:
    """'Aug 5, 2025: DOJ list published', '5 ago 2025: publicación de la lista del DOJ'."""
    return tr("{day}: {event}", day=tr.medium_date(day), event=tr(event)) if event else tr.medium_date(day)


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s month."""
    days = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        days.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def timeline_days(first: dt.date, today: dt.date, exact: Sequence[dt.date] = ()) -> list[dt.date]:
    """The timeline's days: month starts from `first` to `today`, the key dates, today, and any exact days."""
    days = set(month_starts(first, today)) | {today} | {d for d in exact if first <= d <= today}
    days |= {d for d, _label in KEY_DATES if first <= d <= today}
    return sorted(days)


def year_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """January 1 of every year from `first`'s year to `last`'s year."""
    return [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]


def long_date(day: dt.date, tr: Translator = ENGLISH) -> str:
    """'August 5, 2025', '5 de agosto de 2025' (Babel, in the translator's locale)."""
    return tr.long_date(day)
