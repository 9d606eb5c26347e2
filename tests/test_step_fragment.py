"""A slider step reruns only the part of the page that follows the date (one `st.fragment`), not the page.

Spoken over Streamlit's own websocket protocol, as bench/loadtest.py's readers speak it: the page is
opened once, then the date slider is moved, and what the server sends back is read.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.loadtest import Reader, open_stream
from tests.devserver import serve


class RecordingReader(Reader):
    """A Reader that keeps every message of the current run."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.messages: list[ForwardMsg] = []

    async def next_message(self, deadline: float) -> ForwardMsg:
        msg = await super().next_message(deadline)
        self.messages.append(msg)
        return msg


def texts(messages: list[ForwardMsg], kind: str) -> list[str]:
    found = []
    for msg in messages:
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == kind:
                found.append(getattr(element, kind).body)
    return found


async def open_and_step(base_url: str) -> tuple[list[ForwardMsg], list[ForwardMsg]]:
    async with open_stream(base_url) as ws:
        reader = RecordingReader(ws, base_url)
        slider = await reader.open_page()
        page = reader.messages
        assert slider.fragment_id, "the date slider is drawn outside any fragment"
        reader.messages = []
        await reader.step()
        return page, reader.messages


@pytest.fixture(scope="module")
def page_and_step():
    with serve("dashboard/app.py", dict(os.environ)) as url:
        yield asyncio.run(open_and_step(url))


def test_a_slider_step_is_a_fragment_run(page_and_step):
    _page, step = page_and_step
    finished = [m.script_finished for m in step if m.WhichOneof("type") == "script_finished"]
    assert finished[-1] == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


def test_a_slider_step_leaves_the_header_alone_and_redraws_the_map(page_and_step):
    page, step = page_and_step
    assert any("Immigration-enforcement cooperation policy" in t for t in texts(page, "heading"))
    assert not any("Immigration-enforcement cooperation policy" in t for t in texts(step, "heading"))
    drawn = [m.delta.new_element.WhichOneof("type") for m in step
             if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element"]
    assert "component_instance" in drawn  # the map, restyled with the new date's categories
    assert "slider" in drawn
    assert "vega_lite_chart" in drawn  # the chart's date marker follows the slider
