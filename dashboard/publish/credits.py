"""Who published a map and where to find it again: the credit block under an image, and links.

A link is printed on an image only when a reader elsewhere can follow it: an http(s) URL whose host
is not this machine. The app's own address is such a link only when GEODATA_PUBLIC_URL says so:
without it, images carry no link at all rather than `http://localhost:8501/…`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from dashboard.urlstate import ViewState, to_params
from geodata.config import PROJECT_NAME, Settings, is_local_host, settings
from geodata.i18n import N_
from geodata.layers import Layer

POINTS_CREDIT = N_("city locations: GeoNames")
BOUNDARIES_CREDIT = N_("Census Bureau boundaries")
#: longer than this, a link would take several lines of the credit block (a title in it is capped)
MAX_LINK = 400


@dataclass(frozen=True)
class Credit:
    """The publisher named under a map, and the app's public base URL (None: print no link)."""

    publisher: str = PROJECT_NAME
    public_url: str | None = None

    @classmethod
    def configured(cls, config: Settings | None = None) -> Credit:
        """From GEODATA_PUBLISHER and GEODATA_PUBLIC_URL (or the given settings)."""
        config = config or settings()
        return cls(config.publisher, config.public_url)


def printable_link(link: str | None) -> str | None:
    """`link` if a reader elsewhere can follow it, else None: http(s), a host that is not this machine."""
    link = (link or "").strip()
    if not link or len(link) > MAX_LINK or not link.isprintable() or " " in link:
        return None
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host or is_local_host(host):
        return None
    return link


def permalink(base: str, state: ViewState) -> str:
    """The URL that reopens `state` in the app at `base` (never the embed-only page)."""
    return base + "?" + urlencode(to_params(replace(state, embed=False)))


def layer_permalink(base: str, layer: Layer) -> str:
    """The URL of the app's view that shows `layer`, under the project's own title.

    A custom title stays out of it: the link leads a reader to the view as the project titles it,
    and stays short enough for one line of print.
    """
    state = ViewState(date=layer.day, level=layer.level, view=layer.view, compare_to=layer.compare_to,
                      lang=layer.lang)
    return permalink(base, state)


def image_link(credit: Credit, layer: Layer, permalink: str | None) -> str | None:
    """The link printed on an image: `permalink` if printable, else the layer's view at the public URL."""
    return printable_link(permalink) or (
        printable_link(layer_permalink(credit.public_url, layer)) if credit.public_url else None
    )


def sources_line(layer: Layer, drew_points: bool) -> str:
    """'Sources: Cooperation Map policy tables as of …; ICE sheet of …; Census Bureau boundaries.'"""
    tr = layer.tr
    as_of = layer.as_of
    # The project's name stays as it is: "Cooperation Map policy tables" reads "Cooperation Map: tablas…"
    lowered = as_of[:1].lower() + as_of[1:]
    parts = [tr("{project} {sources}", project=PROJECT_NAME, sources=lowered), tr(BOUNDARIES_CREDIT)]
    if drew_points:
        parts.append(tr(POINTS_CREDIT))
    return tr("Sources: {sources}.", sources="; ".join(parts))


def publisher_line(credit: Credit, link: str | None, layer: Layer | None = None) -> str:
    tr = layer.tr if layer else None
    line = tr("Map: {publisher}", publisher=credit.publisher) if tr else f"Map: {credit.publisher}"
    return line + (f" · {link}" if link else "")


def credit_lines(layer: Layer, credit: Credit, link: str | None, drew_points: bool) -> list[str]:
    """Under the map, first line on top: notices, what the categories mean, sources, publisher and link."""
    return [*layer.notices, layer.definition, sources_line(layer, drew_points), publisher_line(credit, link, layer)]
