"""What a view means: the one owner of categories, labels, colours, counts, tooltips and "as of".

A `Layer` is one (date, level, view, compare-to date). Every renderer draws a Layer and
recomputes nothing: the map payload, the legend, the details panel's summary line, the
PNG and SVG, the CSV and GeoJSON downloads, and the command line. Pure, and importable
from a notebook without streamlit or matplotlib:

    >>> layer = build_layer(load_dataset(), dt.date(2025, 8, 5), "county", "effective")
    >>> layer.counts()

Colours: limits and requires are Okabe & Ito's (2008) blue and vermillion, which stay apart
under protanopia, deuteranopia and tritanopia. Conflict is Paul Tol's sand: Okabe & Ito's
reddish purple came within ΔE 14 of the blue under simulated protanopia. tests/test_layers.py
checks every pair of colours in every view, compare included, under simulated colour-vision
deficiency (CAM02-UCS ΔE ≥ 15).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from geodata.dataset import Dataset
from geodata.fips import PUERTO_RICO
from geodata.history import counts_over_time
from geodata.i18n import ENGLISH, N_, Translator, translator
from geodata.snapshot import JurisdictionStatus, Snapshot, snapshot
from geodata.vocabulary import LEVELS, PROVISIONS

# --- Words ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelWords:
    noun: str
    #: what the legend counts: the state level holds DC and Puerto Rico too (geodata.fips.STATES)
    plural: str
    title: str


LEVEL_WORDS: Mapping[str, LevelWords] = MappingProxyType(
    {
        "state": LevelWords(N_("state"), N_("states, DC and Puerto Rico"), N_("States")),
        "county": LevelWords(N_("county"), N_("counties"), N_("Counties")),
        "place": LevelWords(N_("city"), N_("cities"), N_("Cities")),
    }
)
#: state-level jurisdictions that are not states, by FIPS: what they are called one by one
NOT_A_STATE: Mapping[str, str] = MappingProxyType({PUERTO_RICO: N_("territory")})


def level_words(level: str, tr: Translator = ENGLISH) -> LevelWords:
    """A level's words in the reader's language."""
    words = LEVEL_WORDS[level]
    return LevelWords(tr(words.noun), tr(words.plural), tr(words.title))


def noun_of(geoid: str, level: str, tr: Translator = ENGLISH) -> str:
    """What one jurisdiction is: its level's noun, except for Puerto Rico, a territory."""
    noun = NOT_A_STATE.get(geoid, LEVEL_WORDS[level].noun) if level == "state" else LEVEL_WORDS[level].noun
    return tr(noun)


VIEWS: Mapping[str, str] = MappingProxyType(
    {
        "own": N_("Own measures"),
        "effective": N_("What applies here"),
        "federal": N_("Federal lists"),
        "287g": N_("287(g) agreements"),
    }
)


def view_name(view: str, tr: Translator = ENGLISH) -> str:
    """A view's name in the reader's language."""
    return tr(VIEWS[view])

FEDERAL_LIST_DATES: Mapping[str, dt.date] = MappingProxyType(
    {"dhs-2025-05": dt.date(2025, 5, 29), "doj-2025-08": dt.date(2025, 8, 5)}
)

# --- Colours and categories -----------------------------------------------------------------------

LIMITS = "#0072B2"
REQUIRES = "#D55E00"
MIXED = "#DDCC77"
STATE_AGENCY = "#CC79A7"
NO_DATA = "#EDEDED"
ENDED = "#222222"


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    color: str


NONE = "none"
UNCHANGED = "unchanged"
ENDED_KEY = "ended"
#: categories that say "nothing here": places in them are left undrawn where there are thousands
IDLE_CATEGORIES = frozenset({NONE, UNCHANGED})

