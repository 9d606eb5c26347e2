"""The Agreement record: one per state + agency + model(s) + signed date across all sheets,
with the sheets it was seen on, its end, earlier names, its id and its problems."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from geodata.fips import ABBREVIATIONS, state_fips
from geodata.ice287g.names import slug
from geodata.ice287g.sheets import Sheet, SheetRow

#: provision tag -> (label on ICE's sheet, short code for ids, pattern that finds it in a cell)
MODELS: MappingProxyType[str, tuple[str, str, re.Pattern[str]]] = MappingProxyType(
    {
        "jail_enforcement_model": ("Jail Enforcement Model", "jem", re.compile(r"\bjail\b|\bjem\b")),
        "task_force_model": ("Task Force Model", "tfm", re.compile(r"\btask ?force\b|\btfm\b")),
        "warrant_service_officer": ("Warrant Service Officer", "wso", re.compile(r"\bwarrant\b|\bwso\b")),
    }
)


@dataclass(frozen=True)
class Agreement:
    agreement_id: str
    #: state FIPS; '' when the sheet's state is not a state or DC
    state: str
    agency: str
    agency_type: str
    county_cell: str
    support_type: str
    #: provision tags of the support model(s): jail_enforcement_model, ...
    models: tuple[str, ...]
    signed: dt.date | None
    moa_url: str
    #: dates of the sheets that list it
    seen_on: tuple[dt.date, ...]
    #: date of the first later sheet that no longer lists it; None while on the latest sheet
    ended: dt.date | None
    #: other names the agency had on earlier sheets
    also_listed_as: tuple[str, ...] = ()
    geoid: str | None = None
    jurisdiction: str = ""
    #: 'county', 'place' or 'state'; '' when unmatched
    match_kind: str = ""
    approximate: bool = False
    #: how the jurisdiction was found, or why it was not
    match_basis: str = ""
    #: why this agreement is on the exceptions list (empty: it is not)
    problems: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.geoid is not None

    def in_force(self, day: dt.date) -> bool:
        return self.signed is not None and self.signed <= day and (self.ended is None or day < self.ended)

    @property
    def model_labels(self) -> str:
        return " + ".join(MODELS[m][0] for m in self.models) or self.support_type or "unknown model"


#: (state FIPS or state text, agency slug, model tags, signed date or 'undated-...')
Key = tuple[str, str, tuple[str, ...], str]


def models_in(support_type: str) -> tuple[str, ...]:
    text = support_type.lower()
    return tuple(tag for tag, (_, _, pattern) in MODELS.items() if pattern.search(text))


def identity(row: SheetRow) -> Key:
    """What makes two sheet rows the same agreement: state, agency, model(s), signed date."""
    state = state_fips(row.state_text) or slug(row.state_text)
    models = models_in(row.support_type) or (slug(row.support_type),)
    signed = row.signed.isoformat() if row.signed else f"undated-{slug(row.signed_text)}"
    return state, slug(row.agency), models, signed


def agreement_id(key: Key) -> str:
    state, agency, models, signed = key
    state_part = ABBREVIATIONS.get(state, state or "xx").lower()
    model_part = "-".join(MODELS[m][1] if m in MODELS else (m or "unknown") for m in models)
    parts = ("287g", state_part, agency or "unnamed", model_part, signed)
    return "-".join(part.strip("-") for part in parts if part.strip("-"))


def with_known_link(latest: SheetRow, earlier: SheetRow | None) -> SheetRow:
    # A later sheet sometimes shows "link pending" where an earlier one had the MOA.
    if earlier is not None and not latest.moa_url and earlier.moa_url:
        return replace(latest, moa_url=earlier.moa_url)
    return latest


#: words that vary between sheets for one agency ("City of X Police Department", "X Police
#: Services Department"); what is left names the agency itself
_GENERIC_AGENCY_WORDS = frozenset(
    {
        "city", "town", "village", "borough", "of", "the", "and", "police", "department", "dept",
        "departent", "services", "service", "office", "offic", "sheriff", "sheriffs", "board",
        "trustees", "county", "commissioners", "public", "safety", "division", "law", "enforcement",
    }
)


def agency_core(agency_slug: str) -> str:
    return " ".join(w for w in agency_slug.split("-") if w not in _GENERIC_AGENCY_WORDS)


def is_renamed(old: Key, new: Key) -> bool:
    """Same state, model(s) and signed date, and an agency name that differs only in wording or a typo."""
    if (old[0], old[2], old[3]) != (new[0], new[2], new[3]):
        return False
    old_core, new_core = agency_core(old[1]), agency_core(new[1])
    if not old_core or not new_core:
        return False
    return old_core == new_core or difflib.SequenceMatcher(None, old_core, new_core).ratio() >= 0.85


def renames(vanished: Iterable[Key], appeared: Iterable[Key]) -> dict[Key, Key]:
    """New identity -> the one it renames, only where exactly one vanished agreement fits."""
    found: dict[Key, Key] = {}
    vanished = sorted(vanished)
    for new in sorted(appeared):
        fits = [old for old in vanished if old not in found.values() and is_renamed(old, new)]
        if len(fits) == 1:
            found[new] = fits[0]
    return found


def merge_sheets(sheets: Sequence[Sheet]) -> list[Agreement]:
    """One Agreement per identity across all sheets, with the sheets it was seen on and its end.

    ICE corrects agency names between sheets ("Indiatlantic" -> "Indialantic", "City of
    Melbourne Police Department" -> "Melbourne Police Department"). Counting such a row as a
    new agreement would falsely end the old one, so an agreement that vanishes from one sheet
    to the next is linked to a newly listed one with the same state, model(s) and signed date
    and a near-identical name. Its id and fields follow the latest name; earlier names are kept.
    """
    ordered = sorted(sheets, key=lambda s: (s.day, s.name))
    canonical: dict[Key, Key] = {}
    latest: dict[Key, SheetRow] = {}
    names: dict[Key, list[str]] = defaultdict(list)
    seen: dict[Key, list[int]] = defaultdict(list)
    for index, sheet in enumerate(ordered):
        keys = {identity(row) for row in sheet.rows}
        present = {canonical.get(k, k) for k in keys}
        vanished = [k for k, where in seen.items() if where[-1] == index - 1 and k not in present]
        canonical.update(renames(vanished, [k for k in keys if k not in latest and k not in canonical]))
        for row in sheet.rows:
            key = canonical.get(identity(row), identity(row))
            latest[key] = with_known_link(row, latest.get(key))
            if row.agency not in names[key]:
                names[key].append(row.agency)
            if not seen[key] or seen[key][-1] != index:
                seen[key].append(index)
    agreements = []
    for key, row in latest.items():
        last = seen[key][-1]
        ended = ordered[last + 1].day if last + 1 < len(ordered) else None
        days = tuple(sorted({ordered[i].day for i in seen[key]}))
        former = tuple(name for name in names[key] if name != row.agency)
        # The id follows the latest listing, so one sheet alone gives the same id as the history.
        agreements.append(new_agreement(agreement_id(identity(row)), row, days, ended, former))
    return unique_ids(agreements)


def new_agreement(
    agreement_id: str,
    row: SheetRow,
    seen_on: tuple[dt.date, ...],
    ended: dt.date | None,
    also_listed_as: tuple[str, ...] = (),
) -> Agreement:
    return Agreement(
        agreement_id=agreement_id,
        state=state_fips(row.state_text) or "",
        agency=row.agency,
        agency_type=row.agency_type,
        county_cell=row.county_cell,
        support_type=row.support_type,
        models=models_in(row.support_type),
        signed=row.signed,
        moa_url=row.moa_url,
        seen_on=seen_on,
        ended=ended,
        also_listed_as=also_listed_as,
        problems=row_problems(row) + date_problems(row.signed, seen_on),
    )


def row_problems(row: SheetRow) -> tuple[str, ...]:
    problems = []
    if not state_fips(row.state_text):
        problems.append(f"state {row.state_text!r} is not a US state or DC")
    if not models_in(row.support_type):
        problems.append(f"support type {row.support_type!r} is not a 287(g) model")
    if row.signed is None:
        problems.append(f"signed date missing, unreadable or implausible: {row.signed_text!r}")
    return tuple(problems)


def date_problems(signed: dt.date | None, seen_on: tuple[dt.date, ...]) -> tuple[str, ...]:
    # A sheet cannot list an agreement signed after it was published: the date is a typo.
    if signed is not None and seen_on and signed > seen_on[0]:
        return (f"signed date {signed} is after the sheet of {seen_on[0]} that lists it",)
    return ()


def unique_ids(agreements: list[Agreement]) -> list[Agreement]:
    # Identities are unique, but two could still slug alike; never hand out one id twice.
    counts: Counter[str] = Counter()
    result = []
    for agreement in sorted(agreements, key=lambda a: a.agreement_id):
        counts[agreement.agreement_id] += 1
        n = counts[agreement.agreement_id]
        if n > 1:
            agreement = replace(agreement, agreement_id=f"{agreement.agreement_id}-{n}")
        result.append(agreement)
    return result
