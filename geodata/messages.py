"""The interface's msgids, found in the source, and the catalogs kept in step with them.

    python -m geodata.messages            # how many msgids, and what each catalog lacks or no longer uses
    python -m geodata.messages update es  # add the new msgids to es's catalog (empty), drop the unused ones

A msgid is the English text of a `tr("...")` or `N_("...")` call (see `geodata.i18n`), found by
`babel.messages.extract` in geodata/ and dashboard/. tests/test_i18n.py fails while a catalog
lacks a msgid, holds one nobody uses, or has a fuzzy or empty translation.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from geodata.i18n import DEFAULT, LANGUAGES, LOCALE_DIR, catalog_path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS: tuple[str, ...] = ("geodata", "dashboard")
#: the markers of geodata.i18n: a Translator called as `tr(...)`, and `N_(...)` for tables
KEYWORDS = {"tr": None, "N_": None}
METHOD_MAP = [("**.py", "python")]


@dataclass(frozen=True)
class Found:
    """One msgid and where it is used (file:line), for a report."""

    msgid: str
    where: tuple[str, ...]


def extract(root: Path = ROOT) -> dict[str, Found]:
    """Every msgid in the source, with the places it is used."""
    found: dict[str, list[str]] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            root / folder, METHOD_MAP, keywords=KEYWORDS, comment_tags=(), strip_comment_tags=True
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"{folder}/{filename}:{lineno}")
    return {m: Found(m, tuple(w)) for m, w in found.items()}


def read(lang: str, locale_dir: Path = LOCALE_DIR) -> Catalog:
    with catalog_path(lang, locale_dir).open("rb") as handle:
        return read_po(handle, locale=lang)


@dataclass(frozen=True)
class Report:
    missing: tuple[str, ...]
    unused: tuple[str, ...]
    untranslated: tuple[str, ...]
    fuzzy: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unused or self.untranslated or self.fuzzy)


def check(lang: str, found: dict[str, Found] | None = None, locale_dir: Path = LOCALE_DIR) -> Report:
    """What `lang`'s catalog lacks, no longer needs, leaves empty or marks fuzzy."""
    found = extract() if found is None else found
    catalog = read(lang, locale_dir)
    entries = {str(m.id): m for m in catalog if m.id}
    return Report(
        missing=tuple(sorted(set(found) - set(entries))),
        unused=tuple(sorted(set(entries) - set(found))),
        untranslated=tuple(sorted(k for k, m in entries.items() if k in found and not m.string)),
        fuzzy=tuple(sorted(k for k, m in entries.items() if m.fuzzy)),
    )


def update(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Bring `lang`'s catalog in step with the source: new msgids empty, unused ones dropped."""
    found = extract()
    path = catalog_path(lang, locale_dir)
    old = read(lang, locale_dir) if path.exists() else Catalog(locale=lang)
    kept = {str(m.id): m.string for m in old if m.id}
    # The header's dates are kept from the old catalog, so an update that changes no msgid changes no byte.
    catalog = Catalog(locale=lang, project="cooperation-map", version="0.1.0", charset="utf-8", fuzzy=False,
                      copyright_holder="the cooperation-map contributors", last_translator="cooperation-map",
                      language_team=f"{LANGUAGES.get(lang, lang)} <none>", msgid_bugs_address="none",
                      creation_date=old.creation_date, revision_date=old.revision_date)
    for msgid in sorted(found):
        # No locations: line numbers would churn the catalog on every edit; `python -m geodata.messages` finds them.
        catalog.add(msgid, kept.get(msgid, ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=116, sort_output=True, omit_header=False)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["update"]:
        for lang in argv[1:] or [code for code in LANGUAGES if code != DEFAULT]:
            print(update(lang))
        return 0
    found = extract()
    print(f"{len(found)} msgids in {', '.join(SOURCE_DIRS)}")
    bad = 0
    for lang in (code for code in LANGUAGES if code != DEFAULT):
        report = check(lang, found)
        for what in ("missing", "unused", "untranslated", "fuzzy"):
            for msgid in getattr(report, what):
                bad += 1
                print(f"{lang}: {what}: {msgid!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