CATEGORIES: Mapping[str, tuple[Category, ...]] = MappingProxyType(
    {
        "own": (
            Category("limits", N_("Limits cooperation"), LIMITS),
            Category("requires", N_("Requires or expands cooperation"), REQUIRES),
            Category("both", N_("Both: limits and requires"), MIXED),
            Category(NONE, N_("No measure of its own recorded"), NO_DATA),
        ),
        "effective": (
            Category("limits", N_("Limits cooperation"), LIMITS),
            Category("requires", N_("Requires or expands cooperation"), REQUIRES),
            Category("conflict", N_("Conflict: limits and requires both apply"), MIXED),
            Category(NONE, N_("No measure recorded"), NO_DATA),
        ),
        "federal": (
            Category("both_lists", N_("On the DHS and DOJ lists"), "#882255"),
            Category("dhs", N_("On the DHS list (May 29, 2025)"), "#E69F00"),
            Category("doj", N_("On the DOJ list (Aug 5, 2025)"), "#56B4E9"),
            Category(NONE, N_("Not on a federal list"), NO_DATA),
        ),
        "287g": (
            Category("local_agreement", N_("A county or city agency has a 287(g) agreement"), REQUIRES),
            Category("state_agency", N_("A state agency has a 287(g) agreement"), STATE_AGENCY),
            Category(NONE, N_("No 287(g) agreement recorded"), NO_DATA),
        ),
    }
)

#: how a change into each category reads, per view (compare mode)
_CHANGE_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "own": MappingProxyType({"limits": N_("Now limits"), "requires": N_("Now requires or expands"),
                                 "both": N_("Now both limits and requires"), ENDED_KEY: N_("Own measures ended")}),
        "effective": MappingProxyType({"limits": N_("Now limits"), "requires": N_("Now requires or expands"),
                                       "conflict": N_("Now in conflict"), ENDED_KEY: N_("Measures ended")}),
        "federal": MappingProxyType({"both_lists": N_("Now on both lists"), "dhs": N_("Now on the DHS list"),
                                     "doj": N_("Now on the DOJ list"), ENDED_KEY: N_("Taken off the lists")}),
        "287g": MappingProxyType({"local_agreement": N_("Local agreement began"),
                                  "state_agency": N_("State-agency agreement began"),
                                  ENDED_KEY: N_("Agreement ended")}),
    }
)


def compare_categories(view: str, level: str | None = None, tr: Translator = ENGLISH) -> tuple[Category, ...]:
    """The compare legend of a view: each way into a category, out of all of them, or no change."""
    words = _CHANGE_WORDS[view]
    moved = tuple(
        Category(f"to_{c.key}", tr(words[c.key]), c.color) for c in categories_of(view, level) if c.key != NONE
    )
    return (*moved, Category(ENDED_KEY, tr(words[ENDED_KEY]), ENDED), Category(UNCHANGED, tr("No change"), NO_DATA))


#: at the state level only state agencies' agreements exist, below it only local ones
_NOT_AT_LEVEL: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "state": frozenset({"local_agreement"}),
        "county": frozenset({"state_agency"}),
        "place": frozenset({"state_agency"}),
    }
)


def categories_of(
    view: str, level: str | None = None, compared: bool = False, tr: Translator = ENGLISH
) -> tuple[Category, ...]:
    """A view's legend at a level (every category the view has, when no level is given), in `tr`'s words."""
    require_choice(view, tuple(VIEWS), "view")
    if compared:
        return compare_categories(view, level, tr)
    hidden = _NOT_AT_LEVEL.get(level or "", frozenset())
    return tuple(Category(c.key, tr(c.label), c.color) for c in CATEGORIES[view] if c.key not in hidden)


def require_choice(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}: use one of {', '.join(choices)}")


# --- Classifying one jurisdiction -----------------------------------------------------------------


def category_of(row: JurisdictionStatus, view: str) -> str:
    """The category key a jurisdiction's status falls in, for one view."""
    if view == "own":
        return row.own_status
    if view == "effective":
        return row.effective_status
    if view == "federal":
        lists = set(row.federal_lists)
        if {"dhs-2025-05", "doj-2025-08"} <= lists:
            return "both_lists"
        if "dhs-2025-05" in lists:
            return "dhs"
        return "doj" if "doj-2025-08" in lists else NONE
    if view == "287g":
        if not row.agreements:
            return NONE
        return "state_agency" if row.level == "state" else "local_agreement"
    raise ValueError(f"unknown view {view!r}")


