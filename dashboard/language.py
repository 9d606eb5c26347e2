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
#: widgets whose options are shown in words (or month names) that change with the language
WORDED_WIDGETS = ("level", "view", "date", "compare_date", "play_step", "play_speed", "region", "embed_width")


def current() -> Translator:
    """The reader's translator: the session's language, else the URL's, else English."""
    state = st.session_state
    if KEY not in state:
        state[KEY] = parse_lang(st.query_params.get("lang")) or DEFAULT
    return translator(state[KEY])


def _switched() -> None:
    state = st.session_state
    state[KEY] = state[SWITCH_KEY]
    # Streamlit keeps a radio's or a select box's choice as its words: once they are translated, the
    # browser's old words match no option and the choice would be lost. Setting each value again
    # here, before the run, makes the session's value win over the browser's.
    for key in WORDED_WIDGETS:
        if key in state:
            state[key] = state[key]


def switch() -> None:
    """The language switch: each language named in its own words, never translated."""
    tr = current()
    st.session_state[SWITCH_KEY] = tr.lang if tr.lang in LANGUAGES else DEFAULT
    st.radio(tr("Language"), list(LANGUAGES), key=SWITCH_KEY, format_func=LANGUAGES.get, horizontal=True,
             label_visibility="collapsed", on_change=_switched)
