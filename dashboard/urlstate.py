"""The page's state as it lives in the URL. Pure: parse and serialise, never raise.

?date=YYYY-MM-DD&level=state|county|place&view=own|effective|federal|287g&j=GEOID&compare=YYYY-MM-DD&title=…

A title from the URL keeps to the custom-title rule (`dashboard.publish.titles`): capped, letters,
digits, spaces and punctuation only; anything else is left out, with a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from dashboard.publish.titles import cleaned_title
from geodata.layers import VIEWS, ordered_dates
from geodata.vocabulary import LEVELS, level_of

EARLIEST = dt.date(1979, 1, 1)
#: parameters Streamlit itself reads; never reported as unknown
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
KNOWN = frozenset({"date", "level", "view", "j", "compare", "title"}) | STREAMLIT_PARAMS
MAX_SHOWN = 60  # a hostile parameter is quoted in the notice, but only this much of it


@dataclass(frozen=True)
class ViewState:
    date: dt.date
    level: str = "state"
    view: str = "effective"
    selected: str | None = None
    compare_to: dt.date | None = None
    embed: bool = False
    title: str | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)


def _shown(value: str) -> str:
    value = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
    return repr(value)


def _parse_date(value: str, today: dt.date) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= today else None


def parse_params(
    params: Mapping[str, str | list[str]],
    today: dt.date,
    is_known_geoid: Callable[[str], bool] = lambda _g: True,
) -> ViewState:
    """A ViewState from query parameters; anything unusable becomes a notice."""
    notices: list[str] = []

    def first(name: str) -> str | None:
        value = params.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, str) else None

    state = ViewState(date=today)
    if (raw := first("date")) is not None:
        day = _parse_date(raw, today)
        if day is None:
            notices.append(f"Ignored date {_shown(raw)}: use YYYY-MM-DD between {EARLIEST} and {today}.")
        else:
            state = replace(state, date=day)
    if (raw := first("level")) is not None:
        if raw in LEVELS:
            state = replace(state, level=raw)
        else:
            notices.append(f"Ignored level {_shown(raw)}: use one of {', '.join(LEVELS)}.")
    if (raw := first("view")) is not None:
        if raw in VIEWS:
            state = replace(state, view=raw)
        else:
            notices.append(f"Ignored view {_shown(raw)}: use one of {', '.join(VIEWS)}.")
    if (raw := first("j")) is not None:
        if level_of(raw) is not None and is_known_geoid(raw):
            state = replace(state, selected=raw)
        else:
            notices.append(f"Ignored j={_shown(raw)}: no jurisdiction has that GEOID.")
    if (raw := first("compare")) is not None:
        day = _parse_date(raw, today)
        if day is None:
            notices.append(f"Ignored compare date {_shown(raw)}: use YYYY-MM-DD between {EARLIEST} and {today}.")
        else:
            state = replace(state, compare_to=day)
    if state.compare_to is not None:
        later, earlier, notice = ordered_dates(state.date, state.compare_to)
        state = replace(state, date=later, compare_to=earlier)
        if notice:
            notices.append(notice)
    if (raw := first("title")) is not None:
        title, title_notices = cleaned_title(raw)
        state = replace(state, title=title)
        notices.extend(title_notices)
    state = replace(state, embed=(first("embed") or "").lower() == "true")
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        notices.append("Ignored unknown parameter(s): " + ", ".join(_shown(u) for u in unknown[:5]) + ".")
    return replace(state, notices=tuple(notices))


def to_params(state: ViewState) -> dict[str, str]:
    """The query parameters that reproduce `state` exactly."""
    params = {"date": state.date.isoformat(), "level": state.level, "view": state.view}
    if state.selected:
        params["j"] = state.selected
    if state.compare_to:
        params["compare"] = state.compare_to.isoformat()
    title, _ = cleaned_title(state.title)
    if title:
        params["title"] = title
    if state.embed:
        params["embed"] = "true"
    return params
