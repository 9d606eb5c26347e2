"""Immigration-enforcement cooperation policy, on any date since 1979.

Run with `make run` (or `streamlit run dashboard/app.py`). Two pages: the map, and
About & methodology. With ?embed=true only the map page shows, without navigation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` does not add the repo root

from dashboard import language

tr = language.current()
# An emoji favicon is drawn locally; a ":material/…:" one is fetched from fonts.gstatic.com.
st.set_page_config(page_title=tr("Immigration-enforcement cooperation map"), page_icon="🗺️", layout="wide")

HERE = Path(__file__).parent
embedded = bool(st.context.is_embedded)
pages = [
    st.Page(HERE / "map_page.py", title=tr("Map"), icon=":material/map:", default=True),
    st.Page(
        HERE / "methodology_page.py", title=tr("About & methodology"), icon=":material/description:",
        url_path="methodology",
    ),
]
st.navigation(pages, position="hidden" if embedded else "top").run()
