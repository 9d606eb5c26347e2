"""The parts of the page. Each function draws one section and reads like its title.

Interface words come from the catalog (`tr`); data text (measure titles, notes, evidence, place
names) stays as written, in elements marked `data-text` (with a note in the reader's language that
says so), so a reader and tests/test_browser.py can tell the two apart."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard.text import md_escape, safe_href
from geodata.dataset import Dataset
from geodata.history import jurisdiction_history
from geodata.i18n import ENGLISH, N_, Translator
from geodata.layers import IDLE_CATEGORIES, LIMITS, REQUIRES, Category, Layer, status_label, status_sentence
from geodata.provenance import Evidence
from geodata.snapshot import JurisdictionStatus, status_of
from geodata.tables import Measure
from geodata.vocabulary import FEDERAL_LISTS, INSTRUMENTS, PROVISIONS


def legend_html(layer: Layer) -> str:
    """Swatches in the layer's words, with how many jurisdictions are in each, and its sources' dates."""
    counts = layer.counts()
    tr = layer.tr
    rows = []
    for category in layer.categories:
        count = f" <b>{tr.number(counts[category.key])}</b>" if layer.counts_complete else ""
        rows.append(
            f'<div class="cm-legend-row"><span class="cm-swatch" style="background:{category.color}"></span>'
            f"{html.escape(category.label)}{count}</div>"
        )
    unit = layer.unit if layer.counts_complete else tr("{unit} (counts incomplete)", unit=layer.unit)
    aria = tr("Legend")
    return (
        f'<div class="cm-legend" role="list" aria-label="{html.escape(aria)}">{"".join(rows)}'
        f'<div class="cm-legend-unit">{html.escape(unit)}</div>'
        f'<div class="cm-legend-unit">{html.escape(layer.as_of)}</div></div>'
    )


def legend(layer: Layer) -> None:
    # st.html, like the details panel: its code is then loaded with the page, not on the first click.
    st.html(legend_html(layer))


#: said once in the details panel wherever the interface is not in English
DATA_TEXT_NOTE = N_("Measure titles, notes and what the sources say are shown in English, as written in the "
                    "sources.")


def _dates_html(m: Measure, tr: Translator = ENGLISH) -> str:
    """When a measure was adopted, took effect and ended, as HTML: the end reason is data text, marked."""
    parts = []
    if m.adopted:
        parts.append(html.escape(tr("adopted {day}", day=tr.long_date(m.adopted))))
    parts.append(html.escape(tr("in force from {day}", day=tr.long_date(m.effective))))
    if m.ended:
        if m.end_reason:
            words = html.escape(tr("until {day} ({reason})", day=tr.long_date(m.ended), reason="\0"))
            parts.append(words.replace("\0", f"<span data-text>{html.escape(m.end_reason)}</span>"))
        else:
            parts.append(html.escape(tr("until {day}", day=tr.long_date(m.ended))))
    return ", ".join(parts)


def _link(url: str, label: str) -> str:
    """A link that opens in a new tab, only for well-formed https URLs; otherwise the escaped URL."""
    href = safe_href(url)
    if href is None:
        return html.escape(url)
    return f'<a href="{html.escape(href)}" target="_blank">{html.escape(label)}</a>'


def measure_card_html(m: Measure, relation: str, evidence: Evidence | None = None, tr: Translator = ENGLISH) -> str:
    """One measure as a card. Everything that comes from the tables is escaped: it is data, never markup."""
    instrument = tr(INSTRUMENTS[m.instrument]) if m.instrument in INSTRUMENTS else m.instrument
    meta = f"{instrument} · {status_label('own', m.direction, tr)} · {relation}"
    provisions = "".join(f"<li>{html.escape(tr(PROVISIONS[p][1]))}</li>" for p in m.provisions if p in PROVISIONS)
    is_moa = m.is_287g_agreement and m.source_url.lower().endswith(".pdf")
    # Evidence and notes can run long (conflicting sources, second sources): folded, so cards stay scannable.
    folded = ""
    if evidence:
        says = tr("What the source says")
        recorded = tr("recorded {day}", day=tr.long_date(evidence.checked_on))
        folded += (
            f'<details class="cm-notes"><summary>{html.escape(says)}</summary>'
            f'<span data-text>{html.escape(evidence.evidence)}</span>'
            f" <i>({html.escape(recorded)})</i></details>"
        )
    if m.notes:
        notes = tr("Notes")
        folded += (f'<details class="cm-notes"><summary>{html.escape(notes)}</summary>'
                   f"<span data-text>{html.escape(m.notes)}</span></details>")
    source = tr("Agreement (MOA)") if is_moa else tr("Source")
    return (
        f'<div class="cm-card cm-{m.direction}"><div class="cm-card-title" data-text>{html.escape(m.title)}</div>'
        f'<div class="cm-meta">{html.escape(meta)}</div>'
        f'<div class="cm-meta">{_dates_html(m, tr)}</div>'
        + (f"<ul>{provisions}</ul>" if provisions else "")
        + f"<div>{_link(m.source_url, source)}</div>{folded}</div>"
    )


def _because(dataset: Dataset, status: JurisdictionStatus, tr: Translator = ENGLISH) -> str:
    """Which measures make the status what it is, named (the first three) and counted, as HTML: the
    titles are data text, escaped and marked."""
    reasons = []
    for measure_id in (*status.own_measures, *status.inherited_measures):
        m = dataset.measures_by_id[measure_id]
        if not m.sets_status:
            continue
        parent = dataset.gazetteer.get(m.geoid)
        via = "" if m.geoid == status.geoid else f" ({parent.display_name if parent else m.geoid})"
        reasons.append(f"<span data-text>{html.escape(m.title + via)}</span>")
    if not reasons:
        return ""
    named = "; ".join(reasons[:3])
    if len(reasons) > 3:
        return html.escape(tr("Because of: {named}; and {count} more.", named="\0", count=len(reasons) - 3)
                           ).replace("\0", named)
    return html.escape(tr("Because of: {named}.", named="\0")).replace("\0", named)


def details_summary_html(dataset: Dataset, status: JurisdictionStatus, day: dt.date, tr: Translator = ENGLISH) -> str:
    """The reader's question first: the status on that date, and which measures make it so."""
    because = _because(dataset, status, tr)
    # Only where the interface is not in English: the titles and notes below are in their sources' words.
    note = (f'<p class="cm-data-note">{html.escape(tr(DATA_TEXT_NOTE))}</p>'
            if tr.lang != "en" and tr(DATA_TEXT_NOTE) != DATA_TEXT_NOTE else "")
    return (
        f'<div class="cm-summary"><p><b>{html.escape(status_sentence(status, day, tr))}</b></p>'
        + (f"<p>{because}</p>" if because else "")
        + note
        + "</div>"
    )


