"""Fetch a file from an https URL or a local mirror directory, safely.

A download goes to a temporary file beside its destination (a unique name, see
`geodata.files.atomic_path`), is checked, and is renamed into place only when whole;
an earlier good copy is never touched by a failed attempt.

Checks: the container (a zip or xlsx must open and pass its CRCs) and, when the source
directory has a `SHA256SUMS` file (`sha256sum` format) listing the file, its checksum.
A remote source without one is fine: most servers, the Census Bureau's among them, have none.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path

import requests

from geodata.files import CacheNotWritable, atomic_path, ensure_writable_dir

CHECKSUMS_FILE = "SHA256SUMS"
_CHECKSUM_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


class FetchError(Exception):
    """A file could not be fetched; the message says which and why."""


class SourceUnreachable(FetchError):
    """The source did not answer at all (no connection, no DNS, timed out): other files from it
    would fail the same way, so callers need not try them."""


class ChecksumMismatch(FetchError):
    """The file's SHA-256 differs from the one its source's SHA256SUMS lists."""


class _HTTPStatus(FetchError):
    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status} from {url}")
        self.status = status


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


def parse_checksums(text: str) -> dict[str, str]:
    """File name -> lowercase SHA-256 hex digest, from `sha256sum` output; other lines are ignored."""
    sums: dict[str, str] = {}
    for line in text.splitlines():
        match = _CHECKSUM_LINE.fullmatch(line.strip())
        if match:
            sums[match.group(2).strip()] = match.group(1).lower()
    return sums


def local_checksums(directory: Path) -> dict[str, str]:
    """The SHA256SUMS of a local source directory, or {} when it has none."""
    try:
        return parse_checksums((directory / CHECKSUMS_FILE).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {}


@lru_cache(maxsize=16)
def remote_checksums(base_url: str, timeout: float) -> Mapping[str, str]:
    """The SHA256SUMS beside remote files, or {} when there is none or it cannot be had.

    Asked once per source and process (a build is one process), not once per file.
    """
    try:
        response = requests.get(f"{base_url}/{CHECKSUMS_FILE}", timeout=timeout)
    except requests.RequestException:
        return {}
    if response.status_code != 200:
        return {}
    return parse_checksums(response.text)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(path: Path, name: str, sums: Mapping[str, str], listed_in: str) -> None:
    """Raise ChecksumMismatch when `sums` lists `name` with another digest than `path` has.

    A file the list does not name is not checked: a mirror may hold more than its list covers.
    """
    expected = sums.get(name)
    if expected is None:
        return
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumMismatch(
            f"checksum mismatch: SHA-256 {actual}, but {listed_in} says {expected}; "
            "the file is damaged or was replaced"
        )


def _download(url: str, target: Path, timeout: float) -> None:
    with requests.get(url, stream=True, timeout=timeout) as response:
        if response.status_code != 200:
            raise _HTTPStatus(response.status_code, url)
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

    Returns the path of the good copy. Raises FetchError naming the file and the cause:
    SourceUnreachable when the source never answered, ChecksumMismatch when the file differs from
    its source's SHA256SUMS. Raises CacheNotWritable (a PermissionError) when `dest_dir` cannot be
    written.
    """
    ensure_writable_dir(dest_dir)
    dest = dest_dir / name
    validate = VALIDATORS.get(Path(name).suffix.lower(), lambda _path: None)
    remote = source.startswith(("https://", "http://"))
    base = source.rstrip("/")
    origin = f"{base}/{name}" if remote else str(Path(source) / name)
    last_error = "no attempt made"
    kind: type[FetchError] = FetchError
    attempts = retries if remote else 1
    for attempt in range(1, attempts + 1):
        retry = remote
        kind = FetchError
        try:
            with atomic_path(dest) as tmp:
                if remote:
                    _download(origin, tmp, timeout)
                    sums, listed_in = remote_checksums(base, timeout), f"{base}/{CHECKSUMS_FILE}"
                else:
                    if not Path(origin).is_file():
                        raise FetchError(f"{origin} does not exist")
                    shutil.copyfile(origin, tmp)
                    sums, listed_in = local_checksums(Path(source)), str(Path(source) / CHECKSUMS_FILE)
                validate(tmp)
                verify_checksum(tmp, name, sums, listed_in)
            return dest
        except _HTTPStatus as exc:
            last_error = str(exc)
            # 404s and the like will not fix themselves; a server error may.
            retry = exc.status >= 500
        except ChecksumMismatch as exc:
            last_error, kind, retry = str(exc), ChecksumMismatch, False
        except FetchError as exc:
            last_error = str(exc)
        except requests.Timeout:
            last_error, kind = f"timed out after {timeout:g} s fetching {origin}", SourceUnreachable
        except requests.ConnectionError as exc:
            last_error, kind = f"{type(exc).__name__}: {exc}", SourceUnreachable
        except requests.RequestException as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        except CacheNotWritable:
            raise
        except OSError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        if not retry:
            break
        if attempt < attempts:
            time.sleep(backoff * attempt)
    raise kind(f"{name}: {last_error}")
