"""The parts of the page. Each function draws one section and reads like its title."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard.text import md_escape, safe_href, safe_link
from geodata.dataset import Dataset
from geodata.history import jurisdiction_history
from geodata.layers import IDLE_CATEGORIES, LIMITS, REQUIRES, Category, Layer, status_label, status_sentence
from geodata.provenance import Evidence
from geodata.snapshot import JurisdictionStatus, status_of
from geodata.tables import Measure
from geodata.vocabulary import FEDERAL_LISTS, INSTRUMENTS, PROVISIONS


def legend_html(layer: Layer) -> str:
    """Swatches in the layer's words, with how many jurisdictions are in each, and its sources' dates."""
    counts = layer.counts()
    rows = []
    for category in layer.categories:
        count = f" <b>{counts[category.key]:,}</b>" if layer.counts_complete else ""
        rows.append(
            f'<div class="cm-legend-row"><span class="cm-swatch" style="background:{category.color}"></span>'
            f"{html.escape(category.label)}{count}</div>"
        )
    unit = layer.unit if layer.counts_complete else f"{layer.unit} (counts incomplete)"
    return (
        f'<div class="cm-legend" role="list" aria-label="Legend">{"".join(rows)}'
        f'<div class="cm-legend-unit">{html.escape(unit)}</div>'
        f'<div class="cm-legend-unit">{html.escape(layer.as_of)}</div></div>'
    )


def legend(layer: Layer) -> None:
    # st.html, like the details panel: its code is then loaded with the page, not on the first click.
    st.html(legend_html(layer))


def _dates_text(m: Measure) -> str:
    parts = []
    if m.adopted:
        parts.append(f"adopted {m.adopted}")
    parts.append(f"in force from {m.effective}")
    if m.ended:
        parts.append(f"until {m.ended} ({m.end_reason})" if m.end_reason else f"until {m.ended}")
    return ", ".join(parts)


def _link(url: str, label: str) -> str:
    """A link that opens in a new tab, only for well-formed https URLs; otherwise the escaped URL."""
    href = safe_href(url)
    if href is None:
        return html.escape(url)
    return f'<a href="{html.escape(href)}" target="_blank">{html.escape(label)}</a>'


def measure_card_html(m: Measure, relation: str, evidence: Evidence | None = None) -> str:
    """One measure as a card. Everything that comes from the tables is escaped: it is data, never markup."""
    meta = f"{INSTRUMENTS.get(m.instrument, m.instrument)} · {status_label('own', m.direction)} · {relation}"
    provisions = "".join(f"<li>{html.escape(PROVISIONS[p][1])}</li>" for p in m.provisions if p in PROVISIONS)
    is_moa = m.is_287g_agreement and m.source_url.lower().endswith(".pdf")
    # Evidence and notes can run long (conflicting sources, second sources): folded, so cards stay scannable.
    folded = ""
    if evidence:
        folded += (
            f'<details class="cm-notes"><summary>What the source says</summary>{html.escape(evidence.evidence)}'
            f" <i>(recorded {html.escape(evidence.checked_on.isoformat())})</i></details>"
        )
    if m.notes:
        folded += f'<details class="cm-notes"><summary>Notes</summary>{html.escape(m.notes)}</details>'
    return (
        f'<div class="cm-card cm-{m.direction}"><div class="cm-card-title">{html.escape(m.title)}</div>'
        f'<div class="cm-meta">{html.escape(meta)}</div><div class="cm-meta">{html.escape(_dates_text(m))}</div>'
        + (f"<ul>{provisions}</ul>" if provisions else "")
        + f'<div>{_link(m.source_url, "Agreement (MOA)" if is_moa else "Source")}</div>{folded}</div>'
    )


def _because(dataset: Dataset, status: JurisdictionStatus) -> str:
    """Which measures make the status what it is, named (the first three) and counted."""
    reasons = []
    for measure_id in (*status.own_measures, *status.inherited_measures):
        m = dataset.measures_by_id[measure_id]
        if not m.sets_status:
            continue
        parent = dataset.gazetteer.get(m.geoid)
        via = "" if m.geoid == status.geoid else f" ({parent.display_name if parent else m.geoid})"
        reasons.append(f"{m.title}{via}")
    if not reasons:
        return ""
    named = "; ".join(reasons[:3])
    return f"Because of: {named}" + (f"; and {len(reasons) - 3} more." if len(reasons) > 3 else ".")


def details_summary_html(dataset: Dataset, status: JurisdictionStatus, day: dt.date) -> str:
    """The reader's question first: the status on that date, and which measures make it so."""
    because = _because(dataset, status)
    return (
        f'<div class="cm-summary"><p><b>{html.escape(status_sentence(status, day))}</b></p>'
        + (f"<p>{html.escape(because)}</p>" if because else "")
        + "</div>"
    )