def change_category(before: str, after: str) -> str:
    if before == after:
        return UNCHANGED
    return ENDED_KEY if after == NONE else f"to_{after}"


def _measures_counted(row: JurisdictionStatus, view: str) -> set[str]:
    """What a change in this view is made of: measures, list entries or agreements."""
    if view == "own":
        return set(row.own_measures)
    if view == "federal":
        return set(row.federal_lists)
    if view == "287g":
        return set(row.agreements)
    return set(row.own_measures) | set(row.inherited_measures)


@dataclass(frozen=True)
class Change:
    geoid: str
    name: str
    before: str
    after: str
    #: measure ids (or list ids) in force at the later date and not the earlier, and the reverse
    started: tuple[str, ...]
    ended: tuple[str, ...]


def ordered_dates(
    day: dt.date, compare_to: dt.date | None, tr: Translator = ENGLISH
) -> tuple[dt.date, dt.date | None, str | None]:
    """(later, earlier, notice): compare runs from an earlier date to a later one, never backwards."""
    if compare_to is None or compare_to < day:
        return day, compare_to, None
    if compare_to == day:
        return day, None, tr("Nothing to compare: both dates are {day}. Pick an earlier date.",
                             day=tr.long_date(day))
    notice = tr("The comparison runs forward in time, so the dates were swapped: from {earlier} to {later}.",
                earlier=tr.long_date(day), later=tr.long_date(compare_to))
    return compare_to, day, notice


def default_earlier(day: dt.date, first: dt.date = dt.date(1979, 1, 1)) -> dt.date:
    """The earlier date a comparison starts from by default: Jan 1, 2017, else ten years before `day`."""
    candidate = dt.date(2017, 1, 1) if day > dt.date(2017, 1, 1) else dt.date(max(day.year - 10, first.year), 1, 1)
    return candidate if candidate < day else first


# --- Sources and notices --------------------------------------------------------------------------

HOW_TO_LOAD_287G = N_(
    "Run `python -m geodata build` with internet access (or `make run`), or set GEODATA_ICE287G_SOURCE "
    "to a folder of ICE participating-agencies sheets."
)


@dataclass(frozen=True)
class SourceNote:
    """One source behind a layer and how current it is."""

    name: str
    as_of: dt.date | None
    #: e.g. "not loaded"
    status: str = ""
    #: how the date reads after the name: "Policy tables as of …", "ICE sheet of …"
    joiner: str = "as of"
    #: English keeps the project's ISO dates; another language reads them in its locale (Babel)
    lang: str = "en"

    def __str__(self) -> str:
        if self.status:
            return f"{self.name}: {self.status}"
        if not self.as_of:
            return self.name
        shown = self.as_of.isoformat() if self.lang == "en" else translator(self.lang).long_date(self.as_of)
        return f"{self.name} {self.joiner} {shown}"


def _uses_ice(view: str, level: str) -> bool:
    """Whether ICE's sheets can change what this view shows at this level."""
    return view == "287g" or (view in ("own", "effective") and level != "state")


def _sources(dataset: Dataset, view: str, level: str, tr: Translator = ENGLISH) -> tuple[SourceNote, ...]:
    provenance = dataset.provenance
    lang = tr.lang
    notes = [SourceNote(tr("Policy tables"), provenance.policies_as_of, joiner=tr("as of"), lang=lang)]
    if view == "federal":
        notes += [SourceNote(tr("DHS list"), FEDERAL_LIST_DATES["dhs-2025-05"], joiner=tr("of"), lang=lang),
                  SourceNote(tr("DOJ list"), FEDERAL_LIST_DATES["doj-2025-08"], joiner=tr("of"), lang=lang)]
    if _uses_ice(view, level):
        if provenance.ice_loaded:
            notes.append(SourceNote(tr("ICE sheet"), provenance.ice_as_of, joiner=tr("of"), lang=lang))
        else:
            notes.append(SourceNote(tr("ICE 287(g) sheets"), None, tr("not loaded"), lang=lang))
    return tuple(notes)


