"""URL parameters: every one parsed, every bad one ignored with a notice, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.urlstate import ViewState, parse_params, to_params

TODAY = dt.date(2026, 11, 26)


def test_round_trip():
    state = ViewState(date=dt.date(2025, 1, 1), level="place", view="own", selected="0644000",
                      compare_to=dt.date(2017, 1, 1))
    assert parse_params(to_params(state), TODAY) == state
    assert to_params(state) == {"date": "2025-01-01", "level": "place", "view": "own", "j": "0644000",
                                "compare": "2017-01-01"}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"date": "2025-13-01"}, "Ignored date"),
        ({"date": "1900-01-01"}, "Ignored date"),
        ({"date": "2099-01-01"}, "Ignored date"),
        ({"date": "<script>alert(1)</script>"}, "Ignored date"),
        ({"level": "galaxy"}, "Ignored level"),
        ({"view": "'; DROP TABLE"}, "Ignored view"),
        ({"j": "99999"}, "no jurisdiction has that GEOID"),
        ({"j": "abc"}, "no jurisdiction has that GEOID"),
        ({"compare": "yesterday"}, "Ignored compare date"),
        ({"zoom": "12", "foo": "x" * 500}, "Ignored unknown parameter"),
    ],
)
def test_bad_parameters_become_notices(params, fragment):
    state = parse_params(params, TODAY, is_known_geoid=lambda g: g == "06")
    assert state.date == TODAY
    assert (state.level, state.view, state.selected) == ("state", "effective", None)
    assert any(fragment in n for n in state.notices), state.notices
    assert all(len(n) < 400 for n in state.notices)


def test_list_values_and_streamlit_params():
    state = parse_params({"level": ["county", "state"], "embed": "true", "embed_options": "x"}, TODAY)
    assert state.level == "county"
    assert state.embed
    assert state.notices == ()


def test_a_title_keeps_to_the_custom_title_rule():
    state = parse_params({"title": "Sheriffs and ICE, 2025"}, TODAY)
    assert state.title == "Sheriffs and ICE, 2025" and state.notices == ()
    assert to_params(state)["title"] == "Sheriffs and ICE, 2025"
    assert parse_params(to_params(state), TODAY) == state


@pytest.mark.parametrize(
    ("raw", "title", "fragment"),
    [
        ("<script>alert(1)</script>", "scriptalert(1)/script", "left out"),
        ("OFFICIAL ✅ 🚨 map", "OFFICIAL map", "left out"),
        ("map\u202eeulav\u200b", "mapeulav", "left out"),  # right-to-left override and zero-width space
        ("Z\u0351\u0359a\u0360lgo", "Zalgo", "left out"),  # stacked combining marks
        ("x" * 5000, "x" * 100, "cut to 100"),
        ("🚨", None, "left out"),
    ],
)
def test_a_title_is_capped_and_its_characters_restricted(raw, title, fragment):
    state = parse_params({"title": raw}, TODAY)
    assert state.title == title
    assert any(fragment in n for n in state.notices), state.notices
    assert all(len(n) < 400 for n in state.notices)


def test_a_title_set_on_the_page_is_cleaned_in_the_url():
    state = ViewState(date=dt.date(2025, 1, 1), title="  Laws\ncollide 🚨 ")
    assert to_params(state)["title"] == "Laws collide"
    assert "title" not in to_params(ViewState(date=dt.date(2025, 1, 1), title="🚨"))