def measures_html(dataset: Dataset, status: JurisdictionStatus) -> str:
    """Own measures, state agencies' agreements and inherited measures in force, as cards in a grid."""
    own = [dataset.measures_by_id[i] for i in status.own_measures]
    inherited = [dataset.measures_by_id[i] for i in status.inherited_measures]
    if not own and not inherited:
        return '<p class="cm-empty">The tables record no measure that applies here on this date.</p>'
    evidence = dataset.evidence.get
    cards = [measure_card_html(m, "own measure", evidence(m.measure_id))
             for m in own if not m.is_state_agency_agreement]
    cards += [measure_card_html(m, "state-agency 287(g) agreement: binds that agency only", evidence(m.measure_id))
              for m in own if m.is_state_agency_agreement]
    for m in inherited:
        parent = dataset.gazetteer.get(m.geoid)
        cards.append(measure_card_html(m, f"applies via {parent.display_name if parent else m.geoid}",
                                       evidence(m.measure_id)))
    return f'<div class="cm-details">{"".join(cards)}</div>'


def federal_lists_html(dataset: Dataset, geoid: str, day: dt.date) -> str:
    """Every federal-list entry, with the ones dated after the chosen day marked as later."""
    entries = dataset.designations_by_geoid.get(geoid, ())
    if not entries:
        return '<p class="cm-empty">Not on the DHS or DOJ list.</p>'
    parts = []
    for entry in entries:
        period = f"listed {entry.listed_on}" + (f", removed {entry.removed_on}" if entry.removed_on else "")
        later = ' <span class="cm-later">later than the date shown</span>' if entry.listed_on > day else ""
        parts.append(
            f"<p>{html.escape(FEDERAL_LISTS[entry.list])}: {html.escape(period)}{later}"
            f" · {_link(entry.source_url, 'source')}</p>"
        )
    return "".join(parts)


def details_html(dataset: Dataset, status: JurisdictionStatus, day: dt.date) -> str:
    """Everything about one jurisdiction as one block: summary, measures and federal lists."""
    return (details_summary_html(dataset, status, day) + measures_html(dataset, status)
            + federal_lists_html(dataset, status.geoid, day))


def details_panel(dataset: Dataset, geoid: str, day: dt.date) -> None:
    """Everything about one jurisdiction on a date, across the page's width: the answer first, then tabs."""
    status = status_of(dataset, geoid, day)
    st.subheader(md_escape(status.name), anchor="details")
    # HTML blocks rather than a widget per line: each element is a React mount on the
    # first click (make bench: first click about 350 -> 250 ms).
    st.html(details_summary_html(dataset, status, day))
    history = jurisdiction_history(dataset, geoid)
    in_force = len(status.own_measures) + len(status.inherited_measures)
    lists = len(dataset.designations_by_geoid.get(geoid, ()))
    measures_tab, lists_tab, history_tab = st.tabs(
        [f"Measures in force ({in_force})", f"Federal lists ({lists})", f"History ({len(history)})"]
    )
    with measures_tab:
        st.html(measures_html(dataset, status))
    with lists_tab:
        st.html(federal_lists_html(dataset, geoid, day))
    with history_tab:
        if history:
            timeline(history, day)
        else:
            st.caption("No measure has ever applied here in the tables.")


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