def _notices(
    dataset: Dataset, view: str, level: str, days: Sequence[dt.date], tr: Translator = ENGLISH
) -> tuple[str, ...]:
    provenance = dataset.provenance
    notices: list[str] = []
    if _uses_ice(view, level) and not provenance.ice_loaded:
        if view == "287g":
            notices.append(tr(
                "ICE's 287(g) sheets are not loaded, so this view shows only the few agreements the policy "
                "tables record, and its counts are not complete."
            ))
        else:
            notices.append(tr(
                "ICE's 287(g) sheets are not loaded: a county or city whose only measure is a 287(g) "
                "agreement shows as having none."
            ))
        if provenance.ice_problem:
            # The problem is the machine's own report (a path, an HTTP error): quoted as it is.
            notices.append(tr("Note: {problem}.", problem=provenance.ice_problem))
    elif view == "287g":
        newest, oldest = provenance.ice_as_of, provenance.ice_sheets[0]
        if newest and any(d > newest for d in days):
            notices.append(tr("287(g) agreements as of ICE's sheet of {day}: later changes are not shown.",
                              day=tr.long_date(newest)))
        if any(d < oldest for d in days):
            notices.append(tr(
                "ICE's sheets list the agreements in force from {day} on. An agreement that ended "
                "before then is shown only where the policy tables record it.", day=tr.long_date(oldest)
            ))
    if view == "287g" and level != "state":
        state_agencies = sum(1 for m in dataset.measures if m.is_state_agency_agreement and m.in_force(days[-1]))
        if state_agencies:
            notices.append(tr(
                "{count} agreements signed by state agencies are shown at the state level: they bind "
                "those agencies only, not counties and cities.", count=tr.number(state_agencies)
            ))
    if view == "federal" and all(d < FEDERAL_LIST_DATES["dhs-2025-05"] for d in days):
        notices.append(tr("The federal lists were first published on {day}: before then no place was on one.",
                          day=tr.long_date(FEDERAL_LIST_DATES["dhs-2025-05"])))
    return tuple(notices)


