"""Where the project's data comes from and goes to, and how it is credited, from environment variables.

GEODATA_CENSUS_SOURCE  https base URL or local directory holding cb_<year>_<fips>_place_500k.zip
                       (default: the Census Bureau's GENZ<year>/shp/ directory)
GEODATA_CENSUS_YEAR    edition of the cartographic boundary files (default 2023)
GEODATA_ICE287G_SOURCE https URL of an xlsx sheet, a local xlsx file, or a directory of sheets
                       (default: the current sheet linked from ICE's 287(g) page)
GEODATA_CACHE_DIR      where built layers go (default: geodata/cache, git-ignored)
GEODATA_PUBLIC_URL     the app's public https base URL, for the links printed on images and shared
                       (default: none, and then images print no link)
GEODATA_PUBLISHER      the publisher named in the images' credit (default: the project's name)

A value that cannot be used is ignored, and `Settings.ignored` says which and why.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_CENSUS_YEAR = 2023
CENSUS_URL_TEMPLATE = "https://www2.census.gov/geo/tiger/GENZ{year}/shp/"
ICE_287G_PAGE = "https://www.ice.gov/identify-and-arrest/287g"
DEFAULT_CACHE_DIR = Path(__file__).parent / "cache"
PROJECT_NAME = "Cooperation Map"
#: a longer name would crowd the credit line of a 1200x800 image
MAX_PUBLISHER = 80
MAX_PUBLIC_URL = 200


@dataclass(frozen=True)
class Settings:
    census_source: str
    census_year: int
    ice_287g_source: str
    cache_dir: Path
    #: the app's public https base URL (no query), or None when not configured
    public_url: str | None = None
    publisher: str = PROJECT_NAME
    #: environment values that were set but not used, each with the reason
    ignored: tuple[str, ...] = ()


def is_local_host(host: str | None) -> bool:
    """Whether `host` names this machine: localhost (and *.localhost), 127.0.0.0/8, ::1 or 0.0.0.0.

    Spellings a browser accepts for the same addresses count too: IPv4-mapped IPv6
    (::ffff:127.0.0.1), the unspecified IPv6 address (::), and short or numeric IPv4 (127.1, 2130706433).
    """
    name = (host or "").strip().strip("[]").rstrip(".").lower()
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = _numeric_ipv4(name)
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def _numeric_ipv4(name: str) -> ipaddress.IPv4Address | None:
    """127.1, 0x7f.1 or 2130706433: IPv4 in the forms inet_aton (and so a browser) also reads."""
    if not name or any(c not in "0123456789abcdefx." for c in name) or not name[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def is_local_url(url: str | None) -> bool:
    """Whether `url` points at this machine (see is_local_host)."""
    try:
        return is_local_host(urlsplit((url or "").strip()).hostname)
    except ValueError:
        return False


def public_base_url(text: str) -> str:
    """`text` as the app's public base URL (https, a host that is not this machine, no query or fragment).

    Raises ValueError saying what is wrong.
    """
    text = text.strip()
    if len(text) > MAX_PUBLIC_URL:
        raise ValueError(f"longer than {MAX_PUBLIC_URL} characters")
    if not text.isprintable() or " " in text:
        raise ValueError("contains spaces or control characters")
    try:
        parts = urlsplit(text)
        host, _ = parts.hostname, parts.port  # .port raises on a port that is not a number
    except ValueError as error:
        raise ValueError(f"not a URL ({error})") from None
    if parts.scheme.lower() != "https" or not host:
        raise ValueError("not an https:// URL with a host")
    if is_local_host(host):
        raise ValueError(f"{host} is this machine, not a public address")
    if parts.username or parts.password:
        raise ValueError("carries a user name or password")
    return urlunsplit(("https", parts.netloc.lower(), parts.path or "/", "", ""))


def publisher_name(text: str) -> str:
    """`text` as the publisher's name on one line; ValueError when it can't be printed as such."""
    name = " ".join(text.split())
    if not name:
        raise ValueError("empty")
    if len(name) > MAX_PUBLISHER:
        raise ValueError(f"longer than {MAX_PUBLISHER} characters")
    if not name.isprintable():
        raise ValueError("contains control or invisible formatting characters")
    return name


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    year_text = env.get("GEODATA_CENSUS_YEAR", "").strip()
    year = int(year_text) if year_text.isdigit() else DEFAULT_CENSUS_YEAR
    source = env.get("GEODATA_CENSUS_SOURCE", "").strip() or CENSUS_URL_TEMPLATE.format(year=year)
    cache = env.get("GEODATA_CACHE_DIR", "").strip()
    ignored: list[str] = []
    public_url = None
    if raw := env.get("GEODATA_PUBLIC_URL", "").strip():
        try:
            public_url = public_base_url(raw)
        except ValueError as error:
            ignored.append(f"GEODATA_PUBLIC_URL ignored: {error}; images print no link")
    publisher = PROJECT_NAME
    if raw := env.get("GEODATA_PUBLISHER", "").strip():
        try:
            publisher = publisher_name(raw)
        except ValueError as error:
            ignored.append(f"GEODATA_PUBLISHER ignored: {error}; the credit names {PROJECT_NAME}")
    return Settings(
        census_source=source,
        census_year=year,
        ice_287g_source=env.get("GEODATA_ICE287G_SOURCE", "").strip() or ICE_287G_PAGE,
        cache_dir=Path(cache) if cache else DEFAULT_CACHE_DIR,
        public_url=public_url,
        publisher=publisher,
        ignored=tuple(ignored),
    )
