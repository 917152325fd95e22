"""Writing files: whole or not at all, readable as the user's umask says, one writer at a time.

Every file kjtypeset writes (PDFs, issue.yaml, articles, the archive, extracted fonts) goes
through a temporary file in the target's folder that is written, fsynced and then renamed
(or linked) into place: a failure or a kill -9 leaves the old file, never half a new one.
Temporary files are named ``.<target name>.<random>.tmp``; ``output_lock`` removes those a
killed writer left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def write_atomically(target: Path, data: bytes | str, mode: int | None = None) -> None:
    """Replace ``target`` with ``data`` (text is written as UTF-8) in one step.

    ``mode``: the new file's permissions; by default those of the file it replaces, or for a
    new file what the umask leaves of 0666, as ``open()`` would give (mkstemp alone gives 0600,
    which colleagues on a shared folder cannot read)."""
    write_all_atomically([(target, data)], mode)


def write_all_atomically(files: list[tuple[Path, bytes | str]], mode: int | None = None) -> None:
    """Replace several files together (a build's editions): each is written to its temporary
    file and flushed before the first is renamed into place, so a failure or a kill while
    writing leaves every old file (only the renames themselves, microseconds, are not one step)."""
    with contextlib.ExitStack() as stack:
        renames = []
        for target, data in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            kept = mode
            if kept is None:
                with contextlib.suppress(FileNotFoundError):
                    kept = target.stat().st_mode & 0o7777
            temp = stack.enter_context(written_temp(target.parent, data, prefix=f".{target.name}.", mode=kept))
            renames.append((temp, target))
        for temp, target in renames:
            os.replace(temp, target)
    for folder in dict.fromkeys(target.parent for target, _data in files):
        fsync_folder(folder)


@contextlib.contextmanager
def written_temp(folder: Path, data: bytes | str, prefix: str, mode: int | None = None) -> Iterator[Path]:
    """A temporary file in ``folder`` holding ``data``, flushed to disk, for the caller to rename
    or link into place; removed when the block ends if it is still there."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    temp = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~umask() if mode is None else mode)
        yield temp
    finally:
        temp.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    """Make a rename or link in ``folder`` durable (POSIX: the entry lives in the folder)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def umask() -> int:
    """The process's umask, read without changing it where Linux allows (os.umask can only
    read by setting, which for a moment would give files made by other threads mode 0666)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def output_lock(folder: Path, name: str, on_wait: Callable[[str], None],
                busy: str = "另一个构建（进程 {holder}）正在生成本期，等待它完成……") -> Iterator[None]:
    """Hold ``folder/.name.lock`` for one build; a second build of the issue waits its turn
    (``busy`` is what the waiting one is told).

    The lock also makes it safe to delete temporary files a killed build left behind: while
    we hold it, no other build of this issue is writing one.

    The lock file lives only while a build holds it: the holder removes it before letting go,
    so nothing but what the user asked for stays beside the outputs (issue 16). The file stays
    in the folder it guards (not in a per-user cache) so that colleagues building into one
    shared folder still take turns. A waiter whose file was removed meanwhile holds a lock on
    a name that no longer exists; it lets go and opens the file again (the usual flock-and-
    unlink protocol).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{name}.lock"
    told = False
    while True:
        lock = open(path, "a+")
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not told:
                    lock.seek(0)
                    holder = lock.read().strip() or "?"
                    on_wait(busy.format(holder=holder))
                    told = True
                fcntl.flock(lock, fcntl.LOCK_EX)
            if _same_file(lock, path):
                break
        except BaseException:
            lock.close()
            raise
        lock.close()  # the holder before us removed it: take the lock on the new file
    try:
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        for stale in folder.glob(f".{name}*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        try:
            path.unlink(missing_ok=True)  # while still holding it: see above
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()


def _same_file(handle, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``handle``."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
