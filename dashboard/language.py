"""The page's language: read from ?lang= once, kept in the session, switched by "English | Español".

The code lives under "lang" in st.session_state, apart from the switch's own widget key: Streamlit
forgets a widget's state on a page that does not draw it, and the language must survive a visit to
About & methodology and back.
"""

from __future__ import annotations

import streamlit as st

from geodata.i18n import DEFAULT, LANGUAGES, Translator, parse_lang, translator

__all__ = ["current", "switch", "translator"]

KEY = "lang"
SWITCH_KEY = "lang_switch"


def current() -> Translator:
    """The reader's translator: the session's language, else the URL's, else English."""
    state = st.session_state
    if KEY not in state:
        state[KEY] = parse_lang(st.query_params.get("lang")) or DEFAULT
    return translator(state[KEY])


def _switched() -> None:
    st.session_state[KEY] = st.session_state[SWITCH_KEY]


def switch() -> None:
    """The language switch: each language named in its own words, never translated."""
    tr = current()
    st.session_state[SWITCH_KEY] = tr.lang if tr.lang in LANGUAGES else DEFAULT
    st.radio(tr("Language"), list(LANGUAGES), key=SWITCH_KEY, format_func=LANGUAGES.get, horizontal=True,
             label_visibility="collapsed", on_change=_switched)
