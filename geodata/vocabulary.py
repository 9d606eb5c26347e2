"""The controlled vocabulary of the policy tables, with plain-language labels.

docs/methodology.md defines each term; keep the two in step. What the map's categories are
called is decided in geodata/layers.py, not here.
"""

from __future__ import annotations

from types import MappingProxyType

LEVELS = ("state", "county", "place")
#: GEOID length for each level.
GEOID_LENGTH = MappingProxyType({"state": 2, "county": 5, "place": 7})

INSTRUMENTS = MappingProxyType(
    {
        "statute": "Statute",
        "ordinance": "Ordinance",
        "resolution": "Resolution",
        "executive_order": "Executive order",
        "directive": "Directive",
        "court_ruling": "Court ruling",
        "agreement": "Agreement",
        "policy": "Policy",
    }
)

DIRECTIONS = MappingProxyType(
    {
        "limits": "Limits cooperation with immigration enforcement",
        "requires": "Requires or expands cooperation with immigration enforcement",
    }
)

#: provision tag -> (direction, plain-language description)
PROVISIONS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "detainer_limits": ("limits", "Limits holding people on ICE detainer requests"),
        "info_sharing_limits": ("limits", "Limits sharing personal data or release dates with ICE"),
        "no_ice_facility_access": ("limits", "Limits ICE access to jails and people in custody"),
        "no_status_inquiry": ("limits", "Bars officials from asking about immigration status"),
        "no_local_resources": ("limits", "Bars using local money, staff or property for enforcement"),
        "no_287g": ("limits", "Bars or ends 287(g) agreements"),
        "no_detention_contracts": ("limits", "Bars contracts to hold people in immigration detention"),
        "courthouse_protections": ("limits", "Bars civil immigration arrests at courthouses"),
        "school_protections": ("limits", "Protects students and school records"),
        "sensitive_locations": ("limits", "Protects hospitals, shelters and other public places"),
        "honor_detainers": ("requires", "Requires honoring ICE detainer requests"),
        "sanctuary_ban": ("requires", "Bans local sanctuary policies"),
        "mandates_287g": ("requires", "Requires 287(g) agreements with ICE"),
        "officials_penalties": ("requires", "Penalizes officials who limit cooperation"),
        "funding_penalties": ("requires", "Withholds funds from non-cooperating localities"),
        "status_inquiry": ("requires", "Requires or allows immigration-status checks by police"),
        "info_sharing_required": ("requires", "Bars limits on sharing immigration-status data"),
        "transport_detainees": ("requires", "Has local agencies transport people to federal custody"),
        "state_immigration_crime": ("requires", "Creates state immigration crimes"),
        "agreement_287g": ("requires", "287(g) agreement with ICE"),
        "jail_enforcement_model": ("requires", "287(g) jail enforcement model"),
        "task_force_model": ("requires", "287(g) task force model"),
        "warrant_service_officer": ("requires", "287(g) warrant service officer model"),
    }
)

FEDERAL_LISTS = MappingProxyType(
    {
        "dhs-2025-05": "DHS list of sanctuary jurisdictions (2025-05-29)",
        "doj-2025-08": "DOJ list of sanctuary jurisdictions (2025-08-05)",
    }
)


def level_of(geoid: str) -> str | None:
    """The level a well-formed GEOID belongs to, or None."""
    if not geoid.isascii() or not geoid.isdigit():
        return None
    for level, length in GEOID_LENGTH.items():
        if len(geoid) == length:
            return level
    return None

#: Kinds of federal-list entries that no Census geography the map draws can hold, and how each is drawn.
UNPLACED_KINDS = MappingProxyType(
    {
        "new_england_town": "a New England town, which the Census Bureau counts as a county subdivision, "
        "not a place; the map draws no towns, so it is listed here and not drawn",
        "nj_township": "a New Jersey township, which the Census Bureau counts as a county subdivision, "
        "not a place; the map draws no townships, so it is listed here and not drawn",
    }
)
