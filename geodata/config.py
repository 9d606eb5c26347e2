"""Where the project's data comes from and goes to, from environment variables.

GEODATA_CENSUS_SOURCE  https base URL or local directory holding cb_<year>_<fips>_place_500k.zip
                       (default: the Census Bureau's GENZ<year>/shp/ directory)
GEODATA_CENSUS_YEAR    edition of the cartographic boundary files (default 2023)
GEODATA_ICE287G_SOURCE https URL of an xlsx sheet, a local xlsx file, or a directory of sheets
                       (default: the current sheet linked from ICE's 287(g) page)
GEODATA_CACHE_DIR      where built layers go (default: geodata/cache, git-ignored)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CENSUS_YEAR = 2023
CENSUS_URL_TEMPLATE = "https://www2.census.gov/geo/tiger/GENZ{year}/shp/"
ICE_287G_PAGE = "https://www.ice.gov/identify-and-arrest/287g"
DEFAULT_CACHE_DIR = Path(__file__).parent / "cache"


@dataclass(frozen=True)
class Settings:
    census_source: str
    census_year: int
    ice_287g_source: str
    cache_dir: Path


def settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    year_text = env.get("GEODATA_CENSUS_YEAR", "").strip()
    year = int(year_text) if year_text.isdigit() else DEFAULT_CENSUS_YEAR
    source = env.get("GEODATA_CENSUS_SOURCE", "").strip() or CENSUS_URL_TEMPLATE.format(year=year)
    cache = env.get("GEODATA_CACHE_DIR", "").strip()
    return Settings(
        census_source=source,
        census_year=year,
        ice_287g_source=env.get("GEODATA_ICE287G_SOURCE", "").strip() or ICE_287G_PAGE,
        cache_dir=Path(cache) if cache else DEFAULT_CACHE_DIR,
    )
