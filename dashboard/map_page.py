"""The map page: status on a date, details with sources, summary, compare, and sharing.

What the map means (categories, labels, counts, notices) is decided by `geodata.layers`;
this page only lays it out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from dashboard import language, sections, share
from dashboard.compat import folium_map
from dashboard.controls import (
    apply_pending_changes,
    compare_switched_on,
    date_labels,
    date_options,
    init_state,
    keep_compare_forward,
    play_ticker,
    reveal_details_on_a_phone,
    search_box,
    slider_moved,
    sync_url,
    time_controls,
    view_state,
)
from dashboard.longlived import freeze_new_long_lived
from dashboard.mapview import NATIONAL_CENTER, NATIONAL_ZOOM, base_map, base_map_key
from dashboard.resources import (
    agreements_frame,
    assets,
    jurisdiction_at,
    known_name,
    locate,
    log_problems,
    shapes,
    shared_layer,
    status_frame,
)
from dashboard.text import md_escape
from geodata.config import settings
from geodata.layers import LEVEL_WORDS, VIEWS, categories_of, level_words, view_name
from geodata.load import load_dataset
from geodata.placeindex import dataset_with_place, read_place_index
from geodata.search import search_entries

#: the whole country fits beside the legend at 1366x768 and 1440x900 without scrolling
MAP_HEIGHT = 500
MAP_HEIGHT_EMBED = 440
#: the fragment a slider step reruns
DATED_VIEW = "dated_view"
CSS = (Path(__file__).parent / "assets" / "page.css").read_text(encoding="utf-8")
st.markdown(f"<style>{CSS}</style>", unsafe_allow_html=True)


data = load_dataset()
log_problems(data, data.version)
place_index = read_place_index(settings().cache_dir)
init_state(data, dt.date.today(), lambda geoid: known_name(data, place_index, geoid) is not None)
tr = language.current()

if st.session_state.get("embed"):
    st.html('<style>[data-testid="stMainBlockContainer"]{padding-top:0.4rem!important}</style>')
else:
    with st.container(key="langbar"):
        language.switch()
    st.title(tr("Immigration-enforcement cooperation policy"))
    st.caption(
        tr("Which states, counties and cities limit or require cooperation with federal immigration "
           "enforcement, on any date since 1979, each fact linked to its source.")
        + " [" + tr("About & methodology") + "](methodology" + ("?lang=" + tr.lang if tr.lang != "en" else "") + ")"
    )
with st.container():  # one element whatever it holds, so the map below keeps its place
    for notice in st.session_state.get("notices", ()):
        st.warning(md_escape(notice), icon="⚠️")
    if data.problems:
        st.warning(
            md_escape(tr("{count} table row(s) could not be used and are left out. "
                         "See About & methodology, Reporting a correction.", count=tr.number(len(data.problems)))),
            icon="⚠️",
        )


# Everything below follows the date: a slider step, a click or a widget here reruns only this fragment,
# not the header above it (nor the page's set-up). The language switch reruns the whole page.
@st.fragment(key=DATED_VIEW)
def dated_view() -> None:
    data = load_dataset()  # cached; read again so that a fragment run never holds an older table
    place_index = read_place_index(settings().cache_dir)
    today = dt.date.today()
    apply_pending_changes(lambda geoid: locate(data, place_index, geoid))
    options = date_options(data.first_date, today, st.session_state["exact_dates"])
    state = view_state()
    tr = language.current()
    with st.container():  # one element whatever it holds, so the map below keeps its place
        if flash := st.session_state.pop("flash", None):
            st.warning(md_escape(flash), icon="⚠️")
        if not data.gazetteer.places_have_geometry and state.level == "place":
            problem = data.provenance.places_problem
            why = " (" + md_escape(problem) + ")" if problem else ""
            st.info(
                tr("City boundaries are not available, so cities are drawn as points{why}. Run `python -m "
                   "geodata build` (or `make run`) with internet access, or point GEODATA_CENSUS_SOURCE at a "
                   "folder of Census place files, to draw them.", why=why),
                icon="ℹ️",
            )

    # --- a click on the map, applied before anything is drawn ------------------------------------
    # streamlit-folium's on_change stores the map's latest value under its key before this
    # run starts, so the details and the highlight agree.
    map_key = f"map-{state.level}"
    clicked = (st.session_state.get(map_key) or {}).get("last_clicked")
    if clicked and clicked != st.session_state.get("last_click_seen"):
        st.session_state["last_click_seen"] = clicked
        hit = jurisdiction_at(data, state.level, clicked)
        if hit and hit != state.selected:
            st.session_state["selected"] = hit
            state = view_state()

    layer, payload = shared_layer(data, data.version, state.date, state.level, state.view, state.compare_to, tr.lang)
    if state.embed:
        st.markdown(f"**{md_escape(layer.title())}** · {md_escape(layer.period)}")
    with st.container():  # one element, filled or not: an element appearing above the map would remount it
        for notice in layer.notices:
            st.info(md_escape(notice), icon="ℹ️")
        if layer.remedy and not state.embed:
            st.caption(layer.remedy)  # the project's own words, with its commands in code style
    urls, names_url, points_url = assets(data, data.version)

    # --- the map and its legend first; the controls beside them, the timeline under the map -----
    # On a phone the columns stack; page.css then orders map, legend and timeline first by these keys.
    map_col, side_col = st.container(key="mapblock").columns([2.4, 1], gap="medium")
    with map_col:
        focus = st.session_state.get("focus")
        folium_map(  # st_folium, with the base map built once per process and language (dashboard/compat.py)
            (base_map_key(state.level, urls, names_url, points_url, focused=bool(focus)), tr.lang),
            lambda: base_map(state.level, urls, names_url, points_url, focused=bool(focus), tr=tr),
            {**payload, "selected": state.selected},
            key=map_key,
            height=MAP_HEIGHT_EMBED if state.embed else MAP_HEIGHT,
            returned_objects=["last_clicked"],
            center=focus[0] if focus else NATIONAL_CENTER,
            zoom=focus[1] if focus else NATIONAL_ZOOM,
        )
        with st.container(key="timeline"):
            st.select_slider(tr("Date"), options=options, key="date", format_func=date_labels(tr.lang),
                             on_change=slider_moved, label_visibility="collapsed" if state.embed else "visible")
            if not state.embed:
                time_controls(options, today)
    play_ticker(options)
    # Build the click-lookup index now, after the map is on its way, not on the first click.
    shapes(data, state.level)
    with side_col:
        with st.container(key="legendbox"):
            st.markdown(f"**{md_escape(layer.heading)}**")
            sections.legend(layer)
        if state.level == "place" and urls.outlines and not state.embed:
            st.caption(tr("The whole country shows the cities with measures of their own or on a federal list; "
                          "zoom in to draw every incorporated city."))
        if state.embed:
            st.caption(md_escape(tr("Source: Immigration-enforcement cooperation map (policy tables); "
                                    "Census Bureau boundaries.")))
        else:
            st.radio(tr("Level"), list(LEVEL_WORDS), format_func=lambda lv: level_words(lv, tr).title, key="level",
                     horizontal=True)
            st.radio(tr("View"), list(VIEWS), format_func=lambda v: view_name(v, tr), key="view")
            search_box(search_entries(data, place_index))
            if state.selected and known_name(data, place_index, state.selected):
                st.markdown(tr("[Details for {name} ↓](#details)",
                               name=md_escape(known_name(data, place_index, state.selected))))
            else:
                st.caption(tr("Click a state, county or city on the map, or find a place, to see its measures "
                              "and sources."))
            with st.popover(tr("Embed or share this view")):
                base = share.page_base(st.context.url)
                st.markdown(tr("Permalink"))
                st.code(share.permalink(base, state), language=None, wrap_lines=True)
                st.markdown(tr("Embed snippet"))
                st.code(share.embed_snippet(base, state, tr=tr), language="html", wrap_lines=True)

    if not state.embed:
        # Always one container, filled or not: the sections after it keep their place in the page, so a
        # first click does not make the browser rebuild the charts and the share section below.
        with st.container():
            if state.selected and known_name(data, place_index, state.selected):
                sections.details_panel(dataset_with_place(data, state.selected, place_index), state.selected,
                                       state.date, tr)
                reveal_details_on_a_phone()
        with st.container():  # likewise: turning compare on leaves the sections below in place
            if layer.compared:
                st.subheader(tr("What changed from {earlier} to {later}", earlier=tr.long_date(layer.compare_to),
                                later=tr.long_date(layer.day)))
                sections.changes_table(data, layer)
        st.subheader(tr("Over time"))
        if not layer.counts_complete:
            st.info(md_escape(layer.notices[0]), icon="ℹ️")
        sections.counts_chart(status_frame(data, state.level, state.view, data.version, tr.lang),
                              categories_of(state.view, state.level, tr=tr), state.date, tr)
        if state.view == "287g" and data.provenance.ice_loaded:
            st.markdown(tr("**287(g) agreements in force, by support model** (ICE sheet of {day})",
                           day=tr.long_date(data.provenance.ice_as_of)))
            sections.agreements_chart(agreements_frame(data, data.version, tr.lang), state.date, tr)
        with st.expander(tr("Compare two dates"), expanded=layer.compared):
            st.toggle(tr("Compare with an earlier date"), key="compare_on", on_change=compare_switched_on)
            if st.session_state.get("compare_on"):
                st.select_slider(tr("Earlier date"), options=options, key="compare_date",
                                 format_func=date_labels(tr.lang), on_change=keep_compare_forward)

        share.share_section(data, state, layer)

    sync_url(view_state())
    # Last, after the page is drawn: the collector otherwise rescans the caches on every rerun.
    freeze_new_long_lived()


dated_view()