# --- The layer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One view of one level on one day (and, when comparing, since an earlier day)."""

    day: dt.date
    level: str
    view: str
    compare_to: dt.date | None
    snapshot: Snapshot
    categories: tuple[Category, ...]
    category: Mapping[str, str]
    #: a second tooltip line per GEOID (the 287(g) support models), where there is one
    details: Mapping[str, str]
    changes: Mapping[str, Change]
    sources: tuple[SourceNote, ...]
    notices: tuple[str, ...]
    #: False when a source the counts depend on is missing: the counts must not look complete
    counts_complete: bool
    #: how to load a missing source, for the app (never printed on an image)
    remedy: str = ""
    #: the language of every word the layer holds (data text, such as names, stays as written)
    lang: str = "en"

    @property
    def tr(self) -> Translator:
        return translator(self.lang)

    @property
    def compared(self) -> bool:
        return self.compare_to is not None

    def counts(self) -> dict[str, int]:
        """Jurisdictions per category, in legend order, zeros included."""
        found = Counter(self.category.values())
        return {c.key: found.get(c.key, 0) for c in self.categories}

    def label(self, key: str) -> str:
        return {c.key: c.label for c in self.categories}[key]

    def colors(self) -> dict[str, str]:
        return {c.key: c.color for c in self.categories}

    def tooltip(self, geoid: str) -> str:
        """The tooltip's second line: the category, and the detail where there is one."""
        label = self.label(self.category[geoid])
        return f"{label} · {self.details[geoid]}" if geoid in self.details else label

    @property
    def heading(self) -> str:
        """The legend's heading."""
        tr = self.tr
        name = view_name(self.view, tr)
        return tr("Change in {view}", view=name[:1].lower() + name[1:]) if self.compared else name

    @property
    def period(self) -> str:
        tr = self.tr
        if self.compare_to:
            return tr("{earlier} to {later}", earlier=tr.long_date(self.compare_to), later=tr.long_date(self.day))
        return tr.long_date(self.day)

    @property
    def unit(self) -> str:
        """What the legend counts: 'counties on August 5, 2025'."""
        tr = self.tr
        plural = level_words(self.level, tr).plural
        if self.compared:
            return tr("{plural}, {period}", plural=plural, period=self.period)
        return tr("{plural} on {period}", plural=plural, period=self.period)

    @property
    def as_of(self) -> str:
        """Every source behind the layer and how current it is, on one line."""
        return "; ".join(str(s) for s in self.sources)

    def title(self, region_name: str | None = None) -> str:
        return default_title(self.level, self.view, self.compared, region_name, self.tr)

    @property
    def subtitle(self) -> str:
        tr = self.tr
        return tr("Changes from {period}", period=self.period) if self.compared else tr("As of {period}",
                                                                                          period=self.period)

    @property
    def definition(self) -> str:
        """One line that defines the categories, in the words of the legend."""
        return self.tr(DEFINITIONS[self.view])

    def rows(self) -> list[dict[str, str]]:
        """One row per jurisdiction: what the CSV and GeoJSON downloads hold, and the map draws."""
        out = []
        for status in self.snapshot.rows:
            key = self.category[status.geoid]
            row = {
                "geoid": status.geoid,
                "name": status.name,
                "level": status.level,
                "date": self.day.isoformat(),
                "compared_with": self.compare_to.isoformat() if self.compare_to else "",
                "view": self.view,
                "category": key,
                "category_label": self.label(key),
            }
            row.update({k: v for k, v in status.as_row().items() if k not in row})
            out.append(row)
        return out

    def within_state(self, fips: str) -> Layer:
        """The same layer narrowed to one state's jurisdictions."""
        keep = {r.geoid for r in self.snapshot.rows if r.geoid[:2] == fips}
        rows = tuple(r for r in self.snapshot.rows if r.geoid in keep)
        return Layer(
            self.day, self.level, self.view, self.compare_to, Snapshot(self.snapshot.date, self.level, rows),
            self.categories, MappingProxyType({g: c for g, c in self.category.items() if g in keep}),
            MappingProxyType({g: d for g, d in self.details.items() if g in keep}),
            MappingProxyType({g: c for g, c in self.changes.items() if g in keep}),
            self.sources, self.notices, self.counts_complete, self.remedy, self.lang,
        )


TITLES: Mapping[str, str] = MappingProxyType(
    {
        "effective": N_("Immigration-enforcement cooperation policy by {noun}"),
        "own": N_("Each {noun}’s own immigration-enforcement cooperation measures"),
        "federal": N_("Federal ‘sanctuary jurisdiction’ lists by {noun}"),
        "287g": N_("287(g) agreements with ICE by {noun}"),
    }
)


def default_title(
    level: str, view: str, compared: bool = False, region_name: str | None = None, tr: Translator = ENGLISH
) -> str:
    """The project's own title for a map of this level and view."""
    title = tr(TITLES[view], noun=level_words(level, tr).noun)
    lowered = title[:1].lower() + title[1:]
    title = tr("Changes: {title}", title=lowered) if compared else title
    return f"{title}, {region_name}" if region_name else title


DEFINITIONS: Mapping[str, str] = MappingProxyType(
    {
        "own": N_("Own measures: a jurisdiction's own laws, policies and agreements in force. Limits cooperation: one "
               "restricts cooperation with federal immigration enforcement. Requires or expands cooperation: one "
               "mandates it or takes it on (287(g)). Both: limits and requires: one of each. No measure of its own "
               "recorded: none in our tables."),
        "effective": N_("What applies here: own measures plus the state's and, for a city, its county's. Limits "
                     "cooperation: one restricts cooperation with federal immigration enforcement. Requires or "
                     "expands cooperation: one mandates it or takes it on. Conflict: limits and requires both apply. "
                     "No measure recorded: none in our tables."),
        "federal": N_("Federal lists: the jurisdictions the federal government named as ‘sanctuary jurisdictions’, as "
                   "published: On the DHS list (May 29, 2025), On the DOJ list (Aug 5, 2025), On the DHS and DOJ "
                   "lists. They are labels, not policy: Not on a federal list says nothing of a jurisdiction's "
                   "measures."),
        "287g": N_("287(g) agreements: an agency agreed with ICE to do immigration-enforcement work (ICE's sheets; "
                "policy tables). A county or city agency has a 287(g) agreement: usually the sheriff. A state agency "
                "has a 287(g) agreement: it binds that agency only. No 287(g) agreement recorded: none in those "
                "sources."),
    }
)


