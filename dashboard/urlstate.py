"""The page's state as it lives in the URL. Pure: parse and serialise, never raise.

?date=YYYY-MM-DD&level=state|county|place&view=own|effective|federal|287g&j=GEOID&compare=YYYY-MM-DD&title=…&lang=en|es

The language is read first, so every notice about the rest is in the reader's language; an unknown
`lang` gives English and a notice (in English and Spanish, since the reader's language is unknown).

A title from the URL keeps to the custom-title rule (`dashboard.publish.titles`): capped, letters,
digits, spaces and punctuation only; anything else is left out, with a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from dashboard.publish.titles import cleaned_title
from geodata.i18n import DEFAULT, LANGUAGES, parse_lang, translator
from geodata.layers import VIEWS, ordered_dates
from geodata.vocabulary import LEVELS, level_of

EARLIEST = dt.date(1979, 1, 1)
#: parameters Streamlit itself reads; never reported as unknown
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})
KNOWN = frozenset({"date", "level", "view", "j", "compare", "title", "lang"}) | STREAMLIT_PARAMS
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
    lang: str = DEFAULT
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
    if (raw := first("lang")) is not None:
        lang = parse_lang(raw)
        if lang is None:
            # Neither language is known to be the reader's: say it in both.
            notices.append(f"Ignored lang {_shown(raw)}: use one of {', '.join(LANGUAGES)}. / Se ignoró lang "
                           f"{_shown(raw)}: use {' o '.join(LANGUAGES)}.")
        else:
            state = replace(state, lang=lang)
    tr = translator(state.lang)
    if tr.problem:
        notices.append(tr.problem)
    if (raw := first("date")) is not None:
        day = _parse_date(raw, today)
        if day is None:
            notices.append(tr("Ignored date {value}: use YYYY-MM-DD between {first} and {last}.",
                              value=_shown(raw), first=EARLIEST, last=today))
        else:
            state = replace(state, date=day)
    if (raw := first("level")) is not None:
        if raw in LEVELS:
            state = replace(state, level=raw)
        else:
            notices.append(tr("Ignored level {value}: use one of {choices}.", value=_shown(raw),
                              choices=", ".join(LEVELS)))
    if (raw := first("view")) is not None:
        if raw in VIEWS:
            state = replace(state, view=raw)
        else:
            notices.append(tr("Ignored view {value}: use one of {choices}.", value=_shown(raw),
                              choices=", ".join(VIEWS)))
    if (raw := first("j")) is not None:
        if level_of(raw) is not None and is_known_geoid(raw):
            state = replace(state, selected=raw)
        else:
            notices.append(tr("Ignored j={value}: no jurisdiction has that GEOID.", value=_shown(raw)))
    if (raw := first("compare")) is not None:
        day = _parse_date(raw, today)
        if day is None:
            notices.append(tr("Ignored compare date {value}: use YYYY-MM-DD between {first} and {last}.",
                              value=_shown(raw), first=EARLIEST, last=today))
        else:
            state = replace(state, compare_to=day)
    if state.compare_to is not None:
        later, earlier, notice = ordered_dates(state.date, state.compare_to, tr)
        state = replace(state, date=later, compare_to=earlier)
        if notice:
            notices.append(notice)
    if (raw := first("title")) is not None:
        title, title_notices = cleaned_title(raw, tr)
        state = replace(state, title=title)
        notices.extend(title_notices)
    state = replace(state, embed=(first("embed") or "").lower() == "true")
    unknown = sorted(set(params) - KNOWN)
    if unknown:
        notices.append(tr("Ignored unknown parameter(s): {names}.", names=", ".join(_shown(u) for u in unknown[:5])))
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
    if state.lang != DEFAULT:
        params["lang"] = state.lang
    if state.embed:
        params["embed"] = "true"
    return params
