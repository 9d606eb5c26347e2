"""Write geodata/policies.csv and geodata/designations.csv from reviewed/*.csv.

Drops the reviewer-only `evidence` column and sorts the rows.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent
GEODATA = HERE.parent / "geodata"
POLICY_COLUMNS = [
    "measure_id", "geoid", "jurisdiction", "title", "instrument", "direction", "provisions",
    "adopted", "effective", "ended", "end_reason", "source_url", "notes",
]
DESIGNATION_COLUMNS = ["geoid", "jurisdiction", "list", "listed_on", "removed_on", "source_url", "notes"]


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(source: Path) -> None:
    policies: list[dict[str, str]] = []
    designations: list[dict[str, str]] = []
    for path in sorted(source.glob("*.csv")):
        rows = read(path)
        if rows:
            (designations if "list" in rows[0] else policies).extend(rows)
    policies.sort(key=lambda r: (r["geoid"], r["effective"], r["measure_id"]))
    designations.sort(key=lambda r: (r["list"], r["geoid"]))
    write(GEODATA / "policies.csv", POLICY_COLUMNS, policies)
    write(GEODATA / "designations.csv", DESIGNATION_COLUMNS, designations)
    print(len(policies), "policies,", len(designations), "designations")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "reviewed")
