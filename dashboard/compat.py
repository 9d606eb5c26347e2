"""The private corners of streamlit and streamlit-folium this app relies on, in one place.

Each is an internal API that a release may move; when one breaks, this module is the only fix.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any


def is_own_fragment_run() -> bool:
    """Whether this run was started for the fragment being drawn (by its timer or its own widgets), not by
    the page or by a fragment around it."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

    ctx = get_script_run_ctx()
    drawing = ThreadState.get().fragment_id
    return bool(ctx and drawing and drawing in (ctx.fragment_ids_this_run or ()))


def feature_group_script(layer: object, fmap: object) -> str:
    """The JavaScript streamlit-folium sends for a `feature_group_to_add` (used by tests)."""
    from streamlit_folium import _get_feature_group_string

    return _get_feature_group_string(layer, fmap)


# --- streamlit-folium, with the base map worked out once --------------------------------------------
# st_folium builds and renders the whole folium map on every run (a uuid per element, Jinja, regexes:
# ~10% of the server's time with 50 readers stepping at once), though only the step's feature group
# differs from one run to the next. So the arguments st_folium would send are recorded once per base
# map, and each run sends them with its own payload in the recorded feature group.

_STEP_PLACEHOLDER = {"__cm_step__": "__CM_STEP_PAYLOAD__"}
_recorded: dict[Hashable, dict[str, Any]] = {}
_record_lock = threading.Lock()


def _component() -> Callable[..., Any]:
    import streamlit_folium

    return _COMPONENT.setdefault("func", streamlit_folium._component_func)


_COMPONENT: dict[str, Callable[..., Any]] = {}


def _record(fmap: Any, key: str, returned_objects: Sequence[str]) -> dict[str, Any]:
    """What st_folium passes to its component for this map, with the placeholder step."""
    import streamlit_folium

    from dashboard.mapview import step_layer

    component = _component()
    captured: dict[str, Any] = {}
    streamlit_folium._component_func = lambda **kwargs: captured.update(kwargs)
    try:
        streamlit_folium.st_folium(fmap, key=key, returned_objects=list(returned_objects), use_container_width=True,
                                   feature_group_to_add=step_layer(_STEP_PLACEHOLDER), render=False)
    finally:
        streamlit_folium._component_func = component
    if not captured:
        raise RuntimeError("streamlit_folium.st_folium did not call its component")
    return captured


def folium_map(
    base_key: Hashable, build: Callable[[], Any], payload: Mapping[str, object], *, key: str, height: int,
    returned_objects: Sequence[str], center: tuple[float, float], zoom: float,
) -> Any:
    """`st_folium(build(), key=..., feature_group_to_add=step_layer(payload), use_container_width=True, ...)`,
    building and rendering the base map only the first time `base_key` is seen (in this process)."""
    from dashboard.mapview import script_json

    cache_key = (base_key, key, tuple(returned_objects))
    recorded = _recorded.get(cache_key)
    if recorded is None:
        with _record_lock:
            recorded = _recorded.get(cache_key)
            if recorded is None:
                recorded = _record(build(), key, returned_objects)
                if len(_recorded) >= 64:
                    _recorded.clear()
                _recorded[cache_key] = recorded
    placeholder = script_json(_STEP_PLACEHOLDER)
    feature_group = recorded["feature_group"].replace(placeholder, script_json(payload))
    return _component()(**{**recorded, "feature_group": feature_group, "height": height, "center": center,
                           "zoom": zoom})
