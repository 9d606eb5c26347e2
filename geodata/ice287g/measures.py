"""An agreement as a Measure for the map: only matched, dated agreements of a known model."""

from __future__ import annotations

from geodata.config import ICE_287G_PAGE
from geodata.ice287g.agreements import Agreement, date_problems
from geodata.tables import Measure


def source_url(a: Agreement) -> str:
    return a.moa_url if a.moa_url.startswith("https://") else ICE_287G_PAGE


def measure_notes(a: Agreement) -> str:
    sheets = ", ".join(d.isoformat() for d in a.seen_on)
    notes = [f"Listed on ICE's 287(g) participating-agencies sheet(s) of {sheets}."]
    if a.also_listed_as:
        notes.append(f"Also listed as: {'; '.join(a.also_listed_as)}.")
    if a.approximate:
        notes.append(f"Approximate match: {a.match_basis}.")
    if not a.moa_url.startswith("https://"):
        notes.append("No MOA link on the sheet; source is ICE's 287(g) page.")
    return " ".join(notes)


def agreement_measure(a: Agreement) -> Measure | None:
    """An agreement as a Measure, if it has a jurisdiction, a plausible signed date and a known model."""
    if a.geoid is None or a.signed is None or not a.models or date_problems(a.signed, a.seen_on):
        return None
    return Measure(
        measure_id=a.agreement_id,
        geoid=a.geoid,
        jurisdiction=a.jurisdiction,
        title=f"287(g) agreement: {a.agency} ({a.model_labels})",
        instrument="agreement",
        direction="requires",
        provisions=("agreement_287g", *a.models),
        adopted=a.signed,
        effective=a.signed,
        ended=a.ended,
        end_reason=f"not on ICE's sheet of {a.ended.isoformat()}" if a.ended else "",
        source_url=source_url(a),
        notes=measure_notes(a),
        inheritable=not a.approximate,
    )
