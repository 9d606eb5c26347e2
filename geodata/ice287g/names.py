"""How agency, county and place names are compared: lower-case ASCII words, common
abbreviations expanded ("St." -> "saint"), kind words ignored for counties."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from types import MappingProxyType

from geodata.boundaries import normalize_name

_WORD_EXPANSIONS = MappingProxyType(
    {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort", "twp": "township"}
)


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words; apostrophes vanish so "Sheriff's" and "Sheriff’s" agree."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'")).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", ""))
    return tuple(_WORD_EXPANSIONS.get(word, word) for word in text.split())


def slug(text: str) -> str:
    return "-".join(words_of(text))


def county_key(text: str) -> str:
    """How a county name is compared: kind words ("County", "Parish") and spacing ignored."""
    return "".join(words_of(normalize_name(text)))


def place_key(words: Iterable[str]) -> str:
    return "".join(words)
