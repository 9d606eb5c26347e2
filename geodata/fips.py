"""The state-level jurisdictions: FIPS codes, names and postal abbreviations of the 50 states, DC and
Puerto Rico, from the `us` package.

Puerto Rico is a territory, not a state. The map draws and counts it at the state level, beside the
states and DC, with its municipios (county equivalents) at the county level; the legend says so
(`geodata.layers.LEVEL_WORDS`). The other territories (60, 66, 69, 78) are left out: the map has no
counties there, and the tables no measures.
"""

from __future__ import annotations

from types import MappingProxyType

import us

PUERTO_RICO = "72"
_STATES = [*us.states.STATES, us.states.DC, us.states.PR]

#: state FIPS -> name, for the 50 states, DC and Puerto Rico.
STATES: MappingProxyType[str, str] = MappingProxyType(
    {s.fips: s.name for s in sorted(_STATES, key=lambda s: s.fips)}
)
#: state FIPS -> postal abbreviation.
ABBREVIATIONS: MappingProxyType[str, str] = MappingProxyType({s.fips: s.abbr for s in _STATES})


def state_fips(name_or_abbr: str) -> str | None:
    """FIPS of a state (or DC or Puerto Rico) given its name, abbreviation or FIPS; None if unknown."""
    found = us.states.lookup(name_or_abbr.strip()) if name_or_abbr.strip() else None
    return found.fips if found is not None and found.fips in STATES else None