def measures_html(dataset: Dataset, status: JurisdictionStatus, tr: Translator = ENGLISH) -> str:
    """Own measures, state agencies' agreements and inherited measures in force, as cards in a grid."""
    own = [dataset.measures_by_id[i] for i in status.own_measures]
    inherited = [dataset.measures_by_id[i] for i in status.inherited_measures]
    if not own and not inherited:
        empty = tr("The tables record no measure that applies here on this date.")
        return f'<p class="cm-empty">{html.escape(empty)}</p>'
    evidence = dataset.evidence.get
    cards = [measure_card_html(m, tr("own measure"), evidence(m.measure_id), tr)
             for m in own if not m.is_state_agency_agreement]
    cards += [measure_card_html(m, tr("state-agency 287(g) agreement: binds that agency only"),
                                evidence(m.measure_id), tr)
              for m in own if m.is_state_agency_agreement]
    for m in inherited:
        parent = dataset.gazetteer.get(m.geoid)
        cards.append(measure_card_html(m, tr("applies via {name}", name=parent.display_name if parent else m.geoid),
                                       evidence(m.measure_id), tr))
    return f'<div class="cm-details">{"".join(cards)}</div>'


def federal_lists_html(dataset: Dataset, geoid: str, day: dt.date, tr: Translator = ENGLISH) -> str:
    """Every federal-list entry, with the ones dated after the chosen day marked as later."""
    entries = dataset.designations_by_geoid.get(geoid, ())
    if not entries:
        empty = tr("Not on the DHS or DOJ list.")
        return f'<p class="cm-empty">{html.escape(empty)}</p>'
    parts = []
    source = tr("source")
    for entry in entries:
        period = tr("listed {day}", day=tr.long_date(entry.listed_on))
        if entry.removed_on:
            period += ", " + tr("removed {day}", day=tr.long_date(entry.removed_on))
        later_words = tr("later than the date shown")
        later = f' <span class="cm-later">{html.escape(later_words)}</span>' if entry.listed_on > day else ""
        parts.append(
            f"<p>{html.escape(tr(FEDERAL_LISTS[entry.list]))}: {html.escape(period)}{later}"
            f" · {_link(entry.source_url, source)}</p>"
        )
    return "".join(parts)


def details_html(dataset: Dataset, status: JurisdictionStatus, day: dt.date, tr: Translator = ENGLISH) -> str:
    """Everything about one jurisdiction as one block: summary, measures and federal lists."""
    return (details_summary_html(dataset, status, day, tr) + measures_html(dataset, status, tr)
            + federal_lists_html(dataset, status.geoid, day, tr))


