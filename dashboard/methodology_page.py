"""About & methodology: docs/methodology.md (or, in Spanish, the public summary docs/metodologia.es.md),
with the date of the last data update."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import streamlit as st

from dashboard import language

REPO = Path(__file__).resolve().parents[1]
METHODOLOGY = REPO / "docs" / "methodology.md"
#: the methodology for readers of each language other than English: a summary, not the developer sections
SUMMARIES = {"es": REPO / "docs" / "metodologia.es.md"}
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


def methodology_text(lang: str) -> str:
    """The methodology in `lang` where there is a summary in it, else the English one."""
    summary = SUMMARIES.get(lang)
    if summary is not None and summary.exists():
        return summary.read_text(encoding="utf-8")
    return METHODOLOGY.read_text(encoding="utf-8")


tr = language.current()
with st.container(key="langbar"):
    language.switch()
if tr.lang != "en":
    st.query_params["lang"] = tr.lang
elif "lang" in st.query_params:
    del st.query_params["lang"]
st.title(tr("About & methodology"))
updated = last_data_update()
st.caption(tr("Policy tables last updated: {day}", day=tr.long_date(dt.date.fromisoformat(updated))))
st.markdown(methodology_text(tr.lang))
