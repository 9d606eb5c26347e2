"""Widget state: read once from the URL, kept in st.session_state, written back to the URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache, partial

import streamlit as st
import streamlit.components.v1 as components

from dashboard import language
from dashboard.compat import is_own_fragment_run
from dashboard.mapview import zoom_for_bounds
from dashboard.urlstate import ViewState, parse_params, to_params
from geodata.dataset import Dataset
from geodata.dates import KEY_DATES, key_date_label, timeline_days
from geodata.i18n import N_, Translator, translator
from geodata.layers import default_earlier, level_words, noun_of, ordered_dates
from geodata.search import SearchEntry, search
from geodata.vocabulary import level_of

#: seconds per step; by year, 1979 to today takes under a minute at the normal speed
PLAY_SPEEDS = {"Slow": 1.6, "Normal": 0.9, "Fast": 0.45}
SPEED_WORDS = {"Slow": N_("Slow"), "Normal": N_("Normal"), "Fast": N_("Fast")}
PLAY_STEPS = {"month": N_("Month by month"), "year": N_("Year by year")}


def date_labels(lang: str) -> Callable[[dt.date], str]:
    """A slider's `format_func`: 'Aug 2025' ('ago 2025') for a month start, the ISO date for an exact day.

    Bound to the language once per run: the slider formats all of its ~570 options on every run, and
    reading the language from the session for each of them cost more than the rest of a step's work.
    """
    return partial(_date_label, lang)


# Cached, and keyed on the language, so one reader's language never reaches another's slider.
@lru_cache(maxsize=8192)
def _date_label(lang: str, day: dt.date) -> str:
    return translator(lang).month(day) if day.day == 1 else day.isoformat()


def date_options(first: dt.date, today: dt.date, exact: Sequence[dt.date] = ()) -> list[dt.date]:
    """Month starts from the first measure to today, plus the key dates, today and any exact dates asked for."""
    return timeline_days(first, today, exact)


def init_state(data: Dataset, today: dt.date, is_known: Callable[[str], bool]) -> None:
    """On a session's first run, take the view from the URL (with notices for what is unusable)."""
    if st.session_state.get("initialized"):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    state = parse_params(params, today, is_known)
    tr = language.translator(state.lang)
    st.session_state.update(
        initialized=True,
        lang=state.lang,
        notices=state.notices,
        exact_dates=(state.date,) + ((state.compare_to,) if state.compare_to else ()),
        date=state.date,
        date_exact=state.date,
        play_step="month",
        play_speed="Normal",
        level=state.level,
        view=state.view,
        selected=state.selected,
        compare_on=state.compare_to is not None,
        compare_date=state.compare_to or default_earlier(state.date, data.first_date),
        # Streamlit keeps ?embed=true out of st.query_params; it is read from the context.
        embed=bool(st.context.is_embedded),
        title=state.title or "",
        region="",
        focus=None,
        focus_on=state.selected,
    )
    selected_level = level_of(state.selected) if state.selected else None
    if selected_level and selected_level != state.level:
        st.session_state["notices"] += (
            tr("The selected jurisdiction is a {noun}; its details are shown, and the map shows the {level} level.",
               noun=noun_of(state.selected, selected_level, tr), level=level_words(state.level, tr).noun),
        )


def keep_compare_forward() -> None:
    """Widget callback: the earlier date stays before the chosen date; a reversed pair is swapped.

    Runs before the script, so it may still set the widgets' values.
    """
    s = st.session_state
    if not s.get("compare_on"):
        return
    later, earlier, notice = ordered_dates(s["date"], s.get("compare_date"), language.current())
    if earlier is None:
        earlier = default_earlier(later)
    s["exact_dates"] = (*s.get("exact_dates", ()), later, earlier)
    s["date"], s["compare_date"] = later, earlier
    if notice:
        s["flash"] = notice


def compare_switched_on() -> None:
    """Widget callback: turning compare on starts from a date before the chosen one."""
    s = st.session_state
    if s.get("compare_on") and s.get("compare_date", s["date"]) >= s["date"]:
        s["compare_date"] = default_earlier(s["date"])
        s["exact_dates"] = (*s.get("exact_dates", ()), s["compare_date"])


def _picked(geoid: str) -> None:
    """Search callback: select the place, switch to its level and zoom to it on this run."""
    level = level_of(geoid)
    if level:
        st.session_state.update(selected=geoid, level=level, focus_on=geoid, search_text="", reveal_details=True)


def reveal_details_on_a_phone() -> None:
    """After a search pick, a phone scrolls to the details, which sit below the map and the controls.

    A desktop shows them beside a link and keeps the map in view. The script runs in the component's
    own frame, which shares the page's origin.
    """
    if st.session_state.pop("reveal_details", False):
        components.html(
            "<script>const p = window.parent; if (p.innerWidth < 641) { setTimeout(() => {"
            " const d = p.document.getElementById('details'); if (d) d.scrollIntoView({behavior: 'smooth'}); },"
            " 600); }</script>",
            height=0,
        )


def search_box(entries: Sequence[SearchEntry]) -> None:
    """Every state, county and Census place, matched as one types; a pick selects and zooms."""
    tr = language.current()
    query = st.text_input(tr("Find a place"), key="search_text",
                          placeholder=tr("A state, county or city: Bakersfield, NYC…"))
    if not query.strip():
        return
    hits = search(query, entries, limit=6)
    if not hits:
        st.caption(tr("No state, county or Census place of that name."))
    for hit in hits:
        st.button(hit_label(hit, tr), key=f"hit-{hit.geoid}", on_click=_picked, args=(hit.geoid,), type="tertiary")


