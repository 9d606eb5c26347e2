"""The Census fetcher against a local HTTP server: success, 404, truncation, timeout.

Nothing may be left half-written, and an earlier good copy must survive a failure.
"""

from __future__ import annotations

import io
import threading
import time
import typing
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from geodata.download import FetchError, fetch


def small_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "x" * 5000)
    return buffer.getvalue()


GOOD = small_zip()


class Handler(BaseHTTPRequestHandler):
    requests_seen: typing.ClassVar[list[str]] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        Handler.requests_seen.append(self.path)
        if self.path.endswith("/good.zip"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD)
        elif self.path.endswith("/truncated.zip"):
            # Claims the full length, sends half, then closes: a dropped connection.
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[: len(GOOD) // 2])
            self.close_connection = True
        elif self.path.endswith("/notzip.zip"):
            body = b"<html>Service unavailable</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.endswith("/slow.zip"):
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.requests_seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/files"
    httpd.shutdown()
    httpd.server_close()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_success(server, tmp_path):
    path = fetch("good.zip", server, tmp_path)
    assert path.read_bytes() == GOOD
    assert leftovers(tmp_path) == []


def test_404_fails_at_once_with_the_file_named(server, tmp_path):
    with pytest.raises(FetchError, match=r"missing\.zip: HTTP 404"):
        fetch("missing.zip", server, tmp_path, retries=3, backoff=0)
    assert len(Handler.requests_seen) == 1  # a 404 is not retried
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "message"), [("truncated.zip", "truncated|not a readable zip|Connection"),
                                               ("notzip.zip", "not a readable zip")])
def test_bad_downloads_keep_the_earlier_good_copy(server, tmp_path, name, message):
    good_copy = tmp_path / name
    good_copy.write_bytes(GOOD)
    with pytest.raises(FetchError, match=message):
        fetch(name, server, tmp_path, retries=2, backoff=0)
    assert good_copy.read_bytes() == GOOD
    assert leftovers(tmp_path) == []


def test_timeout_is_retried_then_reported(server, tmp_path):
    with pytest.raises(FetchError, match=r"slow\.zip: timed out after 0\.3 s"):
        fetch("slow.zip", server, tmp_path, retries=2, timeout=0.3, backoff=0)
    assert len(Handler.requests_seen) == 2
    assert leftovers(tmp_path) == []


def test_local_directory_source(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "good.zip").write_bytes(GOOD)
    (mirror / "broken.zip").write_bytes(GOOD[:100])
    dest = tmp_path / "cache"
    assert fetch("good.zip", str(mirror), dest).read_bytes() == GOOD
    with pytest.raises(FetchError, match=r"broken\.zip: not a readable zip"):
        fetch("broken.zip", str(mirror), dest)
    with pytest.raises(FetchError, match=r"absent\.zip: .* does not exist"):
        fetch("absent.zip", str(mirror), dest)
    assert sorted(p.name for p in dest.iterdir()) == ["good.zip"]


def test_an_unreachable_source_is_asked_once_not_once_per_state(tmp_path):
    from geodata.config import Settings
    from geodata.places import build_places

    settings = Settings("http://127.0.0.1:9/nowhere", 2015, "", tmp_path / "cache")
    report = build_places({"0644000", "1714000", "4805000"}, settings)
    assert not report.ok
    assert "ConnectionError" in report.failures[0]
    assert all("not tried, the source is unreachable" in f for f in report.failures[1:])
    assert not (tmp_path / "cache" / "places.geojson").exists()