def details_panel(dataset: Dataset, geoid: str, day: dt.date, tr: Translator = ENGLISH) -> None:
    """Everything about one jurisdiction on a date, across the page's width: the answer first, then tabs."""
    status = status_of(dataset, geoid, day)
    st.subheader(md_escape(status.name), anchor="details")
    # HTML blocks rather than a widget per line: each element is a React mount on the
    # first click (make bench: first click about 350 -> 250 ms).
    st.html(details_summary_html(dataset, status, day, tr))
    history = jurisdiction_history(dataset, geoid)
    in_force = len(status.own_measures) + len(status.inherited_measures)
    lists = len(dataset.designations_by_geoid.get(geoid, ()))
    measures_tab, lists_tab, history_tab = st.tabs(
        [tr("Measures in force ({count})", count=in_force), tr("Federal lists ({count})", count=lists),
         tr("History ({count})", count=len(history))]
    )
    with measures_tab:
        st.html(measures_html(dataset, status, tr))
    with lists_tab:
        st.html(federal_lists_html(dataset, geoid, day, tr))
    with history_tab:
        if history:
            timeline(history, day, tr)
        else:
            st.caption(tr("No measure has ever applied here in the tables."))


def date_rule(dashed: bool = True) -> dict:
    """A Vega-Lite layer: a vertical line at the date in the named dataset "selected_date".

    The date travels as data, not in the spec, so on a slider step the spec is unchanged
    and Streamlit swaps the dataset instead of rebuilding the whole chart.
    """
    mark = {"type": "rule", "color": "black", **({"strokeDash": [4, 3]} if dashed else {})}
    encoding = {"x": {"field": "selected", "type": "temporal"}}
    return {"data": {"name": "selected_date"}, "mark": mark, "encoding": encoding}


def chart_with_date(frame: pd.DataFrame, spec: dict, day: dt.date) -> None:
    """Draw `spec` over `frame`, both the table and the date passed as named datasets."""
    datasets = {"table": frame, "selected_date": pd.DataFrame({"selected": [day.isoformat()]})}
    st.vega_lite_chart({**spec, "data": {"name": "table"}, "datasets": datasets}, width="stretch")


#: chart axes show years only and tooltips ISO dates: Vega's month names would be English whatever the page's language
YEAR_AXIS = {"format": "%Y", "formatType": "time"}
ISO_DATE = "%Y-%m-%d"


def timeline(history: Sequence, day: dt.date, tr: Translator = ENGLISH) -> None:
    """Each measure that ever applied here as a bar from effective to ended (or today)."""
    today = dt.date.today()
    # Labels must be unique, or Vega-Lite folds two measures with the same title into one row.
    frame = pd.DataFrame(
        {
            "measure": [f"{e.measure.title[:70]} ({e.measure.effective.year}) #{i + 1}" for i, e in enumerate(history)],
            "start": [e.measure.effective.isoformat() for e in history],
            "end": [(e.measure.ended or today).isoformat() for e in history],
            "direction": [e.measure.direction for e in history],
            "via": ["own" if e.via == "own" else "inherited" for e in history],
            "direction_words": [status_label("own", e.measure.direction, tr) for e in history],
            "via_words": [tr("own measure") if e.via == "own" else tr("inherited") for e in history],
        }
    )
    spec = {
        "height": max(60, 22 * len(frame)),
        "layer": [
            {
                "mark": {"type": "bar", "height": 10},
                "encoding": {
                    "x": {"field": "start", "type": "temporal", "title": None, "axis": YEAR_AXIS},
                    "x2": {"field": "end"},
                    "y": {"field": "measure", "type": "nominal", "title": None, "sort": None,
                          "axis": {"labelLimit": 420, "labelOverlap": False}},
                    "color": {"field": "direction", "type": "nominal", "legend": None,
                              "scale": {"domain": ["limits", "requires"], "range": [LIMITS, REQUIRES]}},
                    "opacity": {"field": "via", "type": "nominal", "legend": None,
                                "scale": {"domain": ["own", "inherited"], "range": [1.0, 0.45]}},
                    "tooltip": [
                        {"field": "measure", "title": tr("Measure")},
                        {"field": "start", "type": "temporal", "format": ISO_DATE, "title": tr("In force from")},
                        {"field": "end", "type": "temporal", "format": ISO_DATE, "title": tr("Until")},
                        {"field": "direction_words", "title": tr("Direction")},
                        {"field": "via_words", "title": tr("Applies as")},
                    ],
                },
            },
            date_rule(dashed=False),
        ],
    }
    chart_with_date(frame, spec, day)