def _support_models(
    dataset: Dataset, rows: Sequence[JurisdictionStatus], tr: Translator = ENGLISH
) -> dict[str, str]:
    """GEOID -> the 287(g) support models in force there, in words."""
    found = {}
    for row in rows:
        tags = {
            tag for measure_id in row.agreements for tag in dataset.measures_by_id[measure_id].provisions
            if tag != "agreement_287g" and tag in PROVISIONS
        }
        if tags:
            found[row.geoid] = "; ".join(sorted(tr(PROVISIONS[t][1]) for t in tags))
    return found


def build_layer(
    dataset: Dataset, day: dt.date, level: str, view: str, compare_to: dt.date | None = None, lang: str = "en"
) -> Layer:
    """The layer for (day, level, view), comparing with `compare_to` when it is given, in the words of
    `lang` (an unknown code, or a catalog that cannot be read, gives English).

    A `compare_to` after `day` is swapped with a notice; one equal to `day` is dropped with a notice.
    """
    require_choice(level, LEVELS, "level")
    require_choice(view, tuple(VIEWS), "view")
    tr = translator(lang)
    day, compare_to, order_notice = ordered_dates(day, compare_to, tr)
    current = snapshot(day, level, dataset)
    categories = categories_of(view, level, compared=compare_to is not None, tr=tr)
    changes: dict[str, Change] = {}
    if compare_to is None:
        category = {r.geoid: category_of(r, view) for r in current.rows}
    else:
        before = snapshot(compare_to, level, dataset).by_geoid()
        category = {}
        for row in current.rows:
            old = before[row.geoid]
            was, now = category_of(old, view), category_of(row, view)
            category[row.geoid] = change_category(was, now)
            if was != now:
                old_ids, new_ids = _measures_counted(old, view), _measures_counted(row, view)
                changes[row.geoid] = Change(
                    row.geoid, row.name, was, now, tuple(sorted(new_ids - old_ids)), tuple(sorted(old_ids - new_ids))
                )
    days = (day,) if compare_to is None else (compare_to, day)
    notices = ((order_notice,) if order_notice else ()) + _notices(dataset, view, level, days, tr)
    ice_missing = _uses_ice(view, level) and not dataset.provenance.ice_loaded
    return Layer(
        day, level, view, compare_to, current, categories, MappingProxyType(category),
        MappingProxyType(_support_models(dataset, current.rows, tr) if view == "287g" else {}),
        MappingProxyType(changes), _sources(dataset, view, level, tr), notices,
        counts_complete=not (view == "287g" and ice_missing), remedy=tr(HOW_TO_LOAD_287G) if ice_missing else "",
        lang=tr.lang,
    )


# --- Summaries ------------------------------------------------------------------------------------


def status_label(view: str, key: str, tr: Translator = ENGLISH) -> str:
    """A status in the words of a view's legend ('Limits cooperation', 'No measure recorded')."""
    return tr({c.key: c.label for c in CATEGORIES[view]}[key])


def status_sentence(status: JurisdictionStatus, day: dt.date, tr: Translator = ENGLISH) -> str:
    """The details panel's summary line, in the words of the legends."""
    return tr(
        "On {day}: own measures: {own}; what applies here: {effective}.", day=tr.long_date(day),
        own=status_label("own", status.own_status, tr),
        effective=status_label("effective", status.effective_status, tr),
    )


def counts_by_date(dataset: Dataset, level: str, view: str, days: Sequence[dt.date]) -> list[dict[str, int]]:
    """For each day, jurisdictions per category of the view (the 'Over time' chart)."""
    classify: Callable[[JurisdictionStatus], str] = lambda row: category_of(row, view)  # noqa: E731
    return counts_over_time(dataset, level, classify, days)
