"""Fetch a file from an https URL or a local mirror directory, safely.

A download goes to a temporary file beside its destination, is checked, and is
renamed into place only when whole; an earlier good copy is never touched by a
failed attempt.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import requests


class FetchError(Exception):
    """A file could not be fetched; the message says which and why."""


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FetchError(f"not a readable zip ({exc})") from exc
    if bad is not None:
        raise FetchError(f"zip member {bad} is corrupt")


def _check_xlsx(path: Path) -> None:
    # An xlsx file is a zip archive; checking the container catches truncation.
    _check_zip(path)


VALIDATORS: dict[str, Callable[[Path], None]] = {".zip": _check_zip, ".xlsx": _check_xlsx}


def _download(url: str, target: Path, timeout: float) -> None:
    with requests.get(url, stream=True, timeout=timeout) as response:
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code} from {url}")
        expected = response.headers.get("Content-Length")
        written = 0
        with open(target, "wb") as out:
            for chunk in response.iter_content(chunk_size=1 << 16):
                out.write(chunk)
                written += len(chunk)
        if expected is not None and expected.isdigit() and written != int(expected):
            raise FetchError(f"truncated download from {url}: {written} of {expected} bytes")


def fetch(
    name: str,
    source: str,
    dest_dir: Path,
    *,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
) -> Path:
    """Fetch `name` from `source` (https base URL or local directory) into `dest_dir`.

    Returns the path of the good copy. Raises FetchError naming the file and the cause.
    """
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / name
    validate = VALIDATORS.get(Path(name).suffix.lower(), lambda _path: None)
    remote = source.startswith(("https://", "http://"))
    origin = source.rstrip("/") + "/" + name if remote else str(Path(source) / name)
    last_error = "no attempt made"
    attempts = retries if remote else 1
    for attempt in range(1, attempts + 1):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if remote:
                _download(origin, tmp, timeout)
            else:
                if not Path(origin).is_file():
                    raise FetchError(f"{origin} does not exist")
                shutil.copyfile(origin, tmp)
            validate(tmp)
            tmp.replace(dest)
            return dest
        except FetchError as exc:
            last_error = str(exc)
        except requests.Timeout:
            last_error = f"timed out after {timeout:g} s fetching {origin}"
        except (requests.RequestException, OSError) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        finally:
            tmp.unlink(missing_ok=True)
        # 404s and bad files will not fix themselves; only retry network trouble.
        if "HTTP 4" in last_error or not remote:
            break
        if attempt < attempts:
            time.sleep(backoff * attempt)
    raise FetchError(f"{name}: {last_error}")
