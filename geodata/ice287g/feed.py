"""The narrow seam through which 287(g) agreements join the dataset: measures plus sheet dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from geodata.ice287g.cache import CacheError, cached_agreement_measures, cached_agreements
from geodata.tables import Measure


@dataclass(frozen=True)
class AgreementFeed:
    measures: tuple[Measure, ...] = ()
    #: dates of the ICE sheets the agreements were read from, oldest first; () when none are built
    sheet_dates: tuple[dt.date, ...] = ()
    #: why a cache that exists could not be used, for a notice; "" when fine or absent
    problem: str = ""


def agreement_feed(cache_dir: Path) -> AgreementFeed:
    """What the build cache holds of ICE's sheets; an empty feed when nothing is built."""
    try:
        agreements = cached_agreements(cache_dir)
    except (CacheError, OSError, UnicodeDecodeError) as error:
        return AgreementFeed(problem=f"the 287(g) cache could not be read ({type(error).__name__})")
    sheets = sorted({day for a in agreements for day in a.seen_on})
    return AgreementFeed(cached_agreement_measures(cache_dir), tuple(sheets))