def timeline(history: Sequence, day: dt.date) -> None:
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
        }
    )
    spec = {
        "height": max(60, 22 * len(frame)),
        "layer": [
            {
                "mark": {"type": "bar", "height": 10},
                "encoding": {
                    "x": {"field": "start", "type": "temporal", "title": None},
                    "x2": {"field": "end"},
                    "y": {"field": "measure", "type": "nominal", "title": None, "sort": None,
                          "axis": {"labelLimit": 420, "labelOverlap": False}},
                    "color": {"field": "direction", "type": "nominal", "legend": None,
                              "scale": {"domain": ["limits", "requires"], "range": [LIMITS, REQUIRES]}},
                    "opacity": {"field": "via", "type": "nominal", "legend": None,
                                "scale": {"domain": ["own", "inherited"], "range": [1.0, 0.45]}},
                    "tooltip": [{"field": f} for f in ("measure", "start", "end", "direction", "via")],
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


def counts_chart(frame: pd.DataFrame, categories: Sequence[Category], day: dt.date) -> None:
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
                    "x": {"field": "date", "type": "temporal", "title": None},
                    "y": {"field": "count", "type": "quantitative", "title": "Jurisdictions"},
                    "color": {
                        "field": "category", "type": "nominal",
                        "scale": {"domain": [c.label for c in shown], "range": [c.color for c in shown]},
                        "legend": {"orient": "bottom", "title": None, "labelLimit": 0},  # whole labels, never "…"
                    },
                    "tooltip": [{"field": "date", "type": "temporal"}, {"field": "category"}, {"field": "count"}],
                },
            },
            date_rule(),
        ],
    }
    chart_with_date(frame, spec, day)


def changes_table(dataset: Dataset, layer: Layer) -> None:
    """Each change between the two dates, with the measures behind it and their sources."""
    if not layer.changes:
        st.info("Nothing changed between these two dates at this level.")
        return

    def sources(ids: Sequence[str]) -> str:
        return " ".join(
            f"{md_escape(dataset.measures_by_id[i].title[:50])} ({safe_link(dataset.measures_by_id[i].source_url)})"
            for i in ids
            if i in dataset.measures_by_id
        )

    lines = ["| Jurisdiction | Before | After | Started | Ended |", "|---|---|---|---|---|"]
    for change in sorted(layer.changes.values(), key=lambda c: c.name):
        lines.append(
            f"| {md_escape(change.name)} | {md_escape(status_label(layer.view, change.before))}"
            f" | {md_escape(status_label(layer.view, change.after))} | {sources(change.started)}"
            f" | {sources(change.ended)} |"
        )
    st.markdown("\n".join(lines))


MODEL_TAGS = ("jail_enforcement_model", "task_force_model", "warrant_service_officer")


def agreements_frame(measures: Sequence[Measure], days: Sequence[dt.date]) -> pd.DataFrame:
    """287(g) agreements in force on each day, by support model."""
    agreements = [m for m in measures if m.is_287g_agreement]
    rows = []
    for day in days:
        in_force = [m for m in agreements if m.in_force(day)]
        for tag in MODEL_TAGS:
            rows.append({"date": day, "model": PROVISIONS[tag][1],
                         "count": sum(1 for m in in_force if tag in m.provisions)})
    return pd.DataFrame(rows)


def agreements_chart(frame: pd.DataFrame, day: dt.date) -> None:
    """Stacked areas: how many 287(g) agreements were in force, by model."""
    spec = {
        "height": 220,
        "layer": [
            {
                "mark": {"type": "area", "interpolate": "step-after"},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": None},
                    "y": {"field": "count", "type": "quantitative", "stack": True, "title": "Agreements in force"},
                    "color": {"field": "model", "type": "nominal", "legend": {"orient": "bottom", "title": None},
                              "scale": {"range": ["#D55E00", "#E69F00", "#56B4E9"]}},
                    "tooltip": [{"field": "date", "type": "temporal"}, {"field": "model"}, {"field": "count"}],
                },
            },
            date_rule(),
        ],
    }
    chart_with_date(frame, spec, day)
