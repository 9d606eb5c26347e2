"""The private corners of streamlit and streamlit-folium this app relies on, in one place.

Each is an internal API that a release may move; when one breaks, this module is the only fix.
"""

from __future__ import annotations


def is_fragment_run() -> bool:
    """Whether this script run was started by a fragment (its timer or its widgets), not the page."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


def feature_group_script(layer: object, fmap: object) -> str:
    """The JavaScript streamlit-folium sends for a `feature_group_to_add` (used by tests)."""
    from streamlit_folium import _get_feature_group_string

    return _get_feature_group_string(layer, fmap)