def counts_frame(days: Sequence[dt.date], series: Sequence[Mapping[str, int]],
                 categories: Sequence[Category]) -> pd.DataFrame:
    """Long-form counts, keeping only the months where a count changes (the chart steps)."""
    shown = [c for c in categories if c.key not in IDLE_CATEGORIES]
    rows, previous = [], None
    for index, (day, counts) in enumerate(zip(days, series, strict=True)):
        current = tuple(counts.get(c.key, 0) for c in shown)
        if current != previous or index == len(days) - 1:
            rows += [{"date": day, "category": c.label, "count": n} for c, n in zip(shown, current, strict=True)]
        previous = current
    return pd.DataFrame(rows)


def counts_chart(frame: pd.DataFrame, categories: Sequence[Category], day: dt.date, tr: Translator = ENGLISH) -> None:
    """Jurisdictions per category over time, with the selected date marked.

    A plain Vega-Lite spec, not Altair: Altair validates its spec on every rerun, which
    cost more than the rest of the page on a slider step.
    """
    shown = [c for c in categories if c.key not in IDLE_CATEGORIES]
    spec = {
        "height": 240,
        "layer": [
            {
                "mark": {"type": "line", "interpolate": "step-after"},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": None, "axis": YEAR_AXIS},
                    "y": {"field": "count", "type": "quantitative", "title": tr("Jurisdictions")},
                    "color": {
                        "field": "category", "type": "nominal",
                        "scale": {"domain": [c.label for c in shown], "range": [c.color for c in shown]},
                        "legend": {"orient": "bottom", "title": None, "labelLimit": 0},  # whole labels, never "…"
                    },
                    "tooltip": [{"field": "date", "type": "temporal", "format": ISO_DATE, "title": tr("Date")},
                                {"field": "category", "title": tr("Category")},
                                {"field": "count", "title": tr("Count")}],
                },
            },
            date_rule(),
        ],
    }
    chart_with_date(frame, spec, day)


def changes_table(dataset: Dataset, layer: Layer) -> None:
    """Each change between the two dates, with the measures behind it and their sources."""
    tr = layer.tr
    if not layer.changes:
        st.info(tr("Nothing changed between these two dates at this level."))
        return

    st.html(changes_table_html(dataset, layer))


def changes_table_html(dataset: Dataset, layer: Layer) -> str:
    """The compare table as HTML: interface words from the catalog, measure titles marked as data text."""
    tr = layer.tr
    source = tr("source")

    def sources(ids: Sequence[str]) -> str:
        return " ".join(
            f'<span data-text>{html.escape(dataset.measures_by_id[i].title[:50])}</span>'
            f" ({_link(dataset.measures_by_id[i].source_url, source)})"
            for i in ids
            if i in dataset.measures_by_id
        )

    heads = (tr("Jurisdiction"), tr("Before"), tr("After"), tr("Started"), tr("Ended"))
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>"]
    for change in sorted(layer.changes.values(), key=lambda c: c.name):
        rows.append(
            f"<tr><td>{html.escape(change.name)}</td><td>{html.escape(status_label(layer.view, change.before, tr))}"
            f"</td><td>{html.escape(status_label(layer.view, change.after, tr))}</td>"
            f"<td>{sources(change.started)}</td><td>{sources(change.ended)}</td></tr>"
        )
    return f'<table class="cm-changes">{"".join(rows)}</table>'


MODEL_TAGS = ("jail_enforcement_model", "task_force_model", "warrant_service_officer")


def agreements_frame(measures: Sequence[Measure], days: Sequence[dt.date], tr: Translator = ENGLISH) -> pd.DataFrame:
    """287(g) agreements in force on each day, by support model."""
    agreements = [m for m in measures if m.is_287g_agreement]
    rows = []
    for day in days:
        in_force = [m for m in agreements if m.in_force(day)]
        for tag in MODEL_TAGS:
            rows.append({"date": day, "model": tr(PROVISIONS[tag][1]),
                         "count": sum(1 for m in in_force if tag in m.provisions)})
    return pd.DataFrame(rows)


def agreements_chart(frame: pd.DataFrame, day: dt.date, tr: Translator = ENGLISH) -> None:
    """Stacked areas: how many 287(g) agreements were in force, by model."""
    spec = {
        "height": 220,
        "layer": [
            {
                "mark": {"type": "area", "interpolate": "step-after"},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": None, "axis": YEAR_AXIS},
                    "y": {"field": "count", "type": "quantitative", "stack": True, "title": tr("Agreements in force")},
                    "color": {"field": "model", "type": "nominal", "legend": {"orient": "bottom", "title": None},
                              "scale": {"range": ["#D55E00", "#E69F00", "#56B4E9"]}},
                    "tooltip": [{"field": "date", "type": "temporal", "format": ISO_DATE, "title": tr("Date")},
                                {"field": "model", "title": tr("Support model")},
                                {"field": "count", "title": tr("Count")}],
                },
            },
            date_rule(),
        ],
    }
    chart_with_date(frame, spec, day)
