"""ICE's 287(g) participating-agencies sheets, turned into dated, sourced agreement records.

Source (`Settings.ice_287g_source`, env GEODATA_ICE287G_SOURCE)
    * an https page (default: ICE's 287(g) page): the participating-agencies .xlsx linked
      from it is downloaded into `<cache_dir>/ice-287g/`, and every sheet kept there from
      earlier builds is read too, so the history grows with each build;
    * an https URL of an .xlsx sheet: downloaded the same way;
    * a local .xlsx file: that one sheet;
    * a local directory: every *.xlsx in it.
    ICE replaces its sheet with each update, so a sheet's date is the one in its file name
    (participatingAgencies05192025pm.xlsx -> 2025-05-19). A sheet without one is dated by its
    download (a downloaded copy is renamed to carry that date) or, for a local file, by its
    modification date. If the download fails, the build fails and the cache is left as it was.

One agreement
    The same state + agency (compared after normalising case, spaces and punctuation) +
    support model(s) + signed date, wherever it appears. Its fields come from the latest
    sheet that lists it. An agreement that is missing from a later sheet has ended: we
    record `ended` as the date of the first later sheet that lacks it. It ended on or before
    that date; we use the sheet date, since ICE publishes no termination dates. Agreements
    on the latest sheet are open, even if an earlier sheet skipped them.
    ICE also corrects agency names between sheets; a name that changes only in wording or
    spelling, with state, model and signed date unchanged, stays one agreement (see
    `merge_sheets`). The id, 287g-<state>-<agency>-<model>-<signed>, follows the latest name.

The governed jurisdiction (`geoid`), in this order
    1. a county named in the agency ("Escambia County Board of County Commissioners");
       in Virginia an "X County" that is really the independent city X gets that city;
    2. a sheriff: the county named before "Sheriff", else the sheet's COUNTY cell;
    3. a municipal department (police, public safety, constable, marshal): the
       incorporated Census place of that name in the state (places from the Census
       cartographic boundary zip of the state, attributes only). Townships and New England
       towns are not Census places;
    4. a state agency (TYPE "State Agency", or a name that starts with the state's name):
       the state;
    5. a county-typed agency whose name starts with a county's name ("Miami Dade
       Corrections"): that county;
    6. otherwise the county in the sheet's COUNTY cell, flagged approximate.
    Campuses, ports and airports, jail districts, regional and metro bodies and constables'
    wards get the smallest unit known to hold them (a place they are named for, else the
    COUNTY cell, else, for state bodies, the state) and are flagged approximate. Misspelt
    county names are corrected only to a single close match, and the basis says so.
    Nothing is dropped: an agreement with no match, an unknown model, or a signed date that is
    missing, unreadable or later than the sheet listing it is in the exceptions file with the
    reason, and does not become a Measure.

Cache (git-ignored; both files are replaced whole or not at all)
    <cache_dir>/agreements_287g.csv             every agreement, geoid empty when unmatched
    <cache_dir>/agreements_287g_exceptions.csv  the agreements that need a person's look

Modules
    sources      where sheets come from (page, URL, file, directory), download and dating
    sheets       reading one sheet: header detection, cell cleaning, signed dates, MOA links
    names        how agency, county and place names are compared
    agreements   the Agreement record, merging across sheets, renames and ids
    matching     agencies to county, place and state GEOIDs; Census place names
    measures     agreements as Measures
    cache        the cache CSVs, and what the app and `build` read from them
    build        `build_agreements` and its report
    coverage     `coverage_lines`
"""

from geodata.ice287g.agreements import MODELS, Agreement, merge_sheets
from geodata.ice287g.build import HOW_TO_GET, AgreementBuildReport, build_agreements
from geodata.ice287g.cache import (
    AGREEMENTS_FILE,
    EXCEPTIONS_FILE,
    CacheError,
    cached_agreement_measures,
    cached_agreements,
    places_needed_by_agreements,
    write_cache,
)
from geodata.ice287g.coverage import NOT_BUILT, coverage_lines
from geodata.ice287g.matching import CensusError, CensusPlaces, match_all
from geodata.ice287g.measures import agreement_measure
from geodata.ice287g.sheets import Sheet, SheetError, SheetRow, parse_date_text, read_sheet
from geodata.ice287g.sources import SHEETS_DIR, SourceError, sheet_date_from_name, sheet_link, sheet_paths

__all__ = [
    "AGREEMENTS_FILE",
    "EXCEPTIONS_FILE",
    "HOW_TO_GET",
    "MODELS",
    "NOT_BUILT",
    "SHEETS_DIR",
    "Agreement",
    "AgreementBuildReport",
    "CacheError",
    "CensusError",
    "CensusPlaces",
    "Sheet",
    "SheetError",
    "SheetRow",
    "SourceError",
    "agreement_measure",
    "build_agreements",
    "cached_agreement_measures",
    "cached_agreements",
    "coverage_lines",
    "match_all",
    "merge_sheets",
    "parse_date_text",
    "places_needed_by_agreements",
    "read_sheet",
    "sheet_date_from_name",
    "sheet_link",
    "sheet_paths",
    "write_cache",
]
