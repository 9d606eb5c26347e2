"""Writing files so that no reader ever sees half of one, and builds that never trip over each other.

- `atomic_write` / `atomic_path`: write beside the target under a unique temporary name, then rename
  it into place; on any error the temporary file is removed and the old file is untouched.
- `build_lock`: one build at a time per cache directory (other builds wait, then go on).
- `remove_stale_temporaries`: clear what a killed build left behind.
- `ensure_writable_dir`: say "cache directory X is not writable" instead of failing somewhere deeper.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

#: every temporary file made here ends so, and starts with a dot, so it is never taken for data
TEMP_SUFFIX = ".part"
LOCK_FILE = ".build.lock"
#: how long a build waits for another one on the same cache (a full build takes well under a minute
#: from a local mirror, a few minutes from the Census Bureau)
BUILD_LOCK_TIMEOUT = 900.0
#: used for new files; an existing target keeps its own permissions
NEW_FILE_MODE = 0o644


class CacheNotWritable(PermissionError):
    """A directory the build must write to cannot be written."""

    def __init__(self, directory: Path | str, detail: str = "", label: str = "cache directory") -> None:
        self.directory = Path(directory)
        message = f"{label} {directory} is not writable"
        super().__init__(f"{message} ({detail})" if detail else message)

    def __str__(self) -> str:
        return str(self.args[0])


class BuildLockTimeout(TimeoutError):
    """Another build kept the cache locked for longer than we would wait."""

    def __str__(self) -> str:
        return str(self.args[0])


def temporary_name(target: Path) -> str:
    """The prefix of temporaries for `target` (a unique part and TEMP_SUFFIX follow)."""
    return f".{target.name}."


@contextlib.contextmanager
def atomic_path(path: Path | str, *, fsync: bool = False) -> Iterator[Path]:
    """Yield a fresh temporary path beside `path`; when the block ends without error, rename it to `path`.

    The temporary name is unique (tempfile), so two writers never share one; if the block raises,
    the temporary file is removed and `path` is left as it was. The parent directory is created.
    `fsync=True` flushes the data to disk before the rename, for files that must survive a power cut.
    """
    target = Path(path)
    with _diagnosed(target.parent):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=temporary_name(target), suffix=TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); readers running as another user need the usual mode.
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = NEW_FILE_MODE
        with _diagnosed(target.parent):
            os.chmod(tmp, mode)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


#: what the OS says when a directory may not be written, or a file stands where it should be
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST})


@contextlib.contextmanager
def _diagnosed(directory: Path) -> Iterator[None]:
    """Turn "permission denied" and the like into CacheNotWritable naming the directory."""
    try:
        yield
    except CacheNotWritable:
        raise
    except OSError as exc:
        if exc.errno in _NOT_WRITABLE:
            raise CacheNotWritable(directory, exc.strerror or str(exc), label="directory") from exc
        raise


def atomic_write(path: Path | str, data: bytes | str, *, encoding: str = "utf-8", fsync: bool = False) -> Path:
    """Replace `path` with `data` (text is encoded with `encoding`) in one step; returns `path`."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(path, fsync=fsync) as tmp:
        tmp.write_bytes(payload)
    return Path(path)


def directory_is_writable(directory: Path | str) -> bool:
    """Whether `directory` exists and may be written to, or could be created (its nearest existing
    ancestor is a writable directory). A path under a regular file is never writable."""
    path = Path(directory).absolute()
    while not os.path.lexists(path):
        if path.parent == path:
            return False
        path = path.parent
    effective = os.access in os.supports_effective_ids
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK, effective_ids=effective)


def ensure_writable_dir(directory: Path | str) -> Path:
    """Create `directory` if needed; raise CacheNotWritable when it cannot be written."""
    path = Path(directory)
    if not directory_is_writable(path):
        raise CacheNotWritable(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheNotWritable(path, exc.strerror or str(exc)) from exc
    return path


@contextlib.contextmanager
def build_lock(
    cache_dir: Path | str,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the build lock of `cache_dir` for the block (yields the lock file's path).

    A second build on the same cache waits (calling `on_wait` once with a message) until the first
    is done, for at most `timeout` seconds (BUILD_LOCK_TIMEOUT by default), then raises
    BuildLockTimeout. Raises CacheNotWritable when the lock cannot be created there.
    The lock is an OS file lock: it goes away with the process, so a killed build never leaves
    the cache locked.
    """
    wait = BUILD_LOCK_TIMEOUT if timeout is None else timeout
    directory = ensure_writable_dir(cache_dir)
    lock_path = directory / LOCK_FILE
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(f"another build is using {directory}; waiting for it (up to {wait:g} s)")
        try:
            lock.acquire(timeout=wait)
        except Timeout as exc:
            raise BuildLockTimeout(
                f"another build has held {lock_path} for more than {wait:g} s; let it finish and retry"
            ) from exc
    except PermissionError as exc:
        raise CacheNotWritable(directory, exc.strerror or str(exc)) from exc
    try:
        yield lock_path
    finally:
        lock.release()


def remove_stale_temporaries(directory: Path | str, names: Iterable[str] = ()) -> list[Path]:
    """Delete leftover temporaries under `directory` (recursively) and return what was removed.

    Only files this module names are touched: hidden `.<name>.<random>.part` files, and
    `<name>.part` for each of `names` (the fixed names older builds used). Call it only while
    holding `build_lock`, or it could take a running build's file from under it.
    """
    root = Path(directory)
    if not root.is_dir():
        return []
    legacy = {f"{name}{TEMP_SUFFIX}" for name in names}
    removed: list[Path] = []
    for path in sorted(root.rglob(f"*{TEMP_SUFFIX}")):
        ours = path.name.startswith(".") or path.name in legacy
        if ours and (path.is_file() or path.is_symlink()):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
