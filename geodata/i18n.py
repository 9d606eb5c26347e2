"""The interface's languages: message catalogs, and dates and numbers in the reader's locale.

Every string a reader sees is written in English in the source, marked where it is written:
`tr("...")` translates it now (a `Translator` is called with a msgid and optional fields),
`N_("...")` marks it for translation later (label tables built at import time, such as
`geodata.layers.CATEGORIES`). tests/test_i18n.py extracts both markers with
`babel.messages.extract` and fails when a msgid has no Spanish entry, or an entry no msgid.

The catalogs are gettext .po files (geodata/locale/<lang>/LC_MESSAGES/messages.po), read with
Babel's `read_po` on first use: nothing to compile, so a fresh clone just works, and no stale .mo
can disagree with its .po. Data text (measure titles, notes, evidence) is never translated.

An unknown language code falls back to English; a known one whose catalog cannot be read does too,
and `Translator.problem` says why, for a notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

DEFAULT = "en"
#: the languages the interface is offered in, each named in its own words (never translated)
LANGUAGES: Mapping[str, str] = MappingProxyType({"en": "English", "es": "Español"})
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark `message` for translation where it is defined; it is translated where it is shown."""
    return message


def catalog_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Translator:
    """One language's messages, and its locale's dates and numbers."""

    lang: str = DEFAULT
    messages: Mapping[str, str] = field(default_factory=dict)
    #: why the requested language is not in use (no catalog, unreadable), for a notice; "" when it is
    problem: str = ""

    def __call__(self, message: str, /, **fields: object) -> str:
        """`message` in this language, with `fields` filled in (str.format) when given."""
        text = self.messages.get(message) or message
        return text.format(**fields) if fields else text

    def long_date(self, day: dt.date) -> str:
        """'August 5, 2025', '5 de agosto de 2025'."""
        return _date(day, "long", self.lang)

    def medium_date(self, day: dt.date) -> str:
        """'Aug 5, 2025', '5 ago 2025'."""
        return _date(day, "medium", self.lang)

    def month(self, day: dt.date) -> str:
        """'Aug 2025', 'ago 2025': a month on the timeline."""
        return _date(day, "MMM y", self.lang)

    def number(self, value: int) -> str:
        """'1,202', '1.202'."""
        return _number(value, self.lang)


# Babel takes about 35 µs a date: the slider labels its ~570 months on every rerun, so the few
# thousand dates and counts a page shows are formatted once per process.
@lru_cache(maxsize=16384)
def _date(day: dt.date, pattern: str, lang: str) -> str:
    return format_date(day, format=pattern, locale=lang)


@lru_cache(maxsize=16384)
def _number(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


ENGLISH = Translator()


def parse_lang(value: object) -> str | None:
    """A supported language code from a URL or a command line, or None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower()
    return code if code in LANGUAGES else None


def read_catalog(lang: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """msgid -> translation for every translated, non-fuzzy entry of a language's catalog."""
    with catalog_path(lang, locale_dir).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy
    }


@lru_cache(maxsize=8)
def _translator(lang: str, locale_dir: Path) -> Translator:
    if lang == DEFAULT:
        return ENGLISH
    try:
        return Translator(lang, MappingProxyType(read_catalog(lang, locale_dir)))
    except (OSError, ValueError) as error:
        # English rather than a broken page; the notice says what is missing.
        return Translator(DEFAULT, problem=f"The {LANGUAGES[lang]} catalog could not be read ({error}): "
                                           "the page is shown in English.")


def translator(lang: str | None, locale_dir: Path = LOCALE_DIR) -> Translator:
    """The translator for `lang`: English for None or an unknown code."""
    code = parse_lang(lang) or DEFAULT
    return _translator(code, locale_dir)
