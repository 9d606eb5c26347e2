"""About & methodology: docs/methodology.md, with the date of the last data update."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import streamlit as st

REPO = Path(__file__).resolve().parents[1]
METHODOLOGY = REPO / "docs" / "methodology.md"
TABLES = (REPO / "geodata" / "policies.csv", REPO / "geodata" / "designations.csv")


@st.cache_data
def last_data_update() -> str:
    """The date the policy tables last changed: from git when available, else the files."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", *map(str, TABLES)],
            cwd=REPO, capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    newest = max(t.stat().st_mtime for t in TABLES if t.exists())
    return dt.date.fromtimestamp(newest).isoformat()


st.title("About & methodology")
st.caption(f"Policy tables last updated: {last_data_update()}")
st.markdown(METHODOLOGY.read_text(encoding="utf-8"))
