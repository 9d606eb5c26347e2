"""Rebuild the committed state and county boundary artifact.

The artifact (`geodata/data/us-atlas-counties-2017.topo.json`) is the npm package
`us-atlas@3.0.1` (the Census Bureau's 2017 cartographic boundary files, 1:10m, as
quantized TopoJSON) trimmed to the 50 states, DC and Puerto Rico (with its 78
municipios, its county equivalents): `geodata.fips.STATES`.  The other territories
are dropped so that they can never wreck the national extent; Puerto Rico is drawn
in an inset (`dashboard.publish.projection.INSETS`).

We use the 2017 edition on purpose: Connecticut still has its eight historic
counties there.  The Census Bureau replaced them with nine planning regions from
the 2022 edition on.  Connecticut abolished county government in 1960, so no
county-level policy exists there; keeping the historic counties lets state-level
measures colour a familiar map, and no county row in the tables can refer to a
planning region by accident.

Run `python -m geodata.atlas` (needs `npm`) to rebuild it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from geodata.fips import STATES

ATLAS_PACKAGE = "us-atlas@3.0.1"
ARTIFACT = Path(__file__).parent / "data" / "us-atlas-counties-2017.topo.json"


def _arc_indices(arcs: Any) -> set[int]:
    """All arc indices used by a geometry's nested arc lists (negative = reversed)."""
    found: set[int] = set()
    stack = [arcs]
    while stack:
        item = stack.pop()
        if isinstance(item, int):
            found.add(item if item >= 0 else ~item)
        else:
            stack.extend(item)
    return found


def _remap(arcs: Any, mapping: dict[int, int]) -> Any:
    if isinstance(arcs, int):
        return mapping[arcs] if arcs >= 0 else ~mapping[~arcs]
    return [_remap(a, mapping) for a in arcs]


def trim_topology(topology: dict[str, Any], keep_state_fips: set[str]) -> dict[str, Any]:
    """Keep only geometries of the given states, and only the arcs they use."""
    objects: dict[str, Any] = {}
    for name in ("states", "counties"):
        geometries = [
            g for g in topology["objects"][name]["geometries"] if g["id"][:2] in keep_state_fips
        ]
        objects[name] = {"type": "GeometryCollection", "geometries": geometries}
    used = sorted(
        set().union(*(_arc_indices(g["arcs"]) for o in objects.values() for g in o["geometries"]))
    )
    mapping = {old: new for new, old in enumerate(used)}
    for obj in objects.values():
        for geometry in obj["geometries"]:
            geometry["arcs"] = _remap(geometry["arcs"], mapping)
    return {
        "type": "Topology",
        "bbox": topology.get("bbox"),
        "transform": topology["transform"],
        "objects": objects,
        "arcs": [topology["arcs"][i] for i in used],
    }


def rebuild(dest: Path = ARTIFACT) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "install", "--no-save", "--prefix", tmp, ATLAS_PACKAGE],
            check=True,
            capture_output=True,
        )
        source = Path(tmp) / "node_modules" / "us-atlas" / "counties-10m.json"
        topology = json.loads(source.read_text(encoding="utf-8"))
    trimmed = trim_topology(topology, set(STATES))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp_dest = dest.with_suffix(".tmp")
    tmp_dest.write_text(json.dumps(trimmed, separators=(",", ":")), encoding="utf-8")
    tmp_dest.replace(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ARTIFACT)
    args = parser.parse_args(argv)
    path = rebuild(args.out)
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