def hit_label(hit: SearchEntry, tr: Translator) -> str:
    """A search result, its kind ('(county)') in the reader's words; the place's name stays as written."""
    level = level_of(hit.geoid)
    english = f" ({noun_of(hit.geoid, level)})" if level else ""
    if english and hit.label.endswith(english):
        return f"{hit.label[: -len(english)]} ({noun_of(hit.geoid, level, tr)})"
    return hit.label


def apply_pending_changes(locate: Callable[[str], tuple[float, float, float, float] | None]) -> None:
    """Zoom to a jurisdiction just picked in search, or named in the URL (at the URL's level).

    `locate` gives a GEOID's (west, south, east, north) on the map, in km.
    """
    if focus_on := st.session_state.pop("focus_on", None):
        bounds = locate(focus_on)
        if bounds:
            west, south, east, north = bounds
            center = ((south + north) / 2, (west + east) / 2)
            width = max(east - west, (north - south) * 1.3, 5.0)
            st.session_state["focus"] = (center, zoom_for_bounds(round(width)))


def view_state() -> ViewState:
    s = st.session_state
    return ViewState(
        date=s["date"],
        level=s["level"],
        view=s["view"],
        selected=s.get("selected"),
        compare_to=s.get("compare_date") if s.get("compare_on") else None,
        embed=bool(s.get("embed")),
        title=s.get("title") or None,
        lang=s.get("lang", "en"),
    )


def sync_url(state: ViewState) -> None:
    """Keep the address bar a permalink of what is on screen."""
    params = to_params(replace(state, embed=False))  # Streamlit owns ?embed itself
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


def _set_date(day: dt.date) -> None:
    """Move the chosen date (slider and exact-date box together), keeping any comparison forward."""
    s = st.session_state
    s["exact_dates"] = (*s.get("exact_dates", ()), day)
    s["date"] = day
    s["date_exact"] = day
    keep_compare_forward()


def slider_moved() -> None:
    st.session_state["date_exact"] = st.session_state["date"]
    keep_compare_forward()


def _exact_date_chosen() -> None:
    day = st.session_state.get("date_exact")
    if isinstance(day, dt.date):
        _set_date(day)


def _key_date_chosen() -> None:
    picked = st.session_state.get("key_date")
    st.session_state["key_date"] = None
    if isinstance(picked, dt.date):
        _set_date(picked)


def _toggle_play() -> None:
    st.session_state["playing"] = not st.session_state.get("playing", False)


def next_step(options: Sequence[dt.date], day: dt.date, step: str) -> dt.date | None:
    """The date one step after `day` among `options` (month starts and exact days), or None at the end."""
    if step == "year":
        wanted = dt.date(day.year + 1, day.month, 1)
        return next((d for d in options if d >= wanted), None)
    return next((d for d in options if d > day), None)


def time_controls(options: Sequence[dt.date], today: dt.date) -> None:
    """An exact date, the key dates, and play/pause with its step and speed: one row on a desktop,
    a two-column grid on a phone (page.css, `.st-key-timebar`)."""
    bar = st.container(key="timebar")
    tr = language.current()
    exact, jump, play, step, speed = bar.columns([1.2, 1.8, 0.9, 1.1, 0.9], vertical_alignment="bottom")
    exact.date_input(tr("Exact date"), key="date_exact", min_value=options[0], max_value=today, format="YYYY-MM-DD",
                     on_change=_exact_date_chosen)
    keys = [d for d, _label in KEY_DATES if options[0] <= d <= today] + [today]
    labels = {d: key_date_label(d, event, tr) for d, event in KEY_DATES}
    labels[today] = tr("Today, {day}", day=tr.medium_date(today))
    jump.selectbox(tr("Key dates"), keys, key="key_date", index=None, format_func=labels.get,
                   placeholder=tr("Jump to a key date…"), on_change=_key_date_chosen)
    playing = bool(st.session_state.get("playing"))
    play.button(tr("⏸ Pause") if playing else tr("▶ Play"), on_click=_toggle_play, key="play_button",
                width="stretch", help=tr("Step through time; press again to pause"))
    step.selectbox(tr("Step"), list(PLAY_STEPS), key="play_step", format_func=lambda k: tr(PLAY_STEPS[k]))
    speed.selectbox(tr("Speed"), list(PLAY_SPEEDS), key="play_speed", format_func=lambda k: tr(SPEED_WORDS[k]))


def play_ticker(options: Sequence[dt.date]) -> None:
    """While playing, move the date one step forward at the chosen speed; stop at the end.

    Each tick reruns the page: Streamlit lets only a widget's callback rerun a fragment by name.
    """
    s = st.session_state
    playing = bool(s.get("playing"))

    @st.fragment(run_every=PLAY_SPEEDS.get(s.get("play_speed", "Normal"), 0.9) if playing else None)
    def tick() -> None:
        # The ticker's body also runs inside every run of the page and of the fragment around it;
        # only its own timer may move the date.
        if not s.get("playing") or not is_own_fragment_run():
            return
        following = next_step(options, s["date"], s.get("play_step", "month"))
        if following is None:
            s["playing"] = False
        else:
            s["date"] = following
            s["date_exact"] = following
        st.rerun()

    tick()
