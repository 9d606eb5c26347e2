"""State FIPS codes, names and postal abbreviations (50 states + DC), from the `us` package."""

from __future__ import annotations

from types import MappingProxyType

import us

_STATES = [*us.states.STATES, us.states.DC]

#: state FIPS -> state name, for the 50 states and DC.
STATES: MappingProxyType[str, str] = MappingProxyType(
    {s.fips: s.name for s in sorted(_STATES, key=lambda s: s.fips)}
)
#: state FIPS -> postal abbreviation.
ABBREVIATIONS: MappingProxyType[str, str] = MappingProxyType({s.fips: s.abbr for s in _STATES})


def state_fips(name_or_abbr: str) -> str | None:
    """FIPS of a state given its name, abbreviation or FIPS; None if unknown."""
    found = us.states.lookup(name_or_abbr.strip()) if name_or_abbr.strip() else None
    return found.fips if found is not None and found.fips in STATES else None
