"""The interface's languages: complete catalogs, Babel dates and numbers, English fallback, and a Spanish
layer that every renderer draws alike (legend, CSV, PNG/SVG, the static edition's strings)."""

from __future__ import annotations

import csv
import io
import json
import re
import string
from pathlib import Path

import pytest

from dashboard.publish import render_layer, snapshot_csv
from dashboard.publish.site import site_strings
from dashboard.urlstate import ViewState, parse_params, to_params
from geodata.i18n import LANGUAGES, translator
from geodata.layers import CATEGORIES, build_layer
from geodata.messages import ROOT, SOURCE_DIRS, check, extract, read
from tests.conftest import day
from tests.test_publish import dataset, no_configured_credit, svg_text  # noqa: F401 -- fixtures

DAY = day("2025-08-05")
OTHER_LANGS = [code for code in LANGUAGES if code != "en"]


@pytest.fixture
def tables(request):
    """test_publish's tables, which put jurisdictions in every category of every view."""
    return request.getfixturevalue("dataset")


@pytest.fixture(scope="module")
def found():
    return extract()


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_msgid_has_a_translation_and_every_entry_a_msgid(found, lang):
    """The catalog check of the brief: run `python -m geodata.messages update LANG`, then translate."""
    assert len(found) > 200, "the extractor found too few msgids: are the tr()/N_() markers still there?"
    report = check(lang, found)
    assert not report.missing, f"msgids with no {lang} entry: {report.missing}"
    assert not report.unused, f"{lang} entries no msgid uses: {report.unused}"
    assert not report.untranslated, f"empty {lang} translations: {report.untranslated}"
    assert not report.fuzzy, f"fuzzy {lang} translations: {report.fuzzy}"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_translations_keep_the_placeholders_of_their_msgid(lang):
    for message in read(lang):
        if message.id and message.string:
            assert _fields(str(message.id)) == _fields(str(message.string)), message.id


def test_no_marker_hides_inside_an_f_string():
    """Python 3.11 tokenises an f-string whole: a tr("…") inside one is invisible to the extractor."""
    hidden = []
    pattern = re.compile(r"""\bf["'].*\{[^{}]*\b(?:tr|N_)\(\s*["']""")
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    hidden.append(f"{path.relative_to(ROOT)}:{number}")
    assert not hidden


def test_the_scripts_readers_see_hold_no_english_of_their_own():
    """Every word the map's scripts show comes in from Python (mapview.map_strings, site.site_strings)."""
    for name in ("site.js", "choropleth.js", "mapcore.js"):
        text = (ROOT / "dashboard" / "assets" / name).read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        words = re.findall(r'"([A-Z][a-z]+(?: [a-z]+)+[^"]*)"', code)
        assert not words, f"{name}: {words}"


def test_babel_formats_dates_and_numbers_by_locale():
    es, en = translator("es"), translator("en")
    assert es.long_date(DAY) == "5 de agosto de 2025"
    assert en.long_date(DAY) == "August 5, 2025"
    assert es.number(1202) == "1.202"
    assert en.number(1202) == "1,202"


@pytest.mark.parametrize("lang", [None, "", "xx", "<script>alert(1)</script>", "ES ", "en"])
def test_an_unknown_language_is_english(lang):
    tr = translator(lang)
    assert (tr.lang, tr.problem) == (("es", "") if lang == "ES " else ("en", ""))


def test_a_missing_catalog_gives_english_and_says_so(tmp_path: Path):
    tr = translator("es", tmp_path)
    assert tr.lang == "en"
    assert "Español" in tr.problem and "English" in tr.problem
    assert tr("Limits cooperation") == "Limits cooperation"


def test_the_url_carries_the_language_and_a_hostile_one_falls_back(monkeypatch):
    state = parse_params({"lang": "es", "date": "2025-08-05", "level": "county", "view": "federal"}, DAY)
    assert state.lang == "es" and not state.notices
    assert to_params(state) == {"date": "2025-08-05", "level": "county", "view": "federal", "lang": "es"}
    assert "lang" not in to_params(ViewState(date=DAY))
    hostile = parse_params({"lang": "<script>alert(1)</script>", "level": "nowhere"}, DAY)
    assert hostile.lang == "en"
    assert any("Ignored lang" in n for n in hostile.notices)
    assert any(n.startswith("Ignored level") for n in hostile.notices)
    spanish = parse_params({"lang": "es", "level": "nowhere"}, DAY)
    assert spanish.notices == ("Se ignoró el nivel 'nowhere': use uno de estos: state, county, place.",)


def test_a_spanish_layer_speaks_spanish_and_keeps_its_codes(tables):
    data = tables
    english = build_layer(data, DAY, "state", "effective")
    spanish = build_layer(data, DAY, "state", "effective", lang="es")
    assert dict(spanish.category) == dict(english.category)
    assert [c.key for c in spanish.categories] == [c.key for c in english.categories]
    assert [c.label for c in spanish.categories] == [
        "Limita la cooperación", "Exige o amplía la cooperación", "Conflicto: rigen medidas que limitan y que exigen",
        "Sin medidas registradas",
    ]
    assert spanish.unit == "estados, DC y Puerto Rico al 5 de agosto de 2025"
    assert spanish.title() == "Políticas de cooperación con el control migratorio por estado"
    assert spanish.subtitle == "Al 5 de agosto de 2025"
    assert {c.key for c in CATEGORIES["effective"]} == set(spanish.counts())


def test_the_spanish_csv_has_spanish_words_beside_the_same_codes(tables):
    data = tables
    english = list(csv.DictReader(io.StringIO(snapshot_csv(build_layer(data, DAY, "state", "effective")).decode())))
    spanish = list(csv.DictReader(io.StringIO(
        snapshot_csv(build_layer(data, DAY, "state", "effective", lang="es")).decode())))
    assert [r["category"] for r in spanish] == [r["category"] for r in english]
    assert {r["category_label"] for r in spanish} <= {c.label for c in build_layer(
        data, DAY, "state", "effective", lang="es").categories}
    assert "Limita la cooperación" in {r["category_label"] for r in spanish}


def test_the_spanish_svg_has_a_spanish_title_legend_and_credit(tables):
    data = tables
    layer = build_layer(data, DAY, "state", "effective", lang="es")
    text = svg_text(render_layer(data, layer, formats=("svg",))["svg"])
    for words in ("Políticas de cooperación con el control migratorio por estado", "Al 5 de agosto de 2025",
                  "número de estados, DC y Puerto Rico", "Fuentes:", "Mapa:", "Limita la cooperación"):
        assert words in text
    for english in ("As of", "Sources:", "number of", "Limits cooperation"):
        assert english not in text
    assert not re.search(r"(?<!Cooperation )Map:", text)  # the project's name stays as it is


def test_the_static_editions_strings_are_complete_in_every_language():
    english = site_strings(translator("en"))
    for lang in OTHER_LANGS:
        strings = site_strings(translator(lang))
        assert set(strings) == set(english)
        assert all(strings[k] != english[k] for k in english if english[k] and k != "dataText" and
                   english[k] not in ("▶ Play",)), json.dumps(strings, ensure_ascii=False)


def test_a_missing_catalog_reaches_the_page_as_a_notice(monkeypatch, tmp_path: Path):
    import dashboard.urlstate as urlstate

    monkeypatch.setattr(urlstate, "translator", lambda lang: translator(lang, tmp_path))
    state = parse_params({"lang": "es", "date": "2025-08-05"}, DAY)
    assert state.lang == "es"  # kept in the URL: the catalog may be back on the next visit
    assert any("could not be read" in n and "English" in n for n in state.notices)
