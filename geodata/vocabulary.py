"""The controlled vocabulary of the policy tables, with plain-language labels.

docs/methodology.md defines each term; keep the two in step. What the map's categories are
called is decided in geodata/layers.py, not here. The labels are English msgids, marked with `N_`
and translated where they are shown (`geodata.i18n`).
"""

from __future__ import annotations

from types import MappingProxyType

from geodata.i18n import N_

LEVELS = ("state", "county", "place")
#: GEOID length for each level.
GEOID_LENGTH = MappingProxyType({"state": 2, "county": 5, "place": 7})

INSTRUMENTS = MappingProxyType(
    {
        "statute": N_("Statute"),
        "ordinance": N_("Ordinance"),
        "resolution": N_("Resolution"),
        "executive_order": N_("Executive order"),
        "directive": N_("Directive"),
        "court_ruling": N_("Court ruling"),
        "agreement": N_("Agreement"),
        "policy": N_("Policy"),
    }
)

DIRECTIONS = MappingProxyType(
    {
        "limits": N_("Limits cooperation with immigration enforcement"),
        "requires": N_("Requires or expands cooperation with immigration enforcement"),
    }
)

#: provision tag -> (direction, plain-language description)
PROVISIONS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "detainer_limits": ("limits", N_("Limits holding people on ICE detainer requests")),
        "info_sharing_limits": ("limits", N_("Limits sharing personal data or release dates with ICE")),
        "no_ice_facility_access": ("limits", N_("Limits ICE access to jails and people in custody")),
        "no_status_inquiry": ("limits", N_("Bars officials from asking about immigration status")),
        "no_local_resources": ("limits", N_("Bars using local money, staff or property for enforcement")),
        "no_287g": ("limits", N_("Bars or ends 287(g) agreements")),
        "no_detention_contracts": ("limits", N_("Bars contracts to hold people in immigration detention")),
        "courthouse_protections": ("limits", N_("Bars civil immigration arrests at courthouses")),
        "school_protections": ("limits", N_("Protects students and school records")),
        "sensitive_locations": ("limits", N_("Protects hospitals, shelters and other public places")),
        "honor_detainers": ("requires", N_("Requires honoring ICE detainer requests")),
        "sanctuary_ban": ("requires", N_("Bans local sanctuary policies")),
        "mandates_287g": ("requires", N_("Requires 287(g) agreements with ICE")),
        "officials_penalties": ("requires", N_("Penalizes officials who limit cooperation")),
        "funding_penalties": ("requires", N_("Withholds funds from non-cooperating localities")),
        "status_inquiry": ("requires", N_("Requires or allows immigration-status checks by police")),
        "info_sharing_required": ("requires", N_("Bars limits on sharing immigration-status data")),
        "transport_detainees": ("requires", N_("Has local agencies transport people to federal custody")),
        "state_immigration_crime": ("requires", N_("Creates state immigration crimes")),
        "agreement_287g": ("requires", N_("287(g) agreement with ICE")),
        "jail_enforcement_model": ("requires", N_("287(g) jail enforcement model")),
        "task_force_model": ("requires", N_("287(g) task force model")),
        "warrant_service_officer": ("requires", N_("287(g) warrant service officer model")),
    }
)

FEDERAL_LISTS = MappingProxyType(
    {
        "dhs-2025-05": N_("DHS list of sanctuary jurisdictions (2025-05-29)"),
        "doj-2025-08": N_("DOJ list of sanctuary jurisdictions (2025-08-05)"),
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
