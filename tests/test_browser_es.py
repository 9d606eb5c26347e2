"""The app in Spanish, in headless Chromium: no English interface words at any level and view, a switch that
keeps the rest of the URL, English for a hostile `lang`, and screenshots for a person to look at.

The English interface words are the catalog's msgids (those whose Spanish differs); the page's text is read
with every element marked `data-text` (measure titles, notes, evidence: the sources' own words) and every
code block (permalinks, the embed snippet) hidden.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from geodata.config import PROJECT_NAME
from geodata.messages import read
from tests.test_browser import CHROMIUM, OUTPUT, browser, map_frame, server  # noqa: F401 -- shared fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
pytest.importorskip("playwright.sync_api")

#: beside the other browser tests' screenshots (git-ignored): a person looks at them, nobody commits them
SHOTS = OUTPUT
SELECTED = {"state": "06", "county": "06037", "place": "0644000"}
VIEWS = ("own", "effective", "federal", "287g")
#: too short or too common to tell English from a name ("District of Columbia")
GENERIC = frozenset({"of", "as of"})


def english_fragments() -> list[str]:
    """The English text of every msgid whose Spanish differs, cut at its {fields}."""
    found = set()
    for message in read("es"):
        if not message.id or message.string == message.id:
            continue
        for literal, _name, _spec, _conv in string.Formatter().parse(str(message.id)):
            fragment = literal.strip(" .,:;()[]*↓#“”")
            if fragment and re.search(r"[A-Za-z]{3}", fragment) and fragment not in GENERIC:
                found.add(fragment)
    return sorted(found, key=len, reverse=True)


FRAGMENTS = english_fragments()

VISIBLE_TEXT = """() => {
  for (const el of document.querySelectorAll('[data-text], pre, code')) el.style.display = 'none';
  const text = document.body.innerText;
  for (const el of document.querySelectorAll('[data-text], pre, code')) el.style.display = '';
  return text;
}"""


def english_in(text: str) -> list[str]:
    text = text.replace(PROJECT_NAME, "")
    return [f for f in FRAGMENTS if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)]


def visible_text(page) -> str:
    # innerText leaves out what is not rendered: hide the data text and code, read, restore.
    return page.evaluate(VISIBLE_TEXT)


def settle(page, words: str, timeout: float = 60_000) -> None:
    page.get_by_text(words).first.wait_for(timeout=timeout)
    page.wait_for_timeout(1000)  # the charts and the details panel come after the legend


@pytest.mark.parametrize("level", list(SELECTED))
def test_spanish_at_every_level_and_view_has_no_english_interface_words(server, browser, level):  # noqa: F811
    assert len(FRAGMENTS) > 150
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    for view in VIEWS:
        page.goto(f"{server}/?lang=es&date=2025-08-05&level={level}&view={view}&j={SELECTED[level]}")
        map_frame(page)
        settle(page, "Publicar y compartir")
        page.get_by_text("Medidas vigentes").first.wait_for(timeout=30_000)
        found = english_in(visible_text(page))
        assert not found, f"{level}/{view}: English interface words on the Spanish page: {found}"
        frame = map_frame(page)
        assert frame.evaluate("document.querySelector('.cm-reset a').title") == "Mostrar todo el país"
    page.close()


def test_spanish_comparison_has_no_english_interface_words(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?lang=es&date=2025-08-05&level=state&view=effective&compare=2016-01-01")
    map_frame(page)
    settle(page, "Qué cambió del 1 de enero de 2016 al 5 de agosto de 2025")
    found = english_in(visible_text(page))
    assert not found, f"English interface words on the Spanish comparison: {found}"
    page.close()


def test_the_switch_keeps_the_rest_of_the_url_and_screenshots(server, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server}/?date=2025-08-05&level=county&view=federal&j=06037")
    map_frame(page)
    page.get_by_role("heading", name="Immigration-enforcement cooperation policy").wait_for(timeout=30_000)
    before = parse_qs(urlsplit(page.url).query)
    # The detector itself: on the English page it finds the interface words it looks for.
    assert len(english_in(visible_text(page))) > 20
    page.get_by_text("Español", exact=True).first.click()
    page.get_by_role("heading", name="Políticas de cooperación con el control migratorio").wait_for(timeout=30_000)
    page.wait_for_function("location.search.includes('lang=es')", timeout=20_000)
    after = parse_qs(urlsplit(page.url).query)
    assert after.pop("lang") == ["es"]
    assert after == before
    map_frame(page)
    settle(page, "Listas federales")
    page.screenshot(path=SHOTS / "app-es-1440x900.png")
    # And back: English again, the same view.
    page.get_by_text("English", exact=True).first.click()
    page.get_by_role("heading", name="Immigration-enforcement cooperation policy").wait_for(timeout=30_000)
    page.wait_for_function("!location.search.includes('lang=')", timeout=20_000)
    assert parse_qs(urlsplit(page.url).query) == before
    page.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    phone.goto(f"{server}/?lang=es&date=2025-08-05&level=county&view=effective")
    map_frame(phone)
    settle(phone, "Lo que rige aquí")
    # Visible, and not under Streamlit's header: the point at the label's centre is the label.
    box = phone.get_by_text("Español", exact=True).first.bounding_box()
    hit = phone.evaluate("([x, y]) => (document.elementFromPoint(x, y) || {}).textContent || ''",
                         [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert "Español" in hit
    phone.screenshot(path=SHOTS / "app-es-390x844.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    phone.close()


@pytest.mark.parametrize("lang", ["<script>alert(1)</script>", "xx"])
def test_a_hostile_or_unknown_language_is_english_with_a_notice(server, browser, lang):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?date=2025-08-05&level=state&lang={lang}")
    map_frame(page)
    page.get_by_role("heading", name="Immigration-enforcement cooperation policy").wait_for(timeout=30_000)
    page.get_by_text("Ignored lang").first.wait_for(timeout=30_000)
    assert page.evaluate("() => window.__pwned === undefined")
    assert not errors
    page.close()


def test_the_spanish_embed_and_methodology(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(f"{server}/?embed=true&lang=es&date=2025-08-05&level=state&view=effective")
    map_frame(page)
    settle(page, "límites de la Oficina del Censo")
    found = english_in(visible_text(page))
    assert not found, f"English interface words in the Spanish embed: {found}"
    page.goto(f"{server}/methodology?lang=es")
    page.get_by_role("heading", name="Metodología (resumen en español)").wait_for(timeout=30_000)
    page.get_by_text("29 de mayo de 2025").first.wait_for(timeout=10_000)
    page.close()
